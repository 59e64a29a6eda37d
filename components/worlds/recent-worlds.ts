/**
 * Recently visited worlds, kept in this browser's localStorage only (never sent anywhere).
 * A tiny external store so React can read it with `useSyncExternalStore` (empty on the server).
 */
import { canonicalSeed } from '../../world-gen'

/** How many recent worlds are kept. */
export const RECENT_WORLDS_MAX = 6

const STORAGE_KEY = 'latentscape.recent-worlds'
const EMPTY: readonly string[] = []
const listeners = new Set<() => void>()
let cache: { raw: string | null; seeds: readonly string[] } = { raw: null, seeds: EMPTY }

function readRaw(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY)
  } catch {
    return null // storage disabled (privacy mode, sandboxed iframe)
  }
}

/** Recent seeds, newest first; only canonical seeds survive (storage is user-writable). Same array until it changes. */
export function getRecentWorlds(): readonly string[] {
  const raw = readRaw()
  if (raw === cache.raw) return cache.seeds
  let seeds: readonly string[] = EMPTY
  try {
    const parsed: unknown = raw === null ? [] : JSON.parse(raw)
    if (Array.isArray(parsed)) {
      seeds = parsed
        .filter((seed): seed is string => typeof seed === 'string')
        .filter((seed) => {
          const result = canonicalSeed(seed)
          return result.ok && result.seed === seed
        })
        .slice(0, RECENT_WORLDS_MAX)
    }
  } catch {
    // corrupt entry: treat as empty
  }
  cache = { raw, seeds }
  return seeds
}

/** Server snapshot: nothing is known about this browser's history on the server. */
export function getServerRecentWorlds(): readonly string[] {
  return EMPTY
}

/** Move `seed` to the front of the recent list. */
export function rememberWorld(seed: string): void {
  const next = [seed, ...getRecentWorlds().filter((recent) => recent !== seed)].slice(0, RECENT_WORLDS_MAX)
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(next))
  } catch {
    return
  }
  listeners.forEach((listener) => listener())
}

/** Subscribe to changes (this tab and, via the `storage` event, other tabs); returns the unsubscribe function. */
export function subscribeRecentWorlds(listener: () => void): () => void {
  listeners.add(listener)
  window.addEventListener('storage', listener)
  return () => {
    listeners.delete(listener)
    window.removeEventListener('storage', listener)
  }
}
