'use client'

import Link from 'next/link'
import { useCallback, useEffect, useState } from 'react'
import { encodeWorldUrl } from '../../world-gen'
import type { ExportTexture } from '../export/export-png'
import { useWorldStore, useWorldStoreApi } from '../stores/world-store'
import { SharePanel } from './share-panel'

/** Where the surface generator's manifest is served (its version and weights hash go into exported files). */
const SURFACE_MODEL_URL = '/models/surface/model.json'

type ModelInfo = { model: string; version: string; weightsSha256?: string }

/** Model name, version and weights hash of the surface generator, fetched once when the share panel opens. */
function useSurfaceModelInfo(enabled: boolean): ModelInfo | null {
  const [info, setInfo] = useState<ModelInfo | null>(null)
  useEffect(() => {
    if (!enabled || info !== null) return
    let live = true
    fetch(SURFACE_MODEL_URL)
      .then((r) => r.json())
      .then((j: { latentscape?: { model?: string; version?: string; weightsSha256?: string } }) => {
        const ls = j.latentscape
        if (live && ls?.model && ls.version)
          setInfo({ model: ls.model, version: ls.version, weightsSha256: ls.weightsSha256 })
      })
      .catch(() => {
        // Without model info the export still works from the panel's point of view: it reports "no textures".
      })
    return () => {
      live = false
    }
  }, [enabled, info])
  return info
}

const COPIED_RESET_MS = 1600

/**
 * Heads-up display over the world view: brand, seed, room, heading, backend, "Copy link", the AI-generated scenery
 * label, controls and the honest note that the sky is a placeholder.
 */
export function Hud() {
  const seed = useWorldStore((state) => state.seed)
  const room = useWorldStore((state) => state.room)
  const heading = useWorldStore((state) => state.heading)
  const backend = useWorldStore((state) => state.backend)
  const [copied, setCopied] = useState(false)
  const [shareOpen, setShareOpen] = useState(false)
  const store = useWorldStoreApi()
  const modelInfo = useSurfaceModelInfo(shareOpen)
  const getTextures = useCallback((): ExportTexture[] => {
    const probe = store.getState().probe
    if (probe === null || modelInfo === null) return []
    return probe.currentTextures().map((t) => ({ ...t, ...modelInfo }))
  }, [store, modelInfo])

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href)
      setCopied(true)
      window.setTimeout(() => setCopied(false), COPIED_RESET_MS)
    } catch {
      // Clipboard can be denied (insecure context, permissions); the address bar still holds the link.
    }
  }

  return (
    <div className="hud">
      <div className="hud-top">
        <div className="hud-card">
          <Link href="/" className="hud-brand">
            Latentscape
          </Link>
          <dl className="hud-facts">
            <div>
              <dt>Seed</dt>
              <dd className="mono" data-testid="hud-seed">
                {seed}
              </dd>
            </div>
            <div>
              <dt>Room</dt>
              <dd className="mono" data-testid="hud-room">
                {room.x}, {room.z}
              </dd>
            </div>
            <div>
              <dt>Heading</dt>
              <dd className="mono">{Math.round(heading)}°</dd>
            </div>
            <div>
              <dt>Backend</dt>
              <dd className="mono" data-testid="hud-backend">
                {backend ?? '…'}
              </dd>
            </div>
          </dl>
          <button type="button" className="hud-button" onClick={copyLink}>
            {copied ? 'Link copied' : 'Copy link'}
          </button>
          <button
            type="button"
            className="hud-button"
            aria-expanded={shareOpen}
            onClick={() => setShareOpen((open) => !open)}
          >
            {shareOpen ? 'Close' : 'Share · Export'}
          </button>
        </div>
        <div className="ai-badge" role="note">
          <span className="ai-dot" aria-hidden="true" />
          AI-generated scenery
        </div>
      </div>
      {shareOpen && (
        <div className="hud-share">
          <SharePanel
            url={encodeWorldUrl({ seed, x: room.x, z: room.z, heading: Math.round(heading) % 360 })}
            seed={seed}
            room={room}
            getTextures={getTextures}
          />
        </div>
      )}
      <div className="hud-bottom">
        <p className="hud-hint">Click to look around · WASD / arrows to walk · Shift to run · Esc releases the mouse</p>
        <p className="hud-hint" data-testid="hud-sky">
          Sky: placeholder — sky model in training
        </p>
      </div>
    </div>
  )
}
