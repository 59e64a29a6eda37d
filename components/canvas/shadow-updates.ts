'use client'

/**
 * The sun's shadow map is drawn when it can have changed, not every frame. What it holds depends only on the casters
 * (the rooms' geometry: fixed while a room is mounted; their shadow-pass material takes no texture) and on the sun
 * (its position follows the player's room and the sky's sun direction). three redraws it every frame by default: the
 * whole resident world again, at 2048², before each frame, which a software renderer pays for in full.
 */
import { useThree } from '@react-three/fiber'
import { useEffect, useLayoutEffect, type RefObject } from 'react'
import { Box3, Ray, Vector3, type DirectionalLight, type WebGLRenderer } from 'three'
import { ROOM_MAX_HEIGHT_M, ROOM_PITCH_M } from '../../world-gen'

/** Ask for the shadow map to be redrawn before the next frame. */
export function invalidateShadows(gl: WebGLRenderer): void {
  gl.shadowMap.needsUpdate = true
}

/** Draw `gl`'s shadow map on demand (and once now), also after the GL context comes back; returns the undo. */
function drawShadowsOnDemand(gl: WebGLRenderer): () => void {
  gl.shadowMap.autoUpdate = false
  invalidateShadows(gl)
  const canvas = gl.domElement
  const restored = () => invalidateShadows(gl)
  canvas.addEventListener('webglcontextrestored', restored)
  return () => {
    canvas.removeEventListener('webglcontextrestored', restored)
    gl.shadowMap.autoUpdate = true
  }
}

/** Draw the shadow map on demand for as long as the calling component is mounted. */
export function useShadowsOnDemand(): void {
  const gl = useThree((state) => state.gl)
  useEffect(() => drawShadowsOnDemand(gl), [gl])
}

/**
 * Whether an object within `box` (world space) can be in the shadow map `light` last drew: inside its shadow camera's
 * box. The map is redrawn whenever the light moves by more than a small step (WorldSky), so that camera is the
 * light's current one within that step. True without a light.
 */
export function inShadowCamera(light: DirectionalLight | null, box: Box3): boolean {
  return light === null || light.shadow.getFrustum().intersectsBox(box)
}

/**
 * Half the side of the square, around the room the sun centres on, whose shadows are kept exact as rooms come and go:
 * that room and the rooms next door (at most 6.2 m from their centres, a pitch away), up to their tallest walls.
 */
export const SHADED_NEAR_M = 1.5 * ROOM_PITCH_M

/**
 * Whether a caster within `box` (world space) can throw a shadow into the rooms near the sun's centre: the square
 * SHADED_NEAR_M either side of the light's target, from the floor to the tallest walls. Its shadow falls from it away
 * from the sun, so it can reach that block only if the block, pushed towards the sun, meets it: a ray test against the
 * two boxes' Minkowski difference. A low sun's shadow camera reaches rooms far along its line, behind the player as
 * well as ahead; a room mounting there changes nothing in the rooms the player can reach, and the shadow map, redrawn
 * at least on every room entry, picks it up then. True without a light.
 */
export function shadesNearRooms(light: DirectionalLight | null, box: Box3): boolean {
  if (light === null) return true
  const t = light.target.position
  const toSun = new Vector3().subVectors(light.position, t)
  if (toSun.lengthSq() === 0) return true
  const diff = new Box3(
    new Vector3(box.min.x - (t.x + SHADED_NEAR_M), box.min.y - ROOM_MAX_HEIGHT_M, box.min.z - (t.z + SHADED_NEAR_M)),
    new Vector3(box.max.x - (t.x - SHADED_NEAR_M), box.max.y, box.max.z - (t.z - SHADED_NEAR_M)),
  )
  return new Ray(new Vector3(), toSun.normalize()).intersectsBox(diff)
}

/**
 * A shadow caster within `box` (world space): the shadow map is redrawn when it mounts or unmounts (in the same
 * commit) inside the sun's shadow camera where it can shade the rooms near the player (`shadesNearRooms`). Rooms
 * stream in and out at the edge of the resident set, mostly far outside it.
 */
export function useShadowCaster(sun: RefObject<DirectionalLight | null>, box: Box3): void {
  const gl = useThree((state) => state.gl)
  useLayoutEffect(() => {
    const changed = () => {
      if (inShadowCamera(sun.current, box) && shadesNearRooms(sun.current, box)) invalidateShadows(gl)
    }
    changed()
    return changed
  }, [gl, sun, box])
}

/**
 * Whether the sun's shadow camera stays on the room it centres on (`held`) rather than follow the player into `room`:
 * only into a room next door (sharing a wall) while the sky's crossfade has yet to step the sun (`sunStepAhead`). Then
 * it waits for that step, made in shade, so one shadow-map redraw serves both moves instead of one on entering and
 * another half a fade later. Meanwhile the camera, 1.6 pitches either side of the old room, still holds the whole of
 * the room next door (at most 12 m across and 6 m high: within 22 m of the old room's centre).
 */
export function holdShadowCentre(
  held: { readonly x: number; readonly z: number },
  room: { readonly x: number; readonly z: number },
  sunStepAhead: boolean,
): boolean {
  return sunStepAhead && Math.abs(room.x - held.x) + Math.abs(room.z - held.z) === 1
}
