import { Float16Array } from '@petamoriken/float16'
import { describe, expect, it } from 'vitest'
import { LruTextureCache } from '../../../world-gen/gan/cache'
import { LATENT_LAYOUT, latentField, localField } from '../../../world-gen/latent-walk'
import { composeRoomSky, roomSkyShading, SKY_PANORAMA_PX } from '../../../world-gen/sky-compose'
import type { GenerateRequest, GenResponse } from '../../../world-gen/protocol'
import { createGenHandler, type GenEngine } from '../../../world-gen/worker/handler'

/**
 * The layout these fakes were written for (80 input channels, 16 px per cell, no families), injected so the tests keep
 * meaning the same when latent-layout.json moves to another model; the family paths are in handler-families.test.ts.
 */
const LAYOUT = {
  ...LATENT_LAYOUT,
  surface: {
    globalDim: 64,
    familyDim: 0,
    localDim: 16,
    cellPx: 16,
    trainCells: [4, 4] as [number, number],
    wrap: 'xy',
  },
}

/** A fake generator: records calls; each generation waits until the test releases it (`step()`). */
function fakeEngine(version = 'surface-v1-test') {
  const calls: { field: Float32Array; cellsH: number; cellsW: number }[] = []
  const pending: (() => void)[] = []
  let disposed = 0
  const engine: GenEngine = {
    version,
    inputChannels: 80,
    cellPx: 16,
    generate: (field, cellsH, cellsW) =>
      new Promise((resolve) => {
        calls.push({ field, cellsH, cellsW })
        const px = new Uint8Array(cellsH * 16 * cellsW * 16 * 4).fill(calls.length)
        if (cellsH === 1 && cellsW === 1)
          resolve(px) // warm-up runs immediately
        else pending.push(() => resolve(px))
      }),
    dispose: () => void disposed++,
  }
  return { engine, calls, pending, disposedCount: () => disposed }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

async function setup(options: { models?: Record<string, string>; caches?: LruTextureCache[] } = {}) {
  const fake = fakeEngine()
  const out: { msg: GenResponse; transfer: ArrayBuffer[] }[] = []
  const h = createGenHandler({
    layout: LAYOUT,
    post: (msg, transfer) => out.push({ msg, transfer }),
    selectBackend: async () => ({
      backend: 'wasm',
      refusals: [{ backend: 'webgpu', reason: 'navigator.gpu is not available' }],
    }),
    loadModel: async (url, onProgress) => {
      if (url.includes('sky')) throw new Error(`model file not found: ${url} (HTTP 404)`)
      onProgress(10, 10)
      return fake.engine
    },
    caches: options.caches,
  })
  h.handle({ type: 'init', models: options.models ?? { surface: '/models/surface/model.json' } })
  await flush()
  /** Release the running generation and let the queue advance. */
  const step = async () => {
    await flush() // let the running job reach its generate() call (cache lookups are async)
    fake.pending.shift()?.()
    await flush()
  }
  const of = <T extends GenResponse['type']>(type: T) =>
    out.map((o) => o.msg).filter((m): m is Extract<GenResponse, { type: T }> => m.type === type)
  return { h, fake, out, step, of }
}

const field16 = new Float32Array(16 * 16 * 80).map((_, i) => Math.sin(i))

function gen(id: string, priority: number, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    type: 'generate',
    id,
    priority,
    model: 'surface',
    slot: 'floor',
    roomKey: id, // distinct targets unless a test says otherwise
    latent: { kind: 'field', field: field16, cellsW: 16, cellsH: 16 },
    sizes: [{ cellsW: 16, cellsH: 16 }],
    ...extra,
  }
}

