/**
 * A world style fitted to a user's photo: the global latent and the material-family mixture that paint one surface
 * slot (floor, walls or trim) like the photo. It becomes the centre of that slot's latent walk: the keyframe at the
 * lattice origin (room 0,0, where a world starts) is replaced by the fitted latent, and the family vector moves towards
 * the fitted mixture by that keyframe's weight, so rooms near the start take the style on and it fades out over
 * KEYFRAME_SPACING_ROOMS rooms like any other keyframe of the walk.
 *
 * It travels in the world URL as `style=<base64url>`: a version and slot byte, the family mixture (up to three families
 * of the model's table, weights in sixteenths), the global latent quantised to 6 bits per channel, and a CRC-8, so a
 * shared link repaints the same world on another device. Pure: no tf.js, no DOM; the photo itself never goes in here.
 */
import { FamilyError, familyVector, type FamilyConditioning, type FamilyTable } from './families'
import { SURFACE_SLOTS, type SurfaceSlot } from './layout'

/** One family of a style's mixture: its row in the model's family table and its weight. */
export interface StyleFamily {
  /** Index into the surface model's family table (`FamilyTable.names`, model.json order). */
  index: number
  /** Weight in (0, 1]; the weights of a style sum to 1 (multiples of 1/16 once quantised). */
  weight: number
}

/** A fitted style, as decoded from a URL (or quantised after a fit): plain data, safe to structured-clone. */
export interface WorldStyle {
  /** The surface slot it paints. */
  slot: SurfaceSlot
  /** The global latent, float32 `[globalDim]` on the sphere of radius √globalDim (where the walk's keyframes lie). */
  global: Float32Array
  /** The family mixture, heaviest first; 1 to STYLE_MAX_FAMILIES entries. */
  families: StyleFamily[]
}

/** How much of a style paints one room slot: the style keyframe's weight there and the family mixture. */
export interface StyleBlend {
  /** Weight of the style in [0, 1] (1 in the start room, 0 from KEYFRAME_SPACING_ROOMS rooms away). */
  weight: number
  /** The style's family mixture. */
  families: StyleFamily[]
}

/** Format version written in the first byte (high nibble). */
export const STYLE_FORMAT_VERSION = 1

/** Families kept in a style's mixture (the lighter ones are dropped and the rest renormalised). */
export const STYLE_MAX_FAMILIES = 3

/** Bits per latent channel in the URL. */
export const STYLE_LATENT_BITS = 6

/** Latent quantisation step: 6-bit codes cover [-4, 4), where N(0, 1) channels on the √dim sphere almost always lie. */
export const STYLE_LATENT_STEP = 8 / (1 << STYLE_LATENT_BITS)

/** Family weights are stored in sixteenths. */
const WEIGHT_UNITS = 16

/** Families a style can name: 4 bits of index. */
const MAX_TABLE = 16

/** Why a style parameter was refused (one line, never echoing the input). */
export class StyleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StyleError'
  }
}

/** Project onto the sphere of radius √dim (float64 accumulation, so both sides of a link round identically). */
export function toLatentSphere(v: Float32Array, out: Float32Array = new Float32Array(v.length)): Float32Array {
  let n2 = 0
  for (let i = 0; i < v.length; i++) n2 += v[i]! * v[i]!
  if (!(n2 > 0)) throw new StyleError('style latent is all zeros')
  const s = Math.sqrt(v.length) / Math.sqrt(n2)
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * s
  return out
}

/** 6-bit code of one latent channel: round(v / step − ½) + 32, clamped to 0..63. */
const latentCode = (v: number): number => {
  const c = Math.round(v / STYLE_LATENT_STEP - 0.5) + 32
  return c < 0 ? 0 : c > 63 ? 63 : c
}
const latentValue = (code: number): number => (code - 32 + 0.5) * STYLE_LATENT_STEP

/**
 * Quantise fitted values to exactly what the URL carries: the latent to 6-bit codes (then back on the sphere), the
 * mixture to its STYLE_MAX_FAMILIES heaviest families in sixteenths (largest-remainder rounding, at least one
 * sixteenth each). `mixture`: one weight per family of the table (a softmax), summing to ~1.
 */
