import * as tf from '@tensorflow/tfjs-core'
import { afterEach, describe, expect, it } from 'vitest'
import { selectBackend } from '../../../world-gen/gan/backend'

const realNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator')

afterEach(() => {
  if (realNavigator !== undefined) Object.defineProperty(globalThis, 'navigator', realNavigator)
})

function fakeGpu(requestAdapter: () => Promise<unknown>): void {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter } }, configurable: true })
}

describe('backend fallback on WebGPU faults', () => {
  it.each([
    ['no adapter (requestAdapter resolves null)', () => Promise.resolve(null), /no WebGPU adapter/],
    ['requestAdapter rejects', () => Promise.reject(new Error('adapter request failed')), /adapter request failed/],
    [
      'software adapter',
      () => Promise.resolve({ info: { vendor: 'google', architecture: 'swiftshader', description: '' } }),
      /software WebGPU adapter/,
    ],
  ])('%s: webgpu is refused with a reason and the next backend runs', async (_, requestAdapter, reason) => {
    fakeGpu(requestAdapter)
    const choice = await selectBackend({ order: ['webgpu', 'cpu'] })
    expect(choice.backend).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(choice.refusals).toHaveLength(1)
    expect(choice.refusals[0].backend).toBe('webgpu')
    expect(choice.refusals[0].reason).toMatch(reason)
  })
})
