'use client'

import { useEffect } from 'react'

/**
 * Registers `public/sw.js` (offline support: app shell, chunks, wasm and model files) in production builds only:
 * `next dev` serves unhashed, changing chunks that a cache would only get wrong. Once the worker is active it is sent
 * the scripts this page loaded before it was in control, and the page itself, so a world opened once reloads offline.
 */
export function ServiceWorker() {
  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) return
    let cancelled = false
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        if (cancelled) return
        const urls = performance
          .getEntriesByType('resource')
          .map((entry) => entry.name)
          .filter((name) => name.startsWith(`${location.origin}/_next/static/`))
        registration.active?.postMessage({ type: 'cache-urls', urls, page: location.href })
      })
      .catch(() => {
        // Offline support is best-effort: without a service worker the app still works online.
      })
    return () => {
      cancelled = true
    }
  }, [])
  return null
}

/**
 * Ask the service worker (once active) to cache these same-origin static URLs, e.g. the scripts the generation worker
 * loaded before the service worker was in control. Best-effort and production-only, like the registration.
 */
export function cacheUrlsForOffline(urls: readonly string[]): void {
  if (process.env.NODE_ENV !== 'production' || urls.length === 0 || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.ready
    .then((registration) => registration.active?.postMessage({ type: 'cache-urls', urls: [...urls] }))
    .catch(() => {
      // Without a service worker the app still works online.
    })
}
