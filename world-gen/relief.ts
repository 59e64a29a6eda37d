/**
 * Relief of a generated surface: a relief model paints height beside colour (the fourth output channel, model.json
 * `latentscape.relief`), and this module turns that height into what a renderer and an export need: a tangent-space
 * normal map (central differences with wrap-around, so it tiles exactly like the colour), a roughness map, and the
 * 8-bit encodings the worker sends, the GPU holds and the PNG exports write. Pure TypeScript on typed arrays: the
 * worker, the main thread and the CLI share it, so a map exported from the browser and one written by the CLI for the
 * same room hold the same pixels.
 *
 * Conventions (those of OpenGL, Blender and three.js normal maps): x points to the image's right (increasing column),
 * y to the image's top (decreasing row, the PNG's first row being the top), z out of the surface. A height h in
 * [-1, 1] stands for a relief of h·pxPerUnit texture pixels, so the slope between neighbouring pixels is
 * Δh·pxPerUnit, dimensionless, whatever size the texture is shown at.
 */
import type { FamilyConditioning } from './families'
import type { SurfaceSlot } from './layout'

/** Where a relief model keeps its height (model.json `latentscape.relief`). */
export interface ReliefSpec {
  /** Output channel holding the height, after RGB (3). */
  channel: number
  /** Texture pixels of relief per unit of height: h·pxPerUnit is the relief in pixels at the texture's own scale. */
  pxPerUnit: number
  /**
   * Per material family, how the world calibrates the painted height before anything is derived from it (model.json
   * `latentscape.relief.familyGain` and `familyDetail`; see `calibrateHeight`), fitted when the weights are exported
   * so each family's mean slope at 1, 2 and 4 texture pixels matches its training height maps. One generator paints
   * every family and its height carries a pixel-scale grain the data does not have (a normal map turns it into the
   * speckle of gravel on every wall): `detail` keeps that share of the finest relief, `gain` scales the whole. A
   * family missing from a table keeps 1 there, as does a model without the tables.
   */
  familyGain?: Readonly<Record<string, number>>
  /** See `familyGain`: the share, in [0, 1], of the finest (pixel-scale) relief each family keeps. */
  familyDetail?: Readonly<Record<string, number>>
}

/** How one surface's painted height is calibrated (`calibrateHeight`). */
export interface ReliefCalibration {
  /** Factor on the whole relief, > 0. */
  gain: number
  /** Share of the finest (pixel-scale) relief kept, in [0, 1]. */
  detail: number
}

/** The height as painted. */
export const NO_RELIEF_CALIBRATION: Readonly<ReliefCalibration> = { gain: 1, detail: 1 }

/** The maps of a generated surface, in the order exports list them. */
export const SURFACE_MAPS = ['color', 'height', 'normal', 'roughness'] as const

/** One map of a generated surface. */
export type SurfaceMap = (typeof SURFACE_MAPS)[number]

/**
 * The relief maps of one surface as the worker sends them and the main thread keeps them (the roughness rides in the
 * colour texture's alpha, see `packSurfaceRelief`).
 */
export interface SurfaceRelief {
  /**
   * Tangent-space normal map, RG8 `[heightPx, widthPx, 2]`: x and y as byte = round((n + 1)·127.5); z is
   * sqrt(1 − x² − y²) (a unit normal facing out of the surface), as three.js reads a two-channel normal map.
   */
  normal: Uint8Array
  /** Height, R8 `[heightPx, widthPx]`: byte = round((h + 1)·127.5) for h in [-1, 1]. */
  height: Uint8Array
}

/** Is `name` one of `SURFACE_MAPS`? */
export function isSurfaceMap(name: string): name is SurfaceMap {
  return (SURFACE_MAPS as readonly string[]).includes(name)
}

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v))
/** [-1, 1] → byte, the encoding of colour, height and normal components alike. */
const unitToByte = (v: number): number => clampByte((v + 1) * 127.5)
/** byte → [-1, 1], as a shader reads it (byte / 255 · 2 − 1). */
const byteToUnit = (b: number): number => (b / 255) * 2 - 1

function checkSize(name: string, length: number, widthPx: number, heightPx: number, channels: number): void {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1)
    throw new RangeError(`${name}: size must be positive integers, got ${widthPx}×${heightPx}`)
  if (length !== widthPx * heightPx * channels)
    throw new RangeError(
      `${name}: expected ${widthPx * heightPx * channels} values for ${widthPx}×${heightPx}×${channels}, got ${length}`,
    )
}

