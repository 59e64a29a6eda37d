'use client'

import { useFrame, useThree } from '@react-three/fiber'
import { useEffect, useImperativeHandle, useMemo, useRef, type RefObject } from 'react'
import { Color, Fog, Vector3, type DirectionalLight, type HemisphereLight } from 'three'
import { ROOM_PITCH_M, roomKey, type RoomKey, type SkyLighting } from '../../world-gen'
import type { PlayerRig } from '../../world-gen/player-rig'
import type { LightingOverride } from '../session/world-session'
import type { WorldStreamer } from '../streaming/world-streamer'
import { holdShadowCentre, invalidateShadows, useShadowsOnDemand } from './shadow-updates'
import { SkyDome } from './sky-dome'
import { skyPalette } from './world-palette'

/** Distance of the directional light from its target, metres (inside the shadow camera's far plane). */
const SUN_DISTANCE_M = 30
/**
 * How far the sun moves before its shadow map is redrawn: 0.25 m at 30 m is about half a degree, which moves the shadow
 * of a 5 m wall's top by under 9 cm on the floor while the sun stands above 45°. A new room moves it by a room pitch.
 */
const SHADOW_SUN_STEP_M = 0.25

/**
 * Lighting of the placeholder gradient (no generated sky): a cool sky light, a warm dark ground, the sun high in the
 * south-west. Colours are linear, as `Color` stores them.
 */
function fallbackLighting(fog: Color): SkyLighting {
  const dir = [-12, 22, 16]
  const len = Math.hypot(dir[0], dir[1], dir[2])
  return {
    hemiSky: new Color(0xdde6ff).toArray() as SkyLighting['hemiSky'],
    hemiGround: new Color(0x3a322a).toArray() as SkyLighting['hemiGround'],
    hemiIntensity: 1.1,
    sunColor: [1, 1, 1],
    sunIntensity: 2.2,
    sunDirection: [dir[0] / len, dir[1] / len, dir[2] / len],
    shadowIntensity: 1,
    fog: fog.toArray() as SkyLighting['fog'],
  }
}

/** Intensity of the white sun of a `sun` lighting override unless it says (the sky's own sun peaks near 3). */
const OVERRIDE_SUN_INTENSITY = 3
/** Intensity of the white ambient light of the `unlit` lighting override. */
const UNLIT_INTENSITY = 2

/**
 * The sky and the lights that follow it: the sky dome (generated sky of the room the player stands in, crossfading
 * when it changes; the placeholder gradient until one arrives), the hemisphere light, the sun (a shadow-casting
 * directional light centred on the player's room, see `holdShadowCentre`) and the fog colour, all driven every frame from `dome.lighting`,
 * unless `lighting.lighting` (automation) overrides the lights.
 */
