/**
 * VR teleport targeting as pure math over world-gen data: a ballistic arc from the controller (projectile motion,
 * p(t) = o + v·t + ½·g·t², sampled at fixed time steps), its first meeting with a room floor, and the checks that
 * keep a landing on the floor of a loaded room and in plain sight of the player (never through a wall).
 * Positions are world metres as tuples; no three.js, so it runs in Node tests and in the render loop alike.
 */
import { ROOM_PITCH_M, type RoomSpec } from './layout'
import { floorHeightAt, PLAYER_RADIUS_M, type RoomColliders, type Vec3 } from './room-geometry'

/** Launch speed of the arc, metres per second (about 7 m of reach from standing height at 45°). */
export const TELEPORT_SPEED_MPS = 8
/** Downward acceleration of the arc, metres per second squared. */
export const TELEPORT_GRAVITY_MPS2 = 9.81
/** Time between arc samples, seconds. */
export const TELEPORT_STEP_S = 0.03
/** Most samples in an arc (with the defaults: 1.9 s of flight). */
export const TELEPORT_MAX_POINTS = 64

/** Shape of the arc. */
export type TeleportArcOptions = {
  /** @default TELEPORT_SPEED_MPS */
  speedMps?: number
  /** @default TELEPORT_GRAVITY_MPS2 */
  gravityMps2?: number
  /** @default TELEPORT_STEP_S */
  stepS?: number
}

/** What the arc can see of the world. */
export type TeleportWorld = {
  /** Layout of room (x, z) when it is loaded (its geometry is in the scene), else undefined: no floor there. */
  roomSpec: (x: number, z: number) => RoomSpec | undefined
  /** Colliders around the player (the rig's 3 × 3 block of rooms). */
  colliders: readonly RoomColliders[]
}

/** A traced arc, reused from frame to frame (`createTeleportArc`, then `traceTeleportArc` into it). */
export type TeleportArc = {
  /** Arc samples as xyz triples, world metres; the first `pointCount` are valid (the last is the hit, if any). */
  points: Float32Array
  pointCount: number
  /** Where the arc meets a floor (x, floor y, z); meaningful only when `hit` is true. */
  landing: Vec3
  /** Whether the arc reached a floor before a wall or the end of its samples. */
  hit: boolean
  /** Whether `landing` is an allowed destination (loaded room's floor, reachable in a straight line). */
  valid: boolean
}

/** An empty arc with room for `maxPoints` samples. */
export function createTeleportArc(maxPoints = TELEPORT_MAX_POINTS): TeleportArc {
  return { points: new Float32Array(maxPoints * 3), pointCount: 0, landing: [0, 0, 0], hit: false, valid: false }
}

/**
 * Whether the floor-plane segment a→b, swept by a circle of `radiusM`, touches any collider (rects are grown by the
 * radius, a slightly conservative test at their corners; columns exactly). World `[x, z]` metres.
 */
export function segmentBlocked(
  ax: number,
  az: number,
  bx: number,
  bz: number,
  colliders: readonly RoomColliders[],
  radiusM = 0,
): boolean {
  const dx = bx - ax
  const dz = bz - az
  for (const c of colliders) {
    for (const [x0, z0, x1, z1] of c.rects)
      if (segmentHitsRect(ax, az, dx, dz, x0 - radiusM, z0 - radiusM, x1 + radiusM, z1 + radiusM)) return true
    for (const [cx, cz, r] of c.circles) {
      const len2 = dx * dx + dz * dz
      const t = len2 > 0 ? Math.min(1, Math.max(0, ((cx - ax) * dx + (cz - az) * dz) / len2)) : 0
      if (Math.hypot(ax + dx * t - cx, az + dz * t - cz) < r + radiusM) return true
    }
  }
  return false
}

// Slab test of the segment a + t·d, t ∈ [0, 1], against an axis-aligned rectangle.
function segmentHitsRect(
  ax: number,
  az: number,
  dx: number,
  dz: number,
  x0: number,
  z0: number,
  x1: number,
  z1: number,
): boolean {
  let t0 = 0
  let t1 = 1
  if (Math.abs(dx) < 1e-12) {
    if (ax < x0 || ax > x1) return false
  } else {
    let ta = (x0 - ax) / dx
    let tb = (x1 - ax) / dx
    if (ta > tb) [ta, tb] = [tb, ta]
    t0 = Math.max(t0, ta)
    t1 = Math.min(t1, tb)
    if (t0 > t1) return false
  }
  if (Math.abs(dz) < 1e-12) return az >= z0 && az <= z1
  let ta = (z0 - az) / dz
  let tb = (z1 - az) / dz
  if (ta > tb) [ta, tb] = [tb, ta]
  return Math.max(t0, ta) <= Math.min(t1, tb)
}

