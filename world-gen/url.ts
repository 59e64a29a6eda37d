/**
 * The shareable world URL: `/w/<encodeURIComponent(seed)>?r=<x>,<z>&h=<heading>`.
 *
 * Limits: the seed is canonical (see `canonicalSeed`: 1–64 letters, digits, spaces, `-`, `_`), x and z are integers
 * within ±WORLD_LIMIT (1e6), heading is integer degrees in [0, 360), 0 = facing north (−z), 90 = east (+x).
 * Decoding never throws. An unusable seed is an error (there is no world to show); a bad, duplicated or out-of-range
 * `r` or `h` falls back to room 0,0 / heading 0 (wrapped into range where it is just a number) with a warning, and
 * unknown parameters are dropped. Errors and warnings are fixed one-line texts that never echo the input.
 * An optional `style=<base64url>` carries a style fitted to a photo (world-gen `style.ts`, 71–74 characters); a
 * corrupt one is a warning (`styleError`): the seed, room and heading still open, without the photo style.
 */
import { WORLD_LIMIT } from './layout'
import { canonicalSeed } from './seed'
import { decodeStyle, encodeStyle, StyleError, type WorldStyle } from './style'

/** A place in a world: what a shared link restores. */
export interface WorldLocation {
  /** Canonical world seed. */
  seed: string
  /** Room grid column. */
  x: number
  /** Room grid row. */
  z: number
  /** Facing direction in integer degrees, 0–359 (0 = north/−z, 90 = east/+x). */
  heading: number
  /** A style fitted to a photo (`style=`), centre of its slot's latent walk; absent for a plain world. */
  style?: WorldStyle
}

/**
 * Result of decoding: the location plus one-line notes on anything normalised (and, for a `style` parameter that
 * cannot be read, `styleError`: why the world opens without it), or a one-line error.
 */
export type WorldUrlResult =
  { ok: true; value: WorldLocation; warnings: string[]; styleError?: string } | { ok: false; error: string }

/** Longest URL `decodeWorldUrl` looks at, in UTF-16 code units. */
export const URL_MAX_LENGTH = 2048

/** Search parameters as Next.js passes them to a page (`searchParams`), or a URLSearchParams. */
export type SearchInput = URLSearchParams | Record<string, string | string[] | undefined>

const CONTROL = /\p{Cc}/u
const COORD = /^(-?\d{1,7}),(-?\d{1,7})$/
const HEADING = /^-?\d{1,12}(?:\.\d{1,6})?$/

/** Wrap any finite angle in degrees to the integer range [0, 360). */
export function normaliseHeading(degrees: number): number {
  return (((Math.round(degrees) % 360) + 360) % 360) + 0
}

/**
 * The path + query of a world location. Throws RangeError on an invalid seed or non-integer/out-of-range coordinates;
 * the seed is canonicalised and the heading wrapped to [0, 360).
 * @example encodeWorldUrl({ seed: 'demo', x: 3, z: -2, heading: 90 }) // '/w/demo?r=3,-2&h=90'
 */
export function encodeWorldUrl(location: WorldLocation): string {
  const seed = canonicalSeed(location.seed)
  if (!seed.ok) throw new RangeError(seed.error)
  const { x, z, heading } = location
  if (!Number.isInteger(x) || !Number.isInteger(z) || Math.abs(x) > WORLD_LIMIT || Math.abs(z) > WORLD_LIMIT) {
    throw new RangeError(`room coordinates must be integers within ±${WORLD_LIMIT}`)
  }
  if (!Number.isFinite(heading)) throw new RangeError('heading must be a finite number of degrees')
  const style = location.style === undefined ? '' : `&style=${encodeStyle(location.style)}`
  return `/w/${encodeURIComponent(seed.seed)}?r=${x + 0},${z + 0}&h=${normaliseHeading(heading)}${style}`
}

/**
 * Decode a world URL: a full `http(s)://host/w/…` URL or a path + search (`/w/…?r=…&h=…`). Never throws.
 * @example decodeWorldUrl('/w/demo?r=3,-2&h=90') // { ok: true, value: { seed: 'demo', x: 3, z: -2, heading: 90 }, warnings: [] }
 */
