/**
 * The seeded latent walk: keyframe latents on a coarse lattice over the room grid, smoothly interpolated per room.
 *
 * Keyframes are N(0, I) vectors scaled onto the sphere of radius √dim (where Gaussian latents concentrate). A room's
 * global latent is the normalised lerp ("nlerp") of the 2×2 surrounding keyframes with smoothstep bilinear weights,
 * projected back onto that sphere: adjacent rooms get close latents, rooms a few lattice cells apart independent ones.
 * Nlerp rather than slerp because it generalises to 4 (or 8) corners and is exact in IEEE arithmetic.
 * The sky can also drift over time along a third lattice axis. Dimensions come from `latent-layout.json`, the one
 * definition shared with training (PSGAN-style spatial latents: Bergmann et al. 2017, https://arxiv.org/abs/1705.06566).
 */
import layoutJson from './latent-layout.json'
import { createRng, gaussian, hashCoords, hashString, worldHash } from './seed'
import { assertRoomCoords, room, SURFACE_SLOTS } from './layout'
import { FamilyError, type FamilyConditioning, type FamilyTable } from './families'
import { styledFamilyVector, toLatentSphere, type StyleBlend, type WorldStyle } from './style'

/** Latent layout of one generator model. */
export interface ModelLatentLayout {
  /** Channels shared by every cell (the material/sky identity). */
  globalDim: number
  /**
   * Channels of the material-family vector after the global latent, shared by every cell (0 for a model without
   * families, such as the sky). @default 0
   */
  familyDim: number
  /** I.i.d. N(0, 1) channels per cell (the local arrangement). */
  localDim: number
  /** Output pixels per latent cell along each axis. */
  cellPx: number
  /** Field size used in training, `[cellsH, cellsW]`. */
  trainCells: [number, number]
  /** Axes the generator wraps around (circular padding). */
  wrap: string
}

/** The parsed `latent-layout.json`: one layout per model. */
export interface LatentLayout {
  /** The surface model (floor, walls, trim). */
  surface: ModelLatentLayout
  /** The equirectangular sky model. */
  sky: ModelLatentLayout
}

/** Every latent slot of a room: the three surface slots and the sky. */
export const LATENT_SLOTS = [...SURFACE_SLOTS, 'sky'] as const

/** A latent slot name. */
export type LatentSlot = (typeof LATENT_SLOTS)[number]

/** Keyframe spacing of the latent walk, in rooms. */
export const KEYFRAME_SPACING_ROOMS = 4

/** Time between sky keyframes when drifting, in seconds. */
export const SKY_DRIFT_PERIOD_S = 300

const SALT_SLOT = 0x534c4f54 // 'SLOT'
const SALT_KEY = 0x4b455946 // 'KEYF'
const SALT_TIME = 0x54494d45 // 'TIME'
const SALT_LOCAL = 0x4c4f434c // 'LOCL'
const SALT_NOISE = 0x4e4f4953 // 'NOIS'
const SALT_SKY = 0x534b5953 // 'SKYS'

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0
}

/** Validate a parsed latent-layout JSON value; throws TypeError naming the first bad field. */
export function parseLatentLayout(json: unknown): LatentLayout {
  const model = (name: 'surface' | 'sky'): ModelLatentLayout => {
    const m = (json as Record<string, unknown> | null)?.[name] as Record<string, unknown> | undefined
    if (typeof m !== 'object' || m === null) throw new TypeError(`latent layout: missing "${name}"`)
    for (const key of ['globalDim', 'localDim', 'cellPx'] as const) {
      if (!isPositiveInt(m[key])) throw new TypeError(`latent layout: ${name}.${key} must be a positive integer`)
    }
    if (m.familyDim !== undefined && !(Number.isInteger(m.familyDim) && (m.familyDim as number) >= 0))
      throw new TypeError(`latent layout: ${name}.familyDim must be a non-negative integer`)
    const cells: unknown = m.trainCells
    if (!Array.isArray(cells) || cells.length !== 2 || !isPositiveInt(cells[0]) || !isPositiveInt(cells[1])) {
      throw new TypeError(`latent layout: ${name}.trainCells must be [cellsH, cellsW]`)
    }
    return {
      globalDim: m.globalDim as number,
      familyDim: (m.familyDim as number | undefined) ?? 0,
      localDim: m.localDim as number,
      cellPx: m.cellPx as number,
      trainCells: [cells[0], cells[1]],
      wrap: typeof m.wrap === 'string' ? m.wrap : '',
    }
  }
  return { surface: model('surface'), sky: model('sky') }
}

