import type { StoreApi } from 'zustand/vanilla'
import type { WorldStore } from './stores/world-store'

/** A snapshot of the world view for tests and tools: plain data, safe to serialise. */
export type LatentscapeState = {
  seed: string
  room: { x: number; z: number }
  heading: number
  backend: string | null
  ready: boolean
}

/** The automation interface at `window.latentscape` (client only, present while a world view is mounted). */
export type LatentscapeApi = {
  /** Interface version; bumped on breaking changes. */
  version: 1
  /** Current state of the world view. */
  getState: () => LatentscapeState
}

declare global {
  interface Window {
    /** Automation interface of the Latentscape world view; see README "Automation". */
    latentscape?: LatentscapeApi
  }
}

/** Install `window.latentscape` over `store`; returns the function that removes it again. */
export function installAutomation(store: StoreApi<WorldStore>): () => void {
  const api: LatentscapeApi = {
    version: 1,
    getState: () => {
      const { seed, room, heading, backend, ready } = store.getState()
      return { seed, room: { x: room.x, z: room.z }, heading, backend, ready }
    },
  }
  window.latentscape = api
  return () => {
    // Only remove our own instance: a newer world view may have installed its own in the meantime.
    if (window.latentscape === api) delete window.latentscape
  }
}
