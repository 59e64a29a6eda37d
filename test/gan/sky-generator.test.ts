/**
 * The trained `sky` generator (equirect upper hemisphere, circular in longitude only, with an elevation channel) on
 * the tf.js cpu and wasm backends: PyTorch golden output, the field world-gen builds, the 360° wrap and no leaks.
 */
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadGenerator, selectBackend, type Generator } from '../../world-gen/gan'
import { LATENT_LAYOUT, slotField, withElevation } from '../../world-gen/latent-walk'
import { golden, GOLDEN_TOLERANCE, maxAbsDiff, surfaceFiles, WASM_DIR } from './load'

const files = surfaceFiles('sky')
const fx = golden('sky')
const { globalDim, localDim } = LATENT_LAYOUT.sky

describe('the sky latent field', () => {
  it('the fixture field (built by training/models.py) is world-gen slotField of its global and local parts', () => {
    const { cellsH: h, cellsW: w } = fx
    const c = globalDim + localDim + 1
    expect(fx.field.length).toBe(h * w * c)
    const global = fx.field.slice(0, globalDim)
    const local = new Float32Array(h * w * localDim)
    for (let i = 0; i < h * w; i++)
      local.set(fx.field.subarray(i * c + globalDim, i * c + globalDim + localDim), i * localDim)
    expect(maxAbsDiff(slotField('sky', global, local, w, h), fx.field)).toBeLessThan(1e-6)
  })

  it('the elevation channel runs from +1 at the zenith row to -1 at the horizon row', () => {
    const f = withElevation(new Float32Array(4 * 2), 1, 4) // 4 rows, 1 column, 2 channels
    expect(Array.from({ length: 4 }, (_, y) => f[y * 3 + 2])).toEqual([0.75, 0.25, -0.25, -0.75])
    expect(() => withElevation(new Float32Array(5), 2, 2)).toThrow(RangeError)
  })

  it('surface slots get no elevation channel', () => {
    const g = new Float32Array(LATENT_LAYOUT.surface.globalDim)
    const l = new Float32Array(2 * 2 * LATENT_LAYOUT.surface.localDim)
    expect(slotField('floor', g, l, 2, 2).length).toBe(4 * (g.length + LATENT_LAYOUT.surface.localDim))
  })
})

describe.each(['cpu', 'wasm'] as const)('sky generator on %s', (backend) => {
  let gen: Generator

  beforeAll(async () => {
    const choice = await selectBackend({ order: [backend], wasmPath: WASM_DIR })
    expect(choice.backend).toBe(backend)
    gen = await loadGenerator(files)
    expect(gen.manifest.wrap).toBe('x')
    expect(gen.inputChannels).toBe(globalDim + localDim + 1)
  })

  it(`matches the PyTorch golden output within ${GOLDEN_TOLERANCE}`, async () => {
    const out = await gen.generateFloat(fx.field, fx.cellsH, fx.cellsW, fx.noise)
    expect(out.length).toBe(fx.cellsH * 16 * fx.cellsW * 16 * 3)
    const err = maxAbsDiff(out, fx.output)
    console.info(`[golden] sky ${backend}: max abs error ${err.toExponential(2)}`)
    expect(err).toBeLessThanOrEqual(GOLDEN_TOLERANCE)
  })

  it('wraps around 360°: rolling the field one cell in longitude rolls the panorama by 16 px', async () => {
    const { cellsH: h, cellsW: w } = fx
    const c = gen.inputChannels
    const rolled = new Float32Array(fx.field.length)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const src = (y * w + ((x - 1 + w) % w)) * c
        rolled.set(fx.field.subarray(src, src + c), (y * w + x) * c)
      }
    const rolledNoise = fx.noise.map((n) => {
      const f = Math.sqrt(n.length / (h * w))
      const nh = h * f
      const nw = w * f
      const r = new Float32Array(n.length)
      for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) r[y * nw + x] = n[y * nw + ((x - f + nw) % nw)]
      return r
    })
    const a = await gen.generateFloat(fx.field, h, w, fx.noise)
    const b = await gen.generateFloat(rolled, h, w, rolledNoise)
    const H = 16 * h
    const W = 16 * w
    const expected = new Float32Array(a.length)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let k = 0; k < 3; k++) expected[(y * W + x) * 3 + k] = a[(y * W + ((x - 16 + W) % W)) * 3 + k]
    expect(maxAbsDiff(b, expected)).toBeLessThan(1e-4)
  })

  it('leaks no tensors and gives identical bytes on repeat', async () => {
    const before = tf.memory().numTensors
    const p = await gen.generate(fx.field, fx.cellsH, fx.cellsW, 42)
    const q = await gen.generate(fx.field, fx.cellsH, fx.cellsW, 42)
    expect(Buffer.from(p).equals(Buffer.from(q))).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
  })
})