export function quantiseStyle(slot: SurfaceSlot, global: Float32Array, mixture: ArrayLike<number>): WorldStyle {
  if (mixture.length < 1 || mixture.length > MAX_TABLE)
    throw new StyleError(`a style names families of a table of 1–${MAX_TABLE}, got ${mixture.length}`)
  const order = [...Array(mixture.length).keys()].sort((a, b) => mixture[b]! - mixture[a]! || a - b)
  const kept = order.slice(0, STYLE_MAX_FAMILIES)
  const total = kept.reduce((s, i) => s + Math.max(0, mixture[i]!), 0)
  const raw = kept.map((i) => (total > 0 ? (Math.max(0, mixture[i]!) / total) * WEIGHT_UNITS : i === kept[0] ? 16 : 0))
  const units = raw.map((r) => Math.floor(r))
  let left = WEIGHT_UNITS - units.reduce((s, u) => s + u, 0)
  const byRemainder = raw.map((r, k) => [r - Math.floor(r), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, k] of byRemainder) {
    if (left === 0) break
    units[k]!++
    left--
  }
  const families = kept
    .map((index, k) => ({ index, units: units[k]! }))
    .filter((f) => f.units > 0)
    .sort((a, b) => b.units - a.units || a.index - b.index)
    .map((f) => ({ index: f.index, weight: f.units / WEIGHT_UNITS }))
  return { slot, global: quantiseLatent(global), families }
}

/**
 * A global latent exactly as a link carries it: projected onto the √dim sphere, each channel rounded to its 6-bit
 * code (clamped to [-4, 4)), and back onto the sphere, the value `decodeStyle` gives for it.
 */
export function quantiseLatent(global: Float32Array): Float32Array {
  const onSphere = toLatentSphere(global)
  const q = new Float32Array(onSphere.length)
  for (let i = 0; i < q.length; i++) q[i] = latentValue(latentCode(onSphere[i]!))
  return toLatentSphere(q)
}

/** CRC-8 (polynomial 0x07): catches a mistyped or truncated link. */
function crc8(bytes: Uint8Array, length: number): number {
  let crc = 0
  for (let i = 0; i < length; i++) {
    crc ^= bytes[i]!
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff
  }
  return crc
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function toBase64Url(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2
    for (let c = 0; c < chars; c++) s += B64[(n >> (18 - 6 * c)) & 63]
  }
  return s
}

function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new StyleError('style parameter is not base64url text')
  const out = new Uint8Array(Math.floor((s.length * 3) / 4))
  let o = 0
  for (let i = 0; i < s.length; i += 4) {
    const chunk = s.slice(i, i + 4)
    let n = 0
    for (let c = 0; c < 4; c++) n = (n << 6) | (c < chunk.length ? B64.indexOf(chunk[c]!) : 0)
    for (let b = 0; b < chunk.length - 1; b++) out[o++] = (n >> (16 - 8 * b)) & 0xff
  }
  return out
}

/**
 * The URL form of a style (`style=` value), base64url without padding: 3 + families + ⌈6·globalDim / 8⌉ + 1 bytes,
 * i.e. 71–74 characters for the 64-d surface latent. The style is quantised first, so encoding a decoded style gives
 * the same text. Throws StyleError on a slot, latent or mixture that cannot be written.
 */
export function encodeStyle(style: WorldStyle): string {
  const slotIndex = SURFACE_SLOTS.indexOf(style.slot)
  if (slotIndex < 0) throw new StyleError(`a style paints floor, walls or trim, not "${String(style.slot)}"`)
  const dim = style.global.length
  if (dim < 1 || dim > 255) throw new StyleError(`a style latent has 1–255 channels, got ${dim}`)
  const fams = style.families
  if (fams.length < 1 || fams.length > STYLE_MAX_FAMILIES)
    throw new StyleError(`a style has 1–${STYLE_MAX_FAMILIES} families, got ${fams.length}`)
  const units = fams.map((f) => Math.round(f.weight * WEIGHT_UNITS))
  if (units.some((u) => u < 1 || u > WEIGHT_UNITS) || units.reduce((s, u) => s + u, 0) !== WEIGHT_UNITS)
    throw new StyleError('style family weights must be sixteenths summing to 1 (use quantiseStyle)')
  if (fams.some((f) => !Number.isInteger(f.index) || f.index < 0 || f.index >= MAX_TABLE))
    throw new StyleError(`style family indices must be integers 0–${MAX_TABLE - 1}`)
  const latentBytes = Math.ceil((dim * STYLE_LATENT_BITS) / 8)
  const bytes = new Uint8Array(3 + fams.length + latentBytes + 1)
  bytes[0] = (STYLE_FORMAT_VERSION << 4) | slotIndex
  bytes[1] = dim
  bytes[2] = fams.length
  fams.forEach((f, k) => (bytes[3 + k] = (f.index << 4) | (units[k]! - 1)))
  const onSphere = toLatentSphere(style.global)
  let bit = 0
  const base = 3 + fams.length
  for (let i = 0; i < dim; i++) {
    const code = latentCode(onSphere[i]!)
    for (let b = STYLE_LATENT_BITS - 1; b >= 0; b--, bit++)
      if ((code >> b) & 1) bytes[base + (bit >> 3)]! |= 0x80 >> (bit & 7)
  }
  bytes[bytes.length - 1] = crc8(bytes, bytes.length - 1)
  return toBase64Url(bytes)
}

