import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadGenerator, selectBackend, type Generator } from '../../../world-gen/gan'
import { familyModel } from '../../support/family-model'
import { golden, GOLDEN_TOLERANCE, maxAbsDiff, surfaceFiles, WASM_DIR } from './load'

// Both trained generators tile (circular padding in x and y): `surface` paints materials, `sky` its cloud layer.
describe.each([
  ['surface', 'cpu'],
  ['surface', 'wasm'],
  ['sky', 'cpu'],
  ['sky', 'wasm'],
] as const)('%s generator on %s', (model, backend) => {
  let gen: Generator
  const fx = golden(model)
  const modelFiles = surfaceFiles(model)

  beforeAll(async () => {
    const choice = await selectBackend({ order: [backend], wasmPath: WASM_DIR })
    expect(choice.backend).toBe(backend)
    gen = await loadGenerator(modelFiles)
    expect(gen.manifest.wrap).toBe('xy')
  })

  it(`matches the PyTorch golden output within ${GOLDEN_TOLERANCE}`, async () => {
    const out = await gen.generateFloat(fx.field, fx.cellsH, fx.cellsW, fx.noise)
    // RGB, plus the height channel of a relief model.
    expect(out.length).toBe(fx.cellsH * gen.cellPx * fx.cellsW * gen.cellPx * gen.outputChannels)
    const err = maxAbsDiff(out, fx.output)
    console.info(`[golden] ${model} ${backend}: max abs error ${err.toExponential(2)}`)
    expect(err).toBeLessThanOrEqual(GOLDEN_TOLERANCE)
  })

  it('returns RGBA8 [cellPx·h, cellPx·w, 4] with alpha 255, byte-identical on repeat', async () => {
    const a = await gen.generate(fx.field, fx.cellsH, fx.cellsW)
    const b = await gen.generate(fx.field, fx.cellsH, fx.cellsW)
    expect(a).toBeInstanceOf(Uint8Array)
    expect(a.length).toBe(fx.cellsH * gen.cellPx * fx.cellsW * gen.cellPx * 4)
    expect(a.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
  })

  it('tiles: rolling the field by one cell rolls the output by cellPx (edges continue like interior lines)', async () => {
    const { cellsH: h, cellsW: w } = fx
    const c = gen.inputChannels
    const rolled = new Float32Array(fx.field.length)
    // field'[y][x] = field[(y - 1) mod h][(x - 1) mod w]
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const src = (((y - 1 + h) % h) * w + ((x - 1 + w) % w)) * c
        rolled.set(fx.field.subarray(src, src + c), (y * w + x) * c)
      }
    // The noise maps roll with the field: one cell is 2^k px at the k-th upsampled layer.
    const rolledNoise = fx.noise.map((n) => {
      const f = Math.sqrt(n.length / (h * w))
      const nh = h * f
      const nw = w * f
      const r = new Float32Array(n.length)
      for (let y = 0; y < nh; y++)
        for (let x = 0; x < nw; x++) r[y * nw + x] = n[((y - f + nh) % nh) * nw + ((x - f + nw) % nw)]
      return r
    })
    const out = await gen.generateFloat(rolled, h, w, rolledNoise)
    const p = gen.cellPx
    const H = p * h
    const W = p * w
    const expected = new Float32Array(out.length)
    const oc = gen.outputChannels
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let k = 0; k < oc; k++)
          expected[(y * W + x) * oc + k] = fx.output[(((y - p + H) % H) * W + ((x - p + W) % W)) * oc + k]
    expect(maxAbsDiff(out, expected)).toBeLessThanOrEqual(GOLDEN_TOLERANCE)
  })

  it('leaks no tensors: numTensors unchanged after burn-in and 200 generations (1×1 cells)', async () => {
    const field = fx.field.subarray(0, gen.inputChannels).slice()
    await gen.generate(field, 1, 1) // burn-in
    const before = tf.memory().numTensors
    for (let i = 0; i < 200; i++) await gen.generate(field, 1, 1)
    console.info(`[numTensors] ${model} ${backend}: ${before} before, ${tf.memory().numTensors} after 200 generations`)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('paced (a pause after every layer): the same bytes, one pause per layer, no tensor left behind', async () => {
    const plain = await gen.generateFloat(fx.field, fx.cellsH, fx.cellsW, fx.noise)
    let pauses = 0
    const before = tf.memory().numTensors
    const paced = await gen.generateFloat(fx.field, fx.cellsH, fx.cellsW, fx.noise, {
      pause: async () => {
        pauses++
        await new Promise((resolve) => setTimeout(resolve, 1))
      },
    })
    expect(pauses).toBe(gen.manifest.layers.length)
    expect(Buffer.from(paced.buffer).equals(Buffer.from(plain.buffer))).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
    // A pause that throws (the job was dropped) leaves nothing behind either.
    await expect(
      gen.generate(fx.field, fx.cellsH, fx.cellsW, 0, { pause: () => Promise.reject(new Error('stop')) }),
    ).rejects.toThrow('stop')
    expect(tf.memory().numTensors).toBe(before)
  })

  it('rejects a field of the wrong length with RangeError and no leak', async () => {
    const before = tf.memory().numTensors
    await expect(gen.generate(new Float32Array(gen.inputChannels - 1), 1, 1)).rejects.toThrow(RangeError)
    await expect(gen.generate(new Float32Array(gen.inputChannels), 0, 1)).rejects.toThrow(RangeError)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('dispose() frees every weight tensor', async () => {
    const before = tf.memory().numTensors
    const g2 = await loadGenerator(modelFiles)
    expect(tf.memory().numTensors).toBeGreaterThan(before)
    g2.dispose()
    g2.dispose()
    expect(tf.memory().numTensors).toBe(before)
    await expect(g2.generate(new Float32Array(g2.inputChannels), 1, 1)).rejects.toThrow(/disposed/)
  })
})

describe('flops', () => {
  it('counts 2·k²·in·out·H·W per conv plus the blurs', async () => {
    await selectBackend({ order: ['cpu'] })
    // A fixed layer list (the tiny test fixture, not the committed weights, whose architecture changes with training):
    // l0 9 → 4 after a ×2 upsample (its blur at 2×2 over 9 channels), l1 4 → 3 at 2×2.
    const fixture = familyModel()
    const g = await loadGenerator({ manifest: fixture.manifest, weights: fixture.weights })
    const convs = [
      [9, 4, 4],
      [4, 3, 4],
    ].reduce((s, [i, o, hw]) => s + 2 * 9 * i * o * hw, 0)
    const blurs = 2 * 9 * 9 * 4
    expect(g.flops(1, 1)).toBe(convs + blurs)
    // On a 3×2-cell field every term scales with the 6 cells.
    expect(g.flops(3, 2)).toBe(6 * (convs + blurs))
    g.dispose()
  })
})
