/**
 * Endless room layout: one room per grid cell, doors derived per EDGE so neighbours always agree.
 *
 * Connectivity: the grid is cut into blocks of BLOCK_ROOMS × BLOCK_ROOMS rooms. Inside each block the doors include a
 * random spanning tree (randomised Kruskal, seeded by the world and the block), and every pair of adjacent blocks is
 * joined by one always-open connector door. Every block is connected and the block graph is the full grid graph, so the
 * infinite door graph is connected; any block-aligned window is connected using only its own doors. Extra doors are
 * then opened by an independent hash per edge (loops make the world less of a maze).
 *
 * Coordinates: room (x, z) is centred at world (x·ROOM_PITCH_M, 0, z·ROOM_PITCH_M); +x is east, +z is south, −z north,
 * +y up. All sizes are metres; rooms and corridors are open to the sky (no ceiling).
 */
import { roomFamilies } from './districts'
import type { FamilyConditioning } from './families'
import { createRng, hashCoords, randomInt, type Rng, worldHash } from './seed'

/** Distance between neighbouring room centres, in metres. Rooms are at most 12 m wide, so corridors are ≥ 1.6 m long. */
export const ROOM_PITCH_M = 14

/** Side length of a connectivity block, in rooms (see the file header). */
export const BLOCK_ROOMS = 8

/** Probability that an edge outside the spanning structure still gets a door. */
export const EXTRA_DOOR_CHANCE = 0.35

/** Largest |x| or |z| room coordinate accepted anywhere in world-gen (also the URL codec's limit). */
export const WORLD_LIMIT = 1_000_000

/** Wall thickness, in metres; walls stand outside the interior `size`. */
export const WALL_THICKNESS_M = 0.2

/** The tallest a room's walls get, in metres (heights run from 3 to this in quarter metres). */
export const ROOM_MAX_HEIGHT_M = 6

/** Material slots of a room's surfaces; `trim` covers door frames, columns, skirting and the wall band. */
export const SURFACE_SLOTS = ['floor', 'walls', 'trim'] as const

/** A surface material slot name. */
export type SurfaceSlot = (typeof SURFACE_SLOTS)[number]

/** A wall side: north = −z, east = +x, south = +z, west = −x. */
export type Side = 'north' | 'east' | 'south' | 'west'

/** The four sides in a fixed order (used for iteration and output order). */
export const SIDES: readonly Side[] = ['north', 'east', 'south', 'west']

/** The corridor behind a door: a straight, open-topped passage from this room's wall to the neighbour's wall. */
export interface CorridorSpec {
  /** Distance from this room's centre to the corridor's near end (the outer face of this wall), in metres. */
  startM: number
  /** Corridor length from this wall's outer face to the neighbour's outer face, in metres (≥ 1.6). */
  lengthM: number
  /** Inner width of the corridor, equal to the door width, in metres. */
  widthM: number
  /** Height of the corridor's side walls, in metres. */
  wallHeightM: number
  /** True on the east and south doors: exactly one of the two rooms sharing a corridor should build it. */
  owned: boolean
}

/** A door opening in one wall; both rooms sharing the edge report the same offset, width and height. */
export interface DoorOpening {
  /** Which wall the door is in. */
  side: Side
  /** Centre of the opening along the wall from the room's axis, in metres: along +x on north/south, +z on east/west. */
  offsetM: number
  /** Opening width, in metres (1.2–2.0). */
  widthM: number
  /** Opening height, in metres (2.2–2.6). */
  heightM: number
  /** The passage to the neighbour through this door. */
  corridor: CorridorSpec
}

/** Decorative trim dimensions (drawn with the `trim` material). */
export interface TrimSpec {
  /** Skirting board height at the foot of the walls, in metres. */
  skirtingHeightM: number
  /** Width of the frame around each door opening, in metres. */
  frameWidthM: number
  /** Height of the lower edge of a horizontal band around the walls, in metres; null for no band. */
  bandYM: number | null
  /** Vertical thickness of the band, in metres. */
  bandThicknessM: number
}

