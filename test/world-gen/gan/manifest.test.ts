import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { familyVector } from '../../../world-gen/families'
import { loadGenerator, ModelLoadError, parseManifest, selectBackend } from '../../../world-gen/gan'
import { familyModel } from '../../support/family-model'

/** The tiny hand-written manifest: 2 layers, 3 families of 3 channels, global 4 + family 3 + local 2 = 9 inputs. */
const tiny = familyModel({ names: ['brick', 'plaster', 'metal'] })
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v))

type Families = { names: unknown; dim: unknown; embedding: unknown[]; pxPerMetre: Record<string, unknown> }
type Latent = Record<string, unknown>

/** A copy of the tiny manifest changed by `f`. */
function mutate(f: (families: Families, latent: Latent, ls: Record<string, unknown>) => void): unknown {
  const m = clone(tiny.manifest) as { latentscape: Record<string, unknown> }
  f(m.latentscape.families as Families, m.latentscape.latent as Latent, m.latentscape)
  return m
}

describe('parseManifest: material families', () => {
  it('reads the families table, its embedding rows and texture scales, and the family channels', () => {
    const m = parseManifest(tiny.manifest)
    expect(m.inputChannels).toBe(9)
    expect(m.familyDim).toBe(3)
    expect(m.cellPx).toBe(2)
    expect(m.families?.names).toEqual(['brick', 'plaster', 'metal'])
    expect(m.families?.dim).toBe(3)
    expect(m.families?.embedding).toHaveLength(3)
    expect(m.families?.embedding[1]).toBeInstanceOf(Float32Array)
    expect(Array.from(m.families!.embedding[1]!)).toEqual(Array.from(Float32Array.from(tiny.embedding[1]!)))
    expect(m.families?.pxPerMetre).toEqual({ brick: 32, plaster: 40, metal: 48 })
  })

  it('a model without families (the sky, the v1 surface model) has familyDim 0 and no table', () => {
    const m = parseManifest(
      mutate((_, latent, ls) => {
        delete ls.families
        delete latent.familyDim
        latent.localDim = 5
      }),
    )
    expect(m.familyDim).toBe(0)
    expect(m.families).toBeUndefined()
  })

  // Boundary cases as a table with messages: each must fail before any tensor exists, naming the bad field.
  const CASES: [string, () => unknown, RegExp][] = [
    [
      'one embedding row too few',
      () => mutate((f) => f.embedding.pop()),
      /families\.embedding must have one row per family \(3\), got 2/,
    ],
    [
      'an embedding row of the wrong length',
      () => mutate((f) => (f.embedding[2] as number[]).push(0)),
      /families\.embedding\[2\] \(metal\) must have 3 values, got 4/,
    ],
    [
      'a null in the embedding (NaN does not survive JSON)',
      () => mutate((f) => ((f.embedding[0] as unknown[])[1] = null)),
      /families\.embedding\[0\]\[1\] \(brick\) is not a finite number/,
    ],
    [
      'an infinite embedding value (1e999 parses as Infinity)',
      () => mutate((f) => ((f.embedding[1] as number[])[0] = Infinity)),
      /families\.embedding\[1\]\[0\] \(plaster\) is not a finite number/,
    ],
    [
      'a family without pxPerMetre',
      () => mutate((f) => delete f.pxPerMetre.metal),
      /families\.pxPerMetre\.metal must be a number > 0, got undefined/,
    ],
    [
      'a pxPerMetre of 0',
      () => mutate((f) => (f.pxPerMetre.brick = 0)),
      /families\.pxPerMetre\.brick must be a number > 0/,
    ],
    [
      'no pxPerMetre at all',
      () => mutate((f) => delete (f as Partial<Families>).pxPerMetre),
      /families\.pxPerMetre must map each family/,
    ],
    ['a family named twice', () => mutate((f) => ((f.names as string[])[2] = 'brick')), /has a name twice/],
    ['no family names', () => mutate((f) => (f.names = [])), /families\.names must be a non-empty array/],
    [
      'families.dim that differs from latent.familyDim',
      () =>
        mutate((_, latent) => {
          latent.familyDim = 4
          latent.inputChannels = 10
        }),
      /latent\.familyDim is 4 but families\.dim is 3/,
    ],
    [
      'a familyDim without a families table',
      () => mutate((_, __, ls) => delete ls.families),
      /latent\.familyDim is 3 but there is no latentscape\.families table/,
    ],
    [
      'inputChannels that is not globalDim + familyDim + localDim',
      () => mutate((_, latent) => (latent.localDim = 3)),
      /latent\.inputChannels is 9, but globalDim 4 \+ familyDim 3 \+ localDim 3 = 10/,
    ],
    [
      'a negative familyDim',
      () => mutate((_, latent) => (latent.familyDim = -1)),
      /latent\.familyDim must be a non-negative integer/,
    ],
  ]

  it.each(CASES)('refuses %s with a clear bad-manifest error', (_, manifest, message) => {
    let error: unknown
    try {
      parseManifest(manifest())
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ModelLoadError)
    expect((error as ModelLoadError).reason).toBe('bad-manifest')
    expect((error as ModelLoadError).message).toMatch(message)
  })
})

describe('a family-conditioned generator (tiny fixture, cpu backend)', () => {
  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
  })

  it('loads with its families and paints the family channels of the field', async () => {
    const gen = await loadGenerator({ manifest: tiny.manifest, weights: tiny.weights })
    expect(gen.families?.names).toEqual(['brick', 'plaster', 'metal'])
    const field = (family: string) => {
      const f = new Float32Array(2 * 2 * 9)
      const vector = familyVector(gen.families!, { a: family })
      for (let c = 0; c < 4; c++) f.set([0.5, -0.5, 0.25, 0], c * 9)
      for (let c = 0; c < 4; c++) f.set(vector, c * 9 + 4)
      return f
    }
    await gen.generate(field('brick'), 2, 2, 1) // burn-in
    const before = tf.memory().numTensors
    const brick = await gen.generate(field('brick'), 2, 2, 1)
    const metal = await gen.generate(field('metal'), 2, 2, 1)
    expect(tf.memory().numTensors).toBe(before)
    expect(brick.length).toBe(4 * 4 * 4) // 2×2 cells × 2 px per cell, RGBA8
    expect(Array.from(brick)).not.toEqual(Array.from(metal))
    gen.dispose()
  })
})
