import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { LruTextureCache } from '../../../world-gen/gan/cache'
import { loadGenerator, selectBackend, type Generator } from '../../../world-gen/gan'
import { baseRoughness, calibrateHeight, heightBytes, normalMapRg, roughnessBytes } from '../../../world-gen/relief'
import type { GenerateRequest, GenResponse, ResultResponse } from '../../../world-gen/protocol'
import { createGenHandler } from '../../../world-gen/worker/handler'
import { familyModel } from '../../support/family-model'

const flush = () => new Promise((r) => setTimeout(r, 0))

// The tiny relief fixture (RGB + height, 2 px per cell, every district family): a real Generator on cpu.
const RELIEF = familyModel({ reliefPxPerUnit: 6 })
const PLAIN = familyModel()

/** A handler over the fixture generator `fixture`, with its layout; responses and their transfer lists recorded. */
async function setup(fixture = RELIEF, caches: LruTextureCache[] = []) {
  const gens: Generator[] = []
  const out: { msg: GenResponse; transfer: ArrayBuffer[] }[] = []
  const h = createGenHandler({
    post: (msg, transfer) => out.push({ msg, transfer }),
    selectBackend: async () => ({ backend: 'cpu', refusals: [] }),
    loadModel: async () => {
      const gen = await loadGenerator({ manifest: fixture.manifest, weights: fixture.weights })
      gens.push(gen)
      return gen
    },
    caches,
    layout: fixture.layout,
    memory: () => tf.memory(),
  })
  h.handle({ type: 'init', models: { surface: '/models/surface/model.json' } })
  while (!out.some((o) => o.msg.type === 'ready' || o.msg.type === 'init-failed')) await flush()
  const results = () =>
    out.filter((o): o is { msg: ResultResponse; transfer: ArrayBuffer[] } => o.msg.type === 'result')
  return { h, out, results, gen: () => gens[0]! }
}

const GLOBAL = Float32Array.from([0.5, -1, 0.25, 2])
const req = (id: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  type: 'generate',
  id,
  priority: 0,
  model: 'surface',
  slot: 'walls',
  roomKey: '0,0',
  latent: { kind: 'seeded', global: GLOBAL, roomSeed: 77 },
  sizes: [
    { cellsW: 2, cellsH: 2 },
    { cellsW: 8, cellsH: 8 },
  ],
  family: { a: 'brick', b: 'plaster', t: 0.25 },
  ...extra,
})

