import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { channelOf, loadGenerator, ModelLoadError, parseManifest, selectBackend, toRgba8 } from '../../../world-gen/gan'
import { familyModel } from '../../support/family-model'

// A tiny relief fixture (4 outputs: RGB + height) and its colour-only twin with the same hidden layers.
const relief = familyModel({ names: ['brick', 'plaster', 'metal'], reliefPxPerUnit: 6 })
const plain = familyModel({ names: ['brick', 'plaster', 'metal'] })
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v))

type Ls = { layers: { out: number }[]; relief?: unknown }
/** A copy of a fixture manifest changed by `f`. */
function mutate(base: Record<string, unknown>, f: (ls: Ls) => void): unknown {
  const m = clone(base) as { latentscape: Ls }
  f(m.latentscape)
  return m
}

describe('parseManifest: relief', () => {
  it('reads a 4-channel model with its relief block, and a 3-channel model as before', () => {
    const m = parseManifest(relief.manifest)
    expect(m.outputChannels).toBe(4)
    expect(m.relief).toEqual({ channel: 3, pxPerUnit: 6 })
    const p = parseManifest(plain.manifest)
    expect(p.outputChannels).toBe(3)
    expect(p.relief).toBeUndefined()
  })

  it('reads the per-family calibration; families it does not list keep theirs (1)', () => {
    const calibrated = familyModel({
      names: ['brick', 'plaster', 'metal'],
      reliefPxPerUnit: 6,
      reliefFamilyGain: { plaster: 0.3, metal: 1.5 },
      reliefFamilyDetail: { plaster: 0.05 },
    })
    expect(parseManifest(calibrated.manifest).relief).toEqual({
      channel: 3,
      pxPerUnit: 6,
      familyGain: { plaster: 0.3, metal: 1.5 },
      familyDetail: { plaster: 0.05 },
    })
  })

  const CASES: [string, () => unknown, string, RegExp][] = [
    [
      '4 outputs without a relief block',
      () => mutate(relief.manifest, (ls) => delete ls.relief),
      'bad-manifest',
      /outputs 4 channels but there is no latentscape\.relief block/,
    ],
    [
      'a relief block on a 3-channel model',
      () => mutate(plain.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 6 })),
      'bad-manifest',
      /relief describes a height channel, but the last layer outputs only RGB/,
    ],
    [
      'height in another channel',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 0, pxPerUnit: 6 })),
      'bad-manifest',
      /relief\.channel must be 3 \(after RGB\), got 0/,
    ],
    [
      'pxPerUnit 0',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 0 })),
      'bad-manifest',
      /relief\.pxPerUnit must be a number > 0, got 0/,
    ],
    [
      'pxPerUnit as text',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: '6' })),
      'bad-manifest',
      /relief\.pxPerUnit must be a number > 0, got 6/,
    ],
    [
      'relief not an object',
      () => mutate(relief.manifest, (ls) => (ls.relief = 6)),
      'bad-manifest',
      /relief must be an object/,
    ],
    [
      'a gain for a family the model does not paint',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 6, familyGain: { snow: 0.5 } })),
      'bad-manifest',
      /familyGain names "snow", which is not one of families\.names \(brick, plaster, metal\)/,
    ],
    [
      'a gain of 0',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 6, familyGain: { brick: 0 } })),
      'bad-manifest',
      /familyGain\.brick must be a number in \(0, 4\], got 0/,
    ],
    [
      'a gain as text',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 6, familyGain: { brick: '2' } })),
      'bad-manifest',
      /familyGain\.brick must be a number in \(0, 4\], got 2/,
    ],
    [
      'gains as a list',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 6, familyGain: [0.5] })),
      'bad-manifest',
      /familyGain must map family names to numbers/,
    ],
    [
      'a detail above 1',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 6, familyDetail: { metal: 1.2 } })),
      'bad-manifest',
      /familyDetail\.metal must be a number in \[0, 1\], got 1\.2/,
    ],
    [
      'a detail for a family the model does not paint',
      () => mutate(relief.manifest, (ls) => (ls.relief = { channel: 3, pxPerUnit: 6, familyDetail: { rock: 0.5 } })),
      'bad-manifest',
      /familyDetail names "rock", which is not one of families\.names/,
    ],
    [
      '5 outputs',
      () => mutate(plain.manifest, (ls) => (ls.layers[ls.layers.length - 1]!.out = 5)),
      'bad-shape',
      /must output 3 \(RGB\) or 4 \(RGB \+ height\) channels, got 5/,
    ],
  ]
  it.each(CASES)('refuses %s (%s)', (_, make, reason, message) => {
    let error: unknown
    try {
      parseManifest(make())
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ModelLoadError)
    expect((error as ModelLoadError).reason).toBe(reason)
    expect((error as ModelLoadError).message).toMatch(message)
  })
})

