/**
 * Latentscape service worker: keeps a world that has loaded once working offline. Hand-written, no Workbox.
 * Registered only by production builds (components/service-worker.tsx).
 *
 * - `/_next/static/*` (content-hashed, immutable): cache-first.
 * - `/models/*` and `/tfjs/*` (generator weights, wasm binaries): precached on install, then network-first with the
 *   cache as the offline fallback. Not cache-first: their URLs carry no version, and a cached weights.bin beside a
 *   newer model.json would fail the weights checksum (the generator refuses it) until the cache was dropped.
 * - Page navigations: network-first; offline, the cached page (same path, any query), else a small offline page.
 * - Anything else (RSC payloads, other origins, non-GET, ranges): not touched.
 * Pages post `{ type: 'cache-urls', urls, page }`: cache what they loaded before this worker controlled them (below).
 */
const VERSION = 'v1'
const STATIC_CACHE = `latentscape-static-${VERSION}`
const ASSET_CACHE = `latentscape-assets-${VERSION}`
const PAGE_CACHE = `latentscape-pages-${VERSION}`
const CACHES = [STATIC_CACHE, ASSET_CACHE, PAGE_CACHE]

/** The generator and the wasm backend: needed by any world, fetched by the generation worker. */
const PRECACHE = [
  '/models/surface/model.json',
  '/models/surface/weights.bin',
  '/models/sky/model.json',
  '/models/sky/weights.bin',
  '/tfjs/tfjs-backend-wasm-simd.wasm',
  '/tfjs/tfjs-backend-wasm.wasm',
]

const OFFLINE_HTML =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Offline · Latentscape</title>' +
  '<body style="background:#07080c;color:#e8e8f0;font:16px system-ui;display:grid;place-content:center;height:100vh">' +
  '<h1>You are offline</h1><p>This page was not saved for offline use. Worlds you opened before still work.</p>'

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(ASSET_CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith('latentscape-') && !CACHES.includes(n)).map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  )
})

/** Which cache (and strategy) a same-origin GET belongs to, or null to leave it to the network. */
function route(request, url) {
  if (request.mode === 'navigate') return 'page'
  if (request.headers.has('range') || request.headers.has('rsc') || url.searchParams.has('_rsc')) return null
  if (url.pathname.startsWith('/_next/static/')) return 'static'
  if (url.pathname.startsWith('/models/') || url.pathname.startsWith('/tfjs/')) return 'asset'
  return null
}

async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE)
  const hit = await cache.match(request)
  if (hit !== undefined) return hit
  const response = await fetch(request)
  if (response.ok) await cache.put(request, response.clone())
  return response
}

async function networkFirst(request, cacheName, fallback) {
  const cache = await caches.open(cacheName)
  try {
    const response = await fetch(request)
    if (response.ok) await cache.put(request, response.clone())
    return response
  } catch (error) {
    const hit = (await cache.match(request)) ?? (await cache.match(request, { ignoreSearch: true }))
    if (hit !== undefined) return hit
    if (fallback !== undefined) return fallback()
    throw error
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  switch (route(request, url)) {
    case 'static':
      event.respondWith(cacheFirst(request))
      return
    case 'asset':
      event.respondWith(networkFirst(request, ASSET_CACHE))
      return
    case 'page':
      event.respondWith(
        networkFirst(
          request,
          PAGE_CACHE,
          () => new Response(OFFLINE_HTML, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } }),
        ),
      )
      return
    default:
  }
})

/**
 * `{ type: 'cache-urls', urls, page }` from a page (components/service-worker.tsx): cache the `/_next/static/` URLs
 * among `urls` and the page `page`, which the page loaded before this worker controlled it (or, for `urls`, which its
 * generation worker loaded). Idempotent: what is cached already is skipped (a page counts by path, any query). When
 * everything is done it answers on the transferred port with `{ type: 'cached', failed }`: the URLs it could not cache.
 */
self.addEventListener('message', (event) => {
  const data = event.data
  if (data === null || typeof data !== 'object' || data.type !== 'cache-urls' || !Array.isArray(data.urls)) return
  const path = (u) => {
    try {
      const url = new URL(u, self.location.origin)
      return url.origin === self.location.origin ? url.pathname : null
    } catch {
      return null
    }
  }
  /** Cache each URL not cached yet; resolves to those that could not be (network error, non-2xx). */
  const add = (cacheName, urls, matchOptions) =>
    caches.open(cacheName).then((cache) =>
      Promise.all(
        urls.map((u) =>
          cache
            .match(u, matchOptions)
            .then((hit) => (hit === undefined ? cache.add(u) : undefined))
            .then(
              () => null,
              () => u,
            ),
        ),
      ),
    )
  const urls = data.urls.filter((u) => typeof u === 'string' && path(u)?.startsWith('/_next/static/'))
  const pages = typeof data.page === 'string' && path(data.page) !== null ? [data.page] : []
  const reply = event.ports[0]
  event.waitUntil(
    Promise.all([add(STATIC_CACHE, urls), add(PAGE_CACHE, pages, { ignoreSearch: true })]).then(([a, b]) =>
      reply?.postMessage({ type: 'cached', failed: [...a, ...b].filter((u) => u !== null) }),
    ),
  )
})
