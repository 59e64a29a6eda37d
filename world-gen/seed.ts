/**
 * Seeds, string/coordinate hashing and the seeded PRNG of world-gen.
 *
 * - String hash: cyrb53 by bryc (public domain), https://github.com/bryc/code/blob/master/jshash/experimental/cyrb53.js
 * - Coordinate mixing: the MurmurHash3 32-bit finaliser (fmix32), https://github.com/aappleby/smhasher
 * - PRNG: sfc32 by Chris Doty-Humphrey (PractRand), seeded through splitmix32.
 * - Gaussian: Marsaglia polar method, with a logarithm built from IEEE basic operations only, so a latent is
 *   bit-identical in every JS engine (`Math.log`/`Math.cos` are implementation-approximated by the spec).
 */

/** Longest canonical seed, in Unicode code points. */
export const SEED_MAX_CODE_POINTS = 64

/** Longest raw seed input considered at all, in UTF-16 code units (NFKC can expand text, so this is checked first). */
export const SEED_MAX_INPUT_UNITS = 256

/** Result of `canonicalSeed`: the canonical seed, or a one-line reason why the input is not a seed. */
export type SeedResult = { ok: true; seed: string } | { ok: false; error: string }

// Letters, combining marks (needed by many scripts after NFKC), digits, space, hyphen and underscore. No '.', '/',
// '%', '<' or '>', so a canonical seed is always a single harmless URL path segment.
const SEED_ALLOWED = /^[\p{L}\p{M}\p{N} _-]+$/u
// Control (Cc), format (Cf: bidi overrides, zero-width), surrogate, private-use and unassigned code points.
const SEED_FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u
// Separators other than the plain space that are still whitespace (tabs and newlines are Cc, rejected above).
const SEED_SPACES = /[\p{Zs}\p{Zl}\p{Zp}]+/gu

/**
 * Canonicalise a user-typed seed: NFKC, trim, collapse runs of spaces to one space; then require 1 to 64 code points of
 * letters, marks, digits, space, `-` and `_`. Case is kept (`Demo` and `demo` are different worlds). Never throws.
 * @example canonicalSeed('  Ｄemo   world ') // { ok: true, seed: 'Demo world' }
 */
export function canonicalSeed(input: string): SeedResult {
  if (typeof input !== 'string') return { ok: false, error: 'seed must be a string' }
  if (input.length > SEED_MAX_INPUT_UNITS)
    return { ok: false, error: `seed is too long (max ${SEED_MAX_CODE_POINTS} characters)` }
  if (SEED_FORBIDDEN.test(input)) return { ok: false, error: 'seed contains control or invisible characters' }
  const seed = input.normalize('NFKC').replace(SEED_SPACES, ' ').trim()
  if (seed.length === 0) return { ok: false, error: 'seed is empty' }
  // NFKC may introduce code points the raw check did not see (it never adds controls, but check the final text anyway).
  if (SEED_FORBIDDEN.test(seed)) return { ok: false, error: 'seed contains control or invisible characters' }
  if (!SEED_ALLOWED.test(seed)) return { ok: false, error: 'seed may contain only letters, digits, spaces, - and _' }
  let codePoints = 0
  for (const _ of seed) codePoints++
  if (codePoints > SEED_MAX_CODE_POINTS)
    return { ok: false, error: `seed is too long (max ${SEED_MAX_CODE_POINTS} characters)` }
  return { ok: true, seed }
}

/**
 * cyrb53 hash of a string's UTF-16 code units, as two uint32 lanes `[hi, lo]` (hi holds the top 21 bits of the 53).
 * `salt` selects an independent hash family.
 */
export function hashString(input: string, salt = 0): [number, number] {
  let h1 = 0xdeadbeef ^ salt
  let h2 = 0x41c6ce57 ^ salt
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return [(h1 & 0x1fffff) >>> 0, h2 >>> 0]
}

/** The uint32 world hash of a (canonical) seed string: the root every per-room and per-slot seed is derived from. */
export function worldHash(seed: string): number {
  const [hi, lo] = hashString(seed)
  return fmix32(lo ^ Math.imul(hi, 0x9e3779b1))
}

/** MurmurHash3's 32-bit finaliser: a bijective avalanche mix of a uint32. */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Per-cell seed: a uint32 from a world hash, integer cell coordinates and a salt naming what the seed is for
 * (so a room's output never depends on request order).
 * Coordinates are taken as int32; independent of call order by construction.
 */
export function hashCoords(worldSeedHash: number, x: number, z: number, salt = 0): number {
  let h = fmix32((worldSeedHash ^ Math.imul(salt | 0, 0x9e3779b1)) >>> 0)
  h = fmix32((h + Math.imul(x | 0, 0x85ebca77)) >>> 0)
  h = fmix32((h ^ Math.imul(z | 0, 0xc2b2ae3d)) >>> 0)
  return h
}

/** A seeded PRNG: each call returns the next uniform number in [0, 1) with 32 bits of resolution. */
export type Rng = () => number

/**
 * Create an sfc32 generator whose whole state lives in the returned closure (no module state that call order elsewhere
 * could change). `seed` is taken as uint32.
 * @example const rng = createRng(42); rng() // 0 <= value < 1, same sequence for the same seed
 */
export function createRng(seed: number): Rng {
  // splitmix32 spreads one uint32 over the 128-bit sfc32 state, so nearby seeds give unrelated streams.
  let s = seed >>> 0
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let t = s ^ (s >>> 16)
    t = Math.imul(t, 0x21f0aaad)
    t ^= t >>> 15
    t = Math.imul(t, 0x735a2d97)
    return (t ^ (t >>> 15)) >>> 0
  }
  let a = next()
  let b = next()
  let c = next()
  let d = next()
  const rng = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  // Discard the first outputs: sfc32 mixes its state over a few rounds.
  for (let i = 0; i < 12; i++) rng()
  return rng
}

/** A uniform integer in [minInclusive, maxInclusive] drawn from `rng`. */
export function randomInt(rng: Rng, minInclusive: number, maxInclusive: number): number {
  return minInclusive + Math.floor(rng() * (maxInclusive - minInclusive + 1))
}

/** A uniform number in [min, max) drawn from `rng`. */
export function randomRange(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng()
}

const LN2 = 0.6931471805599453

/** Natural log of a positive finite number using only IEEE-exact operations (+, −, ×, ÷), so it is engine-independent. */
export function portableLn(value: number): number {
  if (!(value > 0) || value === Infinity) return NaN
  let m = value
  let e = 0
  // Scaling by 2 is exact, so this reduction loses nothing; it runs at most ~1075 times (subnormals), usually once.
  while (m < 1) {
    m *= 2
    e--
  }
  while (m >= 2) {
    m /= 2
    e++
  }
  if (m > Math.SQRT2) {
    m /= 2
    e++
  }
  // ln(m) = 2 atanh(f), f = (m − 1)/(m + 1), |f| ≤ 0.1716; 12 odd terms reach double precision.
  const f = (m - 1) / (m + 1)
  const f2 = f * f
  let series = 1 / 25
  for (let k = 23; k >= 1; k -= 2) series = 1 / k + f2 * series
  return e * LN2 + 2 * f * series
}

/** A standard normal sample N(0, 1) from `rng` (Marsaglia polar method; the spare value is discarded). */
export function gaussian(rng: Rng): number {
  for (;;) {
    const u = 2 * rng() - 1
    const v = 2 * rng() - 1
    const s = u * u + v * v
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * portableLn(s)) / s)
  }
}