describe('toRgba8 and channelOf on C-channel pixels', () => {
  it('takes the RGB of 4-channel pixels and leaves the height out', () => {
    const v = Float32Array.from([-1, 0, 1, 0.5, 1, 1, -1, -0.5])
    expect(Array.from(toRgba8(v, 4))).toEqual([0, 128, 255, 255, 255, 255, 0, 255])
    expect(Array.from(channelOf(v, 4, 3))).toEqual([0.5, -0.5])
    expect(Array.from(toRgba8(v.subarray(0, 6)))).toEqual([0, 128, 255, 255, 191, 255, 255, 255])
  })

  it('refuses values that are not whole pixels, or fewer than 3 channels', () => {
    expect(() => toRgba8(new Float32Array(7), 4)).toThrow(/7 values of 4/)
    expect(() => toRgba8(new Float32Array(4), 2)).toThrow(/at least 3 channels/)
    expect(() => channelOf(new Float32Array(8), 4, 4)).toThrow(/channel 4 is not one of 4/)
  })
})

describe('a relief generator on cpu', () => {
  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
  })

  it('generateFloat returns 4 channels; generate the RGB of them; generateMaps the same RGB and channel 3', async () => {
    const gen = await loadGenerator({ manifest: relief.manifest, weights: relief.weights })
    try {
      expect(gen.outputChannels).toBe(4)
      expect(gen.relief).toEqual({ channel: 3, pxPerUnit: 6 })
      const field = Float32Array.from({ length: 3 * 2 * gen.inputChannels }, (_, i) => Math.sin(i * 0.37))
      const values = await gen.generateFloat(field, 3, 2, 5)
      const px = 3 * gen.cellPx * 2 * gen.cellPx
      expect(values).toHaveLength(px * 4)
      const rgba = await gen.generate(field, 3, 2, 5)
      expect(rgba).toEqual(toRgba8(values, 4))
      const maps = await gen.generateMaps(field, 3, 2, 5)
      expect(maps.rgba).toEqual(rgba)
      expect(maps.height).toEqual(channelOf(values, 4, 3))
      expect(maps.height!.every((h) => h >= -1 && h <= 1)).toBe(true)
    } finally {
      gen.dispose()
    }
  })

  it('a colour-only generator has no height in generateMaps', async () => {
    const gen = await loadGenerator({ manifest: plain.manifest, weights: plain.weights })
    try {
      const field = new Float32Array(gen.inputChannels).fill(0.2)
      const maps = await gen.generateMaps(field, 1, 1)
      expect(maps.height).toBeUndefined()
      expect(maps.rgba).toEqual(await gen.generate(field, 1, 1))
    } finally {
      gen.dispose()
    }
  })

  it('leaks no tensor: after one burn-in, generateMaps leaves the tensor count as it was', async () => {
    const gen = await loadGenerator({ manifest: relief.manifest, weights: relief.weights })
    try {
      const field = new Float32Array(2 * 2 * gen.inputChannels).fill(0.1)
      await gen.generateMaps(field, 2, 2, 1)
      const before = tf.memory().numTensors
      for (let i = 0; i < 3; i++) await gen.generateMaps(field, 2, 2, i)
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      gen.dispose()
    }
  })
})
