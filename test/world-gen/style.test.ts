import { describe, expect, it } from 'vitest'
import {
  decodeStyle,
  encodeStyle,
  photoTarget,
  quantiseLatent,
  quantiseStyle,
  StyleError,
  styledFamilyLabel,
  styledFamilyVector,
  styledFamilyWeights,
  styleFamilyVector,
  toLatentSphere,
  type WorldStyle,
} from '../../world-gen/style'
import { familyVector, type FamilyTable } from '../../world-gen/families'
import { createRng, gaussian } from '../../world-gen/seed'

const latent = (seed: number, dim = 64) => {
  const rng = createRng(seed)
  return toLatentSphere(Float32Array.from({ length: dim }, () => gaussian(rng)))
}

const mixture = Float32Array.from([0.05, 0.6, 0.02, 0.25, 0.01, 0.07, 0, 0, 0, 0, 0])

describe('quantiseStyle', () => {
  it('keeps the three heaviest families in sixteenths summing to 1, heaviest first', () => {
    const s = quantiseStyle('walls', latent(1), mixture)
    expect(s.families.map((f) => f.index)).toEqual([1, 3, 5])
    expect(s.families.reduce((a, f) => a + f.weight, 0)).toBe(1)
    for (const f of s.families) expect(Number.isInteger(f.weight * 16)).toBe(true)
  })

  it('puts the latent back on the √dim sphere, within half a quantisation step per channel', () => {
    const z = latent(2)
    const s = quantiseStyle('floor', z, mixture)
    const norm = Math.hypot(...s.global)
    expect(norm).toBeCloseTo(8, 4)
    let worst = 0
    for (let i = 0; i < 64; i++) worst = Math.max(worst, Math.abs(s.global[i]! - z[i]!))
    expect(worst).toBeLessThan(0.1)
  })

  it('is idempotent: quantising a quantised style changes nothing', () => {
    const s = quantiseStyle('trim', latent(3), mixture)
    const mix = new Float32Array(11)
    for (const f of s.families) mix[f.index] = f.weight
    const t = quantiseStyle('trim', s.global, mix)
    expect(encodeStyle(t)).toBe(encodeStyle(s))
  })

  it('rounds the latent to exactly what a link gives back (quantiseLatent), whatever its scale', () => {
    for (const seed of [4, 5, 6]) {
      const z = latent(seed).map((v) => v * 3.7)
      const q = quantiseLatent(z)
      expect(Array.from(quantiseStyle('walls', z, mixture).global)).toEqual(Array.from(q))
      const linked = decodeStyle(encodeStyle({ slot: 'walls', global: z, families: [{ index: 0, weight: 1 }] }))
      expect(Array.from(linked.global)).toEqual(Array.from(q))
    }
  })
})

describe('encodeStyle / decodeStyle', () => {
  it('round-trips to the same text and values, in 71–74 URL-safe characters', () => {
    for (let k = 1; k <= 3; k++) {
      const mix = new Float32Array(11)
      for (let i = 0; i < k; i++) mix[i * 2] = 1 / k
      const s = quantiseStyle('walls', latent(10 + k), mix)
      const text = encodeStyle(s)
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/)
      expect(text.length).toBe([71, 72, 74][k - 1])
      const back = decodeStyle(text)
      expect(back.slot).toBe('walls')
      expect(back.families).toEqual(s.families)
      expect(Array.from(back.global)).toEqual(Array.from(s.global))
      expect(encodeStyle(back)).toBe(text)
    }
  })

  it('keeps the slot', () => {
    for (const slot of ['floor', 'walls', 'trim'] as const)
      expect(decodeStyle(encodeStyle(quantiseStyle(slot, latent(4), mixture))).slot).toBe(slot)
  })

  const good = encodeStyle(quantiseStyle('walls', latent(5), mixture))
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1)
  it.each([
    ['empty', '', /empty/],
    ['not base64url', good.replace(/.$/, '='), /base64url/],
    ['truncated', good.slice(0, 40), /bytes|truncated/],
    ['a flipped character in the latent', flip(good, 30), /checksum|corrupt/],
    ['a flipped character in the header', flip(good, 1), /corrupt|bytes|version|truncated/],
    ['much too long', 'A'.repeat(400), /too long/],
    ['stray bits in the last character', good.slice(0, -1) + (good.endsWith('w') ? 'x' : 'w'), /canonical|checksum/],
    ['a future format version', 'IUABT6kK6ZM6G4ZXY4KH3o2ILo155V42aW43IV4Im2tWqmJoKX8pXlTqW2XoHmY5F22VnOw', /version/],
  ])('refuses %s with a one-line StyleError that does not echo the input', (_, text, reason) => {
    let err: unknown
    try {
      decodeStyle(text)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StyleError)
    expect((err as Error).message).toMatch(reason)
    expect((err as Error).message).not.toContain(text.slice(0, 12) || '\u0000')
    expect((err as Error).message).not.toContain('\n')
  })

  it('refuses to encode what the URL cannot carry', () => {
    const s: WorldStyle = { slot: 'walls', global: latent(6), families: [{ index: 0, weight: 0.3 }] }
    expect(() => encodeStyle(s)).toThrow(StyleError)
    expect(() => encodeStyle({ ...s, slot: 'sky' as never, families: [{ index: 0, weight: 1 }] })).toThrow(StyleError)
  })
})