/** Round columns standing in the room (trim material). */
export interface ColumnsSpec {
  /** Column radius, in metres. */
  radiusM: number
  /** Column height, in metres (the wall height). */
  heightM: number
  /** Column centres `[xM, zM]` relative to the room centre; empty for none. Never in a door's path. */
  positions: [number, number][]
}

/** A low, walkable dais centred in the room (floor material on top, trim on its sides). */
export interface DaisSpec {
  /** Extent along x, in metres. */
  widthM: number
  /** Extent along z, in metres. */
  depthM: number
  /** Height of the step, in metres (0.1–0.2, low enough to walk over). */
  heightM: number
}

/** Everything a renderer needs to build one room; plain data, safe to structured-clone. */
export interface RoomSpec {
  /** The world seed this room belongs to. */
  seed: string
  /** Grid column (east is +x). */
  x: number
  /** Grid row (south is +z). */
  z: number
  /** Per-room uint32 seed (drives the local latent noise and room dimensions). */
  roomSeed: number
  /** World position of the room centre on the floor, `[xM, zM]`. */
  centerM: [number, number]
  /** Interior size in metres: width along x (4–12), depth along z (4–12), wall height (3–6). */
  size: { width: number; depth: number; height: number }
  /** Whether each wall has a door; always equal to the neighbour's opposite side. */
  doors: Record<Side, boolean>
  /** The open doors, in SIDES order. */
  openings: DoorOpening[]
  /** Wall thickness, in metres. */
  wallThicknessM: number
  /** Trim dimensions. */
  trim: TrimSpec
  /** Corner columns (possibly none). */
  columns: ColumnsSpec
  /** A central dais, or null. */
  dais: DaisSpec | null
  /** Material slots, in the order renderers and the latent walk use them. */
  slots: SurfaceSlot[]
  /**
   * The material family of each slot, from the room's district style (world-gen `roomFamilies`): one family, or near a
   * district border a blend towards the neighbouring district's.
   */
  families: Record<SurfaceSlot, FamilyConditioning>
}

const SALT_ROOM = 0x524f4f4d // 'ROOM'
const SALT_BLOCK = 0x424c4b54 // 'BLKT'
const SALT_CONNECT_X = 0x434e5458 // 'CNTX'
const SALT_CONNECT_Z = 0x434e545a // 'CNTZ'
const SALT_EDGE_X = 0x45444758 // 'EDGX'
const SALT_EDGE_Z = 0x4544475a // 'EDGZ'
const SALT_DOOR_SHAPE = 0x53485045 // 'SHPE'

const round1 = (v: number): number => Math.round(v * 10) / 10
const round2 = (v: number): number => Math.round(v * 100) / 100

/** Throw a RangeError unless x and z are integers within ±WORLD_LIMIT. */
export function assertRoomCoords(x: number, z: number): void {
  if (!Number.isInteger(x) || !Number.isInteger(z) || Math.abs(x) > WORLD_LIMIT || Math.abs(z) > WORLD_LIMIT) {
    throw new RangeError(`room coordinates must be integers within ±${WORLD_LIMIT}`)
  }
}

/** Floor division that is correct for negative numbers. */
const floorDiv = (a: number, b: number): number => Math.floor(a / b)

/**
 * Spanning tree of one block as two bit arrays over local cells (index j·B + i): `east[k]` opens (i, j)→(i+1, j),
 * `south[k]` opens (i, j)→(i, j+1). Randomised Kruskal with a union-find.
 */