/** Longest `style` value looked at (a 255-d latent and three families); anything longer is refused unread. */
export const STYLE_PARAM_MAX_LENGTH = 260

/** Decode a `style=` value; throws StyleError with a one-line reason (never echoing the input). */
export function decodeStyle(text: string): WorldStyle {
  if (typeof text !== 'string' || text.length === 0) throw new StyleError('style parameter is empty')
  if (text.length > STYLE_PARAM_MAX_LENGTH) throw new StyleError('style parameter is too long')
  const bytes = fromBase64Url(text)
  if (bytes.length < 5) throw new StyleError('style parameter is too short (truncated link?)')
  const version = bytes[0]! >> 4
  if (version !== STYLE_FORMAT_VERSION)
    throw new StyleError(
      `style parameter has format version ${version}; this app reads version ${STYLE_FORMAT_VERSION}`,
    )
  const slot = SURFACE_SLOTS[bytes[0]! & 0x0f]
  if (slot === undefined) throw new StyleError('style parameter names no surface slot (corrupt link?)')
  const dim = bytes[1]!
  const n = bytes[2]!
  if (n < 1 || n > STYLE_MAX_FAMILIES) throw new StyleError('style parameter has a bad family count (corrupt link?)')
  const want = 3 + n + Math.ceil((dim * STYLE_LATENT_BITS) / 8) + 1
  if (dim < 1 || bytes.length !== want)
    throw new StyleError(`style parameter has ${bytes.length} bytes, its header says ${want} (truncated link?)`)
  // One text per style: stray bits in the last character would make two links of one world.
  if (toBase64Url(bytes) !== text) throw new StyleError('style parameter is not canonical base64url (corrupt link?)')
  if (crc8(bytes, bytes.length - 1) !== bytes[bytes.length - 1])
    throw new StyleError('style parameter is corrupt (checksum mismatch)')
  const families: StyleFamily[] = []
  let total = 0
  for (let k = 0; k < n; k++) {
    const b = bytes[3 + k]!
    const units = (b & 0x0f) + 1
    total += units
    families.push({ index: b >> 4, weight: units / WEIGHT_UNITS })
  }
  if (total !== WEIGHT_UNITS) throw new StyleError('style family weights do not sum to 1 (corrupt link?)')
  if (new Set(families.map((f) => f.index)).size !== n)
    throw new StyleError('style parameter names a family twice (corrupt link?)')
  const raw = new Float32Array(dim)
  let bit = 0
  const base = 3 + n
  for (let i = 0; i < dim; i++) {
    let code = 0
    for (let b = 0; b < STYLE_LATENT_BITS; b++, bit++)
      code = (code << 1) | ((bytes[base + (bit >> 3)]! >> (7 - (bit & 7))) & 1)
    raw[i] = latentValue(code)
  }
  return { slot, global: toLatentSphere(raw), families }
}

/** Throw `FamilyError('unknown-family')` unless every family of the style is a row of the table. */
export function assertStyleFamilies(table: Pick<FamilyTable, 'names'>, families: readonly StyleFamily[]): void {
  for (const f of families)
    if (!(Number.isInteger(f.index) && f.index >= 0 && f.index < table.names.length))
      throw new FamilyError(
        'unknown-family',
        `the photo style names family #${f.index}, this model has ${table.names.length} families (a link made with another surface model?)`,
      )
}

/** The family vector of a style's mixture: Σ weight·E[index], float32 `[table.dim]`. */
export function styleFamilyVector(table: FamilyTable, families: readonly StyleFamily[]): Float32Array {
  assertStyleFamilies(table, families)
  const out = new Float32Array(table.dim)
  for (const f of families) {
    const row = table.embedding[f.index]!
    for (let c = 0; c < table.dim; c++) out[c]! += f.weight * row[c]!
  }
  return out
}

/**
 * The family vector of a room slot under a style: `(1 − w)·familyVector(district) + w·styleFamilyVector(style)`, just
 * the district's when there is no style (or its weight is 0). Throws `FamilyError` for names or indices the model lacks.
 */
export function styledFamilyVector(
  table: FamilyTable,
  district: FamilyConditioning,
  blend: StyleBlend | undefined,
): Float32Array {
  const base = familyVector(table, district)
  if (blend === undefined || !(blend.weight > 0)) return base
  const w = Math.min(1, blend.weight)
  const s = styleFamilyVector(table, blend.families)
  for (let c = 0; c < base.length; c++) base[c] = (1 - w) * base[c]! + w * s[c]!
  return base
}

/** One line naming a style's mixture for people: `brick 75% + plaster 25%` (names from the model's table). */
export function styleFamilyLabel(names: readonly string[] | undefined, families: readonly StyleFamily[]): string {
  return families
    .map(
      (f) =>
        `${names?.[f.index] ?? `family #${f.index}`}${families.length > 1 ? ` ${Math.round(f.weight * 100)}%` : ''}`,
    )
    .join(' + ')
}

