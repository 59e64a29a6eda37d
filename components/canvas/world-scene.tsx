'use client'

import { Canvas, useFrame, useThree } from '@react-three/fiber'
import { XR, type XRStore } from '@react-three/xr'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { DirectionalLight } from 'three'
import { ROOM_PITCH_M } from '../../world-gen'
import { EnterVRButton } from '../dom/enter-vr-button'
import type { FrameStats } from '../session/frame-stats'
import type { WorldSession } from '../session/world-session'
import type { WorldStreamer } from '../streaming/world-streamer'
import { useWorldSession } from '../session/world-session-context'
import { loadingCovers, useWorldStore, useWorldStoreApi } from '../stores/world-store'
import { createWorldXRStore } from '../xr/xr-store'
import { PlayerControls } from './player-controls'
import { RoomSurfaces } from './room-surfaces'
import { StreamedRooms } from './streamed-rooms'
import { XRWorld } from './xr-world'
import { skyPalette } from './world-palette'
import { useSkyDome, WorldSky } from './world-sky'

// Flips `ready` once, on the first frame that is drawn (none is while the loading screen covers the canvas, see
// HoldRenderingWhileCovered): a single store update, never one per frame.
function FirstFrameSignal() {
  const store = useWorldStoreApi()
  const signalled = useRef(false)
  useFrame(({ gl }) => {
    if (signalled.current) return
    if (loadingCovers(store.getState()) && !gl.xr.isPresenting) return
    signalled.current = true
    store.getState().markReady()
  })
  return null
}

/**
 * Mounted while the opaque loading screen covers the canvas: a frame subscriber with a positive priority takes over
 * R3F's rendering, and it draws nothing, so the frame loop (texture uploads, the first-frame signal) goes on while the
 * CPU and GPU go to generating the first room instead of drawing a scene nobody can see. Unmounted, R3F draws again.
 * A headset shows no DOM overlay, so an XR session always draws.
 */
function HoldRenderingWhileCovered() {
  useFrame(({ gl, scene, camera }) => {
    if (gl.xr.isPresenting) gl.render(scene, camera)
  }, 1)
  return null
}

/**
 * Records every frame's time (desktop and XR) with what the main thread did before it: runs first in each frame
 * (negative priority: before every other subscriber, without taking over rendering), so the work noted during the
 * previous frame, its uploads (StreamedRooms notes them), the programs its render compiled and the rooms mounted since,
 * goes with the time that work took to reach this frame.
 */
function FrameProbe({ frames, streamer }: { frames: FrameStats; streamer: WorldStreamer }) {
  const gl = useThree((state) => state.gl)
  const programs = useRef(0)
  useEffect(() => streamer.store.subscribe(() => frames.note('mount')), [streamer, frames])
  useFrame((_, delta) => {
    const compiled = gl.info.programs?.length ?? 0
    if (compiled > programs.current) frames.note('program')
    programs.current = compiled
    if (streamer.busy()) frames.note('generating')
    frames.push(delta * 1000)
  }, -1)
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
        memory: () => ({
          textures: gl.info.memory.textures,
          geometries: gl.info.memory.geometries,
          surfaceTextures: surfaces.textureCount(),
        }),
      }),
    [session, dome, surfaces, gl],
  )
  const { rig, streamer, frames, telemetry } = session
  // The sun: WorldSky drives it; the rooms test themselves against its shadow camera (StreamedRoom).
  const sun = useRef<DirectionalLight>(null)
  return (
    <>
      <FrameProbe frames={frames} streamer={streamer} />
      <WorldSky rig={rig} streamer={streamer} dome={dome} lighting={session} sun={sun} />
      <StreamedRooms streamer={streamer} surfaces={surfaces} frames={frames} sun={sun} />
      <PlayerControls rig={rig} stick={session.stick} />
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
  const xrStore = useWorldXRStore()
  const covered = useWorldStore(loadingCovers)
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
        {covered && <HoldRenderingWhileCovered />}
      </Canvas>
      <EnterVRButton store={xrStore} />
    </>
  )
}
