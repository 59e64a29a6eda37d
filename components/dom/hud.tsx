'use client'

import Link from 'next/link'
import { useCallback, useEffect, useState } from 'react'
import {
  decodeStyle,
  encodeWorldUrl,
  familyLabel,
  PHOTO_GUIDANCE,
  roomStyleBlend,
  styledFamilyLabel,
  styleWeight,
  SURFACE_SLOTS,
  type FamilyConditioning,
  type SurfaceSlot,
  type WorldStyle,
} from '../../world-gen'
import { skyExportTexture, type ExportModelInfo, type ExportTexture } from '../export/export-png'
import { useWorldSession } from '../session/world-session-context'
import { useWorldStore, type SkyState } from '../stores/world-store'
import { SKY_MODEL_URL, SURFACE_MODEL_URL } from '../streaming/world-streamer'
import { SharePanel } from './share-panel'
import { withPageOptions } from './style-photo'

/**
 * Model name, version, weights hash and licence of a generator (its model.json), fetched once when the share panel
 * opens: they go into exported files.
 */
function useModelInfo(url: string, enabled: boolean): ExportModelInfo | null {
  const [info, setInfo] = useState<ExportModelInfo | null>(null)
  useEffect(() => {
    if (!enabled || info !== null) return
    let live = true
    fetch(url)
      .then((r) => r.json())
      .then((j: { latentscape?: { model?: string; version?: string; weightsSha256?: string; licence?: string } }) => {
        const ls = j.latentscape
        if (live && ls?.model && ls.version)
          setInfo({ model: ls.model, version: ls.version, weightsSha256: ls.weightsSha256, licence: ls.licence })
      })
      .catch(() => {
        // Without model info the export still works from the panel's point of view: it reports "no textures".
      })
    return () => {
      live = false
    }
  }, [url, enabled, info])
  return info
}

/** The HUD's sky line: what the sky is, honestly (generated, or the placeholder gradient and why). */
function skyLine(sky: SkyState): { text: string; severity: 'ok' | 'info' | 'warning' } {
  if (sky.available === false)
    return {
      text: `Sky: placeholder gradient, not generated — the sky generator is unavailable (${sky.error ?? 'unknown error'})`,
      severity: 'warning',
    }
  if (sky.room !== null)
    return { text: `Sky: generated clouds (${sky.version ?? 'sky model'}), computed daylight`, severity: 'ok' }
  return { text: 'Sky: placeholder gradient until the generated sky arrives…', severity: 'info' }
}

/** A family label for people: `stone blocks 75% + brick 25%` (names are written with underscores in the model). */
const familyText = (cond: FamilyConditioning) => familyLabel(cond).replaceAll('_', ' ')

/**
 * The HUD's materials line: the family each surface of the room is painted as (a blend near a district border; for
 * the slot of a photo style within its reach, the district's families and the style's mixture as the room mixes them,
 * marked as such), or nothing while the model's families are unknown or when it has none (its textures are then painted
 * without them). `names`: the model's family table.
 */
function materialsLine(
  families: Record<SurfaceSlot, FamilyConditioning> | null,
  names: readonly string[],
  style: WorldStyle | null,
  room: { x: number; z: number },
): string | null {
  if (families === null) return null
  const slotText = (slot: SurfaceSlot) => {
    const blend = roomStyleBlend(room.x, room.z, slot, style ?? undefined)
    if (blend === undefined) return familyText(families[slot])
    return `${styledFamilyLabel(names, families[slot], blend).replaceAll('_', ' ')} (photo style)`
  }
  // "walls: floor tiles", not "walls floor tiles": the slot and the family's name can share a word.
  return `Materials: ${SURFACE_SLOTS.map((slot) => `${slot}: ${slotText(slot)}`).join(' · ')}`
}

/**
 * The HUD's style line: the world's photo style and how much of it paints the room you stand in, or why the link's
 * style could not be read (the world then shows without it); null for a world without one.
 */
function styleLine(
  style: WorldStyle | null,
  error: string | null,
  room: { x: number; z: number },
): { text: string; severity: 'ok' | 'warning' } | null {
  if (error !== null)
    return { text: `Style: the link's photo style could not be read (${error}); shown without it`, severity: 'warning' }
  if (style === null) return null
  const share = Math.round(styleWeight(room.x, room.z) * 100)
  return {
    text: `Style: ${style.slot} ${PHOTO_GUIDANCE} (${share}% here; strongest at room 0, 0, fading out with distance)`,
    severity: 'ok',
  }
}

