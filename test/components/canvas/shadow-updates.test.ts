import { describe, expect, it } from 'vitest'
import { Box3, DirectionalLight, Vector3 } from 'three'
import { inShadowCamera } from '../../../components/canvas/shadow-updates'
import { ROOM_PITCH_M } from '../../../world-gen'

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
