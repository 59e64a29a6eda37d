'use client'

import Link from 'next/link'
import { useState } from 'react'
import { useWorldStore } from '../stores/world-store'

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
        </div>
        <div className="ai-badge" role="note">
          <span className="ai-dot" aria-hidden="true" />
          AI-generated scenery
        </div>
      </div>
      <div className="hud-bottom">
        <p className="hud-hint">Click to look around · WASD / arrows to walk · Shift to run · Esc releases the mouse</p>
        <p className="hud-hint" data-testid="hud-sky">
          Sky: placeholder — sky model in training
        </p>
      </div>
    </div>
  )
}
