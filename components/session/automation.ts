import type { StoreApi } from 'zustand/vanilla'
import { room, type RoomSpec } from '../../world-gen'
import type { WorldStats, WorldStore } from '../stores/world-store'

/** A snapshot of the world view for tests and tools: plain data, safe to serialise. */
export type LatentscapeState = {
  seed: string
  room: { x: number; z: number }
  heading: number
  backend: string | null
  ready: boolean
  /** Player position on the floor plane in world metres (room (x, z) is centred at (14x, 14z)); null before the scene mounts. */
  position: { x: number; z: number } | null
  /** True once the current room's first full textures are on the GPU (the loading screen is gone). */
  textured: boolean
  /** The sky: generated (and for which room) or the placeholder gradient. */
  sky: LatentscapeSkyState
}

/** `getState().sky`. */
export type LatentscapeSkyState = {
  /** The generated sky of the room the player stands in is fully on screen (crossfade done). */
  ready: boolean
  /** Sky model version (`sky-v1-…`) once the sky generator has loaded; null before, or when it is unavailable. */
  version: string | null
  /** Whether the sky generator loaded: null until the worker has tried, false when unavailable (placeholder sky). */
  available: boolean | null
  /** The room whose generated sky is fully on screen; null while the placeholder gradient shows. */
  room: { x: number; z: number } | null
  /** Why the sky generator is unavailable (or the last sky failed); null when all is well. */
  error: string | null
}

/** The automation interface at `window.latentscape` (client only, present while a world view is mounted). */
export type LatentscapeApi = {
  /** Interface version; bumped on breaking changes. */
  version: 1
  /** Current state of the world view. */
  getState: () => LatentscapeState
  /** Teleport to the centre of room (x, z), optionally facing `heading` degrees. No-op before the scene mounts. */
  goTo: (x: number, z: number, heading?: number) => void
  /** Face `heading` degrees (0 north, 90 east) where the player stands. */
  setHeading: (heading: number) => void
  /** Look up (positive degrees) or down; clamped to ±87°. Teleports reset it to 0. */
  setPitch: (pitch: number) => void
  /** Streaming, GPU memory and frame-time figures. */
  getStats: () => WorldStats
  /** Forget the frame times recorded so far (benchmarks measure from here). */
  resetFrameStats: () => void
  /** Whether room (x, z) is resident with all its full-size textures on the GPU. */
  isRoomReady: (x: number, z: number) => boolean
  /** The layout of room (x, z) of this world (doors, openings, size…), as world-gen computes it. */
  getRoom: (x: number, z: number) => RoomSpec
}

declare global {
  interface Window {
    /** Automation interface of the Latentscape world view; see README "Automation". */
    latentscape?: LatentscapeApi
  }
}

const NO_STATS: WorldStats = {
  roomsLoaded: 0,
  roomsReady: 0,
  queueLength: 0,
  textureBytes: 0,
  textures: 0,
  geometries: 0,
  workerTensors: null,
  workerTensorBytes: null,
  workerRestarts: 0,
  frameMs: { median: 0, p95: 0, p99: 0, count: 0 },
  xr: { presenting: false, frames: 0, teleports: 0, frameRateHz: null },
}

/** Install `window.latentscape` over `store`; returns the function that removes it again. */
export function installAutomation(store: StoreApi<WorldStore>): () => void {
  const api: LatentscapeApi = {
    version: 1,
    getState: () => {
      const { seed, room: r, heading, backend, ready, probe, firstRoomTextured, sky } = store.getState()
      return {
        seed,
        room: { x: r.x, z: r.z },
        heading,
        backend,
        ready,
        position: probe?.getPosition() ?? null,
        textured: firstRoomTextured,
        sky: {
          ready: sky.room !== null && sky.room.x === r.x && sky.room.z === r.z,
          version: sky.version,
          available: sky.available,
          room: sky.room === null ? null : { x: sky.room.x, z: sky.room.z },
          error: sky.error,
        },
      }
    },
    goTo: (x, z, heading) => store.getState().probe?.goTo(x, z, heading),
    setHeading: (heading) => store.getState().probe?.setHeading(heading),
    setPitch: (pitch) => store.getState().probe?.setPitch(pitch),
    getStats: () => store.getState().probe?.getStats() ?? NO_STATS,
    resetFrameStats: () => store.getState().probe?.resetFrameStats(),
    isRoomReady: (x, z) => store.getState().probe?.isRoomReady(x, z) ?? false,
    getRoom: (x, z) => room(store.getState().seed, x, z),
  }
  window.latentscape = api
  return () => {
    // Only remove our own instance: a newer world view may have installed its own in the meantime.
    if (window.latentscape === api) delete window.latentscape
  }
}
