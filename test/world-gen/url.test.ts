import { describe, expect, it } from 'vitest'
import {
  canonicalSeed,
  decodeWorldParams,
  decodeWorldUrl,
  encodeWorldUrl,
  URL_MAX_LENGTH,
  WORLD_LIMIT,
  type WorldLocation,
  type WorldUrlResult,
} from '../../world-gen/index'
import { mulberry32 } from '../support/mulberry32'

const UNSAFE = /[<>\p{Cc}]/u

function expectSafe(r: WorldUrlResult): void {
  if (r.ok) {
    expect(UNSAFE.test(r.value.seed)).toBe(false)
    expect(canonicalSeed(r.value.seed)).toEqual({ ok: true, seed: r.value.seed })
    expect(Number.isInteger(r.value.x) && Math.abs(r.value.x) <= WORLD_LIMIT).toBe(true)
    expect(Number.isInteger(r.value.z) && Math.abs(r.value.z) <= WORLD_LIMIT).toBe(true)
    expect(Number.isInteger(r.value.heading) && r.value.heading >= 0 && r.value.heading < 360).toBe(true)
    for (const w of r.warnings) expect(w).toMatch(/^[^\n<>]+$/)
  } else {
    expect(r.error).toMatch(/^[^\n<>\p{Cc}]+$/u)
  }
}

describe('encodeWorldUrl / decodeWorldUrl', () => {
  it.each([
    ['the demo link', { seed: 'demo', x: 3, z: -2, heading: 90 }, '/w/demo?r=3,-2&h=90'],
    [
      'lower coordinate boundary',
      { seed: 'a', x: -WORLD_LIMIT, z: -WORLD_LIMIT, heading: 0 },
      '/w/a?r=-1000000,-1000000&h=0',
    ],
    ['upper heading boundary', { seed: 'a', x: WORLD_LIMIT, z: 0, heading: 359 }, '/w/a?r=1000000,0&h=359'],
    ['spaces are percent-encoded', { seed: 'lantern field', x: 0, z: 0, heading: 0 }, '/w/lantern%20field?r=0,0&h=0'],
    ['unicode seeds are UTF-8 encoded', { seed: '森', x: 1, z: 1, heading: 1 }, '/w/%E6%A3%AE?r=1,1&h=1'],
  ])('%s', (_, value, url) => {
    expect(encodeWorldUrl(value)).toBe(url)
    expect(decodeWorldUrl(url)).toEqual({ ok: true, value, warnings: [] })
  })

  it.each([
    ['heading 360 wraps to 0', 360, 0],
    ['heading -90 wraps to 270', -90, 270],
    ['heading 89.6 rounds to 90', 89.6, 90],
  ])('encode normalises: %s', (_, heading, h) => {
    expect(encodeWorldUrl({ seed: 'demo', x: 0, z: 0, heading })).toBe(`/w/demo?r=0,0&h=${h}`)
  })

  it.each([
    ['an invalid seed', { seed: '../x', x: 0, z: 0, heading: 0 }],
    ['x beyond the limit', { seed: 'a', x: WORLD_LIMIT + 1, z: 0, heading: 0 }],
    ['fractional z', { seed: 'a', x: 0, z: 0.5, heading: 0 }],
    ['NaN heading', { seed: 'a', x: 0, z: 0, heading: Number.NaN }],
  ])('encode throws RangeError on %s', (_, value) => {
    expect(() => encodeWorldUrl(value)).toThrow(RangeError)
  })

  it.each([
    ['full https URL', 'https://latentscape.example/w/demo?r=3,-2&h=90', { seed: 'demo', x: 3, z: -2, heading: 90 }, 0],
    ['trailing slash and fragment', '/w/demo/?r=3,-2&h=90#top', { seed: 'demo', x: 3, z: -2, heading: 90 }, 0],
    ['missing params default to room 0,0 heading 0', '/w/demo', { seed: 'demo', x: 0, z: 0, heading: 0 }, 0],
    ['non-canonical seed is canonicalised', '/w/%20demo%20%20x?r=1,1', { seed: 'demo x', x: 1, z: 1, heading: 0 }, 0],
    ['heading wraps', '/w/demo?h=-450', { seed: 'demo', x: 0, z: 0, heading: 270 }, 0],
    ['fractional heading rounds', '/w/demo?h=12.5', { seed: 'demo', x: 0, z: 0, heading: 13 }, 0],
    ['bad r falls back to 0,0', '/w/demo?r=abc&h=10', { seed: 'demo', x: 0, z: 0, heading: 10 }, 1],
    ['r beyond the limit falls back', '/w/demo?r=1000001,0', { seed: 'demo', x: 0, z: 0, heading: 0 }, 1],
    ['NaN heading falls back', '/w/demo?r=1,2&h=NaN', { seed: 'demo', x: 1, z: 2, heading: 0 }, 1],
    ['Infinity heading falls back', '/w/demo?h=Infinity', { seed: 'demo', x: 0, z: 0, heading: 0 }, 1],
    ['exponent heading falls back', '/w/demo?h=1e400', { seed: 'demo', x: 0, z: 0, heading: 0 }, 1],
    ['duplicate r falls back', '/w/demo?r=1,1&r=2,2', { seed: 'demo', x: 0, z: 0, heading: 0 }, 1],
    ['unknown params are dropped', '/w/demo?r=1,1&utm=x', { seed: 'demo', x: 1, z: 1, heading: 0 }, 1],
    ['-0 is 0', '/w/demo?r=-0,-0&h=-0', { seed: 'demo', x: 0, z: 0, heading: 0 }, 0],
  ])('decode: %s', (_, url, value, warnings) => {
    const r = decodeWorldUrl(url)
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.value).toEqual(value)
      expect(Object.is(r.value.x, -0) || Object.is(r.value.heading, -0)).toBe(false)
      expect(r.warnings).toHaveLength(warnings)
    }
  })

  it.each([
    ['empty', ''],
    ['root', '/'],
    ['another route', '/about'],
    ['traversal', '/w/../etc/passwd'],
    ['dot-dot seed', '/w/..'],
    ['encoded traversal', '/w/%2e%2e%2fetc'],
    ['encoded slash', '/w/a%2Fb'],
    ['double-encoded', '/w/%252e%252e'],
    ['malformed percent', '/w/%E0%A4%A'],
    ['script text', '/w/<script>alert(1)</script>'],
    ['encoded script', '/w/%3Cscript%3E'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['ftp scheme', 'ftp://x/w/demo'],
    ['protocol-relative', '//evil.example/w/demo'],
    ['control char', '/w/de\u0000mo'],
    ['encoded control char', '/w/de%00mo'],
    ['newline', '/w/demo\n?r=1,1'],
    ['too long', `/w/${'a'.repeat(URL_MAX_LENGTH)}`],
    ['seed too long', `/w/${'a'.repeat(65)}`],
    ['two segments', '/w/demo/extra'],
    ['upper-case route', '/W/demo'],
  ])('decode rejects %s with a one-line error', (_, url) => {
    const r = decodeWorldUrl(url)
    expect(r.ok).toBe(false)
    expectSafe(r)
  })
})