/** The project's latent layout, read once from `world-gen/latent-layout.json`. */
export const LATENT_LAYOUT: LatentLayout = parseLatentLayout(layoutJson)

/** The latent layout of the model that paints `slot` (floor, walls and trim use `surface`; sky uses `sky`). */
export function slotLayout(slot: LatentSlot, layout: LatentLayout = LATENT_LAYOUT): ModelLatentLayout {
  return slot === 'sky' ? layout.sky : layout.surface
}

/** Options of the latent walk. */
export interface LatentWalkOptions {
  /** Latent layout to take dimensions from. @default LATENT_LAYOUT */
  layout?: LatentLayout
  /** Keyframe spacing, in rooms. @default KEYFRAME_SPACING_ROOMS */
  spacingRooms?: number
  /**
   * A style fitted to a photo (world-gen `style.ts`): for its slot, the keyframe at the lattice origin (room 0,0) is
   * the style's latent instead of a seeded one, so the rooms around the start take it on and it fades out with distance.
   */
  style?: WorldStyle
}

const smoothstep = (t: number): number => t * t * (3 - 2 * t)

/** uint32 hash of (world, slot): each slot walks its own, independent lattice. */
function slotHash(seed: string, slot: LatentSlot): number {
  return hashCoords(worldHash(seed), hashString(slot)[1], 0, SALT_SLOT)
}

/** Add `weight` × keyframe (i, j, k) of a slot lattice into `acc` (float64 accumulation). */
function addKeyframe(acc: Float64Array, slotH: number, i: number, j: number, k: number, weight: number): void {
  const dim = acc.length
  const rng = createRng(hashCoords(hashCoords(slotH, i, j, SALT_KEY), k, 0, SALT_TIME))
  const v = new Float64Array(dim)
  let norm2 = 0
  for (let c = 0; c < dim; c++) {
    const g = gaussian(rng)
    v[c] = g
    norm2 += g * g
  }
  const scale = (weight * Math.sqrt(dim)) / Math.sqrt(norm2)
  for (let c = 0; c < dim; c++) acc[c]! += v[c]! * scale
}

/** Project `acc` onto the sphere of radius √dim, writing float32 into `out`. */
function toSphere(acc: Float64Array, out: Float32Array): Float32Array {
  let norm2 = 0
  for (let c = 0; c < acc.length; c++) norm2 += acc[c]! * acc[c]!
  const scale = Math.sqrt(acc.length) / Math.sqrt(norm2)
  for (let c = 0; c < acc.length; c++) out[c] = acc[c]! * scale
  return out
}

/**
 * Sample a slot's lattice at continuous room coordinates (u, v) and time index t (keyframe units).
 * Corners with zero weight are skipped, so t = 0 gives exactly the static walk.
 */
function sampleLattice(
  seed: string,
  slot: LatentSlot,
  u: number,
  v: number,
  t: number,
  dim: number,
  out: Float32Array,
  centre?: Float32Array,
) {
  const slotH = slotHash(seed, slot)
  const acc = new Float64Array(dim)
  const i0 = Math.floor(u)
  const j0 = Math.floor(v)
  const k0 = Math.floor(t)
  const wu = smoothstep(u - i0)
  const wv = smoothstep(v - j0)
  const wt = smoothstep(t - k0)
  for (let dk = 0; dk < 2; dk++) {
    const fk = dk ? wt : 1 - wt
    if (fk === 0) continue
    for (let dj = 0; dj < 2; dj++) {
      const fj = dj ? wv : 1 - wv
      if (fj === 0) continue
      for (let di = 0; di < 2; di++) {
        const fi = di ? wu : 1 - wu
        if (fi === 0) continue
        const i = i0 + di
        const j = j0 + dj
        const k = k0 + dk
        if (centre !== undefined && i === 0 && j === 0 && k === 0) {
          // Already on the √dim sphere, like every seeded keyframe.
          for (let c = 0; c < dim; c++) acc[c]! += centre[c]! * fi * fj * fk
        } else addKeyframe(acc, slotH, i, j, k, fi * fj * fk)
      }
    }
  }
  return toSphere(acc, out)
}

