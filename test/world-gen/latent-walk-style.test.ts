import { describe, expect, it } from 'vitest'
import {
  KEYFRAME_SPACING_ROOMS,
  roomLatent,
  roomSlotInput,
  roomStyleBlend,
  styleWeight,
} from '../../world-gen/latent-walk'
import { quantiseStyle, styleFamilyVector, toLatentSphere } from '../../world-gen/style'
import { familyVector } from '../../world-gen/families'
import { room } from '../../world-gen/layout'
import { familyModel } from '../support/family-model'
import { parseManifest } from '../../world-gen/gan/manifest'

const style = quantiseStyle(
  'floor',
  toLatentSphere(Float32Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.37))),
  Float32Array.from([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
)

const close = (a: Float32Array, b: Float32Array, tol = 1e-5) => a.every((v, i) => Math.abs(v - b[i]!) < tol)

describe('the latent walk centred on a photo style', () => {
  it('paints the style latent itself in room 0,0', () => {
    expect(close(roomLatent('demo', 0, 0, 'floor', { style }), style.global)).toBe(true)
  })

  it('drifts away with distance and is gone from KEYFRAME_SPACING_ROOMS rooms', () => {
    const plain = (x: number, z: number) => roomLatent('demo', x, z, 'floor')
    const styled = (x: number, z: number) => roomLatent('demo', x, z, 'floor', { style })
    const dist = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]!))
    const d = [0, 1, 2, 3].map((x) => dist(styled(x, 0), style.global))
    expect(d[0]).toBeLessThan(1e-4)
    for (let i = 1; i < d.length; i++) expect(d[i]).toBeGreaterThan(d[i - 1]!)
    for (const [x, z] of [
      [KEYFRAME_SPACING_ROOMS, 0],
      [0, -KEYFRAME_SPACING_ROOMS],
      [7, 9],
    ])
      expect(Array.from(styled(x, z))).toEqual(Array.from(plain(x, z)))
  })

  it('leaves the other slots alone', () => {
    for (const slot of ['walls', 'trim', 'sky'] as const)
      expect(Array.from(roomLatent('demo', 1, 1, slot, { style }))).toEqual(Array.from(roomLatent('demo', 1, 1, slot)))
  })

  it.each([
    [0, 0, 1],
    [2, 0, 0.5],
    [-2, 2, 0.25],
    [4, 0, 0],
    [1, -9, 0],
  ])('weighs room %i,%i at %f', (x, z, w) => {
    expect(styleWeight(x, z)).toBeCloseTo(w, 10)
    expect(roomStyleBlend(x, z, 'floor', style)?.weight ?? 0).toBeCloseTo(w, 10)
    expect(roomStyleBlend(x, z, 'walls', style)).toBeUndefined()
  })

  it('builds the world field with the family vector moved towards the style', () => {
    const m = familyModel({ globalDim: 64 })
    const families = parseManifest(m.manifest).families!
    const layout = { ...m.layout }
    const input = roomSlotInput('demo', 2, 0, 'floor', 2, 2, { families, layout, style })
    expect(input.style?.weight).toBeCloseTo(0.5, 10)
    const district = familyVector(families, room('demo', 2, 0).families.floor)
    const want = district.map((v, c) => 0.5 * v + 0.5 * styleFamilyVector(families, style.families)[c]!)
    const got = input.field.subarray(64, 64 + families.dim)
    expect(close(got, want)).toBe(true)
    const far = roomSlotInput('demo', 9, 9, 'floor', 2, 2, { families, layout, style })
    const plain = roomSlotInput('demo', 9, 9, 'floor', 2, 2, { families, layout })
    expect(Array.from(far.field)).toEqual(Array.from(plain.field))
    expect(far.style).toBeUndefined()
  })
})