describe('generation worker handler', () => {
  it('init: picks a backend, loads models with progress, warms up, then reports ready', async () => {
    const { of, fake } = await setup()
    expect(of('progress')).toEqual([{ type: 'progress', model: 'surface', loadedBytes: 10, totalBytes: 10 }])
    expect(fake.calls).toEqual([{ field: expect.any(Float32Array), cellsH: 1, cellsW: 1 }])
    const [ready] = of('ready')
    expect(ready).toMatchObject({ backend: 'wasm', versions: { surface: 'surface-v1-test' } })
    expect(ready.refusals).toEqual([{ backend: 'webgpu', reason: 'navigator.gpu is not available' }])
  })

  it('runs jobs one at a time by priority (lower first, FIFO on ties), honours reprioritize', async () => {
    const { h, fake, step, of } = await setup()
    h.handle(gen('a', 9)) // starts at once: nothing else queued
    h.handle(gen('b', 5))
    h.handle(gen('c', 1))
    h.handle(gen('d', 3))
    h.handle(gen('e', 3))
    expect(h.queuedIds()).toEqual(['c', 'd', 'e', 'b'])
    h.handle({ type: 'reprioritize', id: 'b', priority: 0 })
    expect(h.queuedIds()).toEqual(['b', 'c', 'd', 'e'])
    for (let i = 0; i < 5; i++) await step()
    expect(of('result').map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(fake.calls.length).toBe(1 + 5)
  })

  it('cancel drops queued jobs and the running one (its result is never posted)', async () => {
    const { h, fake, step, of } = await setup()
    h.handle(gen('a', 0))
    h.handle(gen('b', 1))
    h.handle(gen('c', 2))
    h.handle({ type: 'cancel', ids: ['a', 'b', 'nope'] })
    expect(of('cancelled')).toEqual([
      { type: 'cancelled', id: 'b', reason: 'cancelled' },
      { type: 'cancelled', id: 'a', reason: 'cancelled' },
    ])
    await step() // a's generation returns but is discarded
    await step()
    expect(of('result').map((r) => r.id)).toEqual(['c'])
    expect(fake.calls.length).toBe(1 + 2) // warm-up, a (already running), c — b never ran
  })

  it('a newer request for the same model/room/slot supersedes a queued or running one', async () => {
    const { h, step, of } = await setup()
    h.handle(gen('a1', 0, { roomKey: '0,0' }))
    h.handle(gen('b1', 1, { roomKey: '1,0' }))
    h.handle(gen('b2', 1, { roomKey: '1,0' }))
    h.handle(gen('a2', 0, { roomKey: '0,0' }))
    expect(of('cancelled')).toEqual([
      { type: 'cancelled', id: 'b1', reason: 'superseded' },
      { type: 'cancelled', id: 'a1', reason: 'superseded' },
    ])
    for (let i = 0; i < 3; i++) await step()
    expect(of('result').map((r) => r.id)).toEqual(['a2', 'b2'])
  })

  it('progressive sizes: a 4×4-cell preview (64²) then the 16×16 texture (256²), pixels transferred', async () => {
    const { h, fake, step, out, of } = await setup()
    h.handle(
      gen('p', 0, {
        sizes: [
          { cellsW: 4, cellsH: 4 },
          { cellsW: 16, cellsH: 16 },
        ],
      }),
    )
    await step()
    await step()
    const results = of('result')
    expect(results.map((r) => [r.sizeIndex, r.final, r.width, r.height, r.pixels.byteLength])).toEqual([
      [0, false, 64, 64, 64 * 64 * 4],
      [1, true, 256, 256, 256 * 256 * 4],
    ])
    // The preview is the top-left 4×4 cells of the same latent field.
    expect(fake.calls[1].field).toEqual(
      field16.filter((_, i) => Math.floor(i / (16 * 80)) < 4 && Math.floor(i / 80) % 16 < 4),
    )
    for (const o of out.filter((o) => o.msg.type === 'result'))
      expect(o.transfer).toEqual([(o.msg as { pixels: ArrayBuffer }).pixels])
  })

  it('laterPriority: every queued preview runs before any full size; reprioritize and cancel reach a job between sizes', async () => {
    const { h, step, of } = await setup()
    const sizes = [
      { cellsW: 4, cellsH: 4 },
      { cellsW: 16, cellsH: 16 },
    ]
    h.handle(gen('blocker', 0))
    h.handle(gen('floor', 0, { sizes, laterPriority: 2.25 }))
    h.handle(gen('walls', 1, { sizes, laterPriority: 2.5 }))
    h.handle(gen('trim', 2, { sizes, laterPriority: 2.75 }))
    h.handle(gen('sky', 2.125))
    h.handle(gen('old', 0, { sizes })) // no laterPriority: both sizes at once
    await step() // blocker
    await step() // floor's preview (FIFO before old on the tie): floor goes back to the queue at 2.25
    await step() // old's two sizes run together
    await step()
    expect(h.queuedIds()).toEqual(['trim', 'sky', 'floor'])
    h.handle({ type: 'reprioritize', id: 'floor', priority: 0, laterPriority: 2.9 })
    await step() // walls preview (trim now runs)
    await step() // trim preview (sky now runs)
    expect(h.queuedIds()).toEqual(['walls', 'trim', 'floor'])
    h.handle({ type: 'cancel', ids: ['trim'] })
    for (let i = 0; i < 3; i++) await step()
    expect(of('result').map((r) => `${r.id}:${r.sizeIndex}`)).toEqual([
      'blocker:0',
      'floor:0',
      'old:0',
      'old:1',
      'walls:0',
      'trim:0',
      'sky:0',
      'walls:1',
      'floor:1',
    ])
    expect(of('cancelled')).toEqual([{ type: 'cancelled', id: 'trim', reason: 'cancelled' }])
    expect(h.queuedIds()).toEqual([])
  })

  it('pace: a background job idles pace × each layer’s time, at full speed while a job without pace waits', async () => {
    let clock = 0
    const sleeps: number[] = []
    let release: (() => void) | undefined
    // Three "layers" of 10 ms each; the second job's arrival is simulated during the first job's second pause.
    const engine: GenEngine = {
      version: 'surface-v1-paced',
      inputChannels: 80,
      cellPx: 16,
      generate: async (_field, cellsH, cellsW, _seed, options) => {
        for (let layer = 0; layer < 3; layer++) {
          clock += 10
          await options?.pause?.()
        }
        if (cellsH === 1 && cellsW === 1) return new Uint8Array(16 * 16 * 4)
        await new Promise<void>((resolve) => (release = resolve))
        return new Uint8Array(cellsH * 16 * cellsW * 16 * 4)
      },
      dispose: () => undefined,
    }
    const out: GenResponse[] = []
    const h = createGenHandler({
      layout: LAYOUT,
      post: (msg) => out.push(msg),
      selectBackend: async () => ({ backend: 'wasm', refusals: [] }),
      loadModel: async () => engine,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms)
        clock += ms
        if (sleeps.length === 2) h.handle(gen('urgent', 0, { roomKey: 'u' }))
      },
    })
    h.handle({ type: 'init', models: { surface: '/models/surface/model.json' } })
    await flush()
    h.handle(gen('ahead', 5, { pace: 2 }))
    await flush()
    // Two paced layers (2 × 10 ms each), then the urgent job is queued: the third layer does not idle.
    expect(sleeps).toEqual([20, 20])
    release?.()
    await flush()
    // The urgent job (no pace) never idles.
    expect(sleeps).toEqual([20, 20])
    release?.()
    await flush()
    expect(out.filter((m) => m.type === 'result').map((m) => (m as { id: string }).id)).toEqual(['ahead', 'urgent'])
    // The warm-up was never paced either.
    expect(sleeps.length).toBe(2)
  })

  it('seeded latents use the world-gen field: latentField(global, localField(roomSeed, slot, w, h))', async () => {
    const { h, fake, step } = await setup()
    const global = new Float32Array(64).fill(0.5)
    h.handle(gen('s', 0, { slot: 'walls', latent: { kind: 'seeded', global, roomSeed: 1234 } }))
    await step()
    expect(fake.calls[1].field).toEqual(latentField(global, localField(1234, 'walls', 16, 16, LAYOUT), 16, 16))
  })

  it('serves repeats from the cache without regenerating; cached bytes survive the transfer', async () => {
    const { h, fake, step, of } = await setup({ caches: [new LruTextureCache()] })
    h.handle(gen('x', 0))
    await step()
    h.handle(gen('y', 0))
    await flush()
    const [first, second] = of('result')
    expect([first.fromCache, second.fromCache]).toEqual([false, true])
    expect(new Uint8Array(second.pixels)).toEqual(new Uint8Array(first.pixels))
    expect(fake.calls.length).toBe(2)
  })

  it('typed failures: a lost device is flagged on the job error, init with no model is init-failed', async () => {
    const out: GenResponse[] = []
    const engine: GenEngine = {
      version: 'surface-v1-lost',
      inputChannels: 80,
      cellPx: 16,
      generate: async (_field, cellsH) => {
        if (cellsH > 1) throw new Error('GPUDevice was destroyed: device lost')
        return new Uint8Array(16 * 16 * 4)
      },
      dispose: () => undefined,
    }
    const h = createGenHandler({
      layout: LAYOUT,
      post: (msg) => out.push(msg),
      selectBackend: async () => ({ backend: 'webgpu', refusals: [] }),
      loadModel: async () => engine,
    })
    h.handle({ type: 'init', models: { surface: 'm' } })
    await flush()
    h.handle(gen('lost', 0))
    await h.idle()
    expect(out.find((m) => m.type === 'error')).toEqual({
      type: 'error',
      id: 'lost',
      message: 'GPUDevice was destroyed: device lost',
      reason: 'device-lost',
    })

    const failed: GenResponse[] = []
    const none = createGenHandler({
      layout: LAYOUT,
      post: (msg) => failed.push(msg),
      selectBackend: async () => ({ backend: 'cpu', refusals: [] }),
      loadModel: async (url) => {
        throw new Error(`model file not found: ${url} (HTTP 404)`)
      },
    })
    none.handle({ type: 'init', models: { surface: '/m.json' } })
    await flush()
    expect(failed.map((m) => m.type)).toEqual(['model-failed', 'init-failed'])
    expect(failed[1]).toEqual({
      type: 'init-failed',
      message: 'no model could be loaded (surface: model file not found: /m.json (HTTP 404))',
    })
  })

  it('refuses a model whose cell size differs from latent-layout.json (requests are sized from that file)', async () => {
    const out: GenResponse[] = []
    const h = createGenHandler({
      layout: LAYOUT,
      post: (msg) => out.push(msg),
      selectBackend: async () => ({ backend: 'cpu', refusals: [] }),
      loadModel: async () => ({ ...fakeEngine('surface-v1-8px').engine, cellPx: 8 }),
    })
    h.handle({ type: 'init', models: { surface: '/m.json' } })
    await flush()
    expect(out[0]).toEqual({
      type: 'model-failed',
      model: 'surface',
      message: `surface-v1-8px paints 8 px per latent cell, latent-layout.json says ${LAYOUT.surface.cellPx} for "surface"`,
    })
  })

  it('a slot whose model is missing (sky) fails with one clear line naming the model', async () => {
    const { h, of } = await setup({ models: { surface: '/models/surface/model.json', sky: '/models/sky/model.json' } })
    expect(of('model-failed')).toEqual([
      { type: 'model-failed', model: 'sky', message: expect.stringMatching(/\/models\/sky\/model\.json/) },
    ])
    h.handle(gen('sky', 0, { model: 'sky', slot: 'sky' }))
    await flush()
    const err = of('error').find((e) => e.id === 'sky')!
    expect(err.message).toMatch(/^no "sky" model loaded for slot sky: /)
    expect(err.message).not.toContain('\n')
    expect(of('result')).toEqual([])
  })

  it('rejects a field of the wrong size with an error for that job only', async () => {
    const { h, step, of } = await setup()
    h.handle(gen('bad', 0, { latent: { kind: 'field', field: new Float32Array(10), cellsW: 16, cellsH: 16 } }))
    h.handle(gen('ok', 1))
    await flush()
    await step()
    expect(of('error').map((e) => e.id)).toEqual(['bad'])
    expect(of('result').map((r) => r.id)).toEqual(['ok'])
  })

  it('sky jobs: a square power-of-two cloud layer becomes the room’s panorama and shading; any other size is refused before generating', async () => {
    const surface = fakeEngine()
    const sky = fakeEngine('sky-v1-test')
    const skyEngine: GenEngine = { ...sky.engine, cloudLayer: { pxPerUnit: 42.7, clearRgb: [0.1, 0.25, 0.75] } }
    const out: GenResponse[] = []
    const cache = new LruTextureCache()
    const h = createGenHandler({
      layout: LAYOUT,
      post: (msg) => out.push(msg),
      selectBackend: async () => ({ backend: 'wasm', refusals: [] }),
      loadModel: async (url) => (url.includes('sky') ? skyEngine : surface.engine),
      caches: [cache],
    })
    h.handle({ type: 'init', models: { surface: '/models/surface/model.json', sky: '/models/sky/model.json' } })
    await flush()
    const generated = sky.calls.length // the warm-up
    const skyJob = (id: string, cellsW: number, cellsH: number): GenerateRequest => ({
      ...gen(id, 0, { model: 'sky', slot: 'sky' }),
      latent: { kind: 'field', field: field16.subarray(0, cellsW * cellsH * 80), cellsW, cellsH },
      sizes: [{ cellsW, cellsH }],
    })
    h.handle(skyJob('wide', 16, 8))
    await flush()
    await flush()
    expect(out.find((m) => m.type === 'error' && m.id === 'wide')).toMatchObject({
      message: expect.stringMatching(/square with a power-of-two size, got 256×128 px/),
    })
    expect(sky.calls.length).toBe(generated)
    h.handle(skyJob('ok', 16, 16))
    await flush()
    await flush()
    sky.pending.shift()?.()
    await flush()
    await flush()
    const result = out.find((m): m is Extract<GenResponse, { type: 'result' }> => m.type === 'result' && m.id === 'ok')!
    expect([result.width, result.height]).toEqual([SKY_PANORAMA_PX.width, SKY_PANORAMA_PX.height])
    const tile = new Uint8Array(256 * 256 * 4).fill(generated + 1)
    const expected = composeRoomSky(tile, 256, skyEngine.cloudLayer!, field16.subarray(0, 64))
    expect(new Uint8Array(result.pixels)).toEqual(expected)
    // Beside the panorama, what the sky shader paints from per screen pixel.
    const shading = roomSkyShading(tile, 256, skyEngine.cloudLayer!, field16.subarray(0, 64))
    expect(result.sky).toMatchObject({
      tileSize: 256,
      tilesPerUnit: shading.tilesPerUnit,
      termsWidthPx: SKY_PANORAMA_PX.width,
      termsHeightPx: SKY_PANORAMA_PX.height,
      sunDirection: shading.sunDirection,
      overcast: shading.overcast,
    })
    expect(new Uint8Array(result.sky!.layer)).toEqual(shading.layer)
    expect(Buffer.from(result.sky!.terms).equals(Buffer.from(new Float16Array(shading.terms).buffer))).toBe(true)
    // The cache keeps the generated layer; a repeat is served from it with the same panorama and shading.
    h.handle(skyJob('again', 16, 16))
    await flush()
    await flush()
    await flush()
    const again = out.find(
      (m): m is Extract<GenResponse, { type: 'result' }> => m.type === 'result' && m.id === 'again',
    )!
    expect(again.fromCache).toBe(true)
    expect(sky.calls.length).toBe(generated + 1)
    expect(new Uint8Array(again.pixels)).toEqual(expected)
    expect(new Uint8Array(again.sky!.layer)).toEqual(shading.layer)
    expect(Buffer.from(again.sky!.terms).equals(Buffer.from(new Float16Array(shading.terms).buffer))).toBe(true)
  })

  it('dispose cancels everything and disposes each model once the running job returns', async () => {
    const { h, fake, step, of } = await setup()
    h.handle(gen('a', 0))
    h.handle(gen('b', 1))
    h.handle({ type: 'dispose' })
    expect(of('cancelled').map((c) => [c.id, c.reason])).toEqual([
      ['b', 'disposed'],
      ['a', 'disposed'],
    ])
    expect(fake.disposedCount()).toBe(0) // 'a' is still running
    await step()
    expect(fake.disposedCount()).toBe(1)
    expect(of('disposed')).toHaveLength(1)
    await h.idle()
  })
})

describe('gen handler stats', () => {
  it('answers `stats` with the injected tf.memory figures once ready, never throwing before', async () => {
    const out: GenResponse[] = []
    let backendUp = false
    const h = createGenHandler({
      layout: LAYOUT,
      post: (msg) => out.push(msg),
      selectBackend: async () => {
        backendUp = true
        return { backend: 'cpu', refusals: [] }
      },
      loadModel: async () => fakeEngine().engine,
      memory: () => {
        // Like tf.memory() before any backend is initialised.
        if (!backendUp) throw new Error('No backend found in registry.')
        return { numTensors: 7, numBytes: 512 }
      },
    })
    expect(() => h.handle({ type: 'stats' })).not.toThrow()
    expect(out).toEqual([])
    h.handle({ type: 'init', models: { surface: '/models/surface/model.json' } })
    await flush()
    h.handle({ type: 'stats' })
    expect(out.filter((m) => m.type === 'stats')).toEqual([{ type: 'stats', numTensors: 7, numBytes: 512 }])
  })
})