/**
 * The global latent of one slot of room (x, z): float32 `[globalDim]`, on the sphere of radius √globalDim.
 * Depends only on (seed, x, z, slot, options). Pass `out` to avoid allocating.
 */
export function roomLatent(
  seed: string,
  x: number,
  z: number,
  slot: LatentSlot,
  options: LatentWalkOptions = {},
  out?: Float32Array,
): Float32Array {
  assertRoomCoords(x, z)
  const dim = slotLayout(slot, options.layout).globalDim
  const spacing = options.spacingRooms ?? KEYFRAME_SPACING_ROOMS
  const target = out ?? new Float32Array(dim)
  if (target.length !== dim) throw new RangeError(`out must have length ${dim}`)
  return sampleLattice(seed, slot, x / spacing, z / spacing, 0, dim, target, styleCentre(slot, dim, options.style))
}

/** The style's latent when it paints `slot` (checked against the slot's dimension), else undefined. */
function styleCentre(slot: LatentSlot, dim: number, style: WorldStyle | undefined): Float32Array | undefined {
  if (style === undefined || style.slot !== slot) return undefined
  if (style.global.length !== dim)
    throw new RangeError(`the photo style has a ${style.global.length}-d latent, ${slot} wants ${dim}`)
  return toLatentSphere(style.global)
}

/**
 * How much a style paints room (x, z): the weight of the lattice-origin keyframe there, smoothstep(1 − |x| / spacing)
 * · smoothstep(1 − |z| / spacing): 1 in room 0,0, 0 from `spacingRooms` rooms away along either axis.
 */
export function styleWeight(x: number, z: number, spacingRooms: number = KEYFRAME_SPACING_ROOMS): number {
  const wu = Math.abs(x) / spacingRooms
  const wv = Math.abs(z) / spacingRooms
  return wu >= 1 || wv >= 1 ? 0 : smoothstep(1 - wu) * smoothstep(1 - wv)
}

/** The style blend of one room slot (its weight and mixture), or undefined where the style does not reach. */
export function roomStyleBlend(
  x: number,
  z: number,
  slot: LatentSlot,
  style: WorldStyle | undefined,
  spacingRooms: number = KEYFRAME_SPACING_ROOMS,
): StyleBlend | undefined {
  if (style === undefined || style.slot !== slot) return undefined
  const weight = styleWeight(x, z, spacingRooms)
  return weight > 0 ? { weight, families: style.families } : undefined
}

/** The global latents of every slot of room (x, z), keyed by slot name (see `roomLatent`). */
export function roomLatents(
  seed: string,
  x: number,
  z: number,
  options: LatentWalkOptions = {},
): Record<LatentSlot, Float32Array> {
  const result = {} as Record<LatentSlot, Float32Array>
  for (const slot of LATENT_SLOTS) result[slot] = roomLatent(seed, x, z, slot, options)
  return result
}

/**
 * The drifting sky latent of room (x, z) at `timeS` seconds: float32 `[sky.globalDim]`. Equals
 * `roomLatent(seed, x, z, 'sky')` exactly at timeS = 0 and moves to a new keyframe every `driftPeriodS`.
 */
export function skyLatent(
  seed: string,
  x: number,
  z: number,
  timeS: number,
  options: LatentWalkOptions & { driftPeriodS?: number } = {},
  out?: Float32Array,
): Float32Array {
  assertRoomCoords(x, z)
  const dim = slotLayout('sky', options.layout).globalDim
  const spacing = options.spacingRooms ?? KEYFRAME_SPACING_ROOMS
  const periodS = options.driftPeriodS ?? SKY_DRIFT_PERIOD_S
  const t = Number.isFinite(timeS) && periodS > 0 ? timeS / periodS : 0
  const target = out ?? new Float32Array(dim)
  return sampleLattice(seed, 'sky', x / spacing, z / spacing, t, dim, target)
}

/**
 * The local noise of one slot of a room: float32 `[cellsH, cellsW, localDim]` row-major (channels last), i.i.d. N(0, 1).
 * Deterministic in (roomSeed, slot, cellsW, cellsH); `roomSeed` is `RoomSpec.roomSeed`.
 */
