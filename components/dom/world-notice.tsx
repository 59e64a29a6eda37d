'use client'

import { useEffect, useState } from 'react'
import { loadingCovers, useWorldStore } from '../stores/world-store'

/** How long a recoverable notice (worker restarted, one surface failed) stays up, in ms. */
const NOTICE_MS = 15_000

/**
 * Generator trouble after the loading screen is gone: a worker that crashed and was restarted, a surface that could
 * not be generated, or a generator that is unavailable. Untextured surfaces are flat grey and this banner says so:
 * nothing else is ever shown in place of generated scenery.
 */
export function WorldNotice() {
  const phase = useWorldStore((state) => state.loading.phase)
  const error = useWorldStore((state) => state.loading.error)
  const covered = useWorldStore(loadingCovers)
  const [hidden, setHidden] = useState<string | null>(null)
  const failed = phase === 'failed'
  useEffect(() => {
    if (error === null || failed) return
    const timer = window.setTimeout(() => setHidden(error), NOTICE_MS)
    return () => window.clearTimeout(timer)
  }, [error, failed])
  // While the loading screen covers the world it shows the same message.
  if (error === null || hidden === error || (covered && !failed)) return null
  return (
    <div className="world-notice" role="alert" data-testid="world-notice" data-severity={failed ? 'error' : 'warning'}>
      <p>
        {failed && <strong>Texture generator unavailable: rooms are untextured grey, not generated scenery. </strong>}
        {error}
      </p>
      <button type="button" className="hud-button" onClick={() => setHidden(error)} aria-label="Dismiss">
        ×
      </button>
    </div>
  )
}
