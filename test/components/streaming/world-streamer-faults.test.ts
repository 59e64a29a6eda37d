import { describe, expect, it } from 'vitest'
import { MAX_WORKER_RESTARTS, WorldStreamer, type StreamerStatus } from '../../../components/streaming/world-streamer'
import type { GenerateRequest } from '../../../world-gen/protocol'
import { FakeWorker } from './fake-worker'

function setup() {
  const workers: FakeWorker[] = []
  const statuses: StreamerStatus[] = []
  const streamer = new WorldStreamer({
    seed: 'demo',
    texSizePx: 64,
    createWorker: () => {
      const w = new FakeWorker()
      workers.push(w)
      return w as unknown as Worker
    },
    onStatus: (s) => statuses.push(s),
  })
  streamer.init()
  streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
  return { workers, statuses, streamer, last: () => workers[workers.length - 1] }
}

const generates = (w: FakeWorker) => w.sent.filter((m): m is GenerateRequest => m.type === 'generate')

function finish(w: FakeWorker, job: GenerateRequest): void {
  w.reply({
    type: 'result',
    id: job.id,
    sizeIndex: 0,
    final: true,
    width: 64,
    height: 64,
    pixels: new ArrayBuffer(64 * 64 * 4),
    ms: 1,
    fromCache: false,
    version: 'v',
  })
}

describe('WorldStreamer faults', () => {
  it('replaces a crashed worker and re-requests exactly the textures that were not on the GPU', () => {
    const { workers, statuses, streamer, last } = setup()
    const first = workers[0]
    const jobs = generates(first)
    // The current room's three surfaces arrive and are uploaded; everything else is lost with the worker.
    for (const j of jobs.filter((j) => j.roomKey === '0,0')) finish(first, j)
    for (let u = streamer.takeUpload(() => true); u !== undefined; u = streamer.takeUpload(() => true))
      streamer.markUploaded(u)
    expect(streamer.roomReady(0, 0)).toBe(true)

    first.crash('GPU device was lost')
    expect(first.terminated).toBe(true)
    expect(workers).toHaveLength(2)
    const second = last()
    expect(second.sent[0]).toMatchObject({ type: 'init' })
    const again = generates(second)
    expect(again.some((j) => j.roomKey === '0,0')).toBe(false)
    expect(new Set(again.map((j) => `${j.roomKey}/${j.slot}`))).toEqual(
      new Set(jobs.filter((j) => j.roomKey !== '0,0').map((j) => `${j.roomKey}/${j.slot}`)),
    )
    expect(streamer.stats().workerRestarts).toBe(1)
    expect(statuses.at(-1)?.error).toMatch(/Restarted it \(1 of 3\)/)
    // Late messages of the dead worker are ignored; the new worker's results land.
    expect(first.onmessage).toBeNull()
    finish(second, again[0])
    expect(streamer.stats().queueLength).toBeGreaterThan(0)
  })

  it('treats a job error with reason "device-lost" as a crash; the same text without the reason is a job error', () => {
    const { workers, statuses } = setup()
    const [job, other] = generates(workers[0])
    workers[0].reply({ type: 'error', id: other.id, message: 'GPUDevice was destroyed: device lost' })
    expect(workers).toHaveLength(1)
    expect(statuses.at(-1)?.error).toMatch(/^A surface could not be generated/)
    workers[0].reply({ type: 'error', id: job.id, message: 'GPUDevice was destroyed', reason: 'device-lost' })
    expect(workers).toHaveLength(2)
  })

  it("init-failed: the loading state turns failed with the worker's reason, the sky is unavailable", () => {
    const { workers, statuses, streamer } = setup()
    workers[0].reply({ type: 'init-failed', message: 'no backend could be initialised' })
    expect(statuses.at(-1)).toEqual({
      phase: 'failed',
      error: 'The texture generator could not start: no backend could be initialised',
    })
    expect(streamer.skyStatus()).toEqual({
      available: false,
      version: null,
      error: 'the generation worker could not start',
    })
    expect(workers).toHaveLength(1)
  })

  it(`gives up after ${MAX_WORKER_RESTARTS} restarts: failed state, surfaces settle untextured`, () => {
    const { workers, statuses, streamer, last } = setup()
    for (let i = 0; i <= MAX_WORKER_RESTARTS; i++) last().crash('boom')
    expect(workers).toHaveLength(MAX_WORKER_RESTARTS + 1)
    expect(statuses.at(-1)).toMatchObject({ phase: 'failed' })
    expect(statuses.at(-1)?.error).toMatch(/untextured grey/)
    // No generator: rooms count as settled (grey, labelled by the notice) instead of waiting forever.
    expect(streamer.roomReady(0, 0)).toBe(true)
    streamer.update({ position: [14 * 5, 0], headingRad: 0, speedMps: 0 })
    expect(streamer.roomReady(5, 0)).toBe(true)
  })

  it('reports the worker tensor count from its stats replies', () => {
    const { streamer, last } = setup()
    expect(last().sent.some((m) => m.type === 'stats')).toBe(true)
    expect(streamer.stats().workerTensors).toBeNull()
    last().reply({ type: 'stats', numTensors: 42, numBytes: 1000 })
    expect(streamer.stats()).toMatchObject({ workerTensors: 42, workerTensorBytes: 1000 })
  })

  it('simulateWorkerCrash terminates the worker and recovers like a real crash', () => {
    const { workers, streamer } = setup()
    streamer.simulateWorkerCrash()
    expect(workers[0].terminated).toBe(true)
    expect(workers).toHaveLength(2)
    expect(generates(workers[1]).length).toBeGreaterThan(0)
  })

  it('does nothing after destroy', () => {
    const { workers, streamer } = setup()
    const w = workers[0]
    const onerror = w.onerror
    streamer.destroy()
    onerror?.({ message: 'late', preventDefault: () => undefined } as ErrorEvent)
    expect(workers).toHaveLength(1)
  })
})
