'use client'

import { usePathname } from 'next/navigation'
import { useEffect } from 'react'

/**
 * Where the offline cache stands for the current page, published as `<html data-offline="…">`:
 * - `off`: no service worker (a `next dev` build, a browser without service workers, or registration failed).
 * - `pending`: the service worker is not active yet, or has not yet confirmed caching everything reported to it.
 * - `ready`: the service worker is active (so the model and wasm binaries are precached) and has confirmed that it
 *   holds this page and every same-origin script the page and the generation worker reported loading so far. On a
 *   world page that has its textures (`window.latentscape.getState().textured`), a reload then works offline.
 */
export type OfflineStatus = 'off' | 'pending' | 'ready'

/** Same-origin, content-hashed build output: what the service worker caches for the page. */
const STATIC_PREFIX = '/_next/static/'
/** Retries of what the service worker could not cache (a network hiccup): after 2, 4 and 8 s, then left `pending`. */
const RETRY_DELAYS_MS = [2000, 4000, 8000]

/**
 * The page's side of offline caching. A page opened directly (a first visit) loads its scripts, and starts the
 * generation worker, before the service worker has installed and taken control, so those requests never pass through
 * it and a one-off list of them would miss whatever was still downloading. Instead every same-origin script the page
 * finishes loading (a buffered `PerformanceObserver` on resource entries: earlier ones, and each later one as it
 * completes) and every script the generation worker reports in its `ready` message is sent, once, to the active
 * service worker, with the page itself; the service worker caches them (skipping what it holds) and answers when done.
 * When the service worker changes (an update taking over), everything is sent again.
 */
class OfflineCache {
  private off = false
  /** Every script URL reported so far. */
  private readonly known = new Set<string>()
  /** Reported, not yet sent to the current service worker. */
  private queue: string[] = []
  /** Paths of the pages sent to the current service worker. */
  private readonly pages = new Set<string>()
  /** Messages sent to the current service worker and not answered yet. */
  private inFlight = 0
  /** What the service worker could not cache (script URLs, `page:<path>`), and how many retries each has had. */
  private readonly failed = new Map<string, number>()
  private worker: ServiceWorker | null = null
  /** Bumped when the service worker changes: answers of an older one no longer count. */
  private generation = 0
  private flushScheduled = false

  /** Report script URLs to cache (all but same-origin `/_next/static/` ones are ignored). */
  add(urls: Iterable<string>): void {
    for (const url of urls) {
      if (this.known.has(url) || !url.startsWith(`${location.origin}${STATIC_PREFIX}`)) continue
      this.known.add(url)
      this.queue.push(url)
    }
    this.scheduleFlush()
  }

  /** The page changed (a client-side navigation): have it cached too. */
  visit(): void {
    this.scheduleFlush()
  }

  /** The active service worker (its first activation, or an update): send it everything reported so far. */
  use(worker: ServiceWorker | null): void {
    if (worker === null || worker === this.worker) return
    this.worker = worker
    this.generation++
    this.inFlight = 0
    this.failed.clear()
    this.pages.clear()
    this.queue = [...this.known]
    this.scheduleFlush()
  }

  /** No service worker after all. */
  disable(): void {
    this.off = true
    this.publish()
  }

  /** See `OfflineStatus`. A page counts by path: its query changes as the player walks. */
  get status(): OfflineStatus {
    if (this.off) return 'off'
    const done = this.worker !== null && this.queue.length === 0 && this.inFlight === 0 && this.failed.size === 0
    return done && this.pages.has(location.pathname) ? 'ready' : 'pending'
  }

  private publish(): void {
    document.documentElement.dataset.offline = this.status
  }

  private scheduleFlush(): void {
    this.publish()
    if (this.flushScheduled || this.worker === null) return
    this.flushScheduled = true
    // One message for what is reported in one task (a burst of resource entries, the worker's script list).
    queueMicrotask(() => {
      this.flushScheduled = false
      this.flush()
    })
  }

