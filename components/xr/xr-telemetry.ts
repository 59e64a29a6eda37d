/** VR figures shared by the XR components (which write them) and `window.latentscape.getStats()` (which reads). */

/** Mutable VR counters: written from the frame loop without store updates (no re-render per frame), read on demand. */
export type XRTelemetry = {
  /** Whether an immersive session is running. */
  presenting: boolean
  /** XR frames rendered since the page loaded (counts in every session). */
  frames: number
  /** Teleports completed. */
  teleports: number
  /** The session's refresh rate, Hz, once known (null outside VR or where the browser does not say). */
  frameRateHz: number | null
}

/** Fresh counters (nothing presented yet). */
export function createXRTelemetry(): XRTelemetry {
  return { presenting: false, frames: 0, teleports: 0, frameRateHz: null }
}
