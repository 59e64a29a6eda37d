'use client'

import dynamic from 'next/dynamic'
import { useEffect } from 'react'
import { installAutomation } from './session/automation'
import { useWorldSession, WorldSessionProvider } from './session/world-session-context'
import { Hud } from './dom/hud'
import { LoadingScreen } from './dom/loading-screen'
import { TouchStick } from './dom/touch-stick'
import { WorldLoading } from './dom/world-loading'
import { WorldNotice } from './dom/world-notice'
import { rememberWorld } from './worlds/recent-worlds'
import { WorldError } from './dom/world-error'
import { parseTexSize, parseWasmThreads, useWorldStoreApi, WorldStoreProvider } from './stores/world-store'
import { decodeWorldParams, type SearchInput } from '../world-gen'

// three, R3F (and later tfjs) load only in the browser: never on the server, never in the landing page bundle.
const WorldScene = dynamic(() => import('./canvas/world-scene'), {
  ssr: false,
  loading: () => <LoadingScreen message="Starting the renderer…" />,
})

/** Raw route input of a world page, exactly as the router handed it over. */
export type WorldViewProps = {
  /** The `[seed]` segment (raw or percent-encoded). */
  rawSeed: string
  /**
   * The page's search params (`r=<x>,<z>`, `h=<heading>`, `tex=<64|128|256|512>`, `style=<photo style>`; others are
   * ignored).
   */
  search: SearchInput
}

// Client-only side effects of an open world: the session (its generation worker and sync timer), the automation
// interface and the "recent worlds" entry. The session starts with the view, not with the 3D scene: the worker then
// loads tfjs and the generators while the browser is still fetching three and the scene's code, and its first
// results wait in the upload queue until the scene is up.
function WorldEffects() {
  const store = useWorldStoreApi()
  const session = useWorldSession()
  useEffect(() => session.start(), [session])
  useEffect(() => installAutomation(store, session), [store, session])
  useEffect(() => rememberWorld(store.getState().seed), [store])
  return null
}

/** The world page's client root: validates the URL, then mounts the store, the 3D view and the HUD. */
export function WorldView({ rawSeed, search }: WorldViewProps) {
  // world-gen validates and canonicalises; a bad r/h falls back to room 0,0 / heading 0 with a warning.
  const result = decodeWorldParams(rawSeed, search)
  if (!result.ok) return <WorldError input={safeDecode(rawSeed)} reason={result.error} />

  const { seed, x, z, heading } = result.value
  const texSizePx = parseTexSize(search instanceof URLSearchParams ? search.get('tex') : search.tex)
  const wasmThreads = parseWasmThreads(search instanceof URLSearchParams ? search.get('threads') : search.threads)
  return (
    <WorldStoreProvider
      key={seed}
      options={{
        seed,
        room: { x, z },
        heading,
        texSizePx,
        wasmThreads,
        style: result.value.style ?? null,
        styleError: result.styleError ?? null,
      }}
    >
      <WorldSessionProvider>
        <main className="world">
          <WorldScene />
          <Hud />
          <TouchStick />
          <WorldLoading />
          <WorldNotice />
        </main>
        <WorldEffects />
      </WorldSessionProvider>
    </WorldStoreProvider>
  )
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