function checkPxPerUnit(pxPerUnit: number): void {
  if (!(Number.isFinite(pxPerUnit) && pxPerUnit > 0))
    throw new RangeError(`pxPerUnit must be a number > 0, got ${String(pxPerUnit)}`)
}

/**
 * The tangent-space normal of a height field at every pixel, RG8 `[heightPx, widthPx, 2]` (see `SurfaceRelief.normal`):
 * n = normalize(−∂h/∂x·P, −∂h/∂y·P, 1) with central differences (h[x+1] − h[x−1]) / 2 that wrap around the edges, so
 * the normal map of a tiling height tiles too. `height`: float32 `[heightPx, widthPx]`, h in [-1, 1]; P = `pxPerUnit`.
 */
export function normalMapRg(
  height: Float32Array,
  widthPx: number,
  heightPx: number,
  pxPerUnit: number,
  out?: Uint8Array,
): Uint8Array {
  checkSize('height', height.length, widthPx, heightPx, 1)
  checkPxPerUnit(pxPerUnit)
  const normal = out ?? new Uint8Array(widthPx * heightPx * 2)
  if (normal.length !== widthPx * heightPx * 2) throw new RangeError(`out must have ${widthPx * heightPx * 2} bytes`)
  const half = pxPerUnit / 2
  for (let row = 0; row < heightPx; row++) {
    const up = ((row - 1 + heightPx) % heightPx) * widthPx
    const down = ((row + 1) % heightPx) * widthPx
    const here = row * widthPx
    for (let col = 0; col < widthPx; col++) {
      const left = col === 0 ? widthPx - 1 : col - 1
      const right = col === widthPx - 1 ? 0 : col + 1
      // Slopes in height pixels per pixel: x to the right, y to the image's top (the row above).
      const sx = (height[here + right]! - height[here + left]!) * half
      const sy = (height[up + col]! - height[down + col]!) * half
      const inv = 1 / Math.sqrt(sx * sx + sy * sy + 1)
      normal[2 * (here + col)] = unitToByte(-sx * inv)
      normal[2 * (here + col) + 1] = unitToByte(-sy * inv)
    }
  }
  return normal
}

/** Height bytes R8 (`SurfaceRelief.height`) of a float32 height field in [-1, 1] (clamped). */
export function heightBytes(height: Float32Array, out?: Uint8Array): Uint8Array {
  const bytes = out ?? new Uint8Array(height.length)
  if (bytes.length !== height.length) throw new RangeError(`out must have ${height.length} bytes`)
  for (let i = 0; i < height.length; i++) bytes[i] = unitToByte(height[i]!)
  return bytes
}

/**
 * Roughness of each material family before its relief (the GGX roughness of three's MeshStandardMaterial, 0 mirror
 * to 1 fully matte): glazed tiles and worn metal shine a little, planed and varnished wood less, fired clay, stone
 * and plaster hardly, soil and grass not at all; snow has a soft sheen.
 */
export const FAMILY_ROUGHNESS: Readonly<Record<string, number>> = {
  brick: 0.86,
  stone_blocks: 0.8,
  floor_tiles: 0.42,
  cobble: 0.76,
  wood_planks: 0.64,
  plaster: 0.92,
  metal: 0.48,
  rock: 0.84,
  ground: 0.96,
  grass: 0.94,
  snow: 0.68,
}

/** Roughness of a slot painted without a known family (a model without families, or a family this table lacks). */
export const SLOT_ROUGHNESS: Readonly<Record<SurfaceSlot, number>> = { floor: 0.88, walls: 0.92, trim: 0.7 }

/**
 * The base roughness of a surface: its family's (`FAMILY_ROUGHNESS`), a blend `(1 − t)·R[a] + t·R[b]` near a district
 * border as the family vector itself is blended, or the slot's own where the family is unknown or absent.
 */
export function baseRoughness(slot: SurfaceSlot, family?: FamilyConditioning): number {
  const fallback = SLOT_ROUGHNESS[slot]
  return family === undefined ? fallback : familyBlend(family, FAMILY_ROUGHNESS, fallback)
}

/**
 * A per-family value of a surface painted as `family`: `table[a]`, or `(1 − t)·table[a] + t·table[b]` near a district
 * border as the family vector itself is blended; `fallback` stands in for a family the table lacks.
 */
function familyBlend(
  family: FamilyConditioning,
  table: Readonly<Record<string, number>> | undefined,
  fallback: number,
): number {
  const a = table?.[family.a] ?? fallback
  if (family.b === undefined) return a
  const t = family.t ?? 0
  return (1 - t) * a + t * (table?.[family.b] ?? fallback)
}