function blockTree(world: number, bx: number, bz: number): { east: Uint8Array; south: Uint8Array } {
  const n = BLOCK_ROOMS
  const rng = createRng(hashCoords(world, bx, bz, SALT_BLOCK))
  // Edge ids: k·2 = east edge of cell k, k·2+1 = south edge of cell k.
  const edges: number[] = []
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      if (i < n - 1) edges.push((j * n + i) * 2)
      if (j < n - 1) edges.push((j * n + i) * 2 + 1)
    }
  }
  for (let i = edges.length - 1; i > 0; i--) {
    const k = randomInt(rng, 0, i)
    const t = edges[i]!
    edges[i] = edges[k]!
    edges[k] = t
  }
  const parent = new Int32Array(n * n)
  for (let i = 0; i < parent.length; i++) parent[i] = i
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!
      a = parent[a]!
    }
    return a
  }
  const east = new Uint8Array(n * n)
  const south = new Uint8Array(n * n)
  for (const e of edges) {
    const cell = e >> 1
    const other = e & 1 ? cell + n : cell + 1
    const ra = find(cell)
    const rb = find(other)
    if (ra === rb) continue
    parent[ra] = rb
    if (e & 1) south[cell] = 1
    else east[cell] = 1
  }
  return { east, south }
}

/**
 * Whether the edge leaving room (x, z) towards +x (`axis` 'x') or +z (`axis` 'z') has a door.
 * A function of the edge alone, so room (x, z)'s east door equals room (x+1, z)'s west door.
 */
export function edgeHasDoor(world: number, x: number, z: number, axis: 'x' | 'z'): boolean {
  const n = BLOCK_ROOMS
  const bx = floorDiv(x, n)
  const bz = floorDiv(z, n)
  const i = x - bx * n
  const j = z - bz * n
  const extra = hashCoords(world, x, z, axis === 'x' ? SALT_EDGE_X : SALT_EDGE_Z) / 4294967296 < EXTRA_DOOR_CHANCE
  if (extra) return true
  if (axis === 'x' && i === n - 1) {
    // Block boundary towards +x: exactly one always-open connector row per pair of blocks.
    return randomInt(createRng(hashCoords(world, bx, bz, SALT_CONNECT_X)), 0, n - 1) === j
  }
  if (axis === 'z' && j === n - 1) {
    return randomInt(createRng(hashCoords(world, bx, bz, SALT_CONNECT_Z)), 0, n - 1) === i
  }
  const tree = blockTree(world, bx, bz)
  return (axis === 'x' ? tree.east : tree.south)[j * n + i] === 1
}

/** Interior width (x), depth (z) and height of room (x, z), in metres; depends only on the room seed. */
function roomSize(world: number, x: number, z: number): { width: number; depth: number; height: number } {
  const rng = createRng(hashCoords(world, x, z, SALT_ROOM))
  return sizeFrom(rng)
}

function sizeFrom(rng: Rng): { width: number; depth: number; height: number } {
  const width = 4 + 0.5 * randomInt(rng, 0, 16)
  const depth = 4 + 0.5 * randomInt(rng, 0, 16)
  const height = 3 + 0.25 * randomInt(rng, 0, 12) // at most ROOM_MAX_HEIGHT_M
  return { width, depth, height }
}

/** Door shape of an edge: the same for both rooms. Offsets stay within ±0.6 m so a door fits even a 4 m wall. */
function doorShape(
  world: number,
  x: number,
  z: number,
  axis: 'x' | 'z',
): { offsetM: number; widthM: number; heightM: number } {
  const rng = createRng(hashCoords(world, x, z, axis === 'x' ? SALT_DOOR_SHAPE : SALT_DOOR_SHAPE ^ 1))
  const widthM = round1(1.2 + 0.1 * randomInt(rng, 0, 8))
  const heightM = round1(2.2 + 0.1 * randomInt(rng, 0, 4))
  const offsetM = round1(-0.6 + 0.1 * randomInt(rng, 0, 12))
  return { offsetM, widthM, heightM }
}

/**
 * The room at grid cell (x, z) of world `seed` (pass a canonical seed). Output depends only on (seed, x, z).
 * Throws RangeError when x or z is not an integer within ±WORLD_LIMIT.
 */
