import { describe, expect, it } from 'vitest'
import { LruTextureCache, openIdbTextureCache, textureCacheKey } from '../../../world-gen/gan/cache'

describe('texture caches', () => {
  it('keys on version, size and the exact latent bits', () => {
    const f = new Float32Array([1, 2, 3])
    const k = textureCacheKey('surface-v1-a', f, 64, 64)
    expect(textureCacheKey('surface-v1-a', new Float32Array([1, 2, 3]), 64, 64)).toBe(k)
    expect(textureCacheKey('surface-v1-b', f, 64, 64)).not.toBe(k)
    expect(textureCacheKey('surface-v1-a', f, 128, 64)).not.toBe(k)
    expect(textureCacheKey('surface-v1-a', new Float32Array([1, 2, 3.0000002]), 64, 64)).not.toBe(k)
  })

  it('LRU evicts least recently used entries beyond its byte budget', async () => {
    const c = new LruTextureCache(300)
    await c.set('a', new Uint8Array(100))
    await c.set('b', new Uint8Array(100))
    await c.set('c', new Uint8Array(100))
    expect(await c.get('a')).toBeDefined() // a is now most recent
    await c.set('d', new Uint8Array(100)) // evicts b
    expect(await c.get('b')).toBeUndefined()
    expect(c.sizeBytes).toBe(300)
    await c.set('huge', new Uint8Array(301)) // larger than the budget: not stored, nothing evicted
    expect(c.size).toBe(3)
  })

  it('IndexedDB cache is feature-detected: undefined in Node', async () => {
    expect(await openIdbTextureCache()).toBeUndefined()
  })
})
