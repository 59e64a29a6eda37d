import { describe, expect, it } from 'vitest'
import {
  canonicalSeed,
  createRng,
  gaussian,
  hashCoords,
  hashString,
  portableLn,
  SEED_MAX_CODE_POINTS,
  worldHash,
} from '../../world-gen/index'

describe('canonicalSeed', () => {
  it.each([
    ['plain seed is kept', 'demo', 'demo'],
    ['case is kept', 'Demo', 'Demo'],
    ['outer whitespace is trimmed', '  demo  ', 'demo'],
    ['inner runs of spaces collapse', 'lantern    field', 'lantern field'],
    ['NFKC folds full-width letters', 'Ｄｅｍｏ', 'Demo'],
    ['NFKC folds the ideographic space', 'a\u3000b', 'a b'],
    ['non-Latin letters are allowed', '森の部屋', '森の部屋'],
    ['combining marks are allowed', 'hindī', 'hindī'],
    ['hyphen and underscore are allowed', 'a-b_c', 'a-b_c'],
    ['exactly 64 code points is allowed', 'a'.repeat(SEED_MAX_CODE_POINTS), 'a'.repeat(SEED_MAX_CODE_POINTS)],
    ['64 astral code points is allowed', '𝐀'.repeat(64), 'A'.repeat(64)],
  ])('%s', (_, input, seed) => {
    expect(canonicalSeed(input)).toEqual({ ok: true, seed })
  })

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['65 code points', 'a'.repeat(SEED_MAX_CODE_POINTS + 1)],
    ['huge input', 'a'.repeat(1_000_000)],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['tab', 'a\tb'],
    ['DEL', 'a\u007fb'],
    ['bidi override', 'a\u202eb'],
    ['zero-width space', 'a\u200bb'],
    ['lone surrogate', 'a\ud800b'],
    ['slash', 'a/b'],
    ['dot-dot', '..'],
    ['percent', '%2e'],
    ['script text', '<script>alert(1)</script>'],
    ['emoji', '🙂'],
  ])('rejects %s with a one-line error', (_, input) => {
    const r = canonicalSeed(input)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(/^[^\n]+$/)
  })

  it('never throws on non-string input', () => {
    expect(canonicalSeed(42 as unknown as string).ok).toBe(false)
  })
})

describe('hashing', () => {
  it('hashString is stable (golden values) and salt-sensitive', () => {
    expect(hashString('demo')).toEqual(hashString('demo'))
    expect(hashString('demo', 1)).not.toEqual(hashString('demo'))
    expect([hashString(''), hashString('demo'), worldHash('demo')]).toMatchInlineSnapshot(`
      [
        [
          953731,
          1217125560,
        ],
        [
          869827,
          2859364488,
        ],
        936252639,
      ]
    `)
  })

  it('hashCoords separates neighbours, salts and worlds', () => {
    const w = worldHash('demo')
    const values = new Set<number>()
    for (let z = -50; z < 50; z++) for (let x = -50; x < 50; x++) values.add(hashCoords(w, x, z, 0))
    expect(values.size).toBe(10_000)
    expect(hashCoords(w, 1, 2, 0)).not.toBe(hashCoords(w, 2, 1, 0))
    expect(hashCoords(w, 1, 2, 0)).not.toBe(hashCoords(w, 1, 2, 1))
    expect(hashCoords(w, 1, 2, 0)).not.toBe(hashCoords(worldHash('demo2'), 1, 2, 0))
  })
})

describe('createRng', () => {
  it('is a value: two generators with one seed give the same stream, independent of interleaving', () => {
    const a = createRng(7)
    const b = createRng(7)
    const other = createRng(8)
    const seqA = Array.from({ length: 100 }, () => (other(), a()))
    const seqB = Array.from({ length: 100 }, () => b())
    expect(seqA).toEqual(seqB)
  })

  it('is uniform in [0, 1)', () => {
    const rng = createRng(123)
    const bins = new Array(10).fill(0)
    for (let i = 0; i < 100_000; i++) {
      const v = rng()
      expect(v >= 0 && v < 1).toBe(true)
      bins[Math.floor(v * 10)]++
    }
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500)
  })

  it('gaussian has mean 0 and variance 1', () => {
    const rng = createRng(99)
    let s = 0
    let s2 = 0
    const n = 100_000
    for (let i = 0; i < n; i++) {
      const g = gaussian(rng)
      s += g
      s2 += g * g
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02)
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02)
  })

  it.each([
    ['1', 1],
    ['smallest normal', 2.2250738585072014e-308],
    ['smallest subnormal', 5e-324],
    ['largest double', Number.MAX_VALUE],
    ['just below sqrt 2', 1.414],
    ['one ulp above 1', 1 + Number.EPSILON],
    ['0.5', 0.5],
  ])('portableLn matches Math.log for %s', (_, v) => {
    expect(portableLn(v)).toBeCloseTo(Math.log(v), 12)
  })

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('portableLn(%s) is NaN', (v) => {
    expect(portableLn(v)).toBeNaN()
  })
})
