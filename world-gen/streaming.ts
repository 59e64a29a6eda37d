/**
 * Streaming plan: which rooms must be resident now, which to generate next (ahead of the player first), which jobs to
 * cancel and which rooms to evict. Pure: the same input always gives the same plan, whatever the order of its lists.
 */
import { ROOM_PITCH_M, SURFACE_SLOTS, type SurfaceSlot } from './layout'

/** A room key, `"x,z"` in grid coordinates (integers, no `-0`). */
export type RoomKey = `${number},${number}`

/** Limits of the streaming plan. */
export interface StreamingBudget {
  /** Most rooms resident (loaded + in flight + newly requested); raised to fit the ready set if smaller. @default 25 */
  maxResident: number
  /** Most rooms returned in `prefetch`. @default 6 */
  maxPrefetch: number
}

/** The default streaming budget. */
export const DEFAULT_STREAMING_BUDGET: StreamingBudget = { maxResident: 25, maxPrefetch: 6 }

/** Options of `planStreaming` that tune the shape of the wanted zone. */
export interface StreamingOptions {
  /** Rooms whose centre lies within this distance are wanted, in metres. @default 2 × ROOM_PITCH_M */
  radiusM?: number
  /** Look-ahead time: the zone reaches `speedMps × lookaheadS` further in the heading direction, in seconds. @default 8 */
  lookaheadS?: number
  /** Extra distance before a loaded or in-flight room is dropped, against thrashing at the edge, in metres. @default ROOM_PITCH_M / 2 */
  hysteresisM?: number
  /** How much rooms behind are penalised: cost = distance × (1 + headingWeight × (1 − cos angle)). @default 1 */
  headingWeight?: number
}

/** Input of `planStreaming`. */
export interface StreamingInput extends StreamingOptions {
  /** Player position on the floor plane `[xM, zM]`, in metres. */
  position: [number, number]
  /** Walking direction, in radians: 0 faces −z (north), π/2 faces +x (east), matching the URL heading. */
  headingRad: number
  /** Current speed, in metres per second (extends the look-ahead). */
  speedMps: number
  /** Rooms whose textures are resident. */
  loaded: readonly RoomKey[]
  /** Rooms being generated. */
  inFlight: readonly RoomKey[]
  /** Limits. @default DEFAULT_STREAMING_BUDGET */
  budget?: Partial<StreamingBudget>
}

/** Output of `planStreaming`; every list is free of duplicates and deterministic in order. */
export interface StreamingPlan {
  /** Rooms needed now: the current room then its four neighbours (request any that are missing first). */
  ready: RoomKey[]
  /** Rooms to request next, best first: ahead of the heading first, then by distance. Excludes ready, loaded, in-flight. */
  prefetch: RoomKey[]
  /** In-flight jobs to cancel (the rooms are no longer wanted). */
  cancel: RoomKey[]
  /** Loaded rooms to evict (no longer wanted, or over budget). */
  evict: RoomKey[]
}

/** The key of room (x, z). */
export function roomKey(x: number, z: number): RoomKey {
  return `${x + 0},${z + 0}`
}

/** Parse a room key; null unless it is two integers separated by a comma. */
export function parseRoomKey(key: string): [number, number] | null {
  const m = /^(-?\d{1,7}),(-?\d{1,7})$/.exec(key)
  if (m === null) return null
  return [Number(m[1]) + 0, Number(m[2]) + 0]
}

/** The grid cell `[x, z]` containing a world position `[xM, zM]` (rooms are centred on multiples of ROOM_PITCH_M). */
export function roomAt(position: readonly [number, number]): [number, number] {
  return [Math.round(position[0] / ROOM_PITCH_M) + 0, Math.round(position[1] / ROOM_PITCH_M) + 0]
}

/** World position `[xM, zM]` of the centre of room (x, z). */
export function roomCenter(x: number, z: number): [number, number] {
  return [x * ROOM_PITCH_M + 0, z * ROOM_PITCH_M + 0]
}

interface Candidate {
  key: RoomKey
  x: number
  z: number
  cost: number
}

const byCost = (a: Candidate, b: Candidate): number => a.cost - b.cost || a.x - b.x || a.z - b.z

/**
 * Plan room streaming for the current player state. Throws RangeError for a non-finite position; a non-finite
 * heading or speed counts as 0.
 */
