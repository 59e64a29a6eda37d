'use client'

import { createContext, useContext, useState, type ReactNode } from 'react'
import { cacheUrlsForOffline } from '../offline/service-worker'
import { useWorldStoreApi } from '../stores/world-store'
import { WorldSession } from './world-session'

const WorldSessionContext = createContext<WorldSession | null>(null)

/**
 * Provides the world view's `WorldSession`, created once per mount over the world store (so inside
 * `WorldStoreProvider`). Creating it has no side effects; the world view starts it when it mounts.
 */
export function WorldSessionProvider({ children }: { children: ReactNode }) {
  const store = useWorldStoreApi()
  const [session] = useState(() => new WorldSession(store, { onWorkerScripts: cacheUrlsForOffline }))
  return <WorldSessionContext.Provider value={session}>{children}</WorldSessionContext.Provider>
}

/** The world view's session. Throws outside `WorldSessionProvider`. */
export function useWorldSession(): WorldSession {
  const session = useContext(WorldSessionContext)
  if (session === null) throw new Error('useWorldSession must be used inside <WorldSessionProvider>')
  return session
}
