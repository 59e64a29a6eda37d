'use client'

import { createContext, useContext, useState, type ReactNode } from 'react'
import { useStore } from 'zustand'
import { createStore, type StoreApi } from 'zustand/vanilla'

/** Room grid coordinates (integers; one room per cell). */
export type RoomCoord = { x: number; z: number }

/** What the world view knows right now. Per-frame code reads it with `store.getState()` (STYLE.md W6). */
export type WorldState = {
  /** Canonical world seed. */
  seed: string
  /** The room the player stands in. */
  room: RoomCoord
  /** Heading in degrees, [0, 360), clockwise from north (−z). */
  heading: number
  /** Generation backend in use (`webgpu`, `webgl`, `wasm`, `cpu`), or null until the generator runs. */
  backend: string | null
  /** True once the renderer has drawn its first frame. */
  ready: boolean
}

/** Actions on the world store. Never call them from inside a frame loop. */
export type WorldActions = {
  setRoom: (room: RoomCoord) => void
  setHeading: (heading: number) => void
  setBackend: (backend: string | null) => void
  markReady: () => void
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
}

/** Create a vanilla world store (usable without React, e.g. from `window.latentscape`). */
export function createWorldStore({
  seed,
  room = { x: 0, z: 0 },
  heading = 0,
}: WorldStoreOptions): StoreApi<WorldStore> {
  return createStore<WorldStore>()((set) => ({
    seed,
    room,
    heading,
    backend: null,
    ready: false,
    setRoom: (next) => set({ room: next }),
    setHeading: (next) => set({ heading: ((next % 360) + 360) % 360 }),
    setBackend: (next) => set({ backend: next }),
    markReady: () => set({ ready: true }),
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

/** Select from the world store; re-renders only when the selected value changes. Throws outside the provider. */
export function useWorldStore<T>(selector: (state: WorldStore) => T): T {
  return useStore(useWorldStoreApi(), selector)
}
