import { describe, expect, it } from 'vitest'
import { WorldStreamer, type SkyGenStatus, type StreamerStatus } from '../../../components/streaming/world-streamer'
import { localSeed, room, SKY_FIELD_CELLS, skyLatent, surfaceFullPriority, type RoomKey } from '../../../world-gen'
import type { GenerateRequest, ResultSky } from '../../../world-gen/protocol'
import { FakeWorker } from './fake-worker'

const SKY_W = 512
const SKY_H = 128
const VERSIONS = { surface: 'surface-v1-x', sky: 'sky-v1-y' }

function setup() {
  const worker = new FakeWorker()
  const statuses: StreamerStatus[] = []
  const skyStatuses: SkyGenStatus[] = []
  const streamer = new WorldStreamer({
    seed: 'demo',
    texSizePx: 64,
    createWorker: () => worker as unknown as Worker,
    onStatus: (s) => statuses.push(s),
    onSkyStatus: (s) => skyStatuses.push(s),
  })
  streamer.init()
  return { worker, streamer, statuses, skyStatuses }
}

const ready = (w: FakeWorker, versions: Record<string, string> = VERSIONS) =>
  w.reply({ type: 'ready', backend: 'wasm', refusals: [], versions, warmupMs: 5 })
const skyJobs = (w: FakeWorker) => w.sent.filter((m): m is GenerateRequest => m.type === 'generate' && m.slot === 'sky')
const surfaceJobs = (w: FakeWorker) =>
  w.sent.filter((m): m is GenerateRequest => m.type === 'generate' && m.slot !== 'sky')
const stand = { position: [0, 0] as [number, number], headingRad: 0, speedMps: 0 }

/** A sky result: a blue hemisphere with a white blob (the sun) near column `sunCol`, row 40. */
function skyResult(w: FakeWorker, job: GenerateRequest, sunCol = 300, sky?: ResultSky): void {
  const px = new Uint8Array(SKY_W * SKY_H * 4)
  for (let y = 0; y < SKY_H; y++)
    for (let x = 0; x < SKY_W; x++) {
      const sun = Math.hypot(x - sunCol, y - 40) < 5
      px.set(sun ? [255, 255, 255, 255] : [90, 140, 220, 255], (y * SKY_W + x) * 4)
    }
  w.reply({
    type: 'result',
    id: job.id,
    sizeIndex: 0,
    final: true,
    width: SKY_W,
    height: SKY_H,
    pixels: px.buffer,
    ms: 1,
    fromCache: false,
    version: VERSIONS.sky,
    ...(sky !== undefined ? { sky } : {}),
  })
}

/** A sky shading as the worker posts it, `tileSize` texels square, terms on an 8 × 2 grid. */
function shading(tileSize: number, termsLength = 3 * 8 * 2 * 4): ResultSky {
  return {
    layer: new Uint8Array(tileSize * tileSize * 4).fill(7).buffer,
    tileSize,
    tilesPerUnit: 1 / 3,
    terms: new Uint16Array(termsLength).fill(0x3800).buffer, // 0.5 as a half float
    termsWidthPx: 8,
    termsHeightPx: 2,
    sunDirection: [0, 1, 0],
    overcast: 0.25,
  }
}

