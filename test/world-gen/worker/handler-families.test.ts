import { describe, expect, it } from 'vitest'
import { familyVector, type FamilyConditioning } from '../../../world-gen/families'
import { LruTextureCache } from '../../../world-gen/gan/cache'
import { parseManifest } from '../../../world-gen/gan/manifest'
import { localField, slotField } from '../../../world-gen/latent-walk'
import type { GenerateRequest, GenResponse } from '../../../world-gen/protocol'
import { createGenHandler, type GenEngine } from '../../../world-gen/worker/handler'
import { familyModel, type FamilyModelOptions } from '../../support/family-model'

const flush = () => new Promise((r) => setTimeout(r, 0))

/**
 * A handler over a fake family-conditioned engine (the tiny fixture's manifest: global 4 + family 3 + local 2 channels,
 * 2 px per cell) with the fixture's latent layout injected; generations resolve at once and record their fields.
 */
async function setup(options: { model?: FamilyModelOptions; families?: boolean; caches?: LruTextureCache[] } = {}) {
  const fixture = familyModel(options.model)
  const manifest = parseManifest(fixture.manifest)
  const calls: { field: Float32Array; cellsH: number; cellsW: number }[] = []
  const engine: GenEngine = {
    version: manifest.version,
    inputChannels: options.families === false ? 6 : manifest.inputChannels,
    cellPx: manifest.cellPx,
    families: options.families === false ? undefined : manifest.families,
    generate: async (field, cellsH, cellsW) => {
      calls.push({ field, cellsH, cellsW })
      return new Uint8Array(cellsH * 2 * cellsW * 2 * 4).fill(calls.length)
    },
    dispose: () => undefined,
  }
  const layout =
    options.families === false
      ? { ...fixture.layout, surface: { ...fixture.layout.surface, familyDim: 0 } }
      : fixture.layout
  const out: GenResponse[] = []
  const h = createGenHandler({
    post: (msg) => out.push(msg),
    selectBackend: async () => ({ backend: 'cpu', refusals: [] }),
    loadModel: async () => engine,
    caches: options.caches,
    layout,
  })
  h.handle({ type: 'init', models: { surface: '/models/surface/model.json' } })
  await flush()
  const of = <T extends GenResponse['type']>(type: T) =>
    out.filter((m): m is Extract<GenResponse, { type: T }> => m.type === type)
  return { h, calls, of, manifest, layout }
}

const GLOBAL = Float32Array.from([0.5, -1, 0.25, 2])

function seeded(id: string, family: FamilyConditioning | undefined, extra: Partial<GenerateRequest> = {}) {
  const req: GenerateRequest = {
    type: 'generate',
    id,
    priority: 0,
    model: 'surface',
    slot: 'walls',
    roomKey: id,
    latent: { kind: 'seeded', global: GLOBAL, roomSeed: 77 },
    sizes: [
      { cellsW: 2, cellsH: 2 },
      { cellsW: 4, cellsH: 4 },
    ],
    ...(family === undefined ? {} : { family }),
    ...extra,
  }
  return req
}

