import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { Generator, loadGenerator, selectBackend } from '../../../world-gen/gan'
import { decodeWeights, parseManifest } from '../../../world-gen/gan/manifest'
import {
  FIT_GRADIENT_KERNELS,
  FitCancelledError,
  fitPhoto,
  fitStartLatent,
  fitStyle,
  missingGradientKernels,
  paintStyle,
  structureMask,
  styleDistance,
  textureStats,
} from '../../../world-gen/gan/style-fit'
import { bilinearMatrix, ensureGradients } from '../../../world-gen/gan/gradients'
import { decodeStyle, encodeStyle, quantiseLatent, type WorldStyle } from '../../../world-gen/style'
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

  it('has a structure part (structureMask: the log energies) blind to colour, not to orientation', () => {
    const mask = structureMask()
    expect(mask.length).toBe(4 * 21)
    expect(mask.reduce((a, b) => a + b, 0)).toBe(4 * 9)
    const d = tf.tidy(() => {
      const m = tf.tensor1d(mask)
      const structural = (a: tf.Tensor4D, b: tf.Tensor4D) =>
        tf.sum(tf.mul(tf.squaredDifference(textureStats(a), textureStats(b)), m)).dataSync()[0]!
      const base = img(stripes())
      return [
        structural(base, img(stripes(32, 0, [-0.3, 0.3, 0.2]))),
        styleDistance(base, img(stripes(32, 0, [-0.3, 0.3, 0.2]))).dataSync()[0]!,
        structural(base, tf.transpose(base, [0, 2, 1, 3]) as tf.Tensor4D),
      ]
    })
    expect(d[0]).toBeLessThan(1e-6)
    expect(d[1]).toBeGreaterThan(0.5)
    expect(d[2]).toBeGreaterThan(1)
  })

  it('has 21 statistics per pyramid level', () => {
    const n = tf.tidy(() => textureStats(img(stripes())).shape[0])
    expect(n).toBe(4 * 21)
  })
})

/** Sum of f(field) · weights over the generator's output: a scalar whose gradient reaches every output pixel. */
function weightedOutput(gen: Generator, field: tf.Tensor4D, seed: number): tf.Scalar {
  const out = gen.forwardTensor(field, seed, { differentiable: true })
  const w = tf.sin(tf.mul(tf.range(0, out.size), 0.37)).reshape(out.shape)
  return tf.sum(tf.mul(out, w)) as tf.Scalar
}

/**
 * The fixture model with a 4th output channel (a relief model's height) added to its last layer: the first 3
 * channels are the 3-channel model's output, exactly.
 */
function withHeightChannel(fixture: { manifest: Record<string, unknown>; weights: Uint8Array }): Generator {
  const m = parseManifest(fixture.manifest)
  const values = decodeWeights(m, fixture.weights)
  const last = m.layers[m.layers.length - 1]!
  const layers = m.layers.map((spec) => {
    let kernel = values.get(`${spec.name}/kernel`)!
    let bias = values.get(`${spec.name}/bias`)!
    if (spec === last) {
      const k4 = new Float32Array((kernel.length / 3) * 4)
      for (let i = 0; i < kernel.length / 3; i++) {
        k4.set(kernel.subarray(3 * i, 3 * i + 3), 4 * i)
        k4[4 * i + 3] = Math.cos(i)
      }
      kernel = k4
      bias = Float32Array.from([...bias, 0.1])
    }
    const out = spec === last ? 4 : spec.out
    return {
      spec: { ...spec, out },
      kernel: tf.tensor4d(kernel, [3, 3, spec.in, out]),
      bias: tf.tensor1d(bias),
      ...(spec.noise ? { noise: tf.tensor1d(values.get(`${spec.name}/noise`)!) } : {}),
    }
  })
  const relief = { channel: 3, pxPerUnit: 4 }
  return new Generator({ ...m, outputChannels: 4, relief, layers: layers.map((l) => l.spec) }, layers)
}

