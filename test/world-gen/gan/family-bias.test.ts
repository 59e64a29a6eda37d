import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadGenerator, ModelLoadError, parseManifest, selectBackend, type Generator } from '../../../world-gen/gan'
import { ensureGradients } from '../../../world-gen/gan/gradients'
import { familyModel, type FamilyModel } from '../../support/family-model'
import { maxAbsDiff, WASM_DIR } from './load'

// A generator whose every layer after the first takes the material family as an offset on its bias
// (`<name>/familyBias` [familyDim, out] times the field's family vector): the runtime must add exactly that offset.
const names = ['brick', 'plaster', 'metal']
const biased = familyModel({ names, familyBias: true, upsamples: 2, reliefPxPerUnit: 6 })
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v))

type WeightEntry = { name: string; shape: number[] }
type Manifest = {
  latentscape: { layers: { name: string; familyBias?: boolean }[]; latent: Record<string, number>; families?: unknown }
  weightsManifest: { weights: WeightEntry[] }[]
}

/** The fixture's float32 weights by name. */
function weightsOf(model: FamilyModel): Map<string, Float32Array> {
  const all = new Float32Array(model.weights.buffer.slice(0))
  const out = new Map<string, Float32Array>()
  let o = 0
  for (const w of (model.manifest as Manifest).weightsManifest[0]!.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1)
    out.set(w.name, all.slice(o, o + n))
    o += n
  }
  return out
}

/**
 * The same net without family offsets, its biases moved by hand to bias + f·familyBias for the family vector `f`:
 * what the biased net must compute for a field whose family is `f`.
 */
function foldedTwin(model: FamilyModel, f: number[]): FamilyModel {
  const manifest = clone(model.manifest) as Manifest
  const weights = weightsOf(model)
  const entries: WeightEntry[] = []
  const values: Float32Array[] = []
  for (const w of manifest.weightsManifest[0]!.weights) {
    if (w.name.endsWith('/familyBias')) continue
    let v = weights.get(w.name)!
    const offsets = weights.get(w.name.replace(/\/bias$/, '/familyBias'))
    if (w.name.endsWith('/bias') && offsets !== undefined) {
      v = v.map((b, c) => b + f.reduce((s, fk, k) => s + fk * offsets[k * v.length + c]!, 0))
    }
    entries.push(w)
    values.push(v)
  }
  manifest.weightsManifest[0]!.weights = entries
  for (const l of manifest.latentscape.layers) delete l.familyBias
  const flat = new Float32Array(values.reduce((n, v) => n + v.length, 0))
  let o = 0
  for (const v of values) {
    flat.set(v, o)
    o += v.length
  }
  delete (manifest.latentscape as Record<string, unknown>).weightsSha256
  return { ...model, manifest: manifest as unknown as Record<string, unknown>, weights: new Uint8Array(flat.buffer) }
}

/** A field of h×w cells: a fixed global latent, the family vector `f` in every cell, local values varying by cell. */
function fieldOf(model: FamilyModel, f: number[], h: number, w: number): Float32Array {
  const { globalDim, familyDim, localDim } = model.layout.surface
  const c = globalDim + familyDim + localDim
  const field = new Float32Array(h * w * c)
  for (let cell = 0; cell < h * w; cell++) {
    for (let k = 0; k < globalDim; k++) field[cell * c + k] = Math.sin(1.7 * k + 0.3)
    field.set(f, cell * c + globalDim)
    for (let k = 0; k < localDim; k++) field[cell * c + globalDim + familyDim + k] = Math.cos(2.3 * cell + 1.1 * k)
  }
  return field
}

