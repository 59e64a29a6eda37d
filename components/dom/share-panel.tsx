'use client'

import Link from 'next/link'
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { SURFACE_MAPS, type SurfaceMap } from '../../world-gen/relief'
import { downloadBytes, texturePng, textureFileName, textureMaps, type ExportTexture } from '../export/export-png'
import { qrDataUrl } from '../export/qr-code'
import { StylePhoto, type StylePhotoProps } from './style-photo'
import type { SurfaceSlot } from '../../world-gen'

/** Props of `SharePanel`: everything it needs, so wiring it into the HUD is one line. */
export interface SharePanelProps {
  /** Link to the current spot (`encodeWorldUrl`); a path is resolved against the page's origin. */
  url: string
  /** Canonical world seed. */
  seed: string
  /** Current room. */
  room: { x: number; z: number }
  /** The textures currently shown (called on click; may return an empty list while the room is still generating). */
  getTextures: () => ExportTexture[]
  /**
   * The generated sky on screen as an equirectangular image and the room it belongs to (called on click); null while
   * the sky is the placeholder gradient. Without it the panel offers no sky export.
   */
  getSky?: () => { texture: ExportTexture; room: { x: number; z: number } } | null
  /** Fits a style to a user photo on the device (the "Style from a photo" section); without it there is none. */
  fitStyle?: StylePhotoProps['fitStyle']
  /** The link of this spot with a fitted style (`style=` value): where the panel goes once a fit is done. */
  styledUrl?: StylePhotoProps['styledUrl']
  /** The slot of the photo style `url` carries, if it carries one: the panel says the link is styled from a photo. */
  styleSlot?: SurfaceSlot
}

/** The text the share sheet sends with the link: a styled link says so (never anything of the photo). */
export function shareText(styleSlot: SurfaceSlot | undefined): string {
  return styleSlot === undefined
    ? 'An AI-generated Latentscape world'
    : `An AI-generated Latentscape world, its ${styleSlot} styled from a photo`
}

/** The surface slots offered for export one by one (plus "all"). */
const EXPORT_SLOTS = ['floor', 'walls', 'trim'] as const

/** How the maps are named for people. */
const MAP_LABEL: Record<SurfaceMap, string> = {
  color: 'colour',
  height: 'height',
  normal: 'normal',
  roughness: 'roughness',
}

/** Neither the page URL nor Web Share support changes while the panel is open. */
const subscribeNever = () => () => {}

/** Pause between downloads: browsers drop the second of two simultaneous `<a download>` clicks. */
const DOWNLOAD_GAP_MS = 250

/**
 * Share and export: copy the link, a QR code of it (drawn locally, for opening the same spot on a headset), the Web
 * Share sheet where the browser has one, and PNG export of the current textures with provenance metadata.
 */
