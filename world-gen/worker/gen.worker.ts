/**
 * Generation worker glue: the only world-gen file that touches `self`. All logic is in `handler.ts`.
 * Create with `new Worker(new URL('../../world-gen/worker/gen.worker.ts', import.meta.url), { type: 'module' })`.
 */
import {
  loadGenerator,
  LruTextureCache,
  openIdbTextureCache,
  selectBackend,
  tensorMemory,
  type TextureCache,
} from '../gan'
import type { GenRequest, GenResponse } from '../protocol'
import { createGenHandler } from './handler'

/** Memory cache budget of the worker: 96 MiB ≈ 384 textures of 256². */
const MEMORY_CACHE_BYTES = 96 * 1024 * 1024

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<GenRequest>) => void) | null
  postMessage(msg: GenResponse, transfer: Transferable[]): void
  performance: { now(): number; getEntriesByType(type: 'resource'): { name: string }[] }
  location: { origin: string }
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

const handler = createGenHandler({
  post: (msg, transfer) =>
    scope.postMessage(msg.type === 'ready' ? { ...msg, scriptUrls: ownScriptUrls() } : msg, transfer),
  selectBackend: (order, wasmPath, allowSoftwareGpu) => selectBackend({ order, wasmPath, allowSoftwareGpu }),
  loadModel: (url, onProgress) => loadGenerator({ url }, { onProgress }),
  // Timing is the glue's job: the handler itself stays clock-free.
  now: () => scope.performance.now(),
  caches,
  memory: tensorMemory,
})

// IndexedDB is optional: open it in the background; until then (or if it fails) only the memory cache is used.
void openIdbTextureCache().then((idb) => {
  if (idb !== undefined) caches.push(idb)
})

scope.onmessage = (e) => handler.handle(e.data)
