'use client'

import { Canvas, useFrame, useThree } from '@react-three/fiber'
import { XR, type XRStore } from '@react-three/xr'
import { useEffect, useMemo, useRef, useState } from 'react'
import { encodeWorldUrl, ROOM_PITCH_M, roomKey } from '../../world-gen'
import { FrameStats } from '../session/frame-stats'
import { PlayerRig } from '../../world-gen/player-rig'
import {
  useWorldStore,
  useWorldStoreApi,
  type RoomCoord,
  type WorldStats,
  type WorldStore,
} from '../stores/world-store'
import { WorldStreamer } from '../streaming/world-streamer'
import { EnterVRButton } from '../dom/enter-vr-button'
import { cacheUrlsForOffline } from '../offline/service-worker'
import { createWorldXRStore } from '../xr/xr-store'
import { createXRTelemetry, type XRTelemetry } from '../xr/xr-telemetry'
import { PlayerControls } from './player-controls'
import { RoomSurfaces } from './room-surfaces'
import { StreamedRooms } from './streamed-rooms'
import { XRWorld } from './xr-world'
import { skyPalette } from './world-palette'
import type { SkyDome } from './sky-dome'
import { useSkyDome, WorldSky } from './world-sky'

/** How often the player's place is synced to the store, the streaming plan and the URL, in ms (not per frame). */
const SYNC_INTERVAL_MS = 100
/** Heading changes reach the store and the URL at most this often, in ms. */
const HEADING_SYNC_MS = 500

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

/**
 * Ties the per-frame world (player rig, streamer) to the store, the streaming plan and the URL on a timer, and
 * offers the probe used by `window.latentscape`. Store writes happen here, never in a frame loop (W6).
 */
function WorldSync({
  rig,
  streamer,
  frames,
  surfaces,
  telemetry,
  dome,
}: {
  rig: PlayerRig
  streamer: WorldStreamer
  frames: FrameStats
  surfaces: RoomSurfaces
  telemetry: XRTelemetry
  dome: SkyDome
}) {
  const store = useWorldStoreApi()
  const gl = useThree((state) => state.gl)

  useEffect(() => {
    let lastHeadingSyncMs = -Infinity
    const tick = () => {
      const state = store.getState()
      const nowMs = performance.now()
      let urlDirty = false
      if (rig.roomX !== state.room.x || rig.roomZ !== state.room.z) {
        state.setRoom({ x: rig.roomX, z: rig.roomZ })
        urlDirty = true
      }
      const heading = Math.round(rig.headingDeg) % 360
      if (heading !== state.heading && (urlDirty || nowMs - lastHeadingSyncMs >= HEADING_SYNC_MS)) {
        state.setHeading(heading)
        lastHeadingSyncMs = nowMs
        urlDirty = true
      }
      if (urlDirty) replaceUrl(state.seed, rig.roomX, rig.roomZ, heading)
      streamer.update({ position: [rig.x, rig.z], headingRad: rig.headingRad, speedMps: rig.speedMps })
      if (!state.firstRoomTextured && streamer.roomReady(rig.roomX, rig.roomZ)) state.markFirstRoomTextured()
      syncSky(state, dome)
    }
    tick()
    const timer = window.setInterval(tick, SYNC_INTERVAL_MS)
    return () => window.clearInterval(timer)
  }, [store, rig, streamer, dome])

  useEffect(() => {
    const getStats = (): WorldStats => ({
      ...streamer.stats(),
      textures: gl.info.memory.textures,
      geometries: gl.info.memory.geometries,
      frameMs: frames.summary(),
      xr: { ...telemetry },
    })
    store.getState().setProbe({
      getStats,
      goTo: (x, z, headingDeg) => rig.teleport(x, z, headingDeg),
      setHeading: (headingDeg) => {
        rig.headingRad = (headingDeg * Math.PI) / 180
      },
      setPitch: (pitchDeg) => rig.look(0, (pitchDeg * Math.PI) / 180 - rig.pitchRad),
      getPosition: () => ({ x: rig.x, z: rig.z }),
      resetFrameStats: () => frames.reset(),
      isRoomReady: (x, z) => streamer.roomReady(x, z),
      currentTextures: () => surfaces.texturesOf(roomKey(rig.roomX, rig.roomZ)),
      currentSky: () => {
        const shown = dome.shown()
        if (shown === null) return null
        const { sky } = shown
        const [x, z] = sky.key.split(',').map(Number)
        return {
          room: { x, z },
          version: sky.version,
          widthPx: sky.widthPx,
          heightPx: sky.heightPx,
          pixels: sky.pixels,
          ground: sky.light.ground,
        }
      },
    })
    return () => store.getState().setProbe(null)
  }, [store, rig, streamer, frames, gl, surfaces, telemetry, dome])

  return null
}

