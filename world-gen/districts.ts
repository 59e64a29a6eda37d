/**
 * District styles: which material family paints each room's walls, floor and trim.
 *
 * The room grid is covered by districts a few rooms across: one seeded centre per DISTRICT_ROOMS × DISTRICT_ROOMS
 * cell, jittered inside its cell (a jittered grid, so the districts are Voronoi cells of irregular shape, as in Worley
 * noise: Worley 1996, https://doi.org/10.1145/237170.237267). A room belongs to the district of the nearest centre, and
 * each district draws one style (a wall, a floor and a trim family) from its own seed, so neighbouring rooms share
 * their materials. Within DISTRICT_BLEND_ROOMS (under a room) of a border a room blends towards the district across
 * it, by a weight that grows linearly to one half at the border (a third each where three districts meet), so
 * crossing from one district into the next moves the family conditioning over a room or two instead of switching it.
 * Pure: depends only on (seed, x, z).
 */
import type { FamilyConditioning } from './families'
import { FamilyError } from './families'
import type { SurfaceSlot } from './layout'
import { createRng, hashCoords, type Rng, worldHash } from './seed'

/** Side of the grid cell that holds one district centre, in rooms (districts are about this many rooms across). */
export const DISTRICT_ROOMS = 6

/** How far a centre may sit from its cell's middle, as a fraction of the cell (keeps districts from vanishing). */
export const DISTRICT_JITTER = 0.35

/**
 * Distance from a district border, in rooms, within which a room blends towards the district across it. Under one
 * room: the two rooms either side of a border are together one room apart, so at least one of them always blends
 * (no hard switch), while fewer rooms are mixtures, which read as neither material (a full room's reach left two
 * rooms in five at least a quarter mixed; this leaves about one in four).
 */
export const DISTRICT_BLEND_ROOMS = 0.75

/** Blend weights are rounded to this step, so nearly unblended rooms are not (and cache keys stay few). */
export const DISTRICT_BLEND_STEP = 0.05

/** Chance that a district is "wild" (rock walls over snow, grass or ground) rather than built. */
export const WILD_DISTRICT_CHANCE = 0.125

/** Families a built district's walls are drawn from. */
export const WALL_FAMILIES = ['brick', 'stone_blocks', 'plaster', 'floor_tiles', 'wood_planks', 'metal'] as const

/** Families a built district's floors are drawn from. */
export const FLOOR_FAMILIES = ['floor_tiles', 'wood_planks', 'cobble', 'stone_blocks', 'ground', 'grass'] as const

/** Families trim (door frames, skirting, bands, columns) is drawn from, in every district. */
export const TRIM_FAMILIES = ['wood_planks', 'metal', 'stone_blocks'] as const

/** Walls of a wild district: bare rock. */
export const WILD_WALL_FAMILIES = ['rock'] as const

/** Floors of a wild district. */
export const WILD_FLOOR_FAMILIES = ['snow', 'grass', 'ground'] as const

/** Every family a district style can name, once each: a surface model must have all of them. */
export const DISTRICT_FAMILIES: readonly string[] = Object.freeze([
  ...new Set<string>([
    ...WALL_FAMILIES,
    ...FLOOR_FAMILIES,
    ...TRIM_FAMILIES,
    ...WILD_WALL_FAMILIES,
    ...WILD_FLOOR_FAMILIES,
  ]),
])

/** The materials of one district. */
export interface DistrictStyle {
  /** Family of the walls. */
  walls: string
  /** Family of the floors. */
  floor: string
  /** Family of the trim. */
  trim: string
  /** A wild district (rock walls, natural ground) rather than a built one. */
  wild: boolean
}

/** One district that paints (part of) a room, with its share. */
export interface DistrictShare {
  /** District cell `[i, j]` (the cell of the jittered grid holding its centre). */
  cell: [number, number]
  /** Share of this district's style in the room, in (0, 1]; the shares of a room sum to 1. */
  weight: number
}

/** Where a room lies among the districts. */
export interface RoomDistricts {
  /** District cell `[i, j]` of the nearest centre: the room's own district. */
  district: [number, number]
  /** Distance from the room to its district's nearest border, in rooms (≥ 0). */
  borderRooms: number
  /** The districts painting this room, own first, then by decreasing share (one entry away from every border). */
  shares: DistrictShare[]
}

const SALT_CENTRE_X = 0x44435458 // 'DCTX'
const SALT_CENTRE_Z = 0x4443545a // 'DCTZ'
const SALT_STYLE = 0x44535459 // 'DSTY'

/** One of `options`, uniformly, skipping those in `avoid` (at least one option must remain). */
function pick(rng: Rng, options: readonly string[], avoid: readonly string[] = []): string {
  const allowed = options.filter((o) => !avoid.includes(o))
  return allowed[Math.floor(rng() * allowed.length)]!
}

/**
 * Centre of district cell (i, j), in room coordinates. Cell (i, j) is centred on room (i, j) × DISTRICT_ROOMS, so
 * room 0,0, where a world opens, lies near its district's centre: with cells starting at room 0 it sat on the corner
 * of four districts, and three worlds in five opened in a room at least a quarter mixed.
 */
function districtCentre(world: number, i: number, j: number): [number, number] {
  // Two hashes rather than a PRNG: every room looks at 25 centres, and a hash is all one number needs.
  const jx = (2 * (hashCoords(world, i, j, SALT_CENTRE_X) / 4294967296) - 1) * DISTRICT_JITTER
  const jz = (2 * (hashCoords(world, i, j, SALT_CENTRE_Z) / 4294967296) - 1) * DISTRICT_JITTER
  return [(i + jx) * DISTRICT_ROOMS, (j + jz) * DISTRICT_ROOMS]
}

