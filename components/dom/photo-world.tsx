'use client'

import { useCallback, useEffect, useRef } from 'react'
import { decodeStyle, encodeWorldUrl } from '../../world-gen'
import { defaultWasmThreads } from '../stores/world-store'
import { PhotoFitter } from '../streaming/photo-fitter'
import { randomSeed } from '../worlds/random-seed'
import { StylePhoto, withPageOptions, type StylePhotoProps } from './style-photo'

/**
 * The link of a new world (`seed`) that starts in room 0,0 with a fitted style (`style=` value), keeping the page
 * options of `search` (such as `?tex=`).
 */
export function photoWorldUrl(seed: string, style: string, search: string): string {
  return withPageOptions(encodeWorldUrl({ seed, x: 0, z: 0, heading: 0, style: decodeStyle(style) }), search)
}

/**
 * Landing-page entry "A world from a photo": the same picker, slot, progress bar and Cancel as the world's Share ·
 * Export → Style from a photo, fitted in a generation worker of this page's own (there is no world yet), then a new
 * world (a random seed) opens with the style centred on its start room.
 */
export function PhotoWorld() {
  const fitter = useRef<PhotoFitter | null>(null)
  // Leaving the page stops a fit in progress and its worker.
  useEffect(
    () => () => {
      fitter.current?.destroy()
      fitter.current = null
    },
    [],
  )
  const fitStyle = useCallback<StylePhotoProps['fitStyle']>((photo, slot, onProgress) => {
    // As many wasm threads as a world would ask for here (every logical core but the page's own).
    fitter.current ??= new PhotoFitter({ wasmThreads: defaultWasmThreads(navigator.hardwareConcurrency) })
    return fitter.current.fitStyle(photo, slot, onProgress)
  }, [])
  const styledUrl = useCallback((style: string) => photoWorldUrl(randomSeed(), style, window.location.search), [])
  return (
    <div className="photo-world">
      <StylePhoto
        fitStyle={fitStyle}
        styledUrl={styledUrl}
        label="A world from a photo"
        note={
          'Pick or take a picture of a material: the generator is fitted to it on this device (the photo is never ' +
          'uploaded), then a new world opens with its walls, floor or trim in that style around the start.'
        }
      />
    </div>
  )
}
