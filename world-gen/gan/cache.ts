/**
 * Texture caches keyed by model version + a hash of the latent field + size: an in-memory LRU bounded by bytes,
 * and an IndexedDB cache (browser/worker only, feature-detected; every failure is non-fatal and reads as a miss).
 */

/** A cache of generated RGBA8 textures by key. */
export interface TextureCache {
  /** The cached bytes, or undefined on a miss. */
  get(key: string): Promise<Uint8Array | undefined>
  /** Store bytes (the cache keeps its own copy or the given array: callers must not transfer it afterwards). */
  set(key: string, bytes: Uint8Array): Promise<void>
}

// FNV-1a over the raw bytes with two different offsets/multipliers, concatenated: 64 bits of key, enough that two
// distinct latent fields colliding within one user's cache is negligible.
function hashBytes(bytes: Uint8Array): string {
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193)
    b = Math.imul(b ^ bytes[i], 0x85ebca6b) ^ (b >>> 15)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}

/**
 * The cache key of one texture: `<version>/<widthPx>x<heightPx>/<hash>` where hash covers the exact float32 bits of
 * `field` ([cellsH, cellsW, C]). Same model version + same latent + same size → same key.
 */
export function textureCacheKey(version: string, field: Float32Array, widthPx: number, heightPx: number): string {
  return `${version}/${widthPx}x${heightPx}/${hashBytes(new Uint8Array(field.buffer, field.byteOffset, field.byteLength))}`
}

/** An LRU cache of textures bounded by total bytes (Map insertion order is the recency order). */
export class LruTextureCache implements TextureCache {
  private entries = new Map<string, Uint8Array>()
  private bytes = 0
  /** Upper bound on stored bytes. */
  readonly maxBytes: number

  /** @param maxBytes total byte budget; entries larger than it are not stored. @default 64 MiB */
  constructor(maxBytes = 64 * 1024 * 1024) {
    this.maxBytes = maxBytes
  }

  /** Bytes currently held. */
  get sizeBytes(): number {
    return this.bytes
  }

  /** Number of entries. */
  get size(): number {
    return this.entries.size
  }

  /** Synchronous lookup; refreshes recency. */
  peek(key: string): Uint8Array | undefined {
    const v = this.entries.get(key)
    if (v !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, v)
    }
    return v
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.peek(key)
  }

  async set(key: string, bytes: Uint8Array): Promise<void> {
    const old = this.entries.get(key)
    if (old !== undefined) {
      this.entries.delete(key)
      this.bytes -= old.byteLength
    }
    if (bytes.byteLength > this.maxBytes) return
    this.entries.set(key, bytes)
    this.bytes += bytes.byteLength
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(k)
      this.bytes -= v.byteLength
    }
  }

  /** Drop everything. */
  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }
}

type Idb = {
  open(name: string, version: number): IDBOpenDBRequest
}

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

/**
 * A persistent texture cache in IndexedDB (one object store, key → bytes). Created with `openIdbTextureCache`,
 * which returns undefined where IndexedDB is missing or refuses to open (private mode, Node).
 */
export class IdbTextureCache implements TextureCache {
  private db: IDBDatabase
  private static STORE = 'textures'

  private constructor(db: IDBDatabase) {
    this.db = db
  }

  /** Open (or create) the database; undefined when IndexedDB is unavailable or fails. */
  static async open(name = 'latentscape-textures'): Promise<IdbTextureCache | undefined> {
    const idb = (globalThis as { indexedDB?: Idb }).indexedDB
    if (idb === undefined) return undefined
    try {
      const r = idb.open(name, 1)
      r.onupgradeneeded = () => {
        if (!r.result.objectStoreNames.contains(IdbTextureCache.STORE))
          r.result.createObjectStore(IdbTextureCache.STORE)
      }
      return new IdbTextureCache(await req(r))
    } catch {
      return undefined
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const tx = this.db.transaction(IdbTextureCache.STORE, 'readonly')
      const v: unknown = await req(tx.objectStore(IdbTextureCache.STORE).get(key))
      return v instanceof ArrayBuffer ? new Uint8Array(v) : v instanceof Uint8Array ? v : undefined
    } catch {
      return undefined // a broken cache is a miss, never an error
    }
  }

  async set(key: string, bytes: Uint8Array): Promise<void> {
    try {
      const tx = this.db.transaction(IdbTextureCache.STORE, 'readwrite')
      // Store a copy: the caller may transfer `bytes.buffer` to the main thread right after.
      await req(tx.objectStore(IdbTextureCache.STORE).put(bytes.slice().buffer, key))
    } catch {
      // Quota exceeded or the database was closed: caching is best-effort.
    }
  }

  /** Close the database connection. */
  close(): void {
    this.db.close()
  }
}

/** Open the IndexedDB texture cache where available (see `IdbTextureCache.open`). */
export const openIdbTextureCache = (name?: string): Promise<IdbTextureCache | undefined> => IdbTextureCache.open(name)