export function decodeWorldUrl(input: string): WorldUrlResult {
  if (typeof input !== 'string') return { ok: false, error: 'URL must be a string' }
  if (input.length > URL_MAX_LENGTH) return { ok: false, error: `URL is too long (max ${URL_MAX_LENGTH} characters)` }
  if (CONTROL.test(input)) return { ok: false, error: 'URL contains control characters' }
  let rest = input.trim()
  const origin = /^([a-z][a-z0-9+.-]*):\/\/[^/?#]*/i.exec(rest)
  if (origin !== null) {
    const scheme = origin[1]!.toLowerCase()
    if (scheme !== 'http' && scheme !== 'https') return { ok: false, error: 'URL must use http or https' }
    rest = rest.slice(origin[0].length)
    if (rest === '') rest = '/'
  }
  const hashAt = rest.indexOf('#')
  if (hashAt >= 0) rest = rest.slice(0, hashAt)
  const queryAt = rest.indexOf('?')
  const path = queryAt >= 0 ? rest.slice(0, queryAt) : rest
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : ''
  // Exactly one segment after /w/ (optional trailing slash); '..', '.', '%2e' and '%2f' all fail the seed rules later.
  const match = /^\/w\/([^/?#]+)\/?$/.exec(path)
  if (match === null) return { ok: false, error: 'not a world URL (expected /w/ then the seed)' }
  let seedText: string
  try {
    seedText = decodeURIComponent(match[1]!)
  } catch {
    return { ok: false, error: 'seed is not valid percent-encoding' }
  }
  return decodeParsed(seedText, new URLSearchParams(query))
}

/**
 * Decode the route param and search params of `/w/[seed]` as Next.js passes them. `seedParam` may be raw or
 * percent-encoded (decoded once when it contains `%`; a canonical seed never does). Never throws.
 */
export function decodeWorldParams(seedParam: string, search: SearchInput): WorldUrlResult {
  if (typeof seedParam !== 'string') return { ok: false, error: 'seed must be a string' }
  if (seedParam.length > URL_MAX_LENGTH) return { ok: false, error: `seed is too long` }
  let seedText = seedParam
  if (seedText.includes('%')) {
    try {
      seedText = decodeURIComponent(seedText)
    } catch {
      return { ok: false, error: 'seed is not valid percent-encoding' }
    }
  }
  return decodeParsed(seedText, search)
}

/** All values of a parameter, from either search representation. */
function valuesOf(search: SearchInput, name: string): string[] {
  if (search instanceof URLSearchParams) return search.getAll(name)
  const v = Object.prototype.hasOwnProperty.call(search, name) ? search[name] : undefined
  if (v === undefined) return []
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : typeof v === 'string' ? [v] : []
}

function namesOf(search: SearchInput): string[] {
  return search instanceof URLSearchParams ? [...new Set(search.keys())] : Object.keys(search)
}

function decodeParsed(seedText: string, search: SearchInput): WorldUrlResult {
  const seed = canonicalSeed(seedText)
  if (!seed.ok) return { ok: false, error: seed.error }
  const warnings: string[] = []
  let x = 0
  let z = 0
  let heading = 0
  let style: WorldStyle | undefined
  let styleError: string | undefined
  try {
    const r = valuesOf(search, 'r')
    if (r.length > 1) warnings.push('duplicate r parameter; using room 0,0')
    else if (r.length === 1) {
      const m = COORD.exec(r[0]!)
      const rx = m ? Number(m[1]) + 0 : NaN
      const rz = m ? Number(m[2]) + 0 : NaN
      if (m && Math.abs(rx) <= WORLD_LIMIT && Math.abs(rz) <= WORLD_LIMIT) {
        x = rx
        z = rz
      } else warnings.push(`invalid r parameter (expected two integers within ±${WORLD_LIMIT}); using room 0,0`)
    }
    const h = valuesOf(search, 'h')
    if (h.length > 1) warnings.push('duplicate h parameter; using heading 0')
    else if (h.length === 1) {
      if (HEADING.test(h[0]!)) heading = normaliseHeading(Number(h[0]))
      else warnings.push('invalid h parameter (expected degrees); using heading 0')
    }
    const st = valuesOf(search, 'style')
    if (st.length > 1) styleError = 'duplicate style parameter'
    else if (st.length === 1) {
      try {
        style = decodeStyle(st[0]!)
      } catch (e) {
        if (!(e instanceof StyleError)) throw e
        styleError = e.message
      }
    }
    if (styleError !== undefined) warnings.push(`${styleError}; the world is shown without the photo style`)
    if (namesOf(search).some((name) => name !== 'r' && name !== 'h' && name !== 'style'))
      warnings.push('ignored unknown parameters')
  } catch {
    // A hostile Record (getters, proxies) must not make decoding throw.
    return { ok: false, error: 'unreadable search parameters' }
  }
  return {
    ok: true,
    value: { seed: seed.seed, x, z, heading, ...(style === undefined ? {} : { style }) },
    warnings,
    ...(styleError === undefined ? {} : { styleError }),
  }
}
