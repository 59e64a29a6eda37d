'use client'

import { loadingCovers, useWorldStore } from '../stores/world-store'

const MIB = 1024 * 1024

/**
 * The world's loading screen with real progress: model download, backend chosen (and why faster ones were refused),
 * warm-up, first room generated. Goes away once every surface of the current room has a generated texture (the 64 px
 * preview at first; the full size follows in the world); on a generator
 * failure it says why and offers to continue with untextured rooms.
 */
export function WorldLoading() {
  const loading = useWorldStore((state) => state.loading)
  const backend = useWorldStore((state) => state.backend)
  const sky = useWorldStore((state) => state.sky)
  const covers = useWorldStore(loadingCovers)
  const dismiss = useWorldStore((state) => state.dismissLoading)
  if (!covers) return null

  const { phase, modelLoadedBytes, modelTotalBytes, refusals, warmupMs, error } = loading
  const pct = modelTotalBytes > 0 ? Math.min(100, Math.round((100 * modelLoadedBytes) / modelTotalBytes)) : 0
  const order = ['starting', 'model', 'warmup', 'generating'] as const
  const at = phase === 'failed' ? -1 : order.indexOf(phase)
  const state = (i: number) => (at > i ? 'done' : at === i ? 'active' : 'todo')
  const modelText =
    modelTotalBytes > 0
      ? `Downloading the generators (surface, sky): ${pct}% of ${(modelTotalBytes / MIB).toFixed(1)} MiB`
      : 'Downloading the generators (surface, sky)…'
  return (
    <div className="world-loading" role="status" aria-live="polite" data-testid="world-loading">
      <div className="loading-spinner" aria-hidden="true" />
      <ol>
        <li data-state={state(0)}>Starting the renderer and the generation worker</li>
        <li data-state={state(1)}>
          {modelText}
          <div className="world-loading-bar" aria-hidden="true">
            <span style={{ width: `${pct}%` }} />
          </div>
        </li>
        <li data-state={state(2)}>
          {backend !== null
            ? `Backend: ${backend}${warmupMs !== null ? ` (warmed up in ${Math.round(warmupMs)} ms)` : ''}`
            : 'Choosing a backend (WebGPU → WebGL → WASM → CPU) and warming up'}
        </li>
        {refusals.map((r) => (
          <li key={r.backend} data-state="done" className="mono">
            {r.backend} refused: {r.reason}
          </li>
        ))}
        {sky.available === false && (
          <li data-state="done" className="world-loading-sky">
            Sky generator unavailable ({sky.error ?? 'unknown error'}): the sky stays a placeholder gradient, not
            generated
          </li>
        )}
        <li data-state={state(3)}>Generating the first room’s surfaces and sky</li>
      </ol>
      {error !== null && (
        <>
          <p className="world-loading-error">{error}</p>
          {phase === 'failed' && (
            <button type="button" className="hud-button" onClick={dismiss}>
              Continue with untextured rooms
            </button>
          )}
        </>
      )}
    </div>
  )
}
