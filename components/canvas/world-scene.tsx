'use client'

import { Canvas, useFrame, useThree } from '@react-three/fiber'
import { useEffect, useMemo, useRef } from 'react'
import { BackSide, type DirectionalLight } from 'three'
import { createGradientSkyUniforms, GRADIENT_SKY_FRAGMENT, GRADIENT_SKY_VERTEX } from '../../shaders/gradient-sky.glsl'
import { useWorldStore, useWorldStoreApi } from '../stores/world-store'
import { FLOOR_TILE_M, usePlaceholderAssets } from './placeholder-assets'
import { PlaceholderRoom, ROOM_SIZE_M } from './placeholder-room'
import { skyPalette } from './world-palette'

const EYE_HEIGHT_M = 1.6
// Rooms drawn around the player's room: a 3 × 3 block, so every doorway looks into a neighbour.
const NEIGHBOURHOOD = [-1, 0, 1].flatMap((dz) => [-1, 0, 1].map((dx) => [dx, dz] as const))

function Sky({ seed }: { seed: string }) {
  const uniforms = useMemo(() => {
    const palette = skyPalette(seed)
    return createGradientSkyUniforms(palette.horizon, palette.zenith, palette.ground)
  }, [seed])
  return (
    <mesh renderOrder={-1} frustumCulled={false}>
      <sphereGeometry args={[200, 32, 16]} />
      <shaderMaterial
        uniforms={uniforms}
        vertexShader={GRADIENT_SKY_VERTEX}
        fragmentShader={GRADIENT_SKY_FRAGMENT}
        side={BackSide}
        depthWrite={false}
        fog={false}
      />
    </mesh>
  )
}

// Places the camera at the room the store names, looking along its heading. Runs on changes, not per frame.
function CameraRig() {
  const camera = useThree((state) => state.camera)
  const room = useWorldStore((state) => state.room)
  const heading = useWorldStore((state) => state.heading)
  useEffect(() => {
    const yawRad = (-heading * Math.PI) / 180
    // Stand a little behind the room centre so the view frames the doorway ahead.
    const backM = ROOM_SIZE_M * 0.3
    camera.position.set(
      room.x * ROOM_SIZE_M + Math.sin(yawRad) * backM,
      EYE_HEIGHT_M,
      room.z * ROOM_SIZE_M + Math.cos(yawRad) * backM,
    )
    camera.rotation.set(-0.04, yawRad, 0, 'YXZ')
  }, [camera, room, heading])
  return null
}

// Flips `ready` once after the first rendered frame. A single setState, not one per frame (STYLE.md W6).
function FirstFrameSignal() {
  const store = useWorldStoreApi()
  const signalled = useRef(false)
  useFrame(() => {
    if (signalled.current) return
    signalled.current = true
    store.getState().markReady()
  })
  return null
}

// Key light from behind-left of a north-facing player; follows the player's room so its shadow map stays on it.
function SunLight() {
  const room = useWorldStore((state) => state.room)
  const light = useRef<DirectionalLight>(null)
  const centre: [number, number, number] = [room.x * ROOM_SIZE_M, 0, room.z * ROOM_SIZE_M]
  useEffect(() => {
    // The target is not part of the scene graph; update its matrix by hand after moving it.
    light.current?.target.position.set(...centre)
    light.current?.target.updateMatrixWorld()
  })
  const extentM = ROOM_SIZE_M * 1.6
  return (
    <directionalLight
      ref={light}
      position={[centre[0] - 10, 16, centre[2] + 14]}
      intensity={2.4}
      castShadow
      shadow-mapSize={[2048, 2048]}
      shadow-camera-left={-extentM}
      shadow-camera-right={extentM}
      shadow-camera-top={extentM}
      shadow-camera-bottom={-extentM}
      shadow-camera-far={80}
    />
  )
}

/** The world view's R3F canvas: placeholder rooms around the player, a seeded sky, fog and light. Client only. */
export default function WorldScene() {
  const seed = useWorldStore((state) => state.seed)
  const room = useWorldStore((state) => state.room)
  const fogColor = useMemo(() => skyPalette(seed).horizon, [seed])
  const assets = usePlaceholderAssets()
  // Every floor is one room in size, so one repeat setting serves them all.
  assets.floorTexture.repeat.set(ROOM_SIZE_M / FLOOR_TILE_M, ROOM_SIZE_M / FLOOR_TILE_M)
  return (
    <Canvas
      className="world-canvas"
      dpr={[1, 2]}
      // preserveDrawingBuffer keeps the last frame readable (tests read pixels back; PNG export will too).
      gl={{ preserveDrawingBuffer: true, antialias: true }}
      camera={{ fov: 70, near: 0.05, far: 400 }}
      shadows
    >
      <color attach="background" args={[fogColor]} />
      <fog attach="fog" args={[fogColor, ROOM_SIZE_M * 0.9, ROOM_SIZE_M * 3.2]} />
      <hemisphereLight args={[0xdde6ff, 0x2a2420, 0.85]} />
      <SunLight />
      <Sky seed={seed} />
      {NEIGHBOURHOOD.map(([dx, dz]) => (
        <PlaceholderRoom
          key={`${room.x + dx},${room.z + dz}`}
          seed={seed}
          x={room.x + dx}
          z={room.z + dz}
          assets={assets}
        />
      ))}
      <CameraRig />
      <FirstFrameSignal />
    </Canvas>
  )
}
