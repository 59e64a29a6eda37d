/**
 * One running world view as a plain object: the walking player (`PlayerRig`), the `WorldStreamer` and its worker, the
 * frame-time record and the XR counters, plus the renderer-bound parts the scene lends it while mounted (the sky dome,
 * the surface textures, the renderer's memory counts). The zustand store keeps only serialisable UI state; the session
 * writes the player's room, heading, URL and sky to it on a timer, and `window.latentscape` and the HUD's export read
 * the session directly. No React and no three here: the React side is `world-session-context.tsx`.
 */
import type { StoreApi } from 'zustand/vanilla'
import {
  encodeWorldUrl,
  parseRoomKey,
  PlayerRig,
  roomKey,
  type FamilyConditioning,
  type Rgb,
  type RoomKey,
  type SurfaceRelief,
} from '../../world-gen'
import { defaultWasmThreads, type RoomCoord, type WorldStore } from '../stores/world-store'
import {
  WorldStreamer,
  type GeneratedSky,
  type SkyShadingArrays,
  type WorldStreamerOptions,
} from '../streaming/world-streamer'
import { createXRTelemetry, type XRTelemetry } from '../xr/xr-telemetry'
import { FrameStats, type FrameSummary } from './frame-stats'

/** How often the player's place is synced to the store, the streaming plan and the URL, in ms (not per frame). */
export const SYNC_INTERVAL_MS = 100
/** Heading changes reach the store and the URL at most this often, in ms. */
const HEADING_SYNC_MS = 500

/** Streaming and rendering figures (`window.latentscape.getStats()`). */
export type WorldStats = {
  /** Rooms whose geometry is in the scene. */
  roomsLoaded: number
  /** Rooms whose three surfaces have their full-size texture on the GPU. */
  roomsReady: number
  /** Generation jobs not finished + results waiting for upload. */
  queueLength: number
  /** Bytes of generated textures on the GPU (with mipmaps). */
  textureBytes: number
  /** `renderer.info.memory` counts. */
  textures: number
  geometries: number
  /** Generated surface textures on the mounted rooms' materials (colour and normal maps), part of `textures`. */
  surfaceTextures: number
  /** Live tf.js tensors (and their bytes) in the generation worker, null before its first report. */
  workerTensors: number | null
  workerTensorBytes: number | null
  /** How many times the generation worker crashed and was replaced. */
  workerRestarts: number
  /** Frame times since the last reset, in ms. */
  frameMs: FrameSummary
  /** VR: whether a session runs, XR frames rendered (all sessions), teleports made, the session's rate in Hz. */
  xr: { presenting: boolean; frames: number; teleports: number; frameRateHz: number | null }
}

/** The generated sky on screen, for export: the RGBA8 hemisphere and the ground tone its lower half fades to. */
export type CurrentSky = {
  /** The room this sky belongs to. */
  room: RoomCoord
  /** Sky model version that painted it. */
  version: string
  widthPx: number
  heightPx: number
  /** RGBA8 `[heightPx, widthPx, 4]`, sRGB, row 0 = zenith; the caller must not modify it. */
  pixels: Uint8Array
  /** Linear ground tone below the horizon (world-gen `skyLight(…).ground`). */
  ground: Rgb
}

/** A generated texture on one of the current room's surfaces, with the material family it was painted as (if any). */
export type CurrentTexture = {
  slot: string
  width: number
  height: number
  /** RGBA8 colour; with `relief`, its alpha is the roughness. */
  pixels: Uint8Array
  family?: FamilyConditioning
  /** The normal map and height of a surface painted by a relief model. */
  relief?: SurfaceRelief
}

/**
 * What the mounted scene lends the session: parts bound to the WebGL renderer, so created and disposed inside the
 * canvas (they die with its GL context), and read here only while attached.
 */
export type SessionScene = {
  /** The sky on screen (or fading in); `settled` once its crossfade is done. Null: the placeholder gradient. */
  shownSky: () => { key: RoomKey; settled: boolean; sky: GeneratedSky } | null
  /** The generated textures on room `key`'s surfaces. */
  texturesOf: (key: RoomKey) => CurrentTexture[]
  /** The renderer's live texture and geometry counts, and the generated surface textures among them. */
  memory: () => { textures: number; geometries: number; surfaceTextures: number }
}

/**
 * A lighting set by automation (tests, screenshots) in place of the sky's: the sun, white, from a fixed direction
 * (degrees: azimuth 0 north, 90 east; elevation above the horizon; `intensity` that of three's directional light, the
 * sky's own sun peaking near 3, which is also the default), or `unlit`: no sun and a uniform white ambient light, the
 * same from every direction, so surfaces show their colour maps unshaded.
 */