describe('WorldStreamer skies', () => {
  it('loads both models, and sends no sky job before the worker says the sky model loaded', () => {
    const { worker, streamer } = setup()
    expect(worker.sent[0]).toEqual({
      type: 'init',
      models: { surface: '/models/surface/model.json', sky: '/models/sky/model.json' },
    })
    streamer.update(stand)
    expect(skyJobs(worker)).toEqual([])
    expect(surfaceJobs(worker).length).toBeGreaterThan(0)
  })

  it('requests the current room’s sky first (after its previews, before its full sizes), then its four neighbours’, at the sky field size', () => {
    const { worker, streamer, skyStatuses } = setup()
    ready(worker)
    expect(skyStatuses.at(-1)).toEqual({ available: true, version: 'sky-v1-y', error: null })
    streamer.update(stand)
    const jobs = skyJobs(worker)
    expect(jobs.map((j) => j.roomKey)).toEqual(['0,0', '0,-1', '1,0', '0,1', '-1,0'])
    const floor = surfaceJobs(worker).find((j) => j.roomKey === '0,0' && j.slot === 'floor')!
    const trim = surfaceJobs(worker).find((j) => j.roomKey === '0,0' && j.slot === 'trim')!
    expect(jobs[0].priority).toBeGreaterThan(trim.priority)
    expect(jobs[0].priority).toBeLessThan(floor.laterPriority ?? surfaceFullPriority(0, 'floor'))
    // A neighbour's sky comes after that neighbour's surfaces.
    const northTrim = surfaceJobs(worker).find((j) => j.roomKey === '0,-1' && j.slot === 'trim')!
    expect(jobs[1].priority).toBeGreaterThan(northTrim.priority)
    for (const j of jobs) {
      expect(j).toMatchObject({ model: 'sky', slot: 'sky', sizes: [SKY_FIELD_CELLS], cacheKey: 'demo' })
      expect(j.sizes).toEqual([{ cellsW: 16, cellsH: 16 }])
    }
    const [x, z] = [0, -1]
    expect(jobs[1].latent).toEqual({
      kind: 'seeded',
      global: skyLatent('demo', x, z, 0),
      roomSeed: localSeed('demo', room('demo', x, z).roomSeed, 'sky'),
    })
    // Standing still requests nothing more.
    streamer.update(stand)
    expect(skyJobs(worker)).toHaveLength(5)
  })

  it('keeps a finished sky with its measured light; the queue counts sky jobs', () => {
    const { worker, streamer } = setup()
    ready(worker)
    streamer.update(stand)
    const before = streamer.stats().queueLength
    const job = skyJobs(worker)[0]
    skyResult(worker, job, 384) // longitude +90°: east
    expect(streamer.stats().queueLength).toBe(before - 1)
    const sky = streamer.skyOf('0,0')!
    expect(sky).toMatchObject({ key: '0,0', widthPx: SKY_W, heightPx: SKY_H, version: 'sky-v1-y' })
    expect(sky.pixels.length).toBe(SKY_W * SKY_H * 4)
    expect(sky.light.sun.strength).toBeGreaterThan(0.5)
    expect((sky.light.sun.azimuthRad * 180) / Math.PI).toBeCloseTo(90, -1)
    expect(streamer.skyOf('0,-1')).toBeUndefined()
  })

  it('keeps a sky’s shading for the sky shader; a shading whose arrays do not fit their sizes is dropped', () => {
    const { worker, streamer } = setup()
    ready(worker)
    streamer.update(stand)
    const [here, next] = skyJobs(worker)
    skyResult(worker, here!, 300, shading(4))
    const kept = streamer.skyOf(here!.roomKey as RoomKey)?.shading
    expect(kept).toMatchObject({ tileSize: 4, tilesPerUnit: 1 / 3, termsWidthPx: 8, termsHeightPx: 2, overcast: 0.25 })
    expect(kept?.layer).toEqual(new Uint8Array(64).fill(7))
    expect(kept?.terms).toEqual(new Uint16Array(3 * 8 * 2 * 4).fill(0x3800))
    // Terms one band short: the panorama alone is kept, and shown as it is.
    skyResult(worker, next!, 300, shading(4, 2 * 8 * 2 * 4))
    const sky = streamer.skyOf(next!.roomKey as RoomKey)
    expect(sky?.pixels.length).toBe(SKY_W * SKY_H * 4)
    expect(sky?.shading).toBeUndefined()
  })

  it('cancels and forgets the skies of rooms left behind, and asks again (worker caches) on the way back', () => {
    const { worker, streamer } = setup()
    ready(worker)
    streamer.update(stand)
    const first = skyJobs(worker)
    skyResult(worker, first[0])
    streamer.update({ position: [14 * 10, 0], headingRad: Math.PI / 2, speedMps: 0 })
    const cancelled = worker.sent.flatMap((m) => (m.type === 'cancel' ? m.ids : []))
    for (const j of first.slice(1)) expect(cancelled).toContain(j.id)
    expect(streamer.skyOf('0,0')).toBeUndefined()
    expect(skyJobs(worker).at(-5)?.roomKey).toBe('10,0')
    streamer.update(stand)
    const again = skyJobs(worker).filter((j) => j.roomKey === '0,0')
    expect(again).toHaveLength(2)
    expect(again[1].id).not.toBe(again[0].id)
  })

  it('sky model missing: surfaces go on, the sky is reported unavailable with the reason, no sky job is sent', () => {
    const { worker, streamer, statuses, skyStatuses } = setup()
    worker.reply({
      type: 'model-failed',
      model: 'sky',
      message: 'model file not found: /models/sky/model.json (HTTP 404)',
    })
    ready(worker, { surface: 'surface-v1-x' })
    streamer.update(stand)
    expect(skyJobs(worker)).toEqual([])
    expect(surfaceJobs(worker).length).toBeGreaterThan(0)
    expect(skyStatuses.at(-1)).toMatchObject({ available: false, version: null })
    expect(skyStatuses.at(-1)?.error).toContain('model file not found: /models/sky/model.json (HTTP 404)')
    expect(statuses.at(-1)).toMatchObject({ phase: 'generating' })
    expect(statuses.some((s) => s.error !== undefined)).toBe(false)
  })

  it('surface model missing but sky loaded: "could not start" (surfaces grey), skies still generated', () => {
    const { worker, streamer, statuses } = setup()
    streamer.update(stand)
    const early = surfaceJobs(worker)
    worker.reply({
      type: 'model-failed',
      model: 'surface',
      message: 'model file not found: /models/surface/model.json (HTTP 404)',
    })
    ready(worker, { sky: 'sky-v1-y' })
    expect(statuses.at(-1)).toMatchObject({ phase: 'failed' })
    expect(statuses.at(-1)?.error).toMatch(
      /^The texture generator could not start: .*model file not found: \/models\/surface\/model\.json \(HTTP 404\)/,
    )
    // The worker then fails the surface jobs queued before it knew: nothing more is reported for them.
    const n = statuses.length
    for (const j of early) worker.reply({ type: 'error', id: j.id, message: 'no "surface" model loaded' })
    expect(statuses).toHaveLength(n)
    // Never "ready": the loading screen keeps the error and its "Continue with untextured rooms" button.
    expect(streamer.roomReady(0, 0)).toBe(false)
    streamer.update({ position: [14 * 3, 0], headingRad: 0, speedMps: 0 })
    expect(surfaceJobs(worker)).toHaveLength(early.length)
    expect(skyJobs(worker).map((j) => j.roomKey)).toContain('3,0')
  })

  it('a failed sky job is reported as a sky problem, not as an untextured surface', () => {
    const { worker, streamer, statuses, skyStatuses } = setup()
    ready(worker)
    streamer.update(stand)
    worker.reply({ type: 'error', id: skyJobs(worker)[0].id, message: 'boom' })
    expect(skyStatuses.at(-1)?.error).toBe('The sky of room 0,0 could not be generated: boom')
    expect(skyStatuses.at(-1)?.available).toBe(true)
    expect(statuses.some((s) => s.error !== undefined)).toBe(false)
  })

  it('sums the download progress of both models; warm-up once both are in', () => {
    const { worker, statuses } = setup()
    worker.reply({ type: 'progress', model: 'surface', loadedBytes: 100, totalBytes: 100 })
    expect(statuses.at(-1)).toMatchObject({ phase: 'model', modelLoadedBytes: 100, modelTotalBytes: 100 })
    worker.reply({ type: 'progress', model: 'sky', loadedBytes: 10, totalBytes: 50 })
    expect(statuses.at(-1)).toMatchObject({ phase: 'model', modelLoadedBytes: 110, modelTotalBytes: 150 })
    worker.reply({ type: 'progress', model: 'sky', loadedBytes: 50, totalBytes: 50 })
    expect(statuses.at(-1)).toMatchObject({ phase: 'warmup', modelLoadedBytes: 150, modelTotalBytes: 150 })
  })

  it('after a worker crash, skies not yet generated are requested again from the new worker', () => {
    const workers: FakeWorker[] = []
    const streamer = new WorldStreamer({
      seed: 'demo',
      texSizePx: 64,
      createWorker: () => {
        workers.push(new FakeWorker())
        return workers.at(-1) as unknown as Worker
      },
    })
    streamer.init()
    ready(workers[0])
    streamer.update(stand)
    skyResult(workers[0], skyJobs(workers[0])[0])
    workers[0].crash('device lost')
    expect(workers).toHaveLength(2)
    ready(workers[1])
    streamer.update(stand)
    // The current room's sky is still resident; its neighbours' are asked for again.
    expect(skyJobs(workers[1]).map((j) => j.roomKey)).toEqual(['0,-1', '1,0', '0,1', '-1,0'])
    expect(streamer.skyOf('0,0')).toBeDefined()
  })
})
