import { describe, expect, it } from 'vitest'
import { familyVector } from '../../../world-gen/families'
import { parseManifest } from '../../../world-gen/gan/manifest'
import type { FitStyleRequest, GenerateRequest, GenResponse } from '../../../world-gen/protocol'
import { decodeStyle, styleFamilyVector, type WorldStyle } from '../../../world-gen/style'
import { createGenHandler, type GenEngine, type GenHandlerDeps } from '../../../world-gen/worker/handler'
import { familyModel } from '../../support/family-model'

const flush = () => new Promise<void>((r) => setTimeout(r, 0))

const STYLE: WorldStyle = {
  slot: 'walls',
  global: Float32Array.from([2, 0, 0, 0]),
  families: [
    { index: 2, weight: 0.75 },
    { index: 0, weight: 0.25 },
  ],
}

/** A handler over the fixture's family-conditioned fake engine and a fake fit that runs `steps` steps on demand. */
async function setup() {
  const fixture = familyModel()
  const manifest = parseManifest(fixture.manifest)
  const calls: Float32Array[] = []
  const engine: GenEngine = {
    version: manifest.version,
    inputChannels: manifest.inputChannels,
    cellPx: manifest.cellPx,
    families: manifest.families,
    generate: async (field, cellsH, cellsW) => {
      calls.push(field)
      return new Uint8Array(cellsH * 2 * cellsW * 2 * 4)
    },
    dispose: () => undefined,
  }
  const fits: { modelUrl: string; slot: string; bytes: number; steps: number }[] = []
  const fitStyle: GenHandlerDeps['fitStyle'] = async (req, hooks) => {
    fits.push({ modelUrl: req.modelUrl, slot: req.slot, bytes: req.photo.pixels.byteLength, steps: req.steps })
    for (let s = 1; s <= req.steps; s++) {
      if (hooks.cancelled()) throw new Error('style fit cancelled')
      await hooks.onStep(s, req.steps, 10 - s)
    }
    return {
      style: { ...STYLE, slot: req.slot },
      startLoss: 10,
      fittedLoss: 10 - req.steps,
      // A one-step fake fit finds nothing better than its start (as a real fit can), and says so.
      quantisedLoss: req.steps > 1 ? 9.5 - req.steps : 10.5,
      improved: req.steps > 1,
    }
  }
  const out: GenResponse[] = []
  const h = createGenHandler({
    post: (msg) => out.push(msg),
    selectBackend: async () => ({ backend: 'wasm', refusals: [] }),
    loadModel: async () => engine,
    layout: fixture.layout,
    fitStyle,
    yieldToMessages: flush,
  })
  h.handle({ type: 'init', models: { surface: '/models/surface/model.json' } })
  await flush()
  const of = <T extends GenResponse['type']>(type: T) =>
    out.filter((m): m is Extract<GenResponse, { type: T }> => m.type === type)
  return { h, of, fits, calls, manifest }
}

const fitReq = (id: string, steps = 3): FitStyleRequest => ({
  type: 'fit-style',
  id,
  model: 'surface',
  slot: 'floor',
  photo: { widthPx: 2, heightPx: 2, pixels: new Uint8Array(16).buffer },
  steps,
})

const gen = (id: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  type: 'generate',
  id,
  priority: 0,
  model: 'surface',
  slot: 'walls',
  roomKey: id,
  latent: { kind: 'seeded', global: Float32Array.from([0.5, -1, 0.25, 2]), roomSeed: 7 },
  sizes: [{ cellsW: 2, cellsH: 2 }],
  family: { a: 'brick' },
  ...extra,
})

describe('fit-style in the worker handler', () => {
  it('reports every step, then the encoded style with its families and distances', async () => {
    const { h, of, fits } = await setup()
    h.handle(fitReq('f1'))
    await h.idle()
    expect(fits).toEqual([{ modelUrl: '/models/surface/model.json', slot: 'floor', bytes: 16, steps: 3 }])
    expect(of('fit-progress').map((m) => m.step)).toEqual([1, 2, 3])
    const [done] = of('fit-done')
    expect(done).toMatchObject({
      id: 'f1',
      startLoss: 10,
      fittedLoss: 7,
      quantisedLoss: 6.5,
      improved: true,
      backend: 'wasm',
    })
    expect(done!.families).toBe('plaster 75% + brick 25%')
    expect(decodeStyle(done!.style).slot).toBe('floor')
  })

  it('passes on a fit that beat nothing: improved is false, with its distances', async () => {
    const { h, of } = await setup()
    h.handle(fitReq('f4', 1))
    await h.idle()
    expect(of('fit-done')[0]).toMatchObject({ id: 'f4', startLoss: 10, quantisedLoss: 10.5, improved: false })
  })

  it('stops on cancel: a cancelled answer, no result, and generation resumes', async () => {
    const { h, of, calls } = await setup()
    h.handle(fitReq('f2', 50))
    h.handle(gen('g1'))
    await flush()
    await flush()
    expect(calls).toHaveLength(1) // the warm-up only: generation waits while the fit runs
    h.handle({ type: 'cancel', ids: ['f2'] })
    await h.idle()
    expect(of('cancelled')).toEqual([{ type: 'cancelled', id: 'f2', reason: 'cancelled' }])
    expect(of('fit-done')).toEqual([])
    expect(of('error')).toEqual([])
    expect(of('fit-progress').length).toBeLessThan(50)
    expect(of('result').map((r) => r.id)).toEqual(['g1'])
  })

  it('refuses a fit without a model that has families', async () => {
    const { h, of } = await setup()
    h.handle({ ...fitReq('f3'), model: 'sky' })
    await h.idle()
    expect(of('error')[0]).toMatchObject({ id: 'f3' })
    expect(of('error')[0]!.message).toMatch(/no "sky" model/)
  })

  it('paints a seeded field with the family vector moved towards the style by its weight', async () => {
    const { h, calls, manifest } = await setup()
    const families = manifest.families!
    h.handle(gen('g2', { style: { weight: 0.5, families: STYLE.families } }))
    await h.idle()
    const field = calls.at(-1)!
    const got = Array.from(field.subarray(4, 4 + families.dim))
    const district = familyVector(families, { a: 'brick' })
    const style = styleFamilyVector(families, STYLE.families)
    const want = Array.from(district, (v, c) => 0.5 * v + 0.5 * style[c]!)
    got.forEach((v, c) => expect(v).toBeCloseTo(want[c]!, 6))
  })

  it('refuses a style naming a family the model does not have', async () => {
    const { h, of } = await setup()
    h.handle(gen('g3', { style: { weight: 1, families: [{ index: 15, weight: 1 }] } }))
    await h.idle()
    expect(of('error')[0]).toMatchObject({ id: 'g3', reason: 'unknown-family' })
  })
})