describe('decodeWorldParams (Next.js route)', () => {
  it.each([
    ['a decoded param and a record', 'lantern field', { r: '3,-2', h: '90' }],
    ['an encoded param', 'lantern%20field', { r: '3,-2', h: '90' }],
    ['URLSearchParams', 'lantern field', new URLSearchParams('r=3,-2&h=90')],
  ])('accepts %s', (_, seed, search) => {
    expect(decodeWorldParams(seed, search)).toEqual({
      ok: true,
      value: { seed: 'lantern field', x: 3, z: -2, heading: 90 },
      warnings: [],
    })
  })

  it('treats an array value (duplicate param) as a warning and undefined as missing', () => {
    const r = decodeWorldParams('demo', { r: ['1,1', '2,2'], h: undefined })
    expect(r).toEqual({
      ok: true,
      value: { seed: 'demo', x: 0, z: 0, heading: 0 },
      warnings: ['duplicate r parameter; using room 0,0'],
    })
  })

  it('survives hostile records', () => {
    const trap = Object.defineProperty({}, 'r', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    expect(decodeWorldParams('demo', trap).ok).toBe(false)
    expect(decodeWorldParams('demo', Object.create({ r: '5,5' }) as Record<string, string>)).toMatchObject({
      ok: true,
      value: { x: 0, z: 0 },
    })
    expect(decodeWorldParams('%E0%A4%A', {}).ok).toBe(false)
    expect(decodeWorldParams('%2525', {}).ok).toBe(false)
  })
})

describe('URL codec fuzz (10,000+ seeded inputs)', () => {
  const rng = mulberry32(0x5eed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1))
  const SEED_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 -_', 'é', 'ß', '森', 'ф', 'ع', 'क', 'ि', '𝐀', 'Ｆ']
  const HOSTILE = [
    '../',
    '..%2f',
    '%2e%2e%2f',
    '%2E%2E/',
    '%252e',
    '%',
    '%zz',
    '%E0%A4',
    '<script>',
    '%3Cscript%3E',
    '"',
    "'",
    '`',
    '\u0000',
    '\u0007',
    '\n',
    '\r',
    '\t',
    '\u007f',
    '\u0085',
    '\u202e',
    '\u200b',
    '\ufeff',
    '\ud800',
    '\udfff',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '9'.repeat(30),
    '-0',
    '0x10',
    '1_000',
    '+5',
    ' ',
    '?',
    '&',
    '=',
    '#',
    '/',
    '\\',
    '/w/',
    'r=',
    'h=',
    ',',
    'javascript:',
    'https://',
    '//',
    '@',
    '🙂',
    '\u0301',
    'ﷺ',
    'ǅ',
    'ⅷ',
  ]

  function validLocation(): WorldLocation {
    let seed = ''
    const n = int(1, 64)
    for (let i = 0; i < n; i++) seed += pick(SEED_CHARS)
    const c = canonicalSeed(seed)
    return {
      seed: c.ok ? c.seed : 'fallback',
      x: pick([0, WORLD_LIMIT, -WORLD_LIMIT, int(-WORLD_LIMIT, WORLD_LIMIT), int(-3, 3)]),
      z: pick([0, WORLD_LIMIT, -WORLD_LIMIT, int(-WORLD_LIMIT, WORLD_LIMIT), int(-3, 3)]),
      heading: pick([0, 359, int(0, 359)]),
    }
  }

  function hostileString(): string {
    const parts: string[] = []
    const n = int(0, 12)
    for (let i = 0; i < n; i++) parts.push(rng() < 0.6 ? pick(HOSTILE) : pick(SEED_CHARS))
    let s = parts.join('')
    if (rng() < 0.02) s = s.repeat(int(100, 5000))
    return s
  }

  function hostileUrl(): string {
    const seedPart = rng() < 0.5 ? hostileString() : encodeURIComponent(validLocation().seed)
    const r = rng() < 0.5 ? `${int(-2e6, 2e6)},${int(-2e6, 2e6)}` : hostileString()
    const h = rng() < 0.5 ? String(int(-1000, 1000)) : hostileString()
    const prefix = pick(['', 'https://h.example', 'http://x', 'HTTPS://A', 'data://', ' ', '/w/x/..'])
    return `${prefix}/w/${seedPart}?${pick(['r', 'h', 'q', 'r'])}=${r}&h=${h}${rng() < 0.1 ? `&r=${r}` : ''}`
  }

  it('valid locations round-trip exactly; hostile input never throws and never yields unsafe output', () => {
    let roundTrips = 0
    let hostile = 0
    let accepted = 0
    for (let i = 0; i < 12_000; i++) {
      if (i % 3 === 0) {
        const v = validLocation()
        const url = encodeWorldUrl(v)
        expect(UNSAFE.test(url)).toBe(false)
        expect(decodeWorldUrl(url)).toEqual({ ok: true, value: v, warnings: [] })
        expect(decodeWorldUrl(`https://latentscape.example${url}`)).toEqual({ ok: true, value: v, warnings: [] })
        const [path, query] = url.split('?')
        expect(decodeWorldParams(path!.slice(3), new URLSearchParams(query))).toEqual({
          ok: true,
          value: v,
          warnings: [],
        })
        expect(decodeWorldParams(decodeURIComponent(path!.slice(3)), new URLSearchParams(query))).toEqual({
          ok: true,
          value: v,
          warnings: [],
        })
        roundTrips++
      } else {
        const input = i % 3 === 1 ? hostileUrl() : hostileString()
        let r: WorldUrlResult | undefined
        expect(() => {
          r = decodeWorldUrl(input)
        }).not.toThrow()
        expectSafe(r!)
        const p = decodeWorldParams(input, { r: input, h: input, [input]: input })
        expectSafe(p)
        if (r!.ok) {
          accepted++
          // Whatever was accepted re-encodes to a canonical URL that decodes to the same value, without warnings.
          const again = encodeWorldUrl(r!.value)
          expect(UNSAFE.test(again)).toBe(false)
          expect(decodeWorldUrl(again)).toEqual({ ok: true, value: r!.value, warnings: [] })
        }
        hostile++
      }
    }
    expect(roundTrips + hostile).toBeGreaterThanOrEqual(10_000)
    // The generator is not degenerate: some hostile URLs are accepted (normalised) and most are rejected.
    expect(accepted).toBeGreaterThan(100)
    expect(accepted).toBeLessThan(hostile)
  })
})
