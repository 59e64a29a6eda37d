import { describe, expect, it } from 'vitest'
import { Box3, DirectionalLight, Vector3 } from 'three'
import { holdShadowCentre, inShadowCamera, shadesNearRooms } from '../../../components/canvas/shadow-updates'
import {
  ROOM_MAX_HEIGHT_M,
  ROOM_PITCH_M,
  skyDirection,
  SUN_MAX_ELEVATION_RAD,
  SUN_MIN_ELEVATION_RAD,
} from '../../../world-gen'

/** The sun as WorldSky sets it up: a box ±1.6 rooms wide around the room centre, 30 m towards the sun. */
function sunOver(cx: number, cz: number, dir: [number, number, number]): DirectionalLight {
  const light = new DirectionalLight()
  const extent = ROOM_PITCH_M * 1.6
  Object.assign(light.shadow.camera, { left: -extent, right: extent, top: extent, bottom: -extent, far: 90 })
  light.shadow.camera.updateProjectionMatrix()
  light.position.set(cx + dir[0] * 30, dir[1] * 30, cz + dir[2] * 30)
  light.target.position.set(cx, 0, cz)
  light.updateMatrixWorld()
  light.target.updateMatrixWorld()
  // What the renderer does as it draws the shadow map.
  light.shadow.updateMatrices(light)
  return light
}

/** A room's bounds: 5 m tall, one pitch wide, centred on room (x, z). */
const room = (x: number, z: number) =>
  new Box3(
    new Vector3((x - 0.5) * ROOM_PITCH_M, 0, (z - 0.5) * ROOM_PITCH_M),
    new Vector3((x + 0.5) * ROOM_PITCH_M, 5, (z + 0.5) * ROOM_PITCH_M),
  )

describe('inShadowCamera', () => {
  it("tells the rooms in the sun's shadow camera from those streaming in far away", () => {
    const high = sunOver(0, 0, [0, 1, 0])
    expect(inShadowCamera(high, room(0, 0))).toBe(true)
    expect(inShadowCamera(high, room(1, -1))).toBe(true)
    expect(inShadowCamera(high, room(4, 0))).toBe(false)
    expect(inShadowCamera(high, room(-3, 3))).toBe(false)
  })

  it('a low sun reaches farther along its direction: a room towards it can shade the rooms near the player', () => {
    const dir = new Vector3(1, 0.25, 0).normalize()
    const low = sunOver(0, 0, [dir.x, dir.y, dir.z])
    expect(inShadowCamera(low, room(0, 0))).toBe(true)
    // Two rooms towards the sun, its walls stand in the light's path to the player's room.
    expect(inShadowCamera(low, room(2, 0))).toBe(true)
    // As far off to the side, nothing it casts falls into the box.
    expect(inShadowCamera(low, room(0, 3))).toBe(false)
  })

  it('without a light, every caster counts', () => {
    expect(inShadowCamera(null, room(9, 9))).toBe(true)
  })
})

describe('holdShadowCentre', () => {
  it('holds the shadow camera back only from a room next door, and only until the sun steps', () => {
    const at = { x: 3, z: -2 }
    expect(holdShadowCentre(at, { x: 4, z: -2 }, true)).toBe(true)
    expect(holdShadowCentre(at, { x: 3, z: -3 }, true)).toBe(true)
    expect(holdShadowCentre(at, { x: 4, z: -2 }, false)).toBe(false)
    // Diagonal, further, or a jump (goTo): follow at once.
    expect(holdShadowCentre(at, { x: 4, z: -1 }, true)).toBe(false)
    expect(holdShadowCentre(at, { x: 5, z: -2 }, true)).toBe(false)
    expect(holdShadowCentre(at, at, true)).toBe(false)
    // Before the first frame there is no centre: take the player's room.
    expect(holdShadowCentre({ x: NaN, z: NaN }, at, true)).toBe(false)
  })

  it("while held, the whole of the largest room next door stays inside the old room's shadow camera", () => {
    // Largest room: 12 m × 12 m inside, 6 m high, walls 0.2 m (world-gen layout), centred one pitch away.
    const half = 6.2
    for (const [nx, nz] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]) {
      for (let el = SUN_MIN_ELEVATION_RAD; el <= SUN_MAX_ELEVATION_RAD + 1e-9; el += (5 * Math.PI) / 180) {
        for (let az = 0; az < 2 * Math.PI; az += Math.PI / 8) {
          const light = sunOver(0, 0, skyDirection(az, el) as [number, number, number])
          const frustum = light.shadow.getFrustum()
          for (const [dx, dz] of [
            [-1, -1],
            [-1, 1],
            [1, -1],
            [1, 1],
          ]) {
            for (const y of [0, 6]) {
              const corner = new Vector3(nx * ROOM_PITCH_M + dx * half, y, nz * ROOM_PITCH_M + dz * half)
              expect(frustum.containsPoint(corner), `corner ${corner.toArray()} az ${az} el ${el}`).toBe(true)
            }
          }
        }
      }
    }
    // Two rooms on, it would not be: that is why a jump follows at once.
    const overhead = sunOver(0, 0, [0, 1, 0]).shadow.getFrustum()
    expect(overhead.containsPoint(new Vector3(2 * ROOM_PITCH_M + half, 0, 0))).toBe(false)
  })
})

describe('shadesNearRooms', () => {
  /** The largest room (12 m square inside, walls 0.2 m, 6 m high) centred on room (x, z). */
  const largest = (x: number, z: number) =>
    new Box3(
      new Vector3(x * ROOM_PITCH_M - 6.2, 0, z * ROOM_PITCH_M - 6.2),
      new Vector3(x * ROOM_PITCH_M + 6.2, ROOM_MAX_HEIGHT_M, z * ROOM_PITCH_M + 6.2),
    )

  it('rooms next door always count; under a high sun, rooms two away do not', () => {
    const overhead = sunOver(0, 0, [0, 1, 0])
    for (const [x, z] of [
      [0, 0],
      [1, 0],
      [0, -1],
      [1, 1],
    ])
      expect(shadesNearRooms(overhead, largest(x, z))).toBe(true)
    expect(shadesNearRooms(overhead, largest(2, 0))).toBe(false)
    expect(shadesNearRooms(overhead, largest(0, -2))).toBe(false)
  })

  it('a low sun: rooms towards it count as far as their shadows reach, rooms behind the player never', () => {
    // The sun in the north (−z), 15° up: a 6 m wall's shadow is 22.4 m long.
    const el = SUN_MIN_ELEVATION_RAD
    const low = sunOver(0, 0, skyDirection(0, el) as [number, number, number])
    expect(ROOM_MAX_HEIGHT_M / Math.tan(el)).toBeCloseTo(22.39, 1)
    // Three rooms north: its south wall (35.8 m away) throws its shadow to 13.4 m, into the room next door.
    expect(shadesNearRooms(low, largest(0, -3))).toBe(true)
    // Four rooms north (49.8 m): the shadow ends at 27.4 m, short of the rooms next door.
    expect(shadesNearRooms(low, largest(0, -4))).toBe(false)
    // Rooms south of the player, inside the shadow camera, throw their shadows further south.
    expect(inShadowCamera(low, largest(0, 2))).toBe(true)
    expect(shadesNearRooms(low, largest(0, 2))).toBe(false)
    // Off to the side of the sun's line, nothing reaches.
    expect(shadesNearRooms(low, largest(3, -3))).toBe(false)
  })

  it('without a light, every caster counts', () => {
    expect(shadesNearRooms(null, largest(9, 9))).toBe(true)
  })
})