describe('generation worker handler: relief models', () => {
  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
  })

  it('returns colour with the roughness in its alpha, the normal map and the height, all transferred', async () => {
    const { h, results } = await setup()
    h.handle(req('a'))
    await h.idle()
    const [preview, full] = results()
    expect(preview!.msg.width).toBe(4)
    expect(full!.msg).toMatchObject({ width: 16, height: 16, final: true })
    for (const { msg, transfer } of [preview!, full!]) {
      expect(msg.relief).toBeDefined()
      expect(transfer).toEqual([msg.pixels, msg.relief!.normal, msg.relief!.height])
      expect(msg.relief!.normal.byteLength).toBe(msg.width * msg.height * 2)
      expect(msg.relief!.height.byteLength).toBe(msg.width * msg.height)
    }
    const msg = full!.msg
    const rgba = new Uint8Array(msg.pixels)
    const height = new Uint8Array(msg.relief!.height)
    const normal = new Uint8Array(msg.relief!.normal)
    // The maps world-gen relief.ts makes from that height (re-derived here from its 8-bit encoding, so within a step or
    // two of the worker's, which worked from the float height).
    const h8 = Float32Array.from(height, (b) => (b / 255) * 2 - 1)
    const n8 = normalMapRg(h8, 16, 16, 6)
    const r8 = roughnessBytes(h8, 6, baseRoughness('walls', { a: 'brick', b: 'plaster', t: 0.25 }))
    let worstN = 0
    let worstR = 0
    for (let i = 0; i < 16 * 16; i++) {
      worstN = Math.max(worstN, Math.abs(normal[2 * i]! - n8[2 * i]!), Math.abs(normal[2 * i + 1]! - n8[2 * i + 1]!))
      worstR = Math.max(worstR, Math.abs(rgba[4 * i + 3]! - r8[i]!))
    }
    expect(worstN).toBeLessThanOrEqual(3)
    expect(worstR).toBeLessThanOrEqual(1)
    expect(new Set(height).size).toBeGreaterThan(4) // the fixture paints some relief, not a constant
  })

  it('a cache hit returns the same colour, normal map and height, and the cache keeps its copy', async () => {
    const cache = new LruTextureCache()
    const { h, results } = await setup(RELIEF, [cache])
    h.handle(req('a'))
    await h.idle()
    // What a transfer does to the posted buffers: detach them. The cache must not lose its bytes with them.
    const first = results().map(({ msg }) => ({
      pixels: new Uint8Array(msg.pixels).slice(),
      normal: new Uint8Array(msg.relief!.normal).slice(),
      height: new Uint8Array(msg.relief!.height).slice(),
    }))
    for (const { transfer } of results()) structuredClone(transfer, { transfer })
    expect(cache.size).toBe(2)
    h.handle(req('b', { roomKey: '1,0' }))
    await h.idle()
    const again = results().slice(2)
    expect(again.map((r) => r.msg.fromCache)).toEqual([true, true])
    again.forEach(({ msg }, i) => {
      expect(new Uint8Array(msg.pixels)).toEqual(first[i]!.pixels)
      expect(new Uint8Array(msg.relief!.normal)).toEqual(first[i]!.normal)
      expect(new Uint8Array(msg.relief!.height)).toEqual(first[i]!.height)
    })
  })

  it('a model with a per-family calibration applies the blended one before every map; the colour is the same', async () => {
    // The same weights (the fixture is seeded) with calibration tables. brick 75% + plaster 25%:
    // gain 0.75·2 + 0.25·0.4 = 1.6, detail 0.75·1 + 0.25·0.2 = 0.8 (brick has no detail entry: 1).
    const CAL = familyModel({
      reliefPxPerUnit: 6,
      reliefFamilyGain: { brick: 2, plaster: 0.4 },
      reliefFamilyDetail: { plaster: 0.2 },
    })
    const plainRun = await setup()
    plainRun.h.handle(req('a'))
    await plainRun.h.idle()
    const calRun = await setup(CAL)
    calRun.h.handle(req('a'))
    await calRun.h.idle()
    const base = plainRun.results()[1]!.msg
    const msg = calRun.results()[1]!.msg
    const colour = (b: ArrayBuffer) => new Uint8Array(b).filter((_, i) => i % 4 !== 3)
    expect(colour(msg.pixels)).toEqual(colour(base.pixels))
    // The expectation starts from the worker's 8-bit painted height, so allow a few byte steps.
    const unit = (b: ArrayBuffer) => Float32Array.from(new Uint8Array(b), (v) => (v / 255) * 2 - 1)
    const want = calibrateHeight(unit(base.relief!.height), 16, 16, { gain: 1.6, detail: 0.8 })
    const got = unit(msg.relief!.height)
    let worst = 0
    for (let i = 0; i < got.length; i++)
      worst = Math.max(worst, Math.abs(got[i]! - Math.max(-1, Math.min(1, want[i]!))))
    expect(worst).toBeLessThanOrEqual(0.03)
    expect(new Uint8Array(msg.relief!.normal)).not.toEqual(new Uint8Array(base.relief!.normal))
  })

  it('maps cached under one calibration are not read back under another (same weights and version)', async () => {
    const cache = new LruTextureCache()
    const first = await setup(RELIEF, [cache])
    first.h.handle(req('a'))
    await first.h.idle()
    expect(cache.size).toBe(2)
    const CAL = familyModel({ reliefPxPerUnit: 6, reliefFamilyGain: { brick: 0.5 } })
    const probe = await loadGenerator({ manifest: CAL.manifest, weights: CAL.weights })
    expect(probe.version).toBe(first.gen().version)
    probe.dispose()
    const second = await setup(CAL, [cache])
    second.h.handle(req('a'))
    await second.h.idle()
    expect(second.results().map((r) => r.msg.fromCache)).toEqual([false, false])
    expect(cache.size).toBe(4)
    // …and the same calibration again is a hit.
    const third = await setup(CAL, [cache])
    third.h.handle(req('a'))
    await third.h.idle()
    expect(third.results().map((r) => r.msg.fromCache)).toEqual([true, true])
  })

  it('a colour-only model returns no relief and alpha 255, as before', async () => {
    const { h, results } = await setup(PLAIN)
    h.handle(req('a'))
    await h.idle()
    for (const { msg, transfer } of results()) {
      expect(msg.relief).toBeUndefined()
      expect(transfer).toEqual([msg.pixels])
      expect(new Uint8Array(msg.pixels).filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true)
    }
  })

  it('leaks no tensor: after a burn-in job, more relief jobs leave the worker’s tensor count where it was', async () => {
    const { h, out } = await setup()
    h.handle(req('burn-in'))
    await h.idle()
    h.handle({ type: 'stats' })
    const stats = () => out.map((o) => o.msg).filter((m) => m.type === 'stats')
    const before = stats().at(-1)!
    for (let i = 0; i < 4; i++) {
      h.handle(req(`j${i}`, { roomKey: `${i},1`, latent: { kind: 'seeded', global: GLOBAL, roomSeed: 100 + i } }))
      await h.idle()
    }
    h.handle({ type: 'stats' })
    expect(stats().at(-1)).toMatchObject({ numTensors: (before as { numTensors: number }).numTensors })
  })

  it('height bytes encode h as round((h + 1)·127.5)', () => {
    expect(Array.from(heightBytes(Float32Array.from([-1, 0, 1, 2])))).toEqual([0, 128, 255, 255])
  })
})
