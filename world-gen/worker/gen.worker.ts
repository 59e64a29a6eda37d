/**
 * Generation worker glue: the only world-gen file that touches `self`. All logic is in `handler.ts`.
 * Create with `new Worker(new URL('../../world-gen/worker/gen.worker.ts', import.meta.url), { type: 'module' })`.
 */
import {
  fitPhoto,
  type Generator,
  loadGenerator,
  LruTextureCache,
  prefetchModels,
  openIdbTextureCache,
  selectBackend,
  tensorMemory,
  type TextureCache,
} from '../gan'
import type { GenRequest, GenResponse } from '../protocol'
import { createGenHandler } from './handler'

/** Memory cache budget of the worker: 96 MiB ≈ 384 textures of 256² (219 of a relief model: 7 bytes a pixel). */
const MEMORY_CACHE_BYTES = 96 * 1024 * 1024

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<GenRequest>) => void) | null
  postMessage(msg: GenResponse, transfer: Transferable[]): void
  setTimeout(callback: () => void, ms: number): number
  performance: { now(): number; getEntriesByType(type: 'resource'): { name: string }[] }
  location: { origin: string; href: string }
}

/** Script URLs this worker loaded from its own origin (its chunks), for the page's offline cache. */
function ownScriptUrls(): string[] {
  const prefix = `${scope.location.origin}/_next/static/`
  return scope.performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((name) => name.startsWith(prefix))
}

const caches: TextureCache[] = [new LruTextureCache(MEMORY_CACHE_BYTES)]

/**
 * The generators this worker loaded, by absolute model.json URL: the style fit differentiates through the one that
 * paints the textures (its weights, its forward pass). The handler disposes them; a fit never outlives its model.
 */
const loaded = new Map<string, Generator>()
const absolute = (url: string) => new URL(url, scope.location.href).href
/** The fetch that serves the models' downloads started as `init` began (set by `prefetchModels`). */
let modelFetch: typeof fetch | undefined

const handler = createGenHandler({
  post: (msg, transfer) =>
    scope.postMessage(msg.type === 'ready' ? { ...msg, scriptUrls: ownScriptUrls() } : msg, transfer),
  selectBackend: (order, wasmPath, allowSoftwareGpu, wasmThreads) =>
    selectBackend({ order, wasmPath, allowSoftwareGpu, wasmThreads }),
  prefetchModels: (urls) => {
    modelFetch = prefetchModels(urls, scope.location.href)
  },
  loadModel: async (url, onProgress) => {
    const gen = await loadGenerator({ url }, { onProgress, ...(modelFetch !== undefined ? { fetch: modelFetch } : {}) })
    loaded.set(absolute(url), gen)
    return gen
  },
  // Timing is the glue's job: the handler itself stays clock-free.
  now: () => scope.performance.now(),
  sleep: (ms) => new Promise((resolve) => scope.setTimeout(resolve, ms)),
  caches,
  memory: tensorMemory,
  fitStyle: async (req, hooks) => {
    const gen = loaded.get(absolute(req.modelUrl))
    if (gen === undefined) throw new Error(`no generator was loaded from ${req.modelUrl}`)
    // The photo's bytes live only in this call: never cached, stored or posted anywhere.
    const photo = { widthPx: req.photo.widthPx, heightPx: req.photo.heightPx, pixels: new Uint8Array(req.photo.pixels) }
    return fitPhoto(gen, photo, { slot: req.slot, steps: req.steps, seed: req.seed, ...hooks, onStep: hooks.onStep })
  },
  // A macrotask between fit steps, so that a `cancel` message is handled before the next step.
  yieldToMessages: () => new Promise((resolve) => setTimeout(resolve, 0)),
})

// IndexedDB is optional: open it in the background; until then (or if it fails) only the memory cache is used.
void openIdbTextureCache().then((idb) => {
  if (idb !== undefined) caches.push(idb)
})

scope.onmessage = (e) => handler.handle(e.data)