export function localField(
  roomSeed: number,
  slot: LatentSlot,
  cellsW: number,
  cellsH: number,
  layout: LatentLayout = LATENT_LAYOUT,
): Float32Array {
  if (!isPositiveInt(cellsW) || !isPositiveInt(cellsH))
    throw new RangeError('cellsW and cellsH must be positive integers')
  const localDim = slotLayout(slot, layout).localDim
  const rng = createRng(hashCoords(roomSeed, hashString(slot)[1], 0, SALT_LOCAL))
  const field = new Float32Array(cellsH * cellsW * localDim)
  for (let i = 0; i < field.length; i++) field[i] = gaussian(rng)
  return field
}

/**
 * The uint32 seed of the generator's per-pixel noise maps for one room and slot (world-gen/gan `noiseMaps`): a
 * function of (roomSeed, slot) only, so the world, the CLI and the share card paint identical textures.
 */
export function noiseSeed(roomSeed: number, slot: LatentSlot): number {
  return hashCoords(roomSeed, hashString(slot)[1], 0, SALT_NOISE)
}

/**
 * The generator input: float32 `[cellsH, cellsW, G + L]` row-major, the global latent `[G]` broadcast to every cell
 * followed by that cell's local channels from `local` `[cellsH, cellsW, L]`. Pass `out` to avoid allocating.
 */
export function latentField(
  global: Float32Array,
  local: Float32Array,
  cellsW: number,
  cellsH: number,
  out?: Float32Array,
): Float32Array {
  if (!isPositiveInt(cellsW) || !isPositiveInt(cellsH))
    throw new RangeError('cellsW and cellsH must be positive integers')
  const cells = cellsW * cellsH
  if (local.length % cells !== 0)
    throw new RangeError(`local length ${local.length} is not a multiple of ${cells} cells`)
  const g = global.length
  const l = local.length / cells
  const stride = g + l
  const field = out ?? new Float32Array(cells * stride)
  if (field.length !== cells * stride) throw new RangeError(`out must have length ${cells * stride}`)
  for (let c = 0; c < cells; c++) {
    field.set(global, c * stride)
    field.set(local.subarray(c * l, (c + 1) * l), c * stride + g)
  }
  return field
}

/**
 * The complete generator input of one room slot, checked against the slot's layout: every cell holds the global
 * latent, then the material-family vector `family` (world-gen `familyVector`; only for a layout with `familyDim` > 0),
 * then its local channels: `latentField(global ++ family, local)`. The one function the worker, the CLI and the share
 * card build fields with.
 */
export function slotField(
  slot: LatentSlot,
  global: Float32Array,
  local: Float32Array,
  cellsW: number,
  cellsH: number,
  layout: LatentLayout = LATENT_LAYOUT,
  family?: Float32Array,
): Float32Array {
  const { globalDim, familyDim, localDim } = slotLayout(slot, layout)
  if (global.length !== globalDim)
    throw new RangeError(`${slot} wants a global latent of ${globalDim}, got ${global.length}`)
  if (local.length !== cellsW * cellsH * localDim)
    throw new RangeError(`${slot} wants ${cellsW}×${cellsH}×${localDim} local values, got ${local.length}`)
  const familyLength = family?.length ?? 0
  if (familyLength !== familyDim)
    throw new RangeError(
      familyDim === 0
        ? `${slot} takes no material-family vector (latent-layout.json has no familyDim), got ${familyLength} values`
        : `${slot} wants a material-family vector of ${familyDim}, got ${familyLength} values`,
    )
  if (family === undefined || familyDim === 0) return latentField(global, local, cellsW, cellsH)
  const shared = new Float32Array(globalDim + familyDim)
  shared.set(global)
  shared.set(family, globalDim)
  return latentField(shared, local, cellsW, cellsH)
}

/**
 * The latent field, in cells, that paints a texture of `widthPx` × `heightPx` for `slot`: one cell per `cellPx` pixels
 * of that slot's model (`latent-layout.json`), so the field follows the model when its cell size changes. Throws
 * RangeError unless both sizes are positive multiples of `cellPx`.
 */
