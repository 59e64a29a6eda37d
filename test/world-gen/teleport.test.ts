import { describe, expect, it } from 'vitest'
import {
  createTeleportArc,
  PLAYER_RADIUS_M,
  room,
  roomColliders,
  roomFloorAt,
  segmentBlocked,
  TELEPORT_GRAVITY_MPS2,
  TELEPORT_SPEED_MPS,
  TELEPORT_STEP_S,
  traceTeleportArc,
  type RoomColliders,
  type RoomSpec,
  type Side,
  type TeleportWorld,
  type Vec3,
} from '../../world-gen'

const SEED = 'amber-fern-drift'
const FORWARD: Record<Side, [number, number]> = { north: [0, -1], east: [1, 0], south: [0, 1], west: [-1, 0] }

/** Everything within two rooms of the origin is loaded; colliders of the 3 × 3 block around (cx, cz). */
function worldAround(cx: number, cz: number, loaded = true): TeleportWorld {
  const colliders: RoomColliders[] = []
  for (let dz = -1; dz <= 1; dz++)
    for (let dx = -1; dx <= 1; dx++) colliders.push(roomColliders(room(SEED, cx + dx, cz + dz)))
  return { roomSpec: (x, z) => (loaded ? room(SEED, x, z) : undefined), colliders }
}

/** First room (scanning outward) with a door on one side and no door on another. */
function roomWithDoorAndWall(): { spec: RoomSpec; door: Side; wall: Side } {
  for (let x = 0; x < 6; x++)
    for (let z = 0; z < 6; z++) {
      const spec = room(SEED, x, z)
      const door = spec.openings[0]?.side
      const wall = (['north', 'east', 'south', 'west'] as Side[]).find((s) => !spec.doors[s])
      if (door !== undefined && wall !== undefined) return { spec, door, wall }
    }
  throw new Error('no suitable room')
}

describe('traceTeleportArc', () => {
  it('samples a parabola p(t) = o + v·t + ½·g·t² from the controller', () => {
    const spec = room(SEED, 0, 0)
    const [cx, cz] = spec.centerM
    const origin: Vec3 = [cx, 1.4, cz]
    const arc = traceTeleportArc(origin, [0, 1, -1], [cx, cz], worldAround(0, 0), createTeleportArc())
    const v = TELEPORT_SPEED_MPS / Math.SQRT2
    for (const i of [1, 2, 5]) {
      const t = i * TELEPORT_STEP_S
      expect(arc.points[i * 3]).toBeCloseTo(cx, 5)
      expect(arc.points[i * 3 + 1]).toBeCloseTo(1.4 + v * t - 0.5 * TELEPORT_GRAVITY_MPS2 * t * t, 4)
      expect(arc.points[i * 3 + 2]).toBeCloseTo(cz - v * t, 4)
    }
  })

  it('lands on the floor of the room the player stands in, a little ahead when aimed down', () => {
    const spec = room(SEED, 0, 0)
    const [cx, cz] = spec.centerM
    const arc = traceTeleportArc([cx, 1.4, cz - 0.3], [0, -0.6, -1], [cx, cz], worldAround(0, 0), createTeleportArc())
    expect(arc.hit).toBe(true)
    expect(arc.valid).toBe(true)
    expect(arc.landing[2]).toBeLessThan(cz)
    expect(Math.abs(arc.landing[0] - cx)).toBeLessThan(1e-6)
    expect(arc.landing[1]).toBeCloseTo(roomFloorAt(spec, arc.landing[0], arc.landing[2]) ?? NaN, 6)
    // The last sample is the landing itself.
    const n = arc.pointCount - 1
    expect([arc.points[n * 3], arc.points[n * 3 + 1], arc.points[n * 3 + 2]]).toEqual(
      arc.landing.map((v) => Math.fround(v)),
    )
  })

  it('stops at a wall: aimed high at a wall with no door, it never lands beyond it', () => {
    const { spec, wall } = roomWithDoorAndWall()
    const [cx, cz] = spec.centerM
    const [fx, fz] = FORWARD[wall]
    const arc = traceTeleportArc(
      [cx, 1.4, cz],
      [fx, 0.8, fz],
      [cx, cz],
      worldAround(spec.x, spec.z),
      createTeleportArc(),
    )
    expect(arc.valid).toBe(false)
    const n = arc.pointCount - 1
    const reach = Math.abs((arc.points[n * 3] - cx) * fx + (arc.points[n * 3 + 2] - cz) * fz)
    const halfM = (wall === 'north' || wall === 'south' ? spec.size.depth : spec.size.width) / 2
    expect(reach).toBeLessThan(halfM + spec.wallThicknessM)
  })

  it('rejects a landing in a room that is not loaded', () => {
    const spec = room(SEED, 0, 0)
    const [cx, cz] = spec.centerM
    const arc = traceTeleportArc([cx, 1.4, cz], [0, -0.6, -1], [cx, cz], worldAround(0, 0, false), createTeleportArc())
    expect(arc.hit).toBe(true)
    expect(arc.valid).toBe(false)
  })

  it('lands through a doorway into the corridor or the next room when the player stands on its line', () => {
    const { spec, door } = roomWithDoorAndWall()
    const opening = spec.openings.find((o) => o.side === door)!
    const [fx, fz] = FORWARD[door]
    const halfM = (door === 'north' || door === 'south' ? spec.size.depth : spec.size.width) / 2
    const alongX = door === 'north' || door === 'south'
    // On the door's centre line, 1 m inside the wall.
    const px = spec.centerM[0] + (alongX ? opening.offsetM : fx * (halfM - 1))
    const pz = spec.centerM[1] + (alongX ? fz * (halfM - 1) : opening.offsetM)
    const arc = traceTeleportArc(
      [px, 1.3, pz],
      [fx, 0.15, fz],
      [px, pz],
      worldAround(spec.x, spec.z),
      createTeleportArc(),
    )
    expect(arc.hit).toBe(true)
    expect(arc.valid).toBe(true)
    const travelled = (arc.landing[0] - px) * fx + (arc.landing[2] - pz) * fz
    expect(travelled).toBeGreaterThan(1 + spec.wallThicknessM)
  })

  it('allocates nothing new: the same arc object and buffer are reused', () => {
    const out = createTeleportArc()
    const buffer = out.points
    const spec = room(SEED, 0, 0)
    const [cx, cz] = spec.centerM
    expect(traceTeleportArc([cx, 1.4, cz], [1, 0, 0], [cx, cz], worldAround(0, 0), out)).toBe(out)
    expect(out.points).toBe(buffer)
  })
})