const table: FamilyTable = {
  names: ['a', 'b', 'c'],
  dim: 2,
  embedding: [Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([2, 2])],
  pxPerMetre: { a: 1, b: 1, c: 1 },
}

describe('family vectors under a style', () => {
  it('mixes the table rows by the style weights', () => {
    const v = styleFamilyVector(table, [
      { index: 2, weight: 0.75 },
      { index: 0, weight: 0.25 },
    ])
    expect(Array.from(v)).toEqual([1.75, 1.5])
  })

  it('moves from the district family to the style by the style weight', () => {
    const families = [{ index: 1, weight: 1 }]
    expect(Array.from(styledFamilyVector(table, { a: 'a' }, undefined))).toEqual([1, 0])
    expect(Array.from(styledFamilyVector(table, { a: 'a' }, { weight: 0, families }))).toEqual([1, 0])
    expect(Array.from(styledFamilyVector(table, { a: 'a' }, { weight: 0.5, families }))).toEqual([0.5, 0.5])
    expect(Array.from(styledFamilyVector(table, { a: 'a' }, { weight: 1, families }))).toEqual(
      Array.from(familyVector(table, { a: 'b' })),
    )
  })

  it('refuses a family index the model does not have', () => {
    expect(() => styleFamilyVector(table, [{ index: 7, weight: 1 }])).toThrow(/another surface model/)
  })

  it('names the mixture a styled slot is painted with: the weights whose family vector it is', () => {
    const blend = {
      weight: 0.5,
      families: [
        { index: 2, weight: 0.75 },
        { index: 0, weight: 0.25 },
      ],
    }
    const district = { a: 'a', b: 'b', t: 0.5 }
    const weights = styledFamilyWeights(table.names, district, blend)
    expect(weights).toEqual([
      ['a', 0.375],
      ['c', 0.375],
      ['b', 0.25],
    ])
    // The same vector as styledFamilyVector: Σ weight·E[name].
    const v = [0, 0]
    for (const [name, w] of weights) table.embedding[table.names.indexOf(name)]!.forEach((e, c) => (v[c]! += w * e))
    expect(v).toEqual(Array.from(styledFamilyVector(table, district, blend)))
  })

  it.each([
    { label: 'no style: the district alone', district: { a: 'a' }, blend: undefined, want: 'a' },
    {
      label: 'style weight 0',
      district: { a: 'a' },
      blend: { weight: 0, families: [{ index: 1, weight: 1 }] },
      want: 'a',
    },
    {
      label: 'the start room: the style alone',
      district: { a: 'a' },
      blend: { weight: 1, families: [{ index: 1, weight: 1 }] },
      want: 'b',
    },
    {
      label: 'a style family that is the district family adds up',
      district: { a: 'b' },
      blend: {
        weight: 0.4,
        families: [
          { index: 1, weight: 0.5 },
          { index: 2, weight: 0.5 },
        ],
      },
      want: 'b 80% + c 20%',
    },
    {
      label: 'a weight under 1% is left out',
      district: { a: 'a' },
      blend: { weight: 0.004, families: [{ index: 2, weight: 1 }] },
      want: 'a',
    },
  ])('labels a styled slot for people: $label', ({ district, blend, want }) => {
    expect(styledFamilyLabel(table.names, district, blend)).toBe(want)
  })
})

describe('photoTarget', () => {
  it('cuts the centre square of a wide photo and maps bytes to [-1, 1]', () => {
    // 8×4 RGBA: left and right quarters black, the centre 4×4 white.
    const w = 8
    const h = 4
    const px = new Uint8Array(w * h * 4)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) px.fill(x >= 2 && x < 6 ? 255 : 0, (y * w + x) * 4, (y * w + x) * 4 + 4)
    const t = photoTarget(px, w, h, { sizePx: 4 })
    expect(t.length).toBe(4 * 4 * 3)
    expect(Math.min(...t)).toBe(1)
  })

  it('averages when shrinking and keeps the mean colour', () => {
    const w = 64
    const px = new Uint8Array(w * w * 4)
    for (let i = 0; i < w * w; i++) px.set(i % 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], i * 4)
    const t = photoTarget(px, w, w, { sizePx: 16 })
    for (let i = 0; i < 16 * 16; i++) {
      expect(t[i * 3]).toBeCloseTo(0, 5)
      expect(t[i * 3 + 1]).toBe(-1)
      expect(t[i * 3 + 2]).toBeCloseTo(0, 5)
    }
  })

  it('refuses a byte count that does not match the size', () => {
    expect(() => photoTarget(new Uint8Array(10), 2, 2)).toThrow(RangeError)
  })
})
