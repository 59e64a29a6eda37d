import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { selectBackend } from '../../../world-gen/gan/backend'

const wasmPath = fileURLToPath(new URL('../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url))

describe('wasm threads', () => {
  it('falls back to the single-threaded build where the scope is not cross-origin isolated (Node)', async () => {
    expect((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated).not.toBe(true)
    const choice = await selectBackend({ order: ['wasm'], wasmPath, wasmThreads: 4 })
    expect(choice).toEqual({ backend: 'wasm', refusals: [], threads: 1 })
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false)
    // It computes: a 1×1 conv through the backend that was started.
    const y = tf.conv2d(tf.ones([1, 2, 2, 1]) as tf.Tensor4D, tf.ones([1, 1, 1, 1]) as tf.Tensor4D, 1, 'valid')
    expect(Array.from(await y.data())).toEqual([1, 1, 1, 1])
    y.dispose()
  })
})