export function planStreaming(input: StreamingInput): StreamingPlan {
  const [px, pz] = input.position
  if (!Number.isFinite(px) || !Number.isFinite(pz)) throw new RangeError('position must be finite')
  const heading = Number.isFinite(input.headingRad) ? input.headingRad : 0
  const speedMps = Number.isFinite(input.speedMps) ? Math.max(0, input.speedMps) : 0
  const radiusM = input.radiusM ?? 2 * ROOM_PITCH_M
  const lookaheadM = speedMps * (input.lookaheadS ?? 8)
  const hysteresisM = input.hysteresisM ?? ROOM_PITCH_M / 2
  const headingWeight = input.headingWeight ?? 1
  const maxPrefetch = Math.max(0, input.budget?.maxPrefetch ?? DEFAULT_STREAMING_BUDGET.maxPrefetch)
  // Heading 0 faces north (−z), π/2 east (+x).
  const dirX = Math.sin(heading)
  const dirZ = -Math.cos(heading)

  const [cx, cz] = roomAt([px, pz])
  const readyCells: [number, number][] = [
    [cx, cz],
    [cx, cz - 1],
    [cx + 1, cz],
    [cx, cz + 1],
    [cx - 1, cz],
  ]
  const ready = readyCells.map(([x, z]) => roomKey(x, z))
  const readySet = new Set<RoomKey>(ready)
  const maxResident = Math.max(ready.length, input.budget?.maxResident ?? DEFAULT_STREAMING_BUDGET.maxResident)
  const held = new Set<RoomKey>([...input.loaded, ...input.inFlight])

  const measure = (x: number, z: number): { distM: number; cosA: number } => {
    const [rx, rz] = roomCenter(x, z)
    const dx = rx - px
    const dz = rz - pz
    const distM = Math.hypot(dx, dz)
    return { distM, cosA: distM > 0 ? (dx * dirX + dz * dirZ) / distM : 1 }
  }

  // Candidates: every room in the zone (radius, stretched ahead by the look-ahead); held rooms get the hysteresis.
  const candidates: Candidate[] = []
  const reachM = radiusM + lookaheadM + hysteresisM
  const reachRooms = Math.ceil(reachM / ROOM_PITCH_M) + 1
  for (let z = cz - reachRooms; z <= cz + reachRooms; z++) {
    for (let x = cx - reachRooms; x <= cx + reachRooms; x++) {
      const key = roomKey(x, z)
      if (readySet.has(key)) continue
      const { distM, cosA } = measure(x, z)
      const zoneM = radiusM + Math.max(0, cosA) * lookaheadM + (held.has(key) ? hysteresisM : 0)
      if (distM > zoneM) continue
      candidates.push({ key, x, z, cost: distM * (1 + headingWeight * (1 - cosA)) })
    }
  }
  candidates.sort(byCost)

  const wanted = new Set<RoomKey>(ready)
  for (const c of candidates) {
    if (wanted.size >= maxResident) break
    wanted.add(c.key)
  }

  const prefetch: RoomKey[] = []
  for (const c of candidates) {
    if (prefetch.length >= maxPrefetch) break
    if (wanted.has(c.key) && !held.has(c.key)) prefetch.push(c.key)
  }

  // Sort the drop lists by key position so the plan does not depend on the order of the input lists.
  const sortKeys = (keys: RoomKey[]): RoomKey[] => {
    const cells = keys.map((k) => ({ k, xz: parseRoomKey(k) ?? [0, 0] }))
    cells.sort((a, b) => a.xz[0] - b.xz[0] || a.xz[1] - b.xz[1] || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    return cells.map((c) => c.k)
  }
  const dedupe = (keys: readonly RoomKey[]): RoomKey[] => [...new Set(keys)]
  const cancel = sortKeys(dedupe(input.inFlight).filter((k) => !wanted.has(k)))
  const evict = sortKeys(dedupe(input.loaded).filter((k) => !wanted.has(k)))
  return { ready, prefetch, cancel, evict }
}

/**
 * Worker priority of one surface of the room at plan `rank` (lower runs first): room by room, and within a room the
 * floor, then the walls, then the trim (the order of SURFACE_SLOTS: what fills most of the view first). A job with a
 * preview runs its preview at this priority and its full size at `surfaceFullPriority`.
 */
export function surfacePriority(rank: number, slot: SurfaceSlot): number {
  return rank * SURFACE_SLOTS.length + SURFACE_SLOTS.indexOf(slot)
}

/**
 * Worker priority of the full-size texture of a surface whose 64 px preview runs first: after every preview of the
 * same room (so the room is painted whole, blurry, before any surface is sharpened) and after the current room's sky,
 * in slot order, before the next room.
 */
export function surfaceFullPriority(rank: number, slot: SurfaceSlot): number {
  const n = SURFACE_SLOTS.length
  return rank * n + (n - 1) + (SURFACE_SLOTS.indexOf(slot) + 1) / (n + 1)
}

/**
 * Worker priority of the sky of the room at `rank` in the plan's ready list: the current room's sky right after its
 * surfaces' previews and before their full sizes (the sky fills half the view), a neighbour's after that neighbour's
 * surfaces.
 */
export function skyPriority(rank: number): number {
  const last = SURFACE_SLOTS[SURFACE_SLOTS.length - 1]
  return rank === 0 ? surfacePriority(0, last) + 0.125 : surfacePriority(rank, last) + 0.9
}

/** What to send to follow a plan, against what is resident (`diffResidency`). */
export interface ResidencyDiff {
  /** Resident keys to drop: cancel their jobs and forget them. */
  drop: RoomKey[]
  /** Keys to request, with their rank (position in the wanted list), best first. */
  request: { key: RoomKey; rank: number }[]
  /** Resident keys whose rank changed: send their running jobs the new priority. */
  rerank: { key: RoomKey; rank: number }[]
}

/**
 * The send / cancel / reprioritise diff of a wanted list (best first; rank = index) against what is resident (key →
 * rank it was requested at). `drop` lists the resident keys to let go; by default every resident key not wanted, while
 * the room plan passes its own `cancel` and `evict` lists (rooms just outside the wanted zone stay, against thrashing).
 */
export function diffResidency(
  resident: ReadonlyMap<RoomKey, number>,
  wanted: readonly RoomKey[],
  drop?: readonly RoomKey[],
): ResidencyDiff {
  const wantedSet = new Set(wanted)
  const dropped = (drop ?? [...resident.keys()].filter((k) => !wantedSet.has(k))).filter((k) => resident.has(k))
  const gone = new Set(dropped)
  const request: { key: RoomKey; rank: number }[] = []
  const rerank: { key: RoomKey; rank: number }[] = []
  wanted.forEach((key, rank) => {
    const was = gone.has(key) ? undefined : resident.get(key)
    if (was === undefined) request.push({ key, rank })
    else if (was !== rank) rerank.push({ key, rank })
  })
  return { drop: [...gone], request, rerank }
}