describe('parseManifest: family offsets', () => {
  it('reads which layers take the family, and where the family vector sits in the field', () => {
    const m = parseManifest(biased.manifest)
    expect(m.layers.map((l) => l.familyBias)).toEqual([false, true, true])
    expect(m.familyOffset).toBe(biased.layout.surface.globalDim)
    expect(parseManifest(familyModel({ names }).manifest).layers.every((l) => !l.familyBias)).toBe(true)
  })

  it('refuses an offset on a model without families, and an offset weight of the wrong shape', () => {
    const noFamilies = clone(biased.manifest) as Manifest
    delete noFamilies.latentscape.families
    noFamilies.latentscape.latent.familyDim = 0
    noFamilies.latentscape.latent.inputChannels -= biased.layout.surface.familyDim
    expect(() => parseManifest(noFamilies)).toThrow(/has a familyBias, but the model has no material families/)
    const wrong = clone(biased.manifest) as Manifest
    wrong.weightsManifest[0]!.weights.find((w) => w.name === 'l1/familyBias')!.shape.reverse()
    expect(() => parseManifest(wrong)).toThrow(ModelLoadError)
    expect(() => parseManifest(wrong)).toThrow(/l1\/familyBias has shape/)
    const missing = clone(biased.manifest) as Manifest
    missing.weightsManifest[0]!.weights = missing.weightsManifest[0]!.weights.filter((w) => w.name !== 'l2/familyBias')
    expect(() => parseManifest(missing)).toThrow(/no weight "l2\/familyBias"/)
  })
})

describe.each(['cpu', 'wasm'] as const)('family offsets on %s', (backend) => {
  let gen: Generator
  const fam = biased.embedding
  // One family, and the blend of two that a district border paints.
  const vectors: [string, number[]][] = [
    ['plaster', fam[1]!],
    ['brick/metal blend', fam[0]!.map((v, k) => 0.3 * v + 0.7 * fam[2]![k]!)],
  ]

  beforeAll(async () => {
    const choice = await selectBackend({ order: [backend], wasmPath: WASM_DIR })
    expect(choice.backend).toBe(backend)
    gen = await loadGenerator({ manifest: biased.manifest, weights: biased.weights })
  })

  it.each(vectors)('adds f·familyBias to each layer bias (%s)', async (_, f) => {
    const twin = await loadGenerator(foldedTwin(biased, f))
    const field = fieldOf(biased, f, 2, 3)
    const want = await twin.generateFloat(field, 2, 3, 5)
    const got = await gen.generateFloat(field, 2, 3, 5)
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5)
    // And the offsets matter: another family's vector paints something else.
    const other = await gen.generateFloat(fieldOf(biased, fam[0]!, 2, 3), 2, 3, 5)
    expect(maxAbsDiff(got, other)).toBeGreaterThan(1e-3)
    twin.dispose()
  })

  it('paced: the same bytes, and no tensor left behind (nor after a pause that throws)', async () => {
    const field = fieldOf(biased, fam[2]!, 3, 2)
    const plain = await gen.generateFloat(field, 3, 2, 9)
    const before = tf.memory().numTensors
    const paced = await gen.generateFloat(field, 3, 2, 9, { pause: () => Promise.resolve() })
    expect(Buffer.from(paced.buffer).equals(Buffer.from(plain.buffer))).toBe(true)
    await expect(gen.generate(field, 3, 2, 0, { pause: () => Promise.reject(new Error('stop')) })).rejects.toThrow(
      'stop',
    )
    expect(tf.memory().numTensors).toBe(before)
  })

  it('passes gradients to the family channels through the offsets too (the photo-style fit moves them)', async () => {
    const { globalDim, familyDim } = biased.layout.surface
    const f = fam[1]!
    await ensureGradients()
    const twin = await loadGenerator(foldedTwin(biased, f))
    const field = tf.tensor4d(fieldOf(biased, f, 2, 2), [1, 2, 2, gen.inputChannels])
    const before = tf.memory().numTensors
    // The family channels' gradient: through the first layer's input only for the twin (its biases are constants),
    // through that and every offset for the biased net.
    const familyGrad = (g: Generator) =>
      tf.tidy(() => {
        const d = tf.grad((x: tf.Tensor) => tf.mean(g.forwardTensor(x as tf.Tensor4D, 3, { differentiable: true })))(
          field,
        )
        return tf.slice(d, [0, 0, 0, globalDim], [1, -1, -1, familyDim]).dataSync()
      })
    const got = familyGrad(gen)
    const viaInput = familyGrad(twin)
    expect(got.every(Number.isFinite)).toBe(true)
    expect(maxAbsDiff(got, viaInput)).toBeGreaterThan(1e-6)
    expect(tf.memory().numTensors).toBe(before)
    field.dispose()
    twin.dispose()
  })
})