describe('the fit on a fixture model (cpu)', () => {
  // Three families and a 16 px field keep the cpu fit to a few seconds.
  const fixture = familyModel({ globalDim: 8, upsamples: 2, names: ['brick', 'plaster', 'metal'] })
  const manifest = parseManifest(fixture.manifest)
  let gen: Generator

  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
    await ensureGradients()
    gen = await loadGenerator({ manifest: fixture.manifest, weights: fixture.weights })
  })

  it('forwardTensor, fused or differentiable, paints what forward paints', () => {
    const field = Float32Array.from({ length: 3 * 4 * manifest.inputChannels }, (_, i) => Math.sin(i * 0.31))
    const [want, fused, unfused] = tf.tidy(() => {
      const t = tf.tensor4d(field, [1, 3, 4, manifest.inputChannels])
      return [
        gen.forward(field, 3, 4, 5).dataSync() as Float32Array,
        gen.forwardTensor(t, 5).dataSync() as Float32Array,
        gen.forwardTensor(t, 5, { differentiable: true }).dataSync() as Float32Array,
      ]
    })
    expect(maxAbsDiff(fused!, want!)).toBe(0)
    expect(maxAbsDiff(unfused!, want!)).toBeLessThan(1e-5)
  })

  it('refuses a field tensor of the wrong shape', () => {
    expect(() =>
      tf.tidy(() => gen.forwardTensor(tf.zeros([1, 2, 2, manifest.inputChannels + 1]) as tf.Tensor4D)),
    ).toThrow(RangeError)
  })

  it('differentiates by the field: along the gradient, the slope is its norm (central differences)', () => {
    // Along its own direction a wrong gradient shows (tf.js's stock resizeBilinear gradient gives 2.76 here where
    // the slope is 1.01); the relus make the slope change within ±0.03, so the step is small.
    const field = Float32Array.from({ length: 3 * 3 * manifest.inputChannels }, (_, i) => Math.cos(i * 0.53))
    const x = () => tf.tensor4d(field, [1, 3, 3, manifest.inputChannels])
    const eps = 3e-3
    const [norm, slope] = tf.tidy(() => {
      const f = (t: tf.Tensor) => weightedOutput(gen, t as tf.Tensor4D, 3)
      const g = tf.grad(f)(x())
      const n = tf.norm(g)
      const at = (s: number) => f(tf.add(x(), tf.mul(tf.div(g, n), s))).dataSync()[0]!
      return [n.dataSync()[0]!, (at(eps) - at(-eps)) / (2 * eps)]
    })
    expect(slope!).toBeCloseTo(norm!, 2)
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
    expect(r.improved).toBe(true)
    expect(r.style.slot).toBe('walls')
    expect(r.style.families.reduce((s, f) => s + f.weight, 0)).toBe(1)
  })

  it('is deterministic: the same photo and seed give the same style, another seed another', async () => {
    const a = await fitStyle(gen, manifest.families!, target, options)
    const b = await fitStyle(gen, manifest.families!, target, options)
    const c = await fitStyle(gen, manifest.families!, target, { ...options, seed: 2 })
    expect(encodeStyle(a.style)).toBe(encodeStyle(b.style))
    expect(a.quantisedLoss).toBe(b.quantisedLoss)
    expect(a.improved).toBe(b.improved)
    expect(encodeStyle(c.style)).not.toBe(encodeStyle(a.style))
  })

  /**
   * The distance of a style to `photo` as a link paints it: encoded, decoded, painted by the fused forward pass; to
   * the photo as taken or turned a quarter, whichever is closer (as the fit measures links).
   */
  const linkDistance = (style: WorldStyle, photo: Float32Array, cells: number, seed = 1) => {
    const decoded = decodeStyle(encodeStyle(style))
    const mix = new Float32Array(manifest.families!.names.length)
    for (const f of decoded.families) mix[f.index] = f.weight
    const size = cells * manifest.cellPx
    return tf.tidy(() => {
      const painted = paintStyle(gen, manifest.families!, decoded.global, mix, { cells, seed })
      const taken = tf.tensor4d(photo, [1, size, size, 3])
      return Math.min(
        styleDistance(painted, taken).dataSync()[0]!,
        styleDistance(painted, tf.transpose(taken, [0, 2, 1, 3]) as tf.Tensor4D).dataSync()[0]!,
      )
    })
  }

  // Photos the fixture can and cannot paint: stripes at two scales and tints, and flat or noisy squares.
  const photos: [string, Float32Array][] = [
    ['stripes', target],
    ['stripes, another tint', stripes(16, 3, [-0.3, 0.3, 0.2])],
    ['flat grey', new Float32Array(16 * 16 * 3).fill(0.1)],
    ['noise', Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => Math.sin(i * 12.9898) * 0.8)],
  ]

  it.each(photos)(
    'the link it returns, decoded and painted as the world paints it, is no farther from %s than the unrounded start',
    async (_, photo) => {
      const r = await fitStyle(gen, manifest.families!, photo, options)
      const measured = linkDistance(r.style, photo, options.cells)
      expect(measured).toBeCloseTo(r.quantisedLoss, 4)
      expect(measured).toBeLessThanOrEqual(r.startLoss)
      expect(r.improved).toBe(true)
      // Nor farther than the rounded start, the link of the closest material alone (a candidate it always weighs).
      const starts = Array.from({ length: 4 }, (_, k) => fitStartLatent(1, 8, k))
      const roundedStarts = starts.map((z) => ({ slot: 'walls' as const, global: quantiseLatent(z) }))
      const nearest = Math.min(
        ...roundedStarts.flatMap((s) =>
          manifest.families!.names.map((_, index) =>
            linkDistance({ ...s, families: [{ index, weight: 1 }] }, photo, options.cells),
          ),
        ),
      )
      expect(measured).toBeLessThanOrEqual(nearest + 1e-5)
    },
  )

  it('says when nothing it can link to beats its start: a photo painted by the start itself', async () => {
    // The start (start latent 0, family 1 as the softmax mixture the fit begins with) paints the photo exactly, so
    // every rounded style is farther from it than the start: the fit reports that instead of an improvement.
    const mix0 = Float32Array.from([1, Math.exp(4), 1]).map((v) => v / (2 + Math.exp(4)))
    const photo = tf.tidy(
      () => paintStyle(gen, manifest.families!, fitStartLatent(1, 8, 0), mix0, { cells: 4 }).dataSync() as Float32Array,
    )
    const r = await fitStyle(gen, manifest.families!, photo, options)
    expect(r.startFamily).toBe(1)
    expect(r.photoTurned).toBe(false)
    expect(r.startLoss).toBeLessThan(1e-6)
    expect(r.improved).toBe(false)
    expect(r.quantisedLoss).toBeGreaterThan(r.startLoss)
    expect(linkDistance(r.style, photo, options.cells)).toBeCloseTo(r.quantisedLoss, 4)
    // What it returns is still the closest link it found: no farther than the rounded start.
    const roundedStart = { slot: 'walls' as const, global: quantiseLatent(fitStartLatent(1, 8, 0)) }
    expect(r.quantisedLoss).toBeLessThanOrEqual(
      linkDistance({ ...roundedStart, families: [{ index: 1, weight: 1 }] }, photo, options.cells) + 1e-5,
    )
  })

  it("matches the photo turned a quarter when that is how the model paints it (the grain's direction is the world's)", async () => {
    const mix0 = Float32Array.from([1, Math.exp(4), 1]).map((v) => v / (2 + Math.exp(4)))
    const before = tf.memory().numTensors
    const photo = tf.tidy(() => {
      const painted = paintStyle(gen, manifest.families!, fitStartLatent(1, 8, 0), mix0, { cells: 4 })
      return tf.transpose(painted, [0, 2, 1, 3]).dataSync() as Float32Array
    })
    const r = await fitStyle(gen, manifest.families!, photo, options)
    expect(r.photoTurned).toBe(true)
    expect(r.startFamily).toBe(1)
    // Turned back, the photo is the start's own painting.
    expect(r.startLoss).toBeLessThan(1e-6)
    expect(tf.memory().numTensors).toBe(before)
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

  it('compares only the colour of a generator with a height channel: the same style as without it', async () => {
    const relief = withHeightChannel(fixture)
    const a = await fitStyle(gen, manifest.families!, target, options)
    const b = await fitStyle(relief, manifest.families!, target, options)
    relief.dispose()
    expect(encodeStyle(b.style)).toBe(encodeStyle(a.style))
    expect(b.quantisedLoss).toBeCloseTo(a.quantisedLoss, 5)
  })
})