describe('segmentBlocked', () => {
  const box: RoomColliders[] = [{ rects: [[0, 0, 1, 1]], circles: [[5, 5, 0.5]] }]
  it.each([
    ['crosses the box', [-1, 0.5, 2, 0.5], 0, true],
    ['passes beside the box', [-1, 1.5, 2, 1.5], 0, false],
    ['passes beside, but within the radius', [-1, 1.2, 2, 1.2], PLAYER_RADIUS_M, true],
    ['ends just short of the box', [-1, 0.5, -0.01, 0.5], 0, false],
    ['vertical segment through the box', [0.5, -1, 0.5, 2], 0, true],
    ['crosses the column', [4, 5, 6, 5], 0, true],
    ['passes the column at its radius + player radius', [4, 5.85, 6, 5.85], PLAYER_RADIUS_M, false],
    ['zero-length segment inside the column', [5, 5, 5, 5], 0, true],
  ] as const)('%s', (_, [ax, az, bx, bz], radius, blocked) => {
    expect(segmentBlocked(ax, az, bx, bz, box, radius)).toBe(blocked)
  })
})

describe('roomFloorAt', () => {
  it('has floor inside the room (clear of the walls by the radius) and in corridors, none beyond', () => {
    const { spec, door, wall } = roomWithDoorAndWall()
    const [cx, cz] = spec.centerM
    expect(roomFloorAt(spec, cx + spec.size.width / 2 - 0.5, cz)).not.toBeNull()
    const [wx, wz] = FORWARD[wall]
    const halfW = (wall === 'north' || wall === 'south' ? spec.size.depth : spec.size.width) / 2
    expect(roomFloorAt(spec, cx + wx * (halfW - 0.1), cz + wz * (halfW - 0.1))).toBeNull()
    expect(roomFloorAt(spec, cx + wx * (halfW + 1), cz + wz * (halfW + 1))).toBeNull()
    const opening = spec.openings.find((o) => o.side === door)!
    const [fx, fz] = FORWARD[door]
    const alongX = door === 'north' || door === 'south'
    const d = opening.corridor.startM + opening.corridor.lengthM / 2
    const x = cx + (alongX ? opening.offsetM : fx * d)
    const z = cz + (alongX ? fz * d : opening.offsetM)
    expect(roomFloorAt(spec, x, z)).toBe(0)
  })
})