export function room(seed: string, x: number, z: number): RoomSpec {
  assertRoomCoords(x, z)
  // Normalise -0 so that JSON and keys are identical for 0 and -0.
  x = x + 0
  z = z + 0
  const world = worldHash(seed)
  const roomSeed = hashCoords(world, x, z, SALT_ROOM)
  const rng = createRng(roomSeed)
  const size = sizeFrom(rng)

  // [side, edge origin x, edge origin z, axis, neighbour dx, neighbour dz]
  const sideEdges: [Side, number, number, 'x' | 'z', number, number][] = [
    ['north', x, z - 1, 'z', 0, -1],
    ['east', x, z, 'x', 1, 0],
    ['south', x, z, 'z', 0, 1],
    ['west', x - 1, z, 'x', -1, 0],
  ]
  const doors = { north: false, east: false, south: false, west: false }
  const openings: DoorOpening[] = []
  for (const [side, ex, ez, axis, dx, dz] of sideEdges) {
    if (!edgeHasDoor(world, ex, ez, axis)) continue
    doors[side] = true
    const shape = doorShape(world, ex, ez, axis)
    const halfOwn = axis === 'x' ? size.width / 2 : size.depth / 2
    const neighbour = roomSize(world, x + dx, z + dz)
    const halfOther = axis === 'x' ? neighbour.width / 2 : neighbour.depth / 2
    openings.push({
      side,
      ...shape,
      corridor: {
        startM: round2(halfOwn + WALL_THICKNESS_M),
        lengthM: round2(ROOM_PITCH_M - halfOwn - halfOther - 2 * WALL_THICKNESS_M),
        widthM: shape.widthM,
        wallHeightM: round1(shape.heightM + 0.4),
        owned: side === 'east' || side === 'south',
      },
    })
  }

  const trim: TrimSpec = {
    skirtingHeightM: round2(0.1 + 0.05 * randomInt(rng, 0, 3)),
    frameWidthM: round2(0.1 + 0.05 * randomInt(rng, 0, 2)),
    bandYM: null,
    bandThicknessM: round2(0.15 + 0.05 * randomInt(rng, 0, 3)),
  }
  // The band sits above the tallest door (2.6 m + frame) and below the wall top.
  const bandMaxYM = size.height - trim.bandThicknessM - 0.1
  if (bandMaxYM >= 2.9 && rng() < 0.6) trim.bandYM = round2(2.9 + (bandMaxYM - 2.9) * rng())

  const columns: ColumnsSpec = {
    radiusM: round2(0.15 + 0.05 * randomInt(rng, 0, 3)),
    heightM: size.height,
    positions: [],
  }
  const roomy = size.width >= 6 && size.depth >= 6
  if (roomy && rng() < 0.5) {
    // Corner columns at ≥ 1.9 m from each axis clear every door (which spans at most 0.6 + 1.0 = 1.6 m from its axis).
    const inset = 0.5 + columns.radiusM
    const cx = round2(size.width / 2 - inset)
    const cz = round2(size.depth / 2 - inset)
    columns.positions = [
      [-cx, -cz],
      [cx, -cz],
      [cx, cz],
      [-cx, cz],
    ]
  }
  let dais: DaisSpec | null = null
  if (roomy && rng() < 0.35) {
    dais = {
      widthM: round1(size.width * (0.3 + 0.2 * rng())),
      depthM: round1(size.depth * (0.3 + 0.2 * rng())),
      heightM: round2(0.1 + 0.05 * randomInt(rng, 0, 2)),
    }
  }

  return {
    seed,
    x,
    z,
    roomSeed,
    centerM: [x * ROOM_PITCH_M, z * ROOM_PITCH_M],
    size,
    doors,
    openings,
    wallThicknessM: WALL_THICKNESS_M,
    trim,
    columns,
    dais,
    slots: [...SURFACE_SLOTS],
    families: roomFamilies(seed, x, z),
  }
}
