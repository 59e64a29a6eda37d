'use client'

import { createContext, useContext, useState, type ReactNode } from 'react'
import { useStore } from 'zustand'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { WorldStyle } from '../../world-gen'

/** Room grid coordinates (integers; one room per cell). */
export type RoomCoord = { x: number; z: number }

/**
 * What the world view shows: serialisable UI state only (the running world itself is the `WorldSession`). Per-frame
 * code reads it with `store.getState()`, never by subscribing, so the frame loop does not re-render React.
 */
export type WorldState = {
  /** Canonical world seed. */
  seed: string
  /** The room the player stands in. */
  room: RoomCoord
  /** Heading in degrees, [0, 360), clockwise from north (−z). */
  heading: number
  /** Generation backend in use (`webgpu`, `webgl`, `wasm`, `cpu`), or null until the generator runs. */
  backend: string | null
  /** True once the renderer has drawn its first frame (it draws none while the loading screen covers it). */
  ready: boolean
  /** Size of the full textures, in pixels (a square; `?tex=`). */
  texSizePx: number
  /** Threads asked of the wasm backend (`?threads=`), or null for the device's default. */
  wasmThreads: number | null
  /** What the generator is doing, for the loading screen. */
  loading: GenStatus
  /** True once the spawn room has all its full-size textures on the GPU. */
  firstRoomTextured: boolean
  /**
   * True once every surface of the spawn room has a generated texture on the GPU, the 64 px preview or the full size
   * (the loading screen then goes away and the full-size textures follow).
   */
  firstRoomPainted: boolean
  /** True once the visitor chose to go on without the generator ("Continue with untextured rooms"). */
  loadingDismissed: boolean
  /** The sky generator and the sky on screen. */
  sky: SkyState
  /** The style fitted to a user photo that this world's link carries (`style=`), or null. */
  style: WorldStyle | null
  /** Why the link's `style=` could not be read (the world then shows without it), or null. */
  styleError: string | null
}

/** Generator progress as the loading screen shows it. */
export type GenStatus = {
  /** `model`: downloading weights; `backend`: choosing a backend / warming up; `generating`; `failed`. */
  phase: 'starting' | 'model' | 'warmup' | 'generating' | 'failed'
  /** Model bytes downloaded so far and in total (0 when unknown). */
  modelLoadedBytes: number
  modelTotalBytes: number
  /** Backends refused before the chosen one, with their one-line reasons. */
  refusals: { backend: string; reason: string }[]
  /** Warm-up time of the chosen backend, in ms (null until ready). */
  warmupMs: number | null
  /** Threads the chosen backend computes on (more than 1 only for threaded wasm; null until ready). */
  threads: number | null
  /** Last error message of the generator, or null. */
  error: string | null
}

/** The sky generator's availability and the generated sky on screen. */
export type SkyState = {
  /** Whether the sky model loaded; null until the generation worker has tried. */
  available: boolean | null
  /** Sky model version (e.g. `sky-v1-…`), once loaded. */
  version: string | null
  /** Why the sky generator is unavailable (or why the last sky failed); null when all is well. */
  error: string | null
  /** The room whose generated sky is fully on screen; null while the placeholder gradient shows (or fades out). */
  room: RoomCoord | null
}

/** Actions on the world store. Never call them from inside a frame loop. */
export type WorldActions = {
  setRoom: (room: RoomCoord) => void
  setHeading: (heading: number) => void
  setBackend: (backend: string | null) => void
  markReady: () => void
  setLoading: (patch: Partial<GenStatus>) => void
  markFirstRoomTextured: () => void
  markFirstRoomPainted: () => void
  dismissLoading: () => void
  setSky: (patch: Partial<SkyState>) => void
}

/** The world store's state and actions. */
export type WorldStore = WorldState & WorldActions

/** Where a world view starts. */
export type WorldStoreOptions = {
  seed: string
  /** @default { x: 0, z: 0 } */
  room?: RoomCoord
  /** @default 0 */
  heading?: number
  /** @default DEFAULT_TEX_SIZE_PX */
  texSizePx?: number
  /** @default null */
  style?: WorldStyle | null
  /** @default null */
  styleError?: string | null
  /** Threads for the wasm backend (`?threads=`); null: the device's default. @default null */
  wasmThreads?: number | null
}