export type LightingOverride =
  { kind: 'sun'; azimuthDeg: number; elevationDeg: number; intensity?: number } | { kind: 'unlit' }

/** Options of `WorldSession`. */
export type WorldSessionOptions = {
  /** Replaces the streamer's worker (tests). */
  createWorker?: WorldStreamerOptions['createWorker']
  /** Offline cache of the worker's own scripts. */
  onWorkerScripts?: WorldStreamerOptions['onWorkerScripts']
}

/** One world view's running state; `start()` with the scene, the function it returns stops it for good. */
export class WorldSession {
  /** The walking player, mutated every frame. */
  readonly rig: PlayerRig
  /** Generation and residency of the rooms and skies. */
  readonly streamer: WorldStreamer
  /** Frame times (the frame loop records, `getStats()` summarises). */
  readonly frames = new FrameStats()
  /** VR counters, written by the XR components from the frame loop. */
  readonly telemetry: XRTelemetry = createXRTelemetry()
  /**
   * The on-screen stick's axes in [-1, 1] (right and forward are +1): `setStick` on pointer events, read by the frame
   * loop; a plain object, never a store update (that would re-render React on every pointer move).
   */
  get stick(): { readonly x: number; readonly y: number } {
    return this.stickAxes
  }
  private readonly stickAxes = { x: 0, y: 0 }
  /**
   * The lighting automation set in place of the sky's, or null: read by the frame loop (a plain field, never a store
   * update).
   */
  get lighting(): LightingOverride | null {
    return this.lightingOverride
  }
  private lightingOverride: LightingOverride | null = null
  private readonly store: StoreApi<WorldStore>
  private scene: SessionScene | null = null
  /** The room whose generated sky is fully on screen, as of the last sync (what the store shows too). */
  private skyRoom: RoomCoord | null = null
  private lastHeadingSyncMs = -Infinity

  constructor(store: StoreApi<WorldStore>, options: WorldSessionOptions = {}) {
    this.store = store
    const { seed, room, heading, texSizePx, style, wasmThreads } = store.getState()
    this.rig = new PlayerRig(seed, room.x, room.z, heading)
    this.streamer = new WorldStreamer({
      seed,
      texSizePx,
      ...(style !== null ? { style } : {}),
      wasmThreads: wasmThreads ?? defaultWasmThreads(globalThis.navigator?.hardwareConcurrency),
      createWorker: options.createWorker,
      onWorkerScripts: options.onWorkerScripts,
      // Status arrives from the worker's onmessage: plain store updates, outside any frame loop.
      onStatus: ({ backend, ...patch }) => {
        const state = store.getState()
        if (backend !== undefined) state.setBackend(backend)
        state.setLoading(patch)
      },
      onSkyStatus: ({ available, version, error }) => store.getState().setSky({ available, version, error }),
    })
  }

  /** Start the worker and the sync timer; returns the function that stops both for good (the view unmounted). */
  start(): () => void {
    this.streamer.init()
    this.sync()
    const timer = setInterval(() => this.sync(), SYNC_INTERVAL_MS)
    return () => {
      clearInterval(timer)
      this.streamer.destroy()
    }
  }

  /** Set the on-screen stick's axes (see `stick`). */
  setStick(x: number, y: number): void {
    this.stickAxes.x = x
    this.stickAxes.y = y
  }

  /**
   * Light the world with `lighting` instead of the sky's lights, or with the sky's again (null). Throws RangeError on
   * angles that are not finite or an elevation outside [-90, 90].
   */
  setLighting(lighting: LightingOverride | null): void {
    // Automation passes whatever a test script wrote: check the shape, not only the type.
    if (lighting === null) this.lightingOverride = null
    else if (lighting.kind === 'unlit') this.lightingOverride = { kind: 'unlit' }
    else if (lighting.kind === 'sun') {
      const { azimuthDeg, elevationDeg, intensity } = lighting
      if (!Number.isFinite(azimuthDeg) || !Number.isFinite(elevationDeg) || Math.abs(elevationDeg) > 90)
        throw new RangeError(`sun angles must be finite, elevation within ±90°, got ${azimuthDeg}°, ${elevationDeg}°`)
      if (intensity !== undefined && !(Number.isFinite(intensity) && intensity >= 0))
        throw new RangeError(`sun intensity must be a number ≥ 0, got ${intensity}`)
      this.lightingOverride = {
        kind: 'sun',
        azimuthDeg,
        elevationDeg,
        ...(intensity !== undefined ? { intensity } : {}),
      }
    } else throw new RangeError(`lighting must be { kind: 'sun', azimuthDeg, elevationDeg }, { kind: 'unlit' } or null`)
  }

