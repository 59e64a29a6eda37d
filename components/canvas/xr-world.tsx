'use client'

import { useXR } from '@react-three/xr'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { PlayerRig } from '../../world-gen/player-rig'
import type { WorldStreamer } from '../streaming/world-streamer'
import { DEFAULT_COMFORT, type ComfortSettings } from '../xr/xr-comfort'
import type { XRTelemetry } from '../xr/xr-telemetry'
import { XRLocomotion } from './xr-locomotion'
import { XRPanel } from './xr-panel'

/** localStorage key of the comfort settings (kept between visits). */
const COMFORT_STORAGE_KEY = 'latentscape.xr-comfort'

function loadComfort(): ComfortSettings {
  try {
    const raw = JSON.parse(window.localStorage.getItem(COMFORT_STORAGE_KEY) ?? 'null') as Partial<ComfortSettings>
    return {
      turn: raw?.turn === 'smooth' ? 'smooth' : DEFAULT_COMFORT.turn,
      vignette: typeof raw?.vignette === 'boolean' ? raw.vignette : DEFAULT_COMFORT.vignette,
    }
  } catch {
    // Storage can be unavailable (privacy modes) or hold junk: defaults then.
    return { ...DEFAULT_COMFORT }
  }
}

/**
 * Everything the world adds inside `<XR>`: VR locomotion and teleport over the desktop rig, and the wrist panel
 * with the comfort settings (A toggles snap/smooth turn, B the vignette, X shows/hides the panel).
 */
export function XRWorld({
  rig,
  streamer,
  telemetry,
}: {
  rig: PlayerRig
  streamer: WorldStreamer
  telemetry: XRTelemetry
}) {
  // This module only runs in the browser (the scene is loaded with ssr: false), so storage can be read up front.
  const [comfort, setComfort] = useState<ComfortSettings>(loadComfort)
  const [panelShown, setPanelShown] = useState(true)
  const comfortRef = useRef(comfort)
  useEffect(() => {
    comfortRef.current = comfort
    try {
      window.localStorage.setItem(COMFORT_STORAGE_KEY, JSON.stringify(comfort))
    } catch {
      // Not persisted; the setting still applies for this visit.
    }
  }, [comfort])

  // Emulation only (a test asked for it): hand the emulated headset to the test that drives it.
  const emulator = useXR((state) => state.emulator)
  useEffect(() => {
    if (emulator === undefined) return
    window.__LATENTSCAPE_XR_DEVICE__ = emulator
    return () => {
      if (window.__LATENTSCAPE_XR_DEVICE__ === emulator) delete window.__LATENTSCAPE_XR_DEVICE__
    }
  }, [emulator])

  // Called on button edges from the frame loop: rare discrete events, not per-frame store writes.
  const onButton = useCallback((button: 'a' | 'b' | 'x') => {
    if (button === 'x') setPanelShown((shown) => !shown)
    else if (button === 'a') setComfort((c) => ({ ...c, turn: c.turn === 'snap' ? 'smooth' : 'snap' }))
    else setComfort((c) => ({ ...c, vignette: !c.vignette }))
  }, [])

  return (
    <XRLocomotion rig={rig} streamer={streamer} telemetry={telemetry} comfort={comfortRef} onButton={onButton}>
      {panelShown && <XRPanel comfort={comfort} />}
    </XRLocomotion>
  )
}