/**
 * The calibration of a surface's painted height (`ReliefSpec.familyGain`, `familyDetail`): its family's, each factor
 * blended `(1 − t)·a + t·b` near a district border as the family vector itself is blended, 1 for a family a table
 * lacks, `NO_RELIEF_CALIBRATION` for a surface without a family and for a model without the tables.
 */
export function reliefCalibration(spec: ReliefSpec, family?: FamilyConditioning): ReliefCalibration {
  if (family === undefined || (spec.familyGain === undefined && spec.familyDetail === undefined))
    return { ...NO_RELIEF_CALIBRATION }
  return { gain: familyBlend(family, spec.familyGain, 1), detail: familyBlend(family, spec.familyDetail, 1) }
}

/**
 * A painted height calibrated: gain·(B(h) + detail·(h − B(h))), where B is the [1, 2, 1]/4 blur along both axes with
 * wrap-around (the height tiles, so its blur tiles too): `detail` keeps that share of the pixel-scale relief and the
 * broader shapes (joints, gaps, seams) keep theirs; `gain` scales the whole. The training side
 * (training/relief_calibration.py) fits the factors with the same formula. `height`: float32 `[heightPx, widthPx]`;
 * a new array is returned (the input itself when the calibration changes nothing).
 */
export function calibrateHeight(
  height: Float32Array,
  widthPx: number,
  heightPx: number,
  calibration: ReliefCalibration,
): Float32Array {
  checkSize('height', height.length, widthPx, heightPx, 1)
  const { gain, detail } = calibration
  if (!(Number.isFinite(gain) && gain > 0))
    throw new RangeError(`relief gain must be a number > 0, got ${String(gain)}`)
  if (!(Number.isFinite(detail) && detail >= 0 && detail <= 1))
    throw new RangeError(`relief detail must be a number in [0, 1], got ${String(detail)}`)
  if (gain === 1 && detail === 1) return height
  const across = new Float32Array(height.length)
  for (let row = 0; row < heightPx; row++) {
    const here = row * widthPx
    for (let col = 0; col < widthPx; col++) {
      const left = col === 0 ? widthPx - 1 : col - 1
      const right = col === widthPx - 1 ? 0 : col + 1
      across[here + col] = (height[here + left]! + 2 * height[here + col]! + height[here + right]!) / 4
    }
  }
  const out = new Float32Array(height.length)
  for (let row = 0; row < heightPx; row++) {
    const up = ((row - 1 + heightPx) % heightPx) * widthPx
    const down = ((row + 1) % heightPx) * widthPx
    const here = row * widthPx
    for (let col = 0; col < widthPx; col++) {
      const b = (across[up + col]! + 2 * across[here + col]! + across[down + col]!) / 4
      out[here + col] = gain * (b + detail * (height[here + col]! - b))
    }
  }
  return out
}

/** Roughness added per texture pixel of depth below the surface's mean height (and taken off per pixel above it). */
export const ROUGHNESS_PER_DEPTH_PX = 0.04
/** The relief moves roughness at most this far from the family's base value. */
export const ROUGHNESS_RELIEF_RANGE = 0.16

/**
 * Roughness bytes (byte = round(r·255)) of a surface from its height: the family's base value, rougher where the
 * surface lies below its mean height and smoother where it stands above it, by ROUGHNESS_PER_DEPTH_PX per pixel of
 * relief (h·pxPerUnit), at most ±ROUGHNESS_RELIEF_RANGE. Height rather than colour: dust and dirt settle in recesses
 * (mortar joints, grout, the gaps between planks, cracks) and nothing wears them smooth, while the faces that stand
 * out are the ones feet, hands and weather polish; a dark stain on a tile is no rougher than the tile, which is the
 * very confusion of colour with relief that a generated height avoids. A flat surface (plain paint) keeps its base
 * roughness everywhere. `stride`/`offset` write into every stride-th byte of `out` (e.g. the alpha of RGBA8).
 */
export function roughnessBytes(
  height: Float32Array,
  pxPerUnit: number,
  base: number,
  out?: Uint8Array,
  stride = 1,
  offset = 0,
): Uint8Array {
  checkPxPerUnit(pxPerUnit)
  if (!(Number.isFinite(base) && base >= 0 && base <= 1))
    throw new RangeError(`base roughness must be in [0, 1], got ${String(base)}`)
  const bytes = out ?? new Uint8Array(height.length * stride)
  if (bytes.length < (height.length - 1) * stride + offset + 1)
    throw new RangeError(`out holds fewer than ${height.length} values at stride ${stride}`)
  let sum = 0
  for (let i = 0; i < height.length; i++) sum += height[i]!
  const mean = height.length > 0 ? sum / height.length : 0
  const lo = Math.max(0.02, base - ROUGHNESS_RELIEF_RANGE)
  const hi = Math.min(1, base + ROUGHNESS_RELIEF_RANGE)
  for (let i = 0; i < height.length; i++) {
    const r = base + ROUGHNESS_PER_DEPTH_PX * (mean - height[i]!) * pxPerUnit
    bytes[i * stride + offset] = clampByte((r < lo ? lo : r > hi ? hi : r) * 255)
  }
  return bytes
}

