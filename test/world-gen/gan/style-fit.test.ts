import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadGenerator, selectBackend } from '../../../world-gen/gan'
import { parseManifest } from '../../../world-gen/gan/manifest'
import {
  DifferentiableGenerator,
  FitCancelledError,
  fitPhoto,
  fitStyle,
  missingGradientKernels,
  styleDistance,
  textureStats,
} from '../../../world-gen/gan/style-fit'
import { ensureGradients } from '../../../world-gen/gan/gradients'
import { encodeStyle } from '../../../world-gen/style'
import { familyModel } from '../../support/family-model'
import { maxAbsDiff, surfaceFiles, WASM_DIR } from './load'

/** A smooth, stripy 32×32 "photo" in [-1, 1]: float32 [32, 32, 3]. */
function stripes(size = 32, phase = 0, tint = [0.4, -0.2, -0.5]): Float32Array {
  const out = new Float32Array(size * size * 3)
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < 3; c++)
        out[(y * size + x) * 3 + c] = 0.5 * Math.sin(((x + phase) * 2 * Math.PI) / 8) * (c === 0 ? 1 : 0.5) + tint[c]!
  return out
}

const img = (data: Float32Array, size = 32) => tf.tensor4d(data, [1, size, size, 3])

describe('texture-statistics distance', () => {
  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
  })

  it('is 0 for the same image, and ~0 for a shifted copy (it compares statistics, not pixels)', () => {
    const d = tf.tidy(() => [
      styleDistance(img(stripes()), img(stripes())).dataSync()[0]!,
      styleDistance(img(stripes()), img(stripes(32, 8))).dataSync()[0]!,
    ])
    expect(d[0]).toBe(0)
    expect(d[1]).toBeLessThan(1e-3)
  })

  it('grows with a colour shift and with a change of scale', () => {
    const d = tf.tidy(() => {
      const base = img(stripes())
      const recoloured = img(stripes(32, 0, [-0.3, 0.3, 0.2]))
      const flat = tf.fill([1, 32, 32, 3], 0.1) as tf.Tensor4D
      return [styleDistance(base, recoloured).dataSync()[0]!, styleDistance(base, flat).dataSync()[0]!]
    })
    expect(d[0]).toBeGreaterThan(0.5)
    expect(d[1]).toBeGreaterThan(1)
  })

  it('has 21 statistics per pyramid level', () => {
    const n = tf.tidy(() => textureStats(img(stripes())).shape[0])
    expect(n).toBe(4 * 21)
  })
})

describe('the fit on a fixture model (cpu)', () => {
  // Three families and a 16 px field keep the cpu fit to a few seconds.
  const fixture = familyModel({ globalDim: 8, upsamples: 2, names: ['brick', 'plaster', 'metal'] })
  const manifest = parseManifest(fixture.manifest)
  let gen: DifferentiableGenerator

  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
    await ensureGradients()
    gen = new DifferentiableGenerator(manifest, fixture.weights)
  })

  it('runs the same forward pass as Generator.forward', async () => {
    const plain = await loadGenerator({ manifest: fixture.manifest, weights: fixture.weights })
    const field = Float32Array.from({ length: 3 * 4 * manifest.inputChannels }, (_, i) => Math.sin(i * 0.31))
    const want = await plain.generateFloat(field, 3, 4, 5)
    const got = tf.tidy(() =>
      gen.forward(tf.tensor4d(field, [1, 3, 4, manifest.inputChannels]), gen.noiseMaps(5, 3, 4)).dataSync(),
    )
    expect(maxAbsDiff(got as Float32Array, want)).toBeLessThan(1e-5)
    plain.dispose()
  })

  const target = stripes(16)
  const options = { slot: 'walls' as const, steps: 8, cells: 4 }

  it('reduces the distance, leaves no tensor behind and reports every step', async () => {
    const before = tf.memory().numTensors
    const seen: number[] = []
    const r = await fitStyle(gen, manifest.families!, target, { ...options, onStep: (s) => void seen.push(s) })
    expect(tf.memory().numTensors).toBe(before)
    expect(r.steps).toBe(10)
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    expect(r.fittedLoss).toBeLessThan(r.startLoss)
    expect(r.quantisedLoss).toBeLessThan(r.startLoss)
    expect(r.style.slot).toBe('walls')
    expect(r.style.families.reduce((s, f) => s + f.weight, 0)).toBe(1)
  })

  it('is deterministic: the same photo and seed give the same style, another seed another', async () => {
    const a = await fitStyle(gen, manifest.families!, target, options)
    const b = await fitStyle(gen, manifest.families!, target, options)
    const c = await fitStyle(gen, manifest.families!, target, { ...options, seed: 2 })
    expect(encodeStyle(a.style)).toBe(encodeStyle(b.style))
    expect(a.quantisedLoss).toBe(b.quantisedLoss)
    expect(encodeStyle(c.style)).not.toBe(encodeStyle(a.style))
  })

  it('stops when cancelled, without leaking tensors', async () => {
    const before = tf.memory().numTensors
    let n = 0
    await expect(
      fitStyle(gen, manifest.families!, target, { ...options, cancelled: () => n++ >= 3 }),
    ).rejects.toBeInstanceOf(FitCancelledError)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('fits an RGBA photo of any size through photoTarget', async () => {
    const photo = new Uint8Array(50 * 40 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256))
    const r = await fitPhoto(gen, { widthPx: 50, heightPx: 40, pixels: photo }, { slot: 'floor', steps: 2, cells: 4 })
    expect(r.style.slot).toBe('floor')
  })
})

describe('gradient kernels', () => {
  it('wasm lacks DepthwiseConv2dNativeBackpropInput until the fit registers it; then it matches cpu', async () => {
    await selectBackend({ order: ['wasm'], wasmPath: WASM_DIR })
    const missingBefore = missingGradientKernels('wasm')
    await ensureGradients()
    expect(missingGradientKernels('wasm')).toEqual([])
    expect(missingBefore.every((k) => k === 'DepthwiseConv2dNativeBackpropInput')).toBe(true)
    const grad = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(
          Float32Array.from({ length: 2 * 6 * 5 * 3 }, (_, i) => Math.sin(i)),
          [2, 6, 5, 3],
        )
        const f = tf.tensor4d(
          Float32Array.from({ length: 3 * 3 * 3 }, (_, i) => Math.cos(i)),
          [3, 3, 3, 1],
        )
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(t as tf.Tensor4D, f, 1, 'valid'))))(x)
        return g.dataSync() as Float32Array
      })
    const onWasm = grad()
    await selectBackend({ order: ['cpu'] })
    expect(maxAbsDiff(onWasm, grad())).toBeLessThan(1e-4)
  })
})

describe('the trained surface model (cpu)', () => {
  it('the differentiable twin matches Generator.forward', async () => {
    await selectBackend({ order: ['cpu'] })
    const files = surfaceFiles()
    const manifest = parseManifest(files.manifest)
    const twin = new DifferentiableGenerator(manifest, files.weights)
    const plain = await loadGenerator(files)
    const field = Float32Array.from({ length: 2 * 2 * manifest.inputChannels }, (_, i) => Math.sin(i * 0.7))
    const want = await plain.generateFloat(field, 2, 2, 9)
    const got = tf.tidy(
      () =>
        twin
          .forward(tf.tensor4d(field, [1, 2, 2, manifest.inputChannels]), twin.noiseMaps(9, 2, 2))
          .dataSync() as Float32Array,
    )
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4)
    twin.dispose()
    plain.dispose()
  })
})