const COPIED_RESET_MS = 1600

/**
 * Heads-up display over the world view: brand, seed, room, heading, backend, "Copy link", the AI-generated scenery
 * label, controls and what the sky is (generated, or the placeholder gradient and why).
 */
export function Hud() {
  const seed = useWorldStore((state) => state.seed)
  const room = useWorldStore((state) => state.room)
  const heading = useWorldStore((state) => state.heading)
  const backend = useWorldStore((state) => state.backend)
  const threads = useWorldStore((state) => state.loading.threads)
  const sky = useWorldStore((state) => state.sky)
  const style = useWorldStore((state) => state.style)
  const styleError = useWorldStore((state) => state.styleError)
  const [copied, setCopied] = useState(false)
  const [shareOpen, setShareOpen] = useState(false)
  const session = useWorldSession()
  const modelInfo = useModelInfo(SURFACE_MODEL_URL, shareOpen)
  const skyModelInfo = useModelInfo(SKY_MODEL_URL, shareOpen && sky.available === true)
  const getTextures = useCallback((): ExportTexture[] => {
    if (modelInfo === null) return []
    // Textures of the style's slot within its reach were guided by the photo: exports say so (never the photo).
    const guided = (slot: string) =>
      style !== null && slot === style.slot && styleWeight(room.x, room.z) > 0 ? { guidance: PHOTO_GUIDANCE } : {}
    return session.currentTextures().map(({ family, ...t }) => ({
      ...t,
      ...modelInfo,
      ...(family !== undefined ? { family: familyLabel(family) } : {}),
      ...guided(t.slot),
    }))
  }, [session, modelInfo, style, room])
  // Read on every render: the HUD re-renders when the room changes and when the worker is ready (backend), which is
  // when the surface model's families become known.
  const surfaceFamilies = session.streamer.surfaceFamilies()
  const materials = materialsLine(
    surfaceFamilies === null ? null : session.streamer.spec(room.x, room.z).families,
    surfaceFamilies?.names ?? [],
    style,
    room,
  )
  const getSky = useCallback(() => {
    const current = session.currentSky()
    if (current === null || skyModelInfo === null) return null
    return { texture: skyExportTexture(current, skyModelInfo), room: current.room }
  }, [session, skyModelInfo])
  const line = skyLine(sky)
  const styleInfo = styleLine(style, styleError, room)
  const spot = { seed, x: room.x, z: room.z, heading: Math.round(heading) % 360 }
  const fitStyle = useCallback(
    (...args: Parameters<typeof session.streamer.fitStyle>) => session.streamer.fitStyle(...args),
    [session],
  )
  const styledUrl = (text: string) => {
    // The styled link of this spot, keeping page options such as ?tex= (the fit's `style=` replaces any old one).
    return withPageOptions(encodeWorldUrl({ ...spot, style: decodeStyle(text) }), window.location.search)
  }

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
              <dd className="mono">
                <span data-testid="hud-backend">{backend ?? '…'}</span>
                {threads !== null && threads > 1 ? <span data-testid="hud-threads"> ×{threads} threads</span> : null}
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
            url={encodeWorldUrl({ ...spot, ...(style !== null ? { style } : {}) })}
            seed={seed}
            room={room}
            getTextures={getTextures}
            getSky={getSky}
            fitStyle={fitStyle}
            styledUrl={styledUrl}
            {...(style !== null ? { styleSlot: style.slot } : {})}
          />
        </div>
      )}
      <div className="hud-bottom">
        <p className="hud-hint">Click to look around · WASD / arrows to walk · Shift to run · Esc releases the mouse</p>
        {materials !== null && (
          <p className="hud-hint hud-materials" data-testid="hud-materials">
            {materials}
          </p>
        )}
        <p className="hud-hint hud-sky" data-testid="hud-sky" data-severity={line.severity} role="status">
          {line.text}
        </p>
        {styleInfo !== null && (
          <p className="hud-hint hud-style" data-testid="hud-style" data-severity={styleInfo.severity}>
            {styleInfo.text}
          </p>
        )}
      </div>
    </div>
  )
}