describe('gradient kernels', () => {
  it.each(['cpu', 'wasm'] as const)('%s registers every kernel the fit needs', async (backend) => {
    await selectBackend({ order: [backend], wasmPath: WASM_DIR })
    await ensureGradients()
    expect(missingGradientKernels(backend)).toEqual([])
    expect(FIT_GRADIENT_KERNELS).not.toContain('ResizeBilinearGrad')
  })

  it('bilinearMatrix rows sum to 1 and sample as resizeBilinear does (×2, half-pixel centres: ¾ own + ¼ neighbour)', () => {
    const m = bilinearMatrix(3, 6, false, true)
    for (let r = 0; r < 6; r++) expect(m.slice(3 * r, 3 * r + 3).reduce((a, b) => a + b)).toBeCloseTo(1, 6)
    expect(Array.from(m.slice(3, 6))).toEqual([0.75, 0.25, 0])
    expect(Array.from(m.slice(6, 9))).toEqual([0.25, 0.75, 0])
  })

  // <resize(x), dy> = <x, grad(dy)> holds for the exact gradient only; tf.js 4.22's own ignores halfPixelCenters.
  const resizeCases = [
    { label: '×2 half-pixel (the generator)', inHW: [5, 4], outHW: [10, 8], align: false, half: true },
    { label: '×2 + 4 half-pixel, non-square', inHW: [4, 6], outHW: [12, 16], align: false, half: true },
    { label: 'down-scale half-pixel', inHW: [9, 7], outHW: [4, 3], align: false, half: true },
    { label: 'legacy grid', inHW: [5, 5], outHW: [14, 11], align: false, half: false },
    { label: 'aligned corners', inHW: [5, 6], outHW: [9, 13], align: true, half: false },
  ]
  describe.each(['cpu', 'wasm'] as const)('resizeBilinear gradient on %s', (backend) => {
    beforeAll(async () => {
      await selectBackend({ order: [backend], wasmPath: WASM_DIR })
      await ensureGradients()
    })
    it.each(resizeCases)('is the adjoint of the forward resize: $label', ({ inHW, outHW, align, half }) => {
      const [lhs, rhs] = tf.tidy(() => {
        const x = tf.sin(tf.mul(tf.range(0, 2 * inHW[0]! * inHW[1]! * 3), 0.9)).reshape([2, inHW[0]!, inHW[1]!, 3])
        const dy = tf.cos(tf.mul(tf.range(0, 2 * outHW[0]! * outHW[1]! * 3), 0.7)).reshape([2, outHW[0]!, outHW[1]!, 3])
        const f = (t: tf.Tensor) =>
          tf.sum(tf.mul(tf.image.resizeBilinear(t as tf.Tensor4D, outHW as [number, number], align, half), dy))
        const g = tf.grad(f)(x)
        return [f(x).dataSync()[0]!, tf.sum(tf.mul(x, g)).dataSync()[0]!]
      })
      expect(rhs!).toBeCloseTo(lhs!, 3)
    })
  })

  it("wasm's gradient through the generator matches cpu's", async () => {
    const fixture = familyModel({ globalDim: 8, upsamples: 2, names: ['brick', 'plaster', 'metal'] })
    const c = parseManifest(fixture.manifest).inputChannels
    const field = Float32Array.from({ length: 4 * 4 * c }, (_, i) => Math.sin(i * 0.29))
    const grad = async (backend: 'cpu' | 'wasm') => {
      await selectBackend({ order: [backend], wasmPath: WASM_DIR })
      await ensureGradients()
      const gen = await loadGenerator({ manifest: fixture.manifest, weights: fixture.weights })
      const g = tf.tidy(
        () =>
          tf
            .grad((t: tf.Tensor) => weightedOutput(gen, t as tf.Tensor4D, 7))(tf.tensor4d(field, [1, 4, 4, c]))
            .dataSync() as Float32Array,
      )
      gen.dispose()
      return g
    }
    const onWasm = await grad('wasm')
    expect(maxAbsDiff(onWasm, await grad('cpu'))).toBeLessThan(1e-4)
  })
})

describe('the trained surface model (cpu)', () => {
  it('the differentiable pass paints what Generator.forward paints', async () => {
    await selectBackend({ order: ['cpu'] })
    const files = surfaceFiles()
    const manifest = parseManifest(files.manifest)
    const gen = await loadGenerator(files)
    const field = Float32Array.from({ length: 2 * 2 * manifest.inputChannels }, (_, i) => Math.sin(i * 0.7))
    const want = await gen.generateFloat(field, 2, 2, 9)
    const got = tf.tidy(
      () =>
        gen
          .forwardTensor(tf.tensor4d(field, [1, 2, 2, manifest.inputChannels]), 9, { differentiable: true })
          .dataSync() as Float32Array,
    )
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4)
    gen.dispose()
  })
})