export function cellsForPx(
  slot: LatentSlot,
  widthPx: number,
  heightPx: number = widthPx,
  layout: LatentLayout = LATENT_LAYOUT,
): { cellsW: number; cellsH: number } {
  const { cellPx } = slotLayout(slot, layout)
  const cellsW = widthPx / cellPx
  const cellsH = heightPx / cellPx
  if (!Number.isInteger(cellsW) || !Number.isInteger(cellsH) || cellsW < 1 || cellsH < 1)
    throw new RangeError(`${slot}: ${widthPx}×${heightPx} px is not a whole number of ${cellPx} px latent cells`)
  return { cellsW, cellsH }
}

/** Side of the sky's square cloud-layer tile, in pixels (wraps in both axes; `sky-compose.ts` lays it on the plane). */
export const SKY_TILE_PX = 256

/**
 * The sky's cloud-layer field every consumer paints (world, share card, CLI): the cells of one SKY_TILE_PX tile, laid
 * over the cloud plane and composed into the 512×128 px sky panorama (`sky-compose.ts`).
 */
export const SKY_FIELD_CELLS: Readonly<{ cellsW: number; cellsH: number }> = Object.freeze(
  cellsForPx('sky', SKY_TILE_PX),
)

/**
 * The seed of a slot's local field and noise maps (`localField`, `noiseSeed`): the room's seed for the surface slots
 * (each room its own arrangement of its materials), and one seed per world for the sky. Walking from room to room then
 * keeps the sky's cloud layout and only moves its global latent along the latent walk, so the sky changes like weather
 * and light, not as a cross-dissolve between two unrelated pictures.
 */
export function localSeed(seed: string, roomSeed: number, slot: LatentSlot): number {
  return slot === 'sky' ? hashCoords(worldHash(seed), 0, 0, SALT_SKY) : roomSeed
}

/** Options of `roomSlotInput`. */
export interface RoomSlotInputOptions {
  /**
   * The families of a family-conditioned surface model (its manifest's `families`): the room's family conditioning
   * (`RoomSpec.families`, or `family`) becomes the family vector of the field. Leave out for a model without families.
   */
  families?: FamilyTable
  /** Paint this family instead of the room's own (the texture CLI's `--family`). */
  family?: FamilyConditioning
  /** Latent layout to take dimensions from. @default LATENT_LAYOUT */
  layout?: LatentLayout
  /** A style fitted to a photo: its slot's latent walk centres on it and its family mixture blends in nearby. */
  style?: WorldStyle
}

/**
 * Everything a generator needs to paint one slot of room (x, z) of a world exactly as the world does: the room's global
 * latent for the slot (at time 0), the generator input `slotField(slot, global, localField(localSeed(…)), family)` of
 * cellsW × cellsH cells, the noise-map seed and, for a surface slot of a family-conditioned model, the family
 * conditioning painted. Used by the share card, the texture CLI and the sky sample sheet (the worker builds the same
 * from the request the streamer sends). Throws `FamilyError` for a family the model does not have.
 */
export function roomSlotInput(
  seed: string,
  x: number,
  z: number,
  slot: LatentSlot,
  cellsW: number,
  cellsH: number,
  options: RoomSlotInputOptions = {},
): {
  global: Float32Array
  field: Float32Array
  noiseSeed: number
  family?: FamilyConditioning
  style?: StyleBlend
} {
  const layout = options.layout ?? LATENT_LAYOUT
  const spec = room(seed, x, z)
  const local = localSeed(seed, spec.roomSeed, slot)
  const global = roomLatent(seed, x, z, slot, { layout, ...(options.style ? { style: options.style } : {}) })
  const style = roomStyleBlend(x, z, slot, options.style)
  let family: FamilyConditioning | undefined
  if (slot !== 'sky' && options.families !== undefined) family = options.family ?? spec.families[slot]
  else if (options.family !== undefined)
    throw new FamilyError(
      'not-conditioned',
      slot === 'sky' ? 'the sky takes no material family' : 'this model has no material families',
    )
  if (style !== undefined && options.families === undefined)
    throw new FamilyError('not-conditioned', 'a photo style needs a family-conditioned surface model')
  const vector = family === undefined ? undefined : styledFamilyVector(options.families!, family, style)
  const field = slotField(slot, global, localField(local, slot, cellsW, cellsH, layout), cellsW, cellsH, layout, vector)
  return {
    global,
    field,
    noiseSeed: noiseSeed(local, slot),
    ...(family === undefined ? {} : { family }),
    ...(style === undefined ? {} : { style }),
  }
}