/**
 * The style of district cell (i, j) of world `seed`: walls, floor and trim families. Built districts never give walls
 * and floor, or walls and trim, the same family, so each surface reads as its own material.
 */
export function districtStyle(seed: string, i: number, j: number): DistrictStyle {
  const rng = createRng(hashCoords(worldHash(seed), i, j, SALT_STYLE))
  const wild = rng() < WILD_DISTRICT_CHANCE
  const walls = pick(rng, wild ? WILD_WALL_FAMILIES : WALL_FAMILIES)
  const floor = pick(rng, wild ? WILD_FLOOR_FAMILIES : FLOOR_FAMILIES, [walls])
  const trim = pick(rng, TRIM_FAMILIES, [walls, floor])
  return { walls, floor, trim, wild }
}

/**
 * Which districts paint room (x, z): its own (the nearest centre) and every district whose border is less than
 * DISTRICT_BLEND_ROOMS away. A district across a border at distance b gets the kernel weight `1 - b / BLEND` against
 * the own district's 1, normalised, so a room on a border is half each, and a room on a corner where three districts
 * meet a third each: the shares move continuously with position. Centres are searched among the 5 × 5 cells around
 * the room: a centre stays inside its cell, so any centre further out is further than the nearest two.
 */
export function roomDistricts(seed: string, x: number, z: number): RoomDistricts {
  const world = worldHash(seed)
  const ci = Math.round(x / DISTRICT_ROOMS)
  const cj = Math.round(z / DISTRICT_ROOMS)
  const found: { d2: number; cell: [number, number]; centre: [number, number] }[] = []
  for (let j = cj - 2; j <= cj + 2; j++) {
    for (let i = ci - 2; i <= ci + 2; i++) {
      const centre = districtCentre(world, i, j)
      found.push({ d2: (centre[0] - x) ** 2 + (centre[1] - z) ** 2, cell: [i, j], centre })
    }
  }
  // A stable sort in a fixed scan order: ties resolve the same way on every machine.
  found.sort((p, q) => p.d2 - q.d2)
  const own = found[0]!
  let borderRooms = Infinity
  const raw: DistrictShare[] = [{ cell: own.cell, weight: 1 }]
  for (const other of found.slice(1)) {
    // Distance to the perpendicular bisector of the two centres (the Voronoi border between the two districts).
    const gap = Math.hypot(other.centre[0] - own.centre[0], other.centre[1] - own.centre[1])
    const b = (other.d2 - own.d2) / (2 * gap)
    borderRooms = Math.min(borderRooms, b)
    if (b < DISTRICT_BLEND_ROOMS) raw.push({ cell: other.cell, weight: 1 - b / DISTRICT_BLEND_ROOMS })
  }
  const total = raw.reduce((sum, s) => sum + s.weight, 0)
  const shares = raw.map((s) => ({ cell: s.cell, weight: s.weight / total }))
  shares.sort((p, q) => q.weight - p.weight)
  // Own first even on an exact tie, so `district` is always shares[0].
  shares.sort((p, q) => (p.cell === own.cell ? -1 : q.cell === own.cell ? 1 : 0))
  return { district: own.cell, borderRooms, shares }
}

/**
 * The family conditioning of each surface slot of room (x, z), from the district shares (`roomDistricts`): each
 * family's weight is the sum of the shares of the districts using it; the two heaviest are kept (`a` the heavier, `b`
 * with weight `t` = its part of the two, rounded to DISTRICT_BLEND_STEP), a lone family when `t` rounds to 0. Inside
 * a district every room is `{ a }` alone; across a border the weight moves over a room or two.
 */
export function roomFamilies(seed: string, x: number, z: number): Record<SurfaceSlot, FamilyConditioning> {
  const { shares } = roomDistricts(seed, x, z)
  const styles = shares.map((s) => districtStyle(seed, s.cell[0], s.cell[1]))
  const slot = (name: SurfaceSlot): FamilyConditioning => {
    const weights = new Map<string, number>()
    shares.forEach((s, k) => weights.set(styles[k]![name], (weights.get(styles[k]![name]) ?? 0) + s.weight))
    // Heaviest first; on a tie the own district's family (inserted first) stays first (stable sort).
    const [first, second] = [...weights].sort((p, q) => q[1] - p[1])
    if (second === undefined) return { a: first![0] }
    const t = Math.round(second[1] / (first![1] + second[1]) / DISTRICT_BLEND_STEP) * DISTRICT_BLEND_STEP
    // Rounded to 2 decimals so that 0.15 prints as 0.15, not 0.15000000000000002.
    return t === 0 ? { a: first![0] } : { a: first![0], b: second[0], t: Math.round(t * 100) / 100 }
  }
  return { floor: slot('floor'), walls: slot('walls'), trim: slot('trim') }
}

/**
 * Throw `FamilyError('unknown-family')` unless a model's family names include every family the district styles use
 * (DISTRICT_FAMILIES): checked when a surface model loads, so a model missing one fails at once, by name, rather than
 * on the first room of that district.
 */
export function assertDistrictFamilies(names: readonly string[], model = 'the surface model'): void {
  const missing = DISTRICT_FAMILIES.filter((f) => !names.includes(f))
  if (missing.length > 0)
    throw new FamilyError(
      'unknown-family',
      `${model} has no material famil${missing.length === 1 ? 'y' : 'ies'} ${missing.map((m) => `"${m}"`).join(', ')}, ` +
        `which world-gen's district styles use (it has: ${names.join(', ')})`,
    )
}