  private flush(): void {
    const worker = this.worker
    if (worker === null) return
    const path = location.pathname
    const page = this.pages.has(path) ? undefined : location.href
    if (this.queue.length === 0 && page === undefined) return
    this.pages.add(path)
    const urls = this.queue
    this.queue = []
    const generation = this.generation
    const channel = new MessageChannel()
    channel.port1.onmessage = (e: MessageEvent<{ failed?: unknown }>) => {
      channel.port1.close()
      if (generation !== this.generation) return
      this.inFlight--
      const failed = new Set(Array.isArray(e.data?.failed) ? (e.data.failed as unknown[]) : [])
      for (const url of urls) {
        if (failed.has(url)) this.retry(url, generation, () => this.queue.push(url))
        else this.failed.delete(url)
      }
      if (page !== undefined) {
        if (failed.has(page)) this.retry(`page:${path}`, generation, () => this.pages.delete(path))
        else this.failed.delete(`page:${path}`)
      }
      this.publish()
    }
    this.inFlight++
    this.publish()
    // The service worker caches `urls` and `page` (skipping what it holds) and answers `{ failed }` when done.
    worker.postMessage({ type: 'cache-urls', urls, page }, [channel.port2])
  }

  /** Something could not be cached: `requeue` it after a while, a few times, then leave the page `pending`. */
  private retry(key: string, generation: number, requeue: () => void): void {
    const tries = this.failed.get(key) ?? 0
    this.failed.set(key, tries + 1)
    if (tries >= RETRY_DELAYS_MS.length) return
    setTimeout(() => {
      if (generation !== this.generation) return
      requeue()
      this.scheduleFlush()
    }, RETRY_DELAYS_MS[tries])
  }
}

const offlineCache = new OfflineCache()

/**
 * Registers `public/sw.js` (offline support: app shell, chunks, wasm and model files) in production builds only:
 * `next dev` serves unhashed, changing chunks that a cache would only get wrong. Reports the page and the scripts it
 * loads to the active service worker (see `OfflineCache`), so a world opened once reloads offline.
 * The worker is hand-written rather than built with Serwist (`@serwist/turbopack` for Next 16's Turbopack builds):
 * Serwist would generate the precache list, but most of `sw.js` is what no precache manifest gives (network-first
 * models whose URLs are not versioned, caching what the page and the generation worker report, the `data-offline`
 * answers), so it would stay custom code inside a Serwist worker plus a build plugin and a dozen dependencies.
 */
export function ServiceWorker() {
  const pathname = usePathname()
  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) {
      offlineCache.disable()
      return
    }
    let cancelled = false
    const observer = new PerformanceObserver((list) => offlineCache.add(list.getEntries().map((entry) => entry.name)))
    observer.observe({ type: 'resource', buffered: true })
    const onControllerChange = () => offlineCache.use(navigator.serviceWorker.controller)
    navigator.serviceWorker.addEventListener('controllerchange', onControllerChange)
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        if (!cancelled) offlineCache.use(navigator.serviceWorker.controller ?? registration.active)
      })
      .catch(() => {
        // Offline support is best-effort: without a service worker the app still works online.
        offlineCache.disable()
      })
    return () => {
      cancelled = true
      observer.disconnect()
      navigator.serviceWorker.removeEventListener('controllerchange', onControllerChange)
    }
  }, [])
  useEffect(() => offlineCache.visit(), [pathname])
  return null
}

/**
 * Have the service worker cache these same-origin script URLs: those the generation worker loaded itself (its
 * requests are not among the page's resource entries, and a worker started before the service worker took control
 * fetched them from the network). Best-effort and production-only, like the registration.
 */
export function cacheUrlsForOffline(urls: readonly string[]): void {
  if (process.env.NODE_ENV !== 'production' || urls.length === 0 || !('serviceWorker' in navigator)) return
  offlineCache.add(urls)
}
