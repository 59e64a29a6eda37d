'use client'

import { Canvas, useFrame, useThree } from '@react-three/fiber'
import { XR, type XRStore } from '@react-three/xr'
import { useEffect, useMemo, useRef, useState } from 'react'
import { ROOM_PITCH_M } from '../../world-gen'
import { EnterVRButton } from '../dom/enter-vr-button'
import type { WorldSession } from '../session/world-session'
import { useWorldSession } from '../session/world-session-context'
import { useWorldStore, useWorldStoreApi } from '../stores/world-store'
import { createWorldXRStore } from '../xr/xr-store'
import { PlayerControls } from './player-controls'
import { RoomSurfaces } from './room-surfaces'
import { StreamedRooms } from './streamed-rooms'
import { XRWorld } from './xr-world'
import { skyPalette } from './world-palette'
import { useSkyDome, WorldSky } from './world-sky'

// Flips `ready` once after the first rendered frame: a single store update, never one per frame.
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

// Renderer-bound owners: the surfaces cache needs the WebGLRenderer, so it lives inside <Canvas>; the session reads
// them (sky on screen, textures for export, renderer memory) while they are attached.
function World({ session }: { session: WorldSession }) {
  const gl = useThree((state) => state.gl)
  const seed = useWorldStore((state) => state.seed)
  const surfaces = useMemo(() => new RoomSurfaces(gl), [gl])
  useEffect(() => () => surfaces.dispose(), [surfaces])
  const dome = useSkyDome(seed)
  useEffect(
    () =>
      session.attachScene({
        shownSky: () => dome.shown(),
        texturesOf: (key) => surfaces.texturesOf(key),
        memory: () => ({ textures: gl.info.memory.textures, geometries: gl.info.memory.geometries }),
      }),
    [session, dome, surfaces, gl],
  )
  const { rig, streamer, frames, telemetry } = session
  return (
    <>
      <WorldSky rig={rig} streamer={streamer} dome={dome} lighting={session} />
      <StreamedRooms streamer={streamer} surfaces={surfaces} />
      <PlayerControls rig={rig} frames={frames} stick={session.stick} />
      <XRWorld rig={rig} streamer={streamer} telemetry={telemetry} />
    </>
  )
}

/**
 * Owns the view's XR store: created here, in a client-only module loaded with ssr: false, never at module scope
 * (creating it touches window and document), and destroyed on unmount. The destroy waits a task so that Strict Mode's simulated unmount/remount
 * (same state, effects run twice) does not leave the view holding a destroyed store.
 */
function useWorldXRStore(): XRStore {
  const [xrStore] = useState(createWorldXRStore)
  const pendingDestroy = useRef<number | undefined>(undefined)
  useEffect(() => {
    window.clearTimeout(pendingDestroy.current)
    return () => {
      pendingDestroy.current = window.setTimeout(() => xrStore.destroy(), 0)
    }
  }, [xrStore])
  return xrStore
}

/**
 * The world view's R3F canvas: streamed rooms with generated surfaces, the walking player, the generated sky and the
 * lights that follow it, all inside
 * `<XR>` so the same scene runs in a headset; plus the "Enter VR" button bound to this view's XR store.
 */
export default function WorldScene() {
  const seed = useWorldStore((state) => state.seed)
  const fogColor = useMemo(() => skyPalette(seed).horizon, [seed])
  const session = useWorldSession()
  // The session's worker and sync timer run while the scene is mounted, as its renderer does.
  useEffect(() => session.start(), [session])
  const xrStore = useWorldXRStore()
  return (
    <>
      <Canvas
        className="world-canvas"
        dpr={[1, 2]}
        // preserveDrawingBuffer keeps the last frame readable (tests read pixels back; PNG export will too).
        gl={{ preserveDrawingBuffer: true, antialias: true }}
        camera={{ fov: 70, near: 0.05, far: 400 }}
        shadows
      >
        <color attach="background" args={[fogColor]} />
        {/* The fog colour follows the sky's horizon (WorldSky sets it every frame). */}
        <fog attach="fog" args={[fogColor, ROOM_PITCH_M * 1.2, ROOM_PITCH_M * 3.5]} />
        <XR store={xrStore}>
          <World session={session} />
        </XR>
        <FirstFrameSignal />
      </Canvas>
      <EnterVRButton store={xrStore} />
    </>
  )
}
