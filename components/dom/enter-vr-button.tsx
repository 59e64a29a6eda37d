'use client'

import type { XRStore } from '@react-three/xr'
import { useEffect, useState } from 'react'
import styles from './enter-vr-button.module.css'

/**
 * "Enter VR" / "Exit VR": shown only where `navigator.xr.isSessionSupported('immersive-vr')` resolves true (checked
 * again when an emulator installs itself). Entering keeps the player's room and heading; the scene's XR locomotion
 * places the headset where the desktop player stood.
 */
export function EnterVRButton({ store }: { store: XRStore }) {
  const [supported, setSupported] = useState(false)
  const [presenting, setPresenting] = useState(() => store.getState().session !== undefined)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let alive = true
    const check = () => {
      const xr = typeof navigator === 'undefined' ? undefined : navigator.xr
      if (xr === undefined) return
      xr.isSessionSupported('immersive-vr').then(
        (ok) => alive && setSupported(ok),
        () => alive && setSupported(false),
      )
    }
    check()
    const unsubscribe = store.subscribe((state, prev) => {
      if (state.emulator !== prev.emulator) check()
      if (state.session !== prev.session) setPresenting(state.session !== undefined)
    })
    return () => {
      alive = false
      unsubscribe()
    }
  }, [store])

  if (!supported) return null
  const onClick = () => {
    setError(null)
    const session = store.getState().session
    if (session !== undefined) {
      session.end().catch(() => undefined)
      return
    }
    store.enterVR().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
  }
  return (
    <div className={styles.root}>
      <button type="button" className={`hud-button ${styles.button}`} data-testid="enter-vr" onClick={onClick}>
        {presenting ? 'Exit VR' : 'Enter VR'}
      </button>
      {error !== null && (
        <p className={styles.error} role="alert">
          Could not start VR: {error}
        </p>
      )}
    </div>
  )
}
