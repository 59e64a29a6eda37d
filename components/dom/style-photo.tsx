'use client'

import { useEffect, useRef, useState } from 'react'
import type { SurfaceSlot } from '../../world-gen'
import type { FitDoneResponse } from '../../world-gen/protocol'

/** A photo as the fit takes it: RGBA8 `[heightPx, widthPx, 4]`. */
export type StylePhotoPixels = { widthPx: number; heightPx: number; pixels: ArrayBuffer }

/** Props of `StylePhoto`. */
export interface StylePhotoProps {
  /** Start a fit on the device (the world's generation worker); `cancel()` stops it. */
  fitStyle: (
    photo: StylePhotoPixels,
    slot: SurfaceSlot,
    onProgress: (step: number, steps: number, loss: number) => void,
  ) => { done: Promise<FitDoneResponse>; cancel(): void }
  /** The link to open with the fitted style (`style=` value): this spot's in a world, a new world's on the landing page. */
  styledUrl: (style: string) => string
  /** The section's title. @default 'Style from a photo' */
  label?: string
  /** What it does, under the title. @default what it does in a world */
  note?: string
}

const IN_WORLD_NOTE =
  'Pick or take a picture of a material: the generator is fitted to it on this device and the photo is never ' +
  'uploaded. Rooms near the start take on its style, which fades out with distance; the link carries only the ' +
  'fitted style.'

/** Slots a style can paint, in the order offered. */
const STYLE_SLOTS: readonly SurfaceSlot[] = ['walls', 'floor', 'trim']

/**
 * The photo is shrunk on the device before it goes to the worker: the fit looks at a 64 px centre square of it, so a
 * 192 px short side keeps every detail the fit can use and the message small.
 */
const PHOTO_SHORT_SIDE_PX = 192

/**
 * `path` (a world link) with the page options of `search` (such as `?tex=`) that a world link does not set itself:
 * everything but the room, heading and style, which the link decides.
 */
export function withPageOptions(path: string, search: string): string {
  let out = path
  for (const [k, v] of new URLSearchParams(search))
    if (k !== 'r' && k !== 'h' && k !== 'style') out += `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`
  return out
}

/**
 * What the page says when a fit ends, and whether it opens the styled link. A fit that found nothing closer to the
 * photo than its start (the world's own closest material) is not applied: a link that paints farther from the photo
 * than the unstyled world would only be worse.
 */
export function fitOutcome(done: FitDoneResponse, slot: SurfaceSlot): { apply: boolean; message: string } {
  const distance = `distance ${done.startLoss.toFixed(2)} → ${done.quantisedLoss.toFixed(2)}`
  const where = `in ${(done.ms / 1000).toFixed(1)} s on ${done.backend}`
  if (!done.improved)
    return {
      apply: false,
      message:
        `No ${slot} style came closer to this photo than the world's own closest material (${distance} ${where}), ` +
        'so none was applied. A close, evenly lit photo of one material fits best.',
    }
  return {
    apply: true,
    message: `Fitted ${slot} to ${done.families.replaceAll('_', ' ')} ${where} (${distance}); opening the styled world…`,
  }
}

/** Decode an image file into RGBA8 pixels, its shorter side scaled to at most PHOTO_SHORT_SIDE_PX (on the device). */
async function photoPixels(file: Blob): Promise<StylePhotoPixels> {
  const bitmap = await createImageBitmap(file)
  try {
    const scale = Math.min(1, PHOTO_SHORT_SIDE_PX / Math.min(bitmap.width, bitmap.height))
    const widthPx = Math.max(1, Math.round(bitmap.width * scale))
    const heightPx = Math.max(1, Math.round(bitmap.height * scale))
    const canvas = new OffscreenCanvas(widthPx, heightPx)
    const ctx = canvas.getContext('2d')
    if (ctx === null) throw new Error('no 2D canvas to read the photo with')
    ctx.drawImage(bitmap, 0, 0, widthPx, heightPx)
    return { widthPx, heightPx, pixels: ctx.getImageData(0, 0, widthPx, heightPx).data.slice().buffer }
  } finally {
    bitmap.close()
  }
}

/**
 * "Style from a photo": pick a picture (or take one, where the browser offers the camera for file inputs), fit the
 * surface generator to it on this device with a progress bar and the loss, then open the link that carries the style.
 * The photo never leaves the device: it is decoded here and fitted in the generation worker; only the fitted style
 * (74 characters) goes into the link.
 */
export function StylePhoto({
  fitStyle,
  styledUrl,
  label = 'Style from a photo',
  note = IN_WORLD_NOTE,
}: StylePhotoProps) {
  const [slot, setSlot] = useState<SurfaceSlot>('walls')
  const [progress, setProgress] = useState<{ step: number; steps: number; loss: number } | null>(null)
  const [message, setMessage] = useState('')
  const [fitting, setFitting] = useState(false)
  const running = useRef<{ cancel(): void } | null>(null)

  // Closing the panel (or leaving the world) stops a fit in progress.
  useEffect(() => () => running.current?.cancel(), [])

  const start = async (file: File | undefined) => {
    if (file === undefined) return
    running.current?.cancel()
    setMessage('Reading the photo on this device…')
    setProgress(null)
    let photo: StylePhotoPixels
    try {
      photo = await photoPixels(file)
    } catch (e) {
      setMessage(`This file could not be read as an image (${(e as Error).message.split('\n')[0]})`)
      return
    }
    setMessage('Fitting the generator to the photo on this device…')
    const fit = fitStyle(photo, slot, (step, steps, loss) => setProgress({ step, steps, loss }))
    running.current = fit
    setFitting(true)
    try {
      const done = await fit.done
      running.current = null
      setFitting(false)
      const outcome = fitOutcome(done, slot)
      setMessage(outcome.message)
      if (outcome.apply) window.location.assign(styledUrl(done.style))
    } catch (e) {
      running.current = null
      setFitting(false)
      setProgress(null)
      const err = e as Error & { cancelled?: boolean }
      setMessage(err.cancelled === true ? 'Style fit cancelled' : `The style fit failed: ${err.message.split('\n')[0]}`)
    }
  }

  return (
    <div className="share-style" data-testid="style-photo">
      <p className="share-label">{label}</p>
      <p className="share-note">{note}</p>
      <div className="share-actions">
        <label>
          Slot{' '}
          <select value={slot} onChange={(e) => setSlot(e.target.value as SurfaceSlot)} data-testid="style-slot">
            {STYLE_SLOTS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="button button-secondary">
          Choose photo…
          <input
            type="file"
            accept="image/*"
            hidden
            data-testid="style-file"
            onChange={(e) => {
              void start(e.target.files?.[0])
              e.target.value = ''
            }}
          />
        </label>
        {fitting && (
          <button type="button" className="button button-secondary" onClick={() => running.current?.cancel()}>
            Cancel
          </button>
        )}
      </div>
      {progress !== null && (
        <p className="share-note" data-testid="style-progress">
          <progress max={progress.steps} value={progress.step} /> step {progress.step}/{progress.steps} · distance{' '}
          {progress.loss.toFixed(3)}
        </p>
      )}
      <p className="share-note" role="status" data-testid="style-status">
        {message}
      </p>
    </div>
  )
}