export function WorldSky({
  rig,
  streamer,
  dome,
  lighting,
  sun,
}: {
  rig: PlayerRig
  streamer: WorldStreamer
  dome: SkyDome
  lighting?: { readonly lighting: LightingOverride | null }
  /** Set to the sun once mounted: the rooms test themselves against its shadow camera (read only there). */
  sun: RefObject<DirectionalLight | null>
}) {
  const gl = useThree((state) => state.gl)
  const scene = useThree((state) => state.scene)
  const hemi = useRef<HemisphereLight>(null)
  const sunLight = useRef<DirectionalLight>(null)
  useImperativeHandle(sun, () => sunLight.current!, [])
  // The room key of the player, rebuilt only when the room changes (no string built per frame).
  const room = useRef<{ x: number; z: number; key: RoomKey }>({ x: NaN, z: NaN, key: '0,0' })
  const extentM = ROOM_PITCH_M * 1.6
  // The shadow map is redrawn when the sun moves (here) or a room mounts or unmounts (StreamedRoom).
  useShadowsOnDemand()
  const shadowSunAt = useMemo(() => new Vector3(Number.NaN, 0, 0), [])
  // The room the sun (and its shadow camera) centres on: the player's, a little later on entering a room next door.
  const sunRoom = useRef({ x: NaN, z: NaN })

  useFrame((_, deltaS) => {
    const r = room.current
    if (r.x !== rig.roomX || r.z !== rig.roomZ) {
      r.x = rig.roomX
      r.z = rig.roomZ
      r.key = roomKey(r.x, r.z)
    }
    const sky = streamer.skyOf(r.key)
    if (sky !== undefined) dome.show(sky, gl)
    dome.tick(deltaS, gl)
    const l = dome.lighting
    const override = lighting?.lighting ?? null
    if (hemi.current !== null) {
      if (override?.kind === 'unlit') {
        // The same white from above and below: irradiance independent of the normal, so no relief shows.
        hemi.current.color.setRGB(1, 1, 1)
        hemi.current.groundColor.setRGB(1, 1, 1)
        hemi.current.intensity = UNLIT_INTENSITY
      } else {
        hemi.current.color.setRGB(l.hemiSky[0], l.hemiSky[1], l.hemiSky[2])
        hemi.current.groundColor.setRGB(l.hemiGround[0], l.hemiGround[1], l.hemiGround[2])
        hemi.current.intensity = l.hemiIntensity
      }
    }
    const light = sunLight.current
    if (light !== null) {
      const held = sunRoom.current
      if (!holdShadowCentre(held, r, override === null && dome.sunStepAhead())) {
        held.x = r.x
        held.z = r.z
      }
      const cx = held.x * ROOM_PITCH_M
      const cz = held.z * ROOM_PITCH_M
      light.color.setRGB(l.sunColor[0], l.sunColor[1], l.sunColor[2])
      light.intensity = l.sunIntensity
      light.shadow.intensity = l.shadowIntensity
      // The target is not part of the scene graph: update its matrix by hand after moving it.
      light.target.position.set(cx, 0, cz)
      light.target.updateMatrixWorld()
      // Plain locals, not a destructured tuple: nothing is allocated per frame.
      let dx = l.sunDirection[0]
      let dy = l.sunDirection[1]
      let dz = l.sunDirection[2]
      if (override?.kind === 'sun') {
        const az = (override.azimuthDeg * Math.PI) / 180
        const el = (override.elevationDeg * Math.PI) / 180
        // Azimuth 0 is north (−z), 90 east (+x), as headings are.
        dx = Math.sin(az) * Math.cos(el)
        dy = Math.sin(el)
        dz = -Math.cos(az) * Math.cos(el)
        light.color.setRGB(1, 1, 1)
        light.intensity = override.intensity ?? OVERRIDE_SUN_INTENSITY
        light.shadow.intensity = 1
      } else if (override?.kind === 'unlit') light.intensity = 0
      light.position.set(cx + dx * SUN_DISTANCE_M, dy * SUN_DISTANCE_M, cz + dz * SUN_DISTANCE_M)
      // The sun's position says all that moves its shadow camera: the target is the room centre, with it. A sky
      // crossfade turns the sun by at most a degree, followed in steps of SHADOW_SUN_STEP_M; a larger turn it makes
      // in one step, in shade (mixSkyLighting), and a move into the room next door waits for that step.
      if (!(light.position.distanceToSquared(shadowSunAt) < SHADOW_SUN_STEP_M ** 2)) {
        shadowSunAt.copy(light.position)
        invalidateShadows(gl)
      }
    }
    if (scene.fog instanceof Fog) scene.fog.color.setRGB(l.fog[0], l.fog[1], l.fog[2])
  })

  return (
    <>
      {/* Owned by `dome`: the reconciler must not dispose them. */}
      <mesh geometry={dome.geometry} material={dome.material} renderOrder={-1} frustumCulled={false} dispose={null} />
      <hemisphereLight ref={hemi} />
      <directionalLight
        ref={sunLight}
        castShadow
        shadow-mapSize={[2048, 2048]}
        shadow-bias={-0.0004}
        shadow-normalBias={0.03}
        shadow-camera-left={-extentM}
        shadow-camera-right={extentM}
        shadow-camera-top={extentM}
        shadow-camera-bottom={-extentM}
        shadow-camera-far={SUN_DISTANCE_M * 3}
      />
    </>
  )
}

/** The world's sky dome, created once per seed and disposed with the view. */
export function useSkyDome(seed: string): SkyDome {
  const dome = useMemo(() => {
    const palette = skyPalette(seed)
    return new SkyDome(palette, fallbackLighting(palette.horizon))
  }, [seed])
  useEffect(() => () => dome.dispose(), [dome])
  return dome
}