/** Full texture size when the URL has no `?tex=`. */
export const DEFAULT_TEX_SIZE_PX = 256

/** Texture sizes `?tex=` accepts (64 is for tests on software renderers). */
export const TEX_SIZES_PX = [64, 128, 256, 512] as const

/** Parse `?tex=`: one of TEX_SIZES_PX, else DEFAULT_TEX_SIZE_PX. */
export function parseTexSize(value: string | string[] | null | undefined): number {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return (TEX_SIZES_PX as readonly number[]).includes(n) ? n : DEFAULT_TEX_SIZE_PX
}

/** Parse `?threads=`: a whole number of wasm threads from 1 to 8 (tfjs's pthread pool), else null (the default). */
export function parseWasmThreads(value: string | string[] | null | undefined): number | null {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return Number.isInteger(n) && n >= 1 && n <= 8 ? n : null
}

/**
 * Threads for the wasm backend when the URL does not say: every logical core the browser reports but one, which the
 * page's own thread keeps for rendering and input; so 1 (the single-threaded build) on two cores or fewer. At most
 * tfjs's pthread pool of 8.
 */
export function defaultWasmThreads(hardwareConcurrency: number | undefined): number {
  const cores = hardwareConcurrency !== undefined && Number.isInteger(hardwareConcurrency) ? hardwareConcurrency : 1
  return Math.min(8, Math.max(1, cores - 1))
}

/** Create a vanilla world store (usable without React, e.g. from `window.latentscape`). */
export function createWorldStore({
  seed,
  room = { x: 0, z: 0 },
  heading = 0,
  texSizePx = DEFAULT_TEX_SIZE_PX,
  style = null,
  styleError = null,
  wasmThreads = null,
}: WorldStoreOptions): StoreApi<WorldStore> {
  return createStore<WorldStore>()((set) => ({
    seed,
    room,
    heading,
    style,
    styleError,
    backend: null,
    ready: false,
    texSizePx,
    wasmThreads,
    loading: {
      phase: 'starting',
      modelLoadedBytes: 0,
      modelTotalBytes: 0,
      refusals: [],
      warmupMs: null,
      threads: null,
      error: null,
    },
    firstRoomTextured: false,
    firstRoomPainted: false,
    loadingDismissed: false,
    sky: { available: null, version: null, error: null, room: null },
    setRoom: (next) => set({ room: next }),
    setHeading: (next) => set({ heading: ((next % 360) + 360) % 360 }),
    setBackend: (next) => set({ backend: next }),
    markReady: () => set({ ready: true }),
    setLoading: (patch) => set((state) => ({ loading: { ...state.loading, ...patch } })),
    // Full size implies painted: the preview may have been skipped (tex ≤ 64, or a cache hit).
    markFirstRoomTextured: () => set({ firstRoomTextured: true, firstRoomPainted: true }),
    markFirstRoomPainted: () => set({ firstRoomPainted: true }),
    dismissLoading: () => set({ loadingDismissed: true }),
    setSky: (patch) => set((state) => ({ sky: { ...state.sky, ...patch } })),
  }))
}

const WorldStoreContext = createContext<StoreApi<WorldStore> | null>(null)

/** Provides one world store, created once per mount from `options` (zustand's Next.js pattern). */
export function WorldStoreProvider({ options, children }: { options: WorldStoreOptions; children: ReactNode }) {
  const [store] = useState(() => createWorldStore(options))
  return <WorldStoreContext.Provider value={store}>{children}</WorldStoreContext.Provider>
}

/** The world store itself, for imperative reads (`getState()` in `useFrame`) and subscriptions. */
export function useWorldStoreApi(): StoreApi<WorldStore> {
  const store = useContext(WorldStoreContext)
  if (store === null) throw new Error('useWorldStore must be used inside <WorldStoreProvider>')
  return store
}

/** Whether the loading screen covers the world: until the spawn room is painted, or the visitor dismissed it. */
export const loadingCovers = (state: WorldStore): boolean => !state.firstRoomPainted && !state.loadingDismissed

/** Select from the world store; re-renders only when the selected value changes. Throws outside the provider. */
export function useWorldStore<T>(selector: (state: WorldStore) => T): T {
  return useStore(useWorldStoreApi(), selector)
}