describe('generation worker handler: material families', () => {
  it('ready lists each conditioned model’s families and their texture scales', async () => {
    const { of, manifest } = await setup()
    const [ready] = of('ready')
    expect(ready!.families).toEqual({
      surface: { names: manifest.families!.names, pxPerMetre: manifest.families!.pxPerMetre },
    })
  })

  it('builds every cell as [global ++ family vector ++ local], in the preview crop too', async () => {
    const { h, calls, of, manifest, layout } = await setup()
    const family = { a: 'brick', b: 'plaster', t: 0.25 }
    h.handle(seeded('s', family))
    await h.idle()
    expect(of('result').map((r) => [r.width, r.final, r.family])).toEqual([
      [4, false, family],
      [8, true, family],
    ])
    const vector = familyVector(manifest.families!, family)
    const full = slotField('walls', GLOBAL, localField(77, 'walls', 4, 4, layout), 4, 4, layout, vector)
    expect(calls[2]!.field).toEqual(full)
    // The 2×2 preview is the top-left crop of the same field: every cell still starts [global ++ family].
    for (let cell = 0; cell < 4; cell++)
      expect(Array.from(calls[1]!.field.subarray(cell * 9, cell * 9 + 7))).toEqual([...GLOBAL, ...vector])
  })

  it.each([
    ['an unknown family', { a: 'granite' }, 'unknown-family', /unknown material family "granite" \(this model has: /],
    ['an unknown blend target', { a: 'brick', b: 'moss', t: 0.5 }, 'unknown-family', /"moss"/],
    ['a blend weight above 1', { a: 'brick', b: 'metal', t: 2 }, 'bad-blend', /t must be a number in \[0, 1\]/],
    ['no family at all', undefined, 'missing-family', /paints material families: the request for walls of room bad/],
  ] as [string, FamilyConditioning | undefined, string, RegExp][])(
    'a request naming %s fails that job only, with a typed error',
    async (_, family, reason, message) => {
      const { h, of } = await setup()
      h.handle(seeded('bad', family))
      h.handle(seeded('ok', { a: 'metal' }))
      await h.idle()
      const [error] = of('error')
      expect(error).toMatchObject({ type: 'error', id: 'bad', reason })
      expect(error!.message).toMatch(message)
      expect(error!.message).not.toContain('\n')
      expect(of('result').map((r) => r.id)).toEqual(['ok', 'ok'])
    },
  )

  it('a field built by the caller is taken as it is, but its family must still be one the model has', async () => {
    const { h, of, calls } = await setup()
    const field = new Float32Array(2 * 2 * 9).fill(0.5)
    const latent = { kind: 'field' as const, field, cellsW: 2, cellsH: 2 }
    h.handle(seeded('f', { a: 'grass' }, { latent, sizes: [{ cellsW: 2, cellsH: 2 }] }))
    h.handle(seeded('g', { a: 'moss' }, { latent, sizes: [{ cellsW: 2, cellsH: 2 }] }))
    await h.idle()
    expect(calls[1]!.field).toBe(field)
    expect(of('result').map((r) => r.id)).toEqual(['f'])
    expect(of('error')).toMatchObject([{ id: 'g', reason: 'unknown-family' }])
  })

  it('cache keys include the family: another family is generated, the same one is served from the cache', async () => {
    const { h, calls, of } = await setup({ caches: [new LruTextureCache()] })
    const one = { sizes: [{ cellsW: 4, cellsH: 4 }] }
    h.handle(seeded('a', { a: 'brick' }, one))
    await h.idle()
    h.handle(seeded('b', { a: 'metal' }, one))
    await h.idle()
    h.handle(seeded('c', { a: 'brick' }, one))
    await h.idle()
    h.handle(seeded('d', { a: 'brick', b: 'metal', t: 0.05 }, one))
    await h.idle()
    expect(of('result').map((r) => [r.id, r.fromCache])).toEqual([
      ['a', false],
      ['b', false],
      ['c', true],
      ['d', false],
    ])
    expect(calls.length).toBe(1 + 3)
  })

  it('a model without families paints without the family (the world names one whatever the model) and says so', async () => {
    const { h, of, calls } = await setup({ families: false })
    expect(of('ready')[0]!.families).toBeUndefined()
    h.handle(seeded('fam', { a: 'brick' }))
    h.handle(seeded('plain', undefined))
    await h.idle()
    expect(of('error')).toEqual([])
    expect(of('result').map((r) => [r.id, r.family])).toEqual([
      ['fam', undefined],
      ['fam', undefined],
      ['plain', undefined],
      ['plain', undefined],
    ])
    // The same field either way: [global ++ local], 4 + 2 channels.
    expect(calls[2]!.field).toEqual(calls[4]!.field)
    expect(calls[2]!.field.length).toBe(4 * 4 * 6)
  })

  it('refuses at load a surface model missing a district family, or whose family vector the layout does not expect', async () => {
    const missing = await setup({ model: { names: ['brick', 'plaster', 'metal'] } })
    const [failed] = missing.of('model-failed')
    expect(failed).toMatchObject({ model: 'surface', reason: 'unknown-family' })
    expect(failed!.message).toMatch(/has no material families "stone_blocks", "floor_tiles", "wood_planks", /)
    expect(failed!.message).toMatch(/which world-gen's district styles use/)

    const out: GenResponse[] = []
    const fixture = familyModel()
    const manifest = parseManifest(fixture.manifest)
    const h = createGenHandler({
      post: (msg) => out.push(msg),
      selectBackend: async () => ({ backend: 'cpu', refusals: [] }),
      loadModel: async () => ({
        version: manifest.version,
        inputChannels: manifest.inputChannels,
        cellPx: manifest.cellPx,
        families: manifest.families,
        generate: async () => new Uint8Array(16),
        dispose: () => undefined,
      }),
      // A layout still without familyDim, as before the family-conditioned weights.
      layout: { ...fixture.layout, surface: { ...fixture.layout.surface, familyDim: 0 } },
    })
    h.handle({ type: 'init', models: { surface: '/m.json' } })
    await flush()
    expect(out[0]).toEqual({
      type: 'model-failed',
      model: 'surface',
      message: 'surface-v2-fixture00000 takes a material-family vector of 3, latent-layout.json says 0 for "surface"',
    })
  })
})
