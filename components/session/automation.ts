import type { StoreApi } from 'zustand/vanilla'
import { room, surfaceMapRgba, type RoomSpec, type SurfaceMap } from '../../world-gen'
import type { WorldStore } from '../stores/world-store'
import type { CurrentTexture, LightingOverride, WorldSession, WorldStats } from './world-session'

/** A snapshot of the world view for tests and tools: plain data, safe to serialise. */
export type LatentscapeState = {
  seed: string
  room: { x: number; z: number }
  heading: number
  backend: string | null
  /** Threads the backend computes on (more than 1 only for threaded wasm); null until the generator runs. */
  threads: number | null
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

/** `getSurfaces()`: a generated texture on a room's surface, described for tests. */
export type LatentscapeSurface = {
  slot: string
  widthPx: number
  heightPx: number
  /** Its maps: `color`, and `height`, `normal`, `roughness` where a relief model painted it. */
  maps: SurfaceMap[]
  /** A 64-bit FNV-1a hex digest of each map's pixels (as exports write them): equal digests, equal maps. */
  digests: Partial<Record<SurfaceMap, string>>
}

/**
 * `getSkyShading()`: what the sky shader paints the shown sky's clouds from (world-gen `SkyShading`), its arrays as
 * base64 of their bytes, so a test can predict the canvas pixel by pixel.
 */
export type LatentscapeSkyShading = {
  room: { x: number; z: number }
  /** RGBA8 `[tileSize, tileSize, 4]`, linear: R = cloud cover, G = cover × brightness. */
  layerBase64: string
  tileSize: number
  tilesPerUnit: number
  /** Half floats (IEEE binary16, little-endian) RGBA `[3 × termsHeightPx, termsWidthPx, 4]`: the bands S, P, Q. */
  termsBase64: string
  termsWidthPx: number
  termsHeightPx: number
  sunDirection: [number, number, number]
  overcast: number
}

/** Base64 of bytes, in chunks (a spread of a large array would overflow the call stack). */
function base64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
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
  /** The generated textures on room (x, z)'s surfaces (a mounted room): their maps and digests; [] before any. */
  getSurfaces: (x: number, z: number) => LatentscapeSurface[]
  /**
   * Light the world with a fixed white sun (`{ kind: 'sun', azimuthDeg, elevationDeg }`: 0 north, 90 east; degrees
   * above the horizon) or `{ kind: 'unlit' }` (no sun, a uniform white ambient light: the colour maps unshaded) in
   * place of the sky's lights; null gives the sky's lights back. Throws on bad angles.
   */
  setLighting: (lighting: LightingOverride | null) => void
  /** The shading of the generated sky fully on screen; null while none is, or when it is shown as a panorama only. */
  getSkyShading: () => LatentscapeSkyShading | null
}

/** FNV-1a over bytes, two lanes (as the worker's texture cache keys), as 16 hex digits. */
function digest(bytes: Uint8Array): string {
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193)
    b = Math.imul(b ^ bytes[i]!, 0x85ebca6b) ^ (b >>> 15)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}

/** What `getSurfaces` says of one texture. */
function describeSurface(t: CurrentTexture): LatentscapeSurface {
  const maps: SurfaceMap[] = t.relief === undefined ? ['color'] : ['color', 'height', 'normal', 'roughness']
  const digests: Partial<Record<SurfaceMap, string>> = {}
  for (const map of maps) digests[map] = digest(surfaceMapRgba(map, t.pixels, t.width, t.height, t.relief))
  return { slot: t.slot, widthPx: t.width, heightPx: t.height, maps, digests }
}

declare global {
  interface Window {
    /** Automation interface of the Latentscape world view; see README "Automation". */
    latentscape?: LatentscapeApi
  }
}

/**
 * Install `window.latentscape` over the view's UI state (`store`) and its running world (`session`); returns the
 * function that removes it again.
 */
export function installAutomation(store: StoreApi<WorldStore>, session: WorldSession): () => void {
  const api: LatentscapeApi = {
    version: 1,
    getState: () => {
      const { seed, room: r, heading, backend, ready, firstRoomTextured, sky, loading } = store.getState()
      // The session's view of the sky on screen, updated in the same sync as the store's (so as the HUD's).
      const skyRoom = session.shownSkyRoom()
      return {
        seed,
        room: { x: r.x, z: r.z },
        heading,
        backend,
        threads: loading.threads,
        ready,
        position: session.attached ? session.position() : null,
        textured: firstRoomTextured,
        sky: {
          ready: skyRoom !== null && skyRoom.x === r.x && skyRoom.z === r.z,
          version: sky.version,
          available: sky.available,
          room: skyRoom,
          error: sky.error,
        },
      }
    },
    goTo: (x, z, heading) => {
      if (session.attached) session.goTo(x, z, heading)
    },
    setHeading: (heading) => {
      if (session.attached) session.setHeading(heading)
    },
    setPitch: (pitch) => {
      if (session.attached) session.setPitch(pitch)
    },
    getStats: () => session.stats(),
    resetFrameStats: () => session.frames.reset(),
    isRoomReady: (x, z) => session.streamer.roomReady(x, z),
    getRoom: (x, z) => room(store.getState().seed, x, z),
    getSurfaces: (x, z) => session.texturesOf(x, z).map(describeSurface),
    setLighting: (lighting) => session.setLighting(lighting),
    getSkyShading: () => {
      const shown = session.shownSkyShading()
      if (shown === null) return null
      const { room: r, shading: s } = shown
      return {
        room: r,
        layerBase64: base64(s.layer),
        tileSize: s.tileSize,
        tilesPerUnit: s.tilesPerUnit,
        termsBase64: base64(new Uint8Array(s.terms.buffer, s.terms.byteOffset, s.terms.byteLength)),
        termsWidthPx: s.termsWidthPx,
        termsHeightPx: s.termsHeightPx,
        sunDirection: [...s.sunDirection],
        overcast: s.overcast,
      }
    },
  }
  window.latentscape = api
  return () => {
    // Only remove our own instance: a newer world view may have installed its own in the meantime.
    if (window.latentscape === api) delete window.latentscape
  }
}
