import { describe, expect, it } from 'vitest'
import {
  assertConditioning,
  dominantFamily,
  FamilyError,
  familyKey,
  familyLabel,
  familyVector,
  type FamilyConditioning,
  type FamilyTable,
} from '../../world-gen/families'
import { TEXTURE_TILE_M, textureRepeatM, textureUvScale } from '../../world-gen/room-geometry'

const TABLE: FamilyTable = {
  names: ['brick', 'plaster', 'metal'],
  dim: 3,
  embedding: [Float32Array.from([1, 0, -2]), Float32Array.from([0, 1, 2]), Float32Array.from([0.5, 0.5, 0.5])],
  pxPerMetre: { brick: 96, plaster: 64, metal: 48 },
}

describe('family vectors', () => {
  it('one family is its embedding row; a blend is (1 - t)·E[a] + t·E[b]', () => {
    expect(Array.from(familyVector(TABLE, { a: 'plaster' }))).toEqual([0, 1, 2])
    expect(Array.from(familyVector(TABLE, { a: 'brick', b: 'plaster', t: 0.25 }))).toEqual([0.75, 0.25, -1])
    expect(Array.from(familyVector(TABLE, { a: 'brick', b: 'plaster', t: 0 }))).toEqual([1, 0, -2])
    expect(Array.from(familyVector(TABLE, { a: 'brick', b: 'plaster', t: 1 }))).toEqual([0, 1, 2])
    const out = new Float32Array(3)
    expect(familyVector(TABLE, { a: 'metal' }, out)).toBe(out)
  })

  // Boundary cases as a table with messages.
  it.each([
    [
      'an unknown family',
      { a: 'granite' },
      'unknown-family',
      /unknown material family "granite" \(this model has: brick, plaster, metal\)/,
    ],
    ['an unknown blend target', { a: 'brick', b: 'moss', t: 0.5 }, 'unknown-family', /"moss"/],
    ['a weight above 1', { a: 'brick', b: 'metal', t: 1.5 }, 'bad-blend', /t must be a number in \[0, 1\], got 1\.5/],
    ['a NaN weight', { a: 'brick', b: 'metal', t: Number.NaN }, 'bad-blend', /got NaN/],
    ['a weight without b', { a: 'brick', t: 0.3 }, 'bad-blend', /without a family `b`/],
    ['no name at all', {} as FamilyConditioning, 'bad-blend', /needs a family name/],
  ] as [string, FamilyConditioning, string, RegExp][])(
    'refuses %s with a typed FamilyError',
    (_, cond, reason, message) => {
      let error: unknown
      try {
        familyVector(TABLE, cond)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(FamilyError)
      expect((error as FamilyError).reason).toBe(reason)
      expect((error as FamilyError).message).toMatch(message)
      expect(() => assertConditioning(TABLE, cond)).toThrow(FamilyError)
    },
  )
})

describe('naming a conditioning', () => {
  it.each([
    [{ a: 'brick' }, 'brick', 'brick', 'brick'],
    [{ a: 'brick', b: 'plaster', t: 0.25 }, 'brick', 'brick 75% + plaster 25%', 'brick>plaster@0.25'],
    [{ a: 'brick', b: 'plaster', t: 0.5 }, 'brick', 'brick 50% + plaster 50%', 'brick>plaster@0.5'],
    [{ a: 'brick', b: 'plaster', t: 0.8 }, 'plaster', 'plaster 80% + brick 20%', 'brick>plaster@0.8'],
    [{ a: 'brick', b: 'plaster', t: 0 }, 'brick', 'brick', 'brick'],
  ] as [FamilyConditioning, string, string, string][])(
    '%j: dominant %s, label "%s", key %s',
    (cond, dominant, label, key) => {
      expect(dominantFamily(cond)).toBe(dominant)
      expect(familyLabel(cond)).toBe(label)
      expect(familyKey(cond)).toBe(key)
    },
  )
})

describe('texture repeat per family', () => {
  it('a repeat covers texture px / px per metre of the dominant family', () => {
    expect(textureRepeatM(256, { a: 'brick' }, TABLE.pxPerMetre)).toBeCloseTo(256 / 96, 12)
    expect(textureRepeatM(256, { a: 'metal' }, TABLE.pxPerMetre)).toBe(256 / 48)
    // A blend takes the scale of its heavier family.
    expect(textureRepeatM(64, { a: 'brick', b: 'metal', t: 0.4 }, TABLE.pxPerMetre)).toBeCloseTo(64 / 96, 12)
    expect(textureRepeatM(64, { a: 'brick', b: 'metal', t: 0.6 }, TABLE.pxPerMetre)).toBe(64 / 48)
    // UVs count repeats of TEXTURE_TILE_M: the uv scale turns them into repeats of the family's size.
    expect(textureUvScale(256, { a: 'plaster' }, TABLE.pxPerMetre)).toBe(TEXTURE_TILE_M / 4)
  })

  it('an unconditioned model keeps the fixed 2 m repeat', () => {
    expect(textureRepeatM(256, undefined, TABLE.pxPerMetre)).toBe(TEXTURE_TILE_M)
    expect(textureRepeatM(512, { a: 'brick' }, undefined)).toBe(TEXTURE_TILE_M)
    expect(textureRepeatM(512, { a: 'moss' }, TABLE.pxPerMetre)).toBe(TEXTURE_TILE_M)
    expect(textureUvScale(256, undefined, undefined)).toBe(1)
  })
})