/** Mirror the sky on screen into the store when it changes (from the sync timer, never the frame loop: W6). */
function syncSky(state: WorldStore, dome: SkyDome): void {
  const shown = dome.shown()
  let room: RoomCoord | null = null
  if (shown !== null && shown.settled) {
    const [x, z] = shown.key.split(',').map(Number)
    room = { x, z }
  }
  const was = state.sky.room
  if (was?.x !== room?.x || was?.z !== room?.z) state.setSky({ room })
}

/** Keep the address bar on the player's room and heading without adding history entries. */
function replaceUrl(seed: string, x: number, z: number, heading: number): void {
  let path = encodeWorldUrl({ seed, x, z, heading })
  // Keep options that are not part of the location (e.g. ?tex=). Appended by hand: URLSearchParams would
  // re-encode the codec's `r=x,z` as `r=x%2Cz`.
  for (const [k, v] of new URLSearchParams(window.location.search))
    if (k !== 'r' && k !== 'h') path += `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`
  window.history.replaceState(window.history.state, '', path)
}

// Renderer-bound owners: the surfaces cache needs the WebGLRenderer, so it lives inside <Canvas>.
function World({
  rig,
  streamer,
  frames,
  telemetry,
}: {
  rig: PlayerRig
  streamer: WorldStreamer
  frames: FrameStats
  telemetry: XRTelemetry
}) {
  const gl = useThree((state) => state.gl)
  const seed = useWorldStore((state) => state.seed)
  const surfaces = useMemo(() => new RoomSurfaces(gl), [gl])
  useEffect(() => () => surfaces.dispose(), [surfaces])
  const dome = useSkyDome(seed)
  return (
    <>
      <WorldSky rig={rig} streamer={streamer} dome={dome} />
      <StreamedRooms streamer={streamer} surfaces={surfaces} />
      <PlayerControls rig={rig} frames={frames} />
      <WorldSync rig={rig} streamer={streamer} frames={frames} surfaces={surfaces} telemetry={telemetry} dome={dome} />
      <XRWorld rig={rig} streamer={streamer} telemetry={telemetry} />
    </>
  )
}

/**
 * Owns the view's XR store: created here, in a client-only module loaded with ssr: false, never at module scope
 * (STYLE L4), and destroyed on unmount. The destroy waits a task so that Strict Mode's simulated unmount/remount
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

/** Owns the world's streamer for the life of the view (W4): `init` on mount, `destroy` on unmount. */
function useWorldStreamer(): WorldStreamer {
  const store = useWorldStoreApi()
  const [streamer] = useState(() => {
    const { seed, texSizePx } = store.getState()
    return new WorldStreamer({
      seed,
      texSizePx,
      // Status arrives from the worker's onmessage: plain store updates, outside any frame loop.
      onStatus: ({ backend, ...patch }) => {
        const state = store.getState()
        if (backend !== undefined) state.setBackend(backend)
        state.setLoading(patch)
      },
      onSkyStatus: ({ available, version, error }) => store.getState().setSky({ available, version, error }),
      onWorkerScripts: cacheUrlsForOffline,
    })
  })
  useEffect(() => {
    streamer.init()
    return () => streamer.destroy()
  }, [streamer])
  return streamer
}

/**
 * The world view's R3F canvas: streamed rooms with generated surfaces, the walking player, the generated sky and the
 * lights that follow it, all inside
 * `<XR>` so the same scene runs in a headset; plus the "Enter VR" button bound to this view's XR store.
 */
export default function WorldScene() {
  const store = useWorldStoreApi()
  const seed = useWorldStore((state) => state.seed)
  const fogColor = useMemo(() => skyPalette(seed).horizon, [seed])
  const [rig] = useState(() => {
    const { room, heading } = store.getState()
    return new PlayerRig(seed, room.x, room.z, heading)
  })
  const [frames] = useState(() => new FrameStats())
  const streamer = useWorldStreamer()
  const xrStore = useWorldXRStore()
  const [telemetry] = useState(createXRTelemetry)
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
          <World rig={rig} streamer={streamer} frames={frames} telemetry={telemetry} />
        </XR>
        <FirstFrameSignal />
      </Canvas>
      <EnterVRButton store={xrStore} />
    </>
  )
}