/**
 * The families a room slot is painted with under a style, heaviest first, with their weights (summing to 1): the
 * district's conditioning weighted 1 − w and the style's mixture weighted w, which is what `styledFamilyVector` mixes
 * (the family vector is linear in them). Just the district's without a style. Names of style families from `names`.
 */
export function styledFamilyWeights(
  names: readonly string[],
  district: FamilyConditioning,
  blend: StyleBlend | undefined,
): [string, number][] {
  const w = blend === undefined || !(blend.weight > 0) ? 0 : Math.min(1, blend.weight)
  const t = district.b === undefined ? 0 : (district.t ?? 0)
  const weights = new Map<string, number>()
  const add = (name: string, v: number) => {
    if (v > 0) weights.set(name, (weights.get(name) ?? 0) + v)
  }
  add(district.a, (1 - w) * (1 - t))
  if (district.b !== undefined) add(district.b, (1 - w) * t)
  for (const f of blend?.families ?? []) add(names[f.index] ?? `family #${f.index}`, w * f.weight)
  return [...weights].sort((p, q) => q[1] - p[1])
}

/**
 * One line naming what a room slot is painted with under a style, for people: `cobble 55% + ground 30% + brick 15%`
 * (the weights of `styledFamilyWeights` in whole percent, those under 1% left out); one name alone has no percentage.
 */
export function styledFamilyLabel(
  names: readonly string[],
  district: FamilyConditioning,
  blend: StyleBlend | undefined,
): string {
  const parts = styledFamilyWeights(names, district, blend)
    .map(([name, v]) => [name, Math.round(v * 100)] as const)
    .filter(([, pct]) => pct > 0)
  return parts.length === 1 ? parts[0]![0] : parts.map(([name, pct]) => `${name} ${pct}%`).join(' + ')
}

/**
 * A photo as the fit's target: float32 `[sizePx, sizePx, 3]` channels-last in [-1, 1] from RGBA8 (or RGB8) bytes. The
 * photo is scaled so that its shorter side is `scalePx` pixels (box filter when shrinking, bilinear when enlarging),
 * then the centre `sizePx` square is cut out. `scalePx` defaults to `sizePx` (the whole photo's short side).
 */
export function photoTarget(
  pixels: Uint8Array | Uint8ClampedArray,
  widthPx: number,
  heightPx: number,
  options: { sizePx?: number; scalePx?: number; channels?: 3 | 4 } = {},
): Float32Array {
  const size = options.sizePx ?? 64
  const ch = options.channels ?? 4
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1)
    throw new RangeError(`photo size must be positive integers, got ${widthPx}×${heightPx}`)
  if (pixels.length !== widthPx * heightPx * ch)
    throw new RangeError(`photo has ${pixels.length} bytes, expected ${widthPx}×${heightPx}×${ch}`)
  const scalePx = Math.max(size, options.scalePx ?? size)
  const k = Math.min(widthPx, heightPx) / scalePx // source pixels per target pixel
  const x0 = (widthPx - size * k) / 2
  const y0 = (heightPx - size * k) / 2
  const out = new Float32Array(size * size * 3)
  const at = (x: number, y: number, c: number) =>
    pixels[(Math.min(heightPx - 1, Math.max(0, y)) * widthPx + Math.min(widthPx - 1, Math.max(0, x))) * ch + c]!
  for (let ty = 0; ty < size; ty++) {
    for (let tx = 0; tx < size; tx++) {
      for (let c = 0; c < 3; c++) {
        let v: number
        if (k >= 1) {
          // Box filter over the source pixels this target pixel covers (area average, no aliasing when shrinking).
          const sx0 = Math.floor(x0 + tx * k)
          const sy0 = Math.floor(y0 + ty * k)
          const sx1 = Math.max(sx0 + 1, Math.floor(x0 + (tx + 1) * k))
          const sy1 = Math.max(sy0 + 1, Math.floor(y0 + (ty + 1) * k))
          let sum = 0
          for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) sum += at(sx, sy, c)
          v = sum / ((sx1 - sx0) * (sy1 - sy0))
        } else {
          const fx = x0 + (tx + 0.5) * k - 0.5
          const fy = y0 + (ty + 0.5) * k - 0.5
          const ix = Math.floor(fx)
          const iy = Math.floor(fy)
          const ax = fx - ix
          const ay = fy - iy
          v =
            (1 - ay) * ((1 - ax) * at(ix, iy, c) + ax * at(ix + 1, iy, c)) +
            ay * ((1 - ax) * at(ix, iy + 1, c) + ax * at(ix + 1, iy + 1, c))
        }
        out[(ty * size + tx) * 3 + c] = v / 127.5 - 1
      }
    }
  }
  return out
}
