import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  loadGenerator,
  ModelLoadError,
  prefetchModels,
  selectBackend,
  type ModelLoadReason,
} from '../../../world-gen/gan'
import { MODEL_DIR, surfaceFiles } from './load'

const files = surfaceFiles()
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v))

type Manifest = {
  latentscape: { layers: { in: number }[]; latent: { wrap: string } }
  weightsManifest: { weights: { name: string; shape: number[] }[] }[]
}

function mutate(f: (m: Manifest) => void): Record<string, unknown> {
  const m = clone(files.manifest) as unknown as Manifest
  f(m)
  return m as unknown as Record<string, unknown>
}

const flipped = files.weights.slice()
flipped[1000] ^= 0x01

// Boundary cases as a table with messages.
const CASES: [string, () => Parameters<typeof loadGenerator>[0], ModelLoadReason, RegExp][] = [
  [
    'truncated weights.bin',
    () => ({ manifest: files.manifest, weights: files.weights.subarray(0, files.weights.length - 10) }),
    'truncated-weights',
    /truncated/,
  ],
  [
    'empty weights.bin',
    () => ({ manifest: files.manifest, weights: new Uint8Array(0) }),
    'truncated-weights',
    /truncated/,
  ],
  [
    'weights.bin with extra bytes',
    () => ({ manifest: files.manifest, weights: new Uint8Array(files.weights.length + 2) }),
    'oversized-weights',
    /bytes/,
  ],
  [
    'a weight missing from the manifest',
    () => ({ manifest: mutate((m) => m.weightsManifest[0].weights.splice(2, 1)), weights: files.weights }),
    'missing-weights',
    /l1\/kernel/,
  ],
  [
    'a kernel with the wrong shape',
    () => ({
      manifest: mutate((m) => (m.weightsManifest[0].weights[0].shape = [3, 3, 80, 255])),
      weights: files.weights,
    }),
    'bad-shape',
    /l0\/kernel/,
  ],
  [
    'a layer list that does not chain',
    () => ({ manifest: mutate((m) => (m.latentscape.layers[1].in += 1)), weights: files.weights }),
    'bad-shape',
    /l1/,
  ],
  [
    'padding that is not circular in both axes (the old equirect mode)',
    () => ({ manifest: mutate((m) => (m.latentscape.latent.wrap = 'x')), weights: files.weights }),
    'bad-manifest',
    /latent\.wrap must be "xy"/,
  ],
  [
    'no latentscape block',
    () => ({ manifest: { weightsManifest: [] }, weights: files.weights }),
    'bad-manifest',
    /latentscape/,
  ],
  [
    'a flipped bit in the weights',
    () => ({ manifest: files.manifest, weights: flipped }),
    'checksum-mismatch',
    /sha256/,
  ],
]

describe('model load errors (typed, no tensor leak)', () => {
  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
  })

  it.each(CASES)('%s → ModelLoadError', async (_name, source, reason, message) => {
    const before = tf.memory().numTensors
    const err = await loadGenerator(source()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelLoadError)
    expect((err as ModelLoadError).reason).toBe(reason)
    expect((err as Error).message).toMatch(message)
    expect((err as Error).message).not.toContain('\n')
    expect(tf.memory().numTensors).toBe(before)
  })

  const diskFetch = (missing?: string) =>
    (async (input: string | URL | Request) => {
      const url = String(input)
      const name = url.split('/').pop()!
      if (name === missing) return new Response('not found', { status: 404 })
      return new Response(readFileSync(MODEL_DIR + name))
    }) as typeof fetch

  it('loads from a URL with fetch and reports download progress', async () => {
    const progress: number[] = []
    const g = await loadGenerator(
      { url: '/models/surface/model.json' },
      { fetch: diskFetch(), onProgress: (n) => progress.push(n) },
    )
    expect(g.version).toMatch(/^surface-v\d+-/)
    expect(progress.at(-1)).toBe(files.weights.length)
    g.dispose()
  })

  it('a missing weights.bin (HTTP 404) is ModelLoadError not-found naming the file', async () => {
    const before = tf.memory().numTensors
    const err = await loadGenerator({ url: '/models/surface/model.json' }, { fetch: diskFetch('weights.bin') }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ModelLoadError)
    expect((err as ModelLoadError).reason).toBe('not-found')
    expect((err as Error).message).toContain('/models/surface/weights.bin')
    expect(tf.memory().numTensors).toBe(before)
  })

  it('prefetchModels: the manifest and its shards download at once, and loadGenerator takes them without refetching', async () => {
    const calls: string[] = []
    const disk = diskFetch()
    const counted = ((input: string | URL | Request) => {
      calls.push(String(input))
      return disk(input)
    }) as typeof fetch
    const f = prefetchModels(['/models/surface/model.json'], 'http://app.test/w/x', counted)
    // The shard is asked for as soon as the manifest has been read, before any load.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(calls).toEqual(['http://app.test/models/surface/model.json', 'http://app.test/models/surface/weights.bin'])
    const progress: number[] = []
    const g = await loadGenerator(
      { url: 'http://app.test/models/surface/model.json' },
      { fetch: f, onProgress: (n) => progress.push(n) },
    )
    expect(calls.length).toBe(2)
    expect(progress.at(-1)).toBe(files.weights.length)
    const reference = await loadGenerator(files)
    const field = new Float32Array(g.inputChannels).map((_, i) => Math.sin(i))
    expect(await g.generate(field, 1, 1)).toEqual(await reference.generate(field, 1, 1))
    g.dispose()
    reference.dispose()
    // Served once: a second load fetches again.
    await loadGenerator({ url: 'http://app.test/models/surface/model.json' }, { fetch: f }).then((again) =>
      again.dispose(),
    )
    expect(calls.length).toBe(4)
  })

  it('prefetchModels: a prefetched 404 fails the load as not-found, as without prefetching', async () => {
    const f = prefetchModels(['/models/sky/model.json'], 'http://app.test/', diskFetch('model.json'))
    const err = await loadGenerator({ url: 'http://app.test/models/sky/model.json' }, { fetch: f }).catch((e) => e)
    expect((err as ModelLoadError).reason).toBe('not-found')
  })

  it('a missing model.json (the sky model does not exist yet) is not-found naming it', async () => {
    const err = await loadGenerator({ url: '/models/sky/model.json' }, { fetch: diskFetch('model.json') }).catch(
      (e: unknown) => e,
    )
    expect((err as ModelLoadError).reason).toBe('not-found')
    expect((err as Error).message).toContain('/models/sky/model.json')
  })
})