/**
 * Floor height at world (x, z) when a player of `radiusM` can stand there: inside the room's interior or in one of
 * its doors' corridors, clear of the walls by the radius. Null where there is no walkable floor of `spec`.
 */
export function roomFloorAt(spec: RoomSpec, x: number, z: number, radiusM = PLAYER_RADIUS_M): number | null {
  const lx = x - spec.centerM[0]
  const lz = z - spec.centerM[1]
  const hw = spec.size.width / 2 - radiusM
  const hd = spec.size.depth / 2 - radiusM
  if (Math.abs(lx) <= hw && Math.abs(lz) <= hd) return floorHeightAt(spec, lx, lz)
  for (const door of spec.openings) {
    const { startM, lengthM } = door.corridor
    const half = door.widthM / 2 - radiusM
    const alongX = door.side === 'north' || door.side === 'south'
    // Across: distance from the door's centre line; along: distance from the room centre towards the door.
    const across = (alongX ? lx : lz) - door.offsetM
    const along = door.side === 'north' ? -lz : door.side === 'south' ? lz : door.side === 'west' ? -lx : lx
    // From inside the wall (the doorway itself) to the far end of the corridor.
    const nearM = (alongX ? spec.size.depth : spec.size.width) / 2
    if (Math.abs(across) <= half && along >= nearM && along <= startM + lengthM) return 0
  }
  return null
}

/**
 * Trace the teleport arc from `origin` along `direction` (need not be unit length) into `out`: sample it until it
 * meets a floor, runs into a wall (a collider crossed between two samples) or runs out of samples. The landing is
 * valid only on a loaded room's walkable floor that the player at `player` (floor-plane `[x, z]`) could walk to in
 * a straight line. Allocates nothing; returns `out`.
 */
export function traceTeleportArc(
  origin: Readonly<Vec3>,
  direction: Readonly<Vec3>,
  player: readonly [number, number],
  world: TeleportWorld,
  out: TeleportArc,
  {
    speedMps = TELEPORT_SPEED_MPS,
    gravityMps2 = TELEPORT_GRAVITY_MPS2,
    stepS = TELEPORT_STEP_S,
  }: TeleportArcOptions = {},
): TeleportArc {
  const len = Math.hypot(direction[0], direction[1], direction[2]) || 1
  const vx = (direction[0] / len) * speedMps
  const vy = (direction[1] / len) * speedMps
  const vz = (direction[2] / len) * speedMps
  const pts = out.points
  const maxPoints = Math.floor(pts.length / 3)
  out.hit = false
  out.valid = false
  pts[0] = origin[0]
  pts[1] = origin[1]
  pts[2] = origin[2]
  out.pointCount = 1
  let px = origin[0]
  let py = origin[1]
  let pz = origin[2]
  for (let i = 1; i < maxPoints; i++) {
    const t = i * stepS
    const x = origin[0] + vx * t
    const y = origin[1] + vy * t - 0.5 * gravityMps2 * t * t
    const z = origin[2] + vz * t
    // A wall between two samples stops the arc there: it never passes through walls.
    if (segmentBlocked(px, pz, x, z, world.colliders)) return out
    // Same cell rule as streaming's roomAt, without its tuple (no allocation per sample).
    const spec = world.roomSpec(Math.round(x / ROOM_PITCH_M) + 0, Math.round(z / ROOM_PITCH_M) + 0)
    const floorY = spec === undefined ? 0 : (roomFloorAt(spec, x, z, 0) ?? 0)
    if (y <= floorY) {
      // Interpolate the crossing between the last sample above the floor and this one.
      const f = py - y > 1e-9 ? (py - floorY) / (py - y) : 1
      const hx = px + (x - px) * f
      const hz = pz + (z - pz) * f
      const standY = spec === undefined ? null : roomFloorAt(spec, hx, hz)
      out.landing[0] = hx
      out.landing[1] = standY ?? floorY
      out.landing[2] = hz
      pts[out.pointCount * 3] = hx
      pts[out.pointCount * 3 + 1] = out.landing[1]
      pts[out.pointCount * 3 + 2] = hz
      out.pointCount++
      out.hit = true
      out.valid = standY !== null && !segmentBlocked(player[0], player[1], hx, hz, world.colliders, PLAYER_RADIUS_M)
      return out
    }
    pts[out.pointCount * 3] = x
    pts[out.pointCount * 3 + 1] = y
    pts[out.pointCount * 3 + 2] = z
    out.pointCount++
    px = x
    py = y
    pz = z
  }
  return out
}