  /** Whether a scene is mounted (automation's moves and position wait for it). */
  get attached(): boolean {
    return this.scene !== null
  }

  /** Lend the session the scene's renderer-bound parts; returns the function that takes them back. */
  attachScene(scene: SessionScene): () => void {
    this.scene = scene
    return () => {
      if (this.scene === scene) this.scene = null
    }
  }

  /**
   * Sync the store (room, heading, first-room and sky state), the URL and the streaming plan with the player. Runs on
   * the timer, never in the frame loop: store writes re-render React.
   */
  sync(nowMs: number = performance.now()): void {
    const { rig, streamer } = this
    const state = this.store.getState()
    let urlDirty = false
    if (rig.roomX !== state.room.x || rig.roomZ !== state.room.z) {
      state.setRoom({ x: rig.roomX, z: rig.roomZ })
      urlDirty = true
    }
    const heading = Math.round(rig.headingDeg) % 360
    if (heading !== state.heading && (urlDirty || nowMs - this.lastHeadingSyncMs >= HEADING_SYNC_MS)) {
      state.setHeading(heading)
      this.lastHeadingSyncMs = nowMs
      urlDirty = true
    }
    if (urlDirty) replaceUrl(state.seed, rig.roomX, rig.roomZ, heading)
    streamer.update({ position: [rig.x, rig.z], headingRad: rig.headingRad, speedMps: rig.speedMps })
    if (!state.firstRoomPainted && streamer.roomPainted(rig.roomX, rig.roomZ)) state.markFirstRoomPainted()
    if (!state.firstRoomTextured && streamer.roomReady(rig.roomX, rig.roomZ)) state.markFirstRoomTextured()
    this.syncSky(state)
  }

  /** Mirror the settled sky on screen into the session and the store when it changes. */
  private syncSky(state: WorldStore): void {
    const shown = this.scene?.shownSky() ?? null
    let room: RoomCoord | null = null
    if (shown !== null && shown.settled) {
      const [x, z] = parseRoomKey(shown.key)!
      room = { x, z }
    }
    const was = this.skyRoom
    if (was?.x === room?.x && was?.z === room?.z) return
    this.skyRoom = room
    state.setSky({ room })
  }

  /** The room whose generated sky is fully on screen (as of the last sync); null while the gradient shows. */
  shownSkyRoom(): RoomCoord | null {
    return this.skyRoom === null ? null : { ...this.skyRoom }
  }

  /** The shading of the generated sky fully on screen, and its room; null while none is, or it has no shading. */
  shownSkyShading(): { room: RoomCoord; shading: SkyShadingArrays } | null {
    const shown = this.scene?.shownSky() ?? null
    if (shown === null || !shown.settled || shown.sky.shading === undefined) return null
    const [x, z] = parseRoomKey(shown.key)!
    return { room: { x, z }, shading: shown.sky.shading }
  }

  /** Streaming, GPU memory and frame-time figures. */
  stats(): WorldStats {
    const memory = this.scene?.memory() ?? { textures: 0, geometries: 0, surfaceTextures: 0 }
    return {
      ...this.streamer.stats(),
      ...memory,
      frameMs: this.frames.summary(),
      xr: { ...this.telemetry },
    }
  }

  /** Teleport to the centre of room (x, z), optionally facing `headingDeg`. */
  goTo(x: number, z: number, headingDeg?: number): void {
    this.rig.teleport(x, z, headingDeg)
  }

  /** Face `headingDeg` (0 = north, 90 = east) without moving. */
  setHeading(headingDeg: number): void {
    this.rig.headingRad = (headingDeg * Math.PI) / 180
  }

  /** Look up (positive) or down by `pitchDeg` (the rig clamps it to just under ±90°). */
  setPitch(pitchDeg: number): void {
    this.rig.look(0, (pitchDeg * Math.PI) / 180 - this.rig.pitchRad)
  }

  /** Player position on the floor plane, world metres. */
  position(): { x: number; z: number } {
    return { x: this.rig.x, z: this.rig.z }
  }

  /** The generated RGBA8 pixels on the current room's surfaces, per slot (for export); empty without a scene. */
  currentTextures(): CurrentTexture[] {
    return this.texturesOf(this.rig.roomX, this.rig.roomZ)
  }

  /** The generated textures on room (x, z)'s surfaces (a mounted room); empty without a scene. */
  texturesOf(x: number, z: number): CurrentTexture[] {
    return this.scene?.texturesOf(roomKey(x, z)) ?? []
  }

  /** The generated sky on screen (or fading in), null while the placeholder gradient shows. */
  currentSky(): CurrentSky | null {
    const shown = this.scene?.shownSky() ?? null
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
  }
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