export function SharePanel({ url, seed, room, getTextures, getSky, fitStyle, styledUrl, styleSlot }: SharePanelProps) {
  // The page URL and Web Share support exist only in the browser: the server render (and hydration) uses the given
  // url and no share button, then the client switches to the absolute link.
  const pageHref = useSyncExternalStore(
    subscribeNever,
    () => window.location.href,
    () => null,
  )
  const canShare = useSyncExternalStore(
    subscribeNever,
    () => typeof navigator.share === 'function',
    () => false,
  )
  const shareUrl = useMemo(() => (pageHref === null ? url : new URL(url, pageHref).href), [url, pageHref])
  const [qr, setQr] = useState<string | null>(null)
  const [status, setStatus] = useState('')
  // Every map by default: a relief model's surfaces export as a full set (a colour-only model's as its colour).
  const [maps, setMaps] = useState<ReadonlySet<SurfaceMap>>(() => new Set(SURFACE_MAPS))
  const toggleMap = (map: SurfaceMap) =>
    setMaps((current) => {
      const next = new Set(current)
      if (!next.delete(map)) next.add(map)
      return next
    })

  useEffect(() => {
    let live = true
    qrDataUrl(shareUrl).then(
      (dataUrl) => live && setQr(dataUrl),
      () => live && setQr(null),
    )
    return () => {
      live = false
    }
  }, [shareUrl])

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shareUrl)
      setStatus('Link copied')
    } catch {
      setStatus('Copy failed: select the link and copy it by hand')
    }
  }

  const share = async () => {
    try {
      await navigator.share({ title: `Latentscape: ${seed}`, text: shareText(styleSlot), url: shareUrl })
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setStatus('Sharing failed')
    }
  }

  const exportTextures = async (slot: string | null) => {
    const textures = getTextures().filter((t) => slot === null || t.slot === slot)
    if (textures.length === 0) {
      setStatus(slot === null ? 'No textures yet: the room is still generating' : `No ${slot} texture yet`)
      return
    }
    if (maps.size === 0) {
      setStatus('No map chosen: tick colour, height, normal or roughness')
      return
    }
    // Each texture's chosen maps that it has, in SURFACE_MAPS order (colour first); a colour-only model has no others.
    const files = textures.flatMap((texture) =>
      textureMaps(texture)
        .filter((map) => maps.has(map))
        .map((map) => ({ texture, map })),
    )
    const colourOnly = textures.every((t) => t.relief === undefined)
    if (files.length === 0) {
      setStatus('Nothing to export: this model paints colour only (no height, normal or roughness maps)')
      return
    }
    try {
      for (const [i, { texture, map }] of files.entries()) {
        if (i > 0) await new Promise((wait) => setTimeout(wait, DOWNLOAD_GAP_MS))
        downloadBytes(
          texturePng(texture, { seed, room, url: shareUrl }, map),
          textureFileName(seed, room, texture.slot, map),
        )
      }
      // Name what each file holds when the model paints material families ("walls: brick").
      const named = textures.filter((t) => t.family !== undefined).map((t) => `${t.slot}: ${t.family}`)
      const chosen = SURFACE_MAPS.filter((m) => maps.has(m))
      const which = colourOnly
        ? chosen.some((m) => m !== 'color')
          ? '; colour only: this model paints no relief'
          : ''
        : `; maps: ${chosen.map((m) => MAP_LABEL[m]).join(', ')}`
      setStatus(
        `Exported ${textures.length} texture${textures.length === 1 ? '' : 's'}` +
          (named.length > 0 ? ` (${named.join(', ')})` : '') +
          which,
      )
    } catch (e) {
      setStatus(`Export failed: ${(e as Error).message.split('\n')[0]}`)
    }
  }

  const exportSky = () => {
    const sky = getSky?.() ?? null
    if (sky === null) {
      setStatus('No generated sky yet: the sky is a placeholder gradient')
      return
    }
    try {
      // The sky's own room (it can lag the player's by a crossfade), and the link to that room.
      const link = shareUrl.replace(/([?&])r=[^&]*/, `$1r=${sky.room.x},${sky.room.z}`)
      downloadBytes(
        texturePng(sky.texture, { seed, room: sky.room, url: link }),
        textureFileName(seed, sky.room, 'sky'),
      )
      setStatus(`Exported the sky (${sky.texture.width} × ${sky.texture.height} equirectangular)`)
    } catch (e) {
      setStatus(`Export failed: ${(e as Error).message.split('\n')[0]}`)
    }
  }

  return (
    <section className="share-panel" aria-label="Share and export">
      <div className="share-link">
        <label className="share-label" htmlFor="share-url">
          Link to this spot
        </label>
        <input id="share-url" className="share-url mono" readOnly value={shareUrl} onFocus={(e) => e.target.select()} />
        {styleSlot !== undefined && (
          <p className="share-note" data-testid="share-style-note">
            This link carries a style fitted to a photo: it opens the world with its {styleSlot} styled from a photo
            (the photo itself is not in the link).
          </p>
        )}
        <div className="share-actions">
          <button type="button" className="button button-secondary" onClick={copy}>
            Copy link
          </button>
          {canShare && (
            <button type="button" className="button button-secondary" onClick={share}>
              Share…
            </button>
          )}
        </div>
      </div>
      {qr !== null && (
        // A data: URL drawn locally; next/image would add nothing for a 1-bit SVG.
        // eslint-disable-next-line @next/next/no-img-element
        <img className="share-qr" src={qr} width={160} height={160} alt={`QR code of ${shareUrl}`} />
      )}
      <div className="share-export">
        <p className="share-label">Export textures (PNG, tileable)</p>
        <fieldset className="share-maps">
          <legend className="share-note">Maps (height, normal and roughness where the model paints relief)</legend>
          {SURFACE_MAPS.map((map) => (
            <label key={map} className="share-map">
              <input type="checkbox" checked={maps.has(map)} onChange={() => toggleMap(map)} /> {MAP_LABEL[map]}
            </label>
          ))}
        </fieldset>
        <div className="share-actions">
          <button type="button" className="button button-secondary" onClick={() => exportTextures(null)}>
            Export textures
          </button>
          {EXPORT_SLOTS.map((slot) => (
            <button key={slot} type="button" className="button button-secondary" onClick={() => exportTextures(slot)}>
              {slot}
            </button>
          ))}
        </div>
        {getSky !== undefined && (
          <>
            <p className="share-label">Export sky (PNG, equirectangular 2:1)</p>
            <div className="share-actions">
              <button type="button" className="button button-secondary" onClick={exportSky}>
                Export sky
              </button>
            </div>
            <p className="share-note">
              The upper half is the generated sky; the lower half (never generated) fades from the horizon to a ground
              tone, as in the view.
            </p>
          </>
        )}
        <p className="share-note">
          AI-generated scenery. Files carry provenance metadata (model, seed, room, IPTC trainedAlgorithmicMedia).{' '}
          <Link href="/about">How it works</Link>
        </p>
      </div>
      {fitStyle !== undefined && styledUrl !== undefined && <StylePhoto fitStyle={fitStyle} styledUrl={styledUrl} />}
      <p className="share-status" role="status" aria-live="polite">
        {status}
      </p>
    </section>
  )
}