/**
 * Everything a relief model's surface needs beyond its colour, from the generated height (float32
 * `[heightPx, widthPx]` in [-1, 1]): the normal map and height bytes (`SurfaceRelief`), and the roughness written into
 * the alpha of `rgba` (RGBA8 `[heightPx, widthPx, 4]`, changed in place), where the colour texture carries it to the GPU
 * at no extra cost. `baseRoughnessValue`: see `baseRoughness`. `calibration` (see `reliefCalibration`) is applied to
 * the height first (`calibrateHeight`), so the normal map, the roughness and the height map all show the same relief;
 * `height` itself is not changed.
 */
export function packSurfaceRelief(
  rgba: Uint8Array,
  height: Float32Array,
  widthPx: number,
  heightPx: number,
  pxPerUnit: number,
  baseRoughnessValue: number,
  calibration: ReliefCalibration = NO_RELIEF_CALIBRATION,
): SurfaceRelief {
  checkSize('rgba', rgba.length, widthPx, heightPx, 4)
  const h = calibrateHeight(height, widthPx, heightPx, calibration)
  roughnessBytes(h, pxPerUnit, baseRoughnessValue, rgba, 4, 3)
  return { normal: normalMapRg(h, widthPx, heightPx, pxPerUnit), height: heightBytes(h) }
}

/**
 * One map of a generated surface as RGBA8 `[heightPx, widthPx, 4]`, the form PNG export writes (alpha 255 everywhere):
 * `color` the colour (its alpha, the packed roughness of a relief surface, dropped); `height` and `roughness` grey
 * (height byte = round((h + 1)·127.5), roughness byte = round(r·255)); `normal` the usual RGB normal map (x, y, z as
 * round((n + 1)·127.5), y towards the image's top: OpenGL convention). `rgba`: the colour texture, its alpha the
 * roughness when `relief` is given. Throws when a map other than colour is asked of a surface without relief.
 */
export function surfaceMapRgba(
  map: SurfaceMap,
  rgba: Uint8Array,
  widthPx: number,
  heightPx: number,
  relief?: SurfaceRelief,
): Uint8Array {
  checkSize('rgba', rgba.length, widthPx, heightPx, 4)
  const n = widthPx * heightPx
  const out = new Uint8Array(n * 4)
  if (map === 'color') {
    out.set(rgba)
    for (let i = 0; i < n; i++) out[4 * i + 3] = 255
    return out
  }
  if (relief === undefined)
    throw new Error(`no ${map} map: this surface was painted by a model without relief (colour only)`)
  checkSize('normal', relief.normal.length, widthPx, heightPx, 2)
  checkSize('height', relief.height.length, widthPx, heightPx, 1)
  for (let i = 0; i < n; i++) {
    if (map === 'normal') {
      const x = relief.normal[2 * i]!
      const y = relief.normal[2 * i + 1]!
      const nx = byteToUnit(x)
      const ny = byteToUnit(y)
      out[4 * i] = x
      out[4 * i + 1] = y
      out[4 * i + 2] = unitToByte(Math.sqrt(Math.max(0, 1 - nx * nx - ny * ny)))
    } else {
      const v = map === 'height' ? relief.height[i]! : rgba[4 * i + 3]!
      out[4 * i] = v
      out[4 * i + 1] = v
      out[4 * i + 2] = v
    }
    out[4 * i + 3] = 255
  }
  return out
}

/**
 * Parse a comma-separated list of map names (`color,normal`): each known, none twice, at least one. Throws a one-line
 * error naming the bad entry and the maps there are.
 */
export function parseSurfaceMaps(text: string): SurfaceMap[] {
  const names = text.split(',').map((s) => s.trim())
  const known = SURFACE_MAPS.join(', ')
  if (names.length === 0 || names.every((n) => n === '')) throw new Error(`no map named (maps: ${known})`)
  const out: SurfaceMap[] = []
  for (const name of names) {
    if (!isSurfaceMap(name)) throw new Error(`unknown map "${name}" (maps: ${known})`)
    if (out.includes(name)) throw new Error(`map "${name}" is named twice`)
    out.push(name)
  }
  return out
}
