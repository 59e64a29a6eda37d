import { describe, expect, it } from 'vitest'
import { FamilyError, familyVector } from '../../world-gen/families'
import {
  LATENT_LAYOUT,
  latentField,
  localField,
  localSeed,
  noiseSeed,
  parseLatentLayout,
  roomLatent,
  roomSlotInput,
  slotField,
} from '../../world-gen/latent-walk'
import { parseManifest } from '../../world-gen/gan/manifest'
import { room } from '../../world-gen/layout'
import { familyModel } from '../support/family-model'

const fixture = familyModel()
const families = parseManifest(fixture.manifest).families!
const layout = fixture.layout

describe('latent layout: familyDim', () => {
  it('is read when given and 0 when absent (the sky, models without families)', () => {
    const json = JSON.parse(JSON.stringify(LATENT_LAYOUT)) as Record<string, Record<string, unknown>>
    json.surface!.familyDim = 16
    delete json.sky!.familyDim
    const parsed = parseLatentLayout(json)
    expect(parsed.surface.familyDim).toBe(16)
    expect(parsed.sky.familyDim).toBe(0)
    json.surface!.familyDim = -2
    expect(() => parseLatentLayout(json)).toThrow('latent layout: surface.familyDim must be a non-negative integer')
  })

  it('the committed layout is consistent for the sky: no families', () => {
    expect(LATENT_LAYOUT.sky.familyDim).toBe(0)
  })
})

describe('slotField with a family vector', () => {
  it('every cell is [global ++ family ++ local]', () => {
    const global = Float32Array.from([1, 2, 3, 4])
    const local = localField(7, 'walls', 3, 2, layout)
    const family = familyVector(families, { a: 'brick', b: 'metal', t: 0.25 })
    const field = slotField('walls', global, local, 3, 2, layout, family)
    const c = 4 + 3 + 2
    expect(field.length).toBe(3 * 2 * c)
    for (let cell = 0; cell < 6; cell++) {
      expect(Array.from(field.subarray(cell * c, cell * c + 4))).toEqual([1, 2, 3, 4])
      expect(Array.from(field.subarray(cell * c + 4, cell * c + 7))).toEqual(Array.from(family))
      expect(Array.from(field.subarray(cell * c + 7, cell * c + 9))).toEqual(
        Array.from(local.subarray(cell * 2, cell * 2 + 2)),
      )
    }
    const shared = new Float32Array(7)
    shared.set(global)
    shared.set(family, 4)
    expect(field).toEqual(latentField(shared, local, 3, 2))
  })

  it('refuses a missing, superfluous or wrong-length family vector with a clear message', () => {
    const global = new Float32Array(4)
    const local = localField(7, 'floor', 2, 2, layout)
    expect(() => slotField('floor', global, local, 2, 2, layout)).toThrow(
      'floor wants a material-family vector of 3, got 0 values',
    )
    expect(() => slotField('floor', global, local, 2, 2, layout, new Float32Array(2))).toThrow(
      'floor wants a material-family vector of 3, got 2 values',
    )
    const v1 = { ...layout, surface: { ...layout.surface, familyDim: 0 } }
    expect(() => slotField('floor', global, local, 2, 2, v1, new Float32Array(3))).toThrow(
      'floor takes no material-family vector (latent-layout.json has no familyDim), got 3 values',
    )
  })
})

describe('roomSlotInput with families', () => {
  it("paints the room's own district family unless told another", () => {
    const spec = room('demo', -3, 5)
    const own = roomSlotInput('demo', -3, 5, 'walls', 4, 4, { families, layout })
    expect(own.family).toEqual(spec.families.walls)
    const local = localField(localSeed('demo', spec.roomSeed, 'walls'), 'walls', 4, 4, layout)
    const global = roomLatent('demo', -3, 5, 'walls', { layout })
    expect(own.field).toEqual(
      slotField('walls', global, local, 4, 4, layout, familyVector(families, spec.families.walls)),
    )
    expect(own.noiseSeed).toBe(noiseSeed(spec.roomSeed, 'walls'))

    const snow = roomSlotInput('demo', -3, 5, 'walls', 4, 4, { families, layout, family: { a: 'snow' } })
    expect(snow.family).toEqual({ a: 'snow' })
    expect(snow.field).toEqual(slotField('walls', global, local, 4, 4, layout, familyVector(families, { a: 'snow' })))
  })

  it('a model without families paints as before; asking it for a family, or the sky for one, is refused', () => {
    // A layout without family channels, as for the surface-v1 weights.
    const v1 = { ...LATENT_LAYOUT, surface: { ...LATENT_LAYOUT.surface, familyDim: 0 } }
    const plain = roomSlotInput('demo', 0, 0, 'floor', 2, 2, { layout: v1 })
    expect(plain.family).toBeUndefined()
    expect(plain.field.length).toBe(2 * 2 * (v1.surface.globalDim + v1.surface.localDim))
    expect(() => roomSlotInput('demo', 0, 0, 'floor', 2, 2, { layout: v1, family: { a: 'brick' } })).toThrow(
      FamilyError,
    )
    expect(() => roomSlotInput('demo', 0, 0, 'sky', 2, 2, { families, layout, family: { a: 'brick' } })).toThrow(
      'the sky takes no material family',
    )
    expect(() => roomSlotInput('demo', 0, 0, 'floor', 2, 2, { families, layout, family: { a: 'moss' } })).toThrow(
      /unknown material family "moss"/,
    )
  })
})
