import { describe, expect, it } from 'vitest'
import { WorldStreamer } from '../../../components/streaming/world-streamer'
import { cellsForPx } from '../../../world-gen'
import type { GenerateRequest } from '../../../world-gen/protocol'
import { FakeWorker } from './fake-worker'

function setup(texSizePx = 256) {
  const worker = new FakeWorker()
  const streamer = new WorldStreamer({
    seed: 'demo',
    texSizePx,
    createWorker: () => worker as unknown as Worker,
  })
  streamer.init()
  return { worker, streamer }
}

/** The surface jobs sent (sky jobs are covered in world-streamer-sky.test.ts). */
const generates = (w: FakeWorker) =>
  w.sent.filter((m): m is GenerateRequest => m.type === 'generate' && m.model === 'surface')

describe('WorldStreamer', () => {
  it('sends init once, then a preview + full-size job per surface of each planned room, current room first', () => {
    const { worker, streamer } = setup()
    streamer.init()
    expect(worker.sent.filter((m) => m.type === 'init')).toHaveLength(1)
    streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
    const jobs = generates(worker)
    expect(jobs.length % 3).toBe(0)
    expect(jobs.slice(0, 3).map((j) => [j.roomKey, j.slot, j.priority])).toEqual([
      ['0,0', 'floor', 0],
      ['0,0', 'walls', 1],
      ['0,0', 'trim', 2],
    ])
    // The 64 px preview, then the 256 px texture, in the surface model's cells (latent-layout.json).
    expect(jobs[0].sizes).toEqual([cellsForPx('floor', 64), cellsForPx('floor', 256)])
    expect(streamer.store.getState().rooms[0]).toBe('0,0')
    // Standing still, later updates top the prefetch up to the resident budget (25 rooms), then request nothing.
    for (let i = 0; i < 10; i++) streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
    const settled = generates(worker).length
    streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
    expect(generates(worker)).toHaveLength(settled)
    expect(streamer.store.getState().rooms.length).toBeLessThanOrEqual(25)
  })

  it('queues results for upload and reports a room ready once all its full textures are uploaded', () => {
    const { worker, streamer } = setup(64)
    streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
    const jobs = generates(worker).filter((j) => j.roomKey === '0,0')
    expect(jobs[0].sizes).toEqual([cellsForPx('floor', 64)])
    for (const j of jobs) {
      const pixels = new ArrayBuffer(64 * 64 * 4)
      worker.reply({
        type: 'result',
        id: j.id,
        sizeIndex: 0,
        final: true,
        width: 64,
        height: 64,
        pixels,
        ms: 1,
        fromCache: false,
        version: 'v',
      })
    }
    expect(streamer.roomReady(0, 0)).toBe(false)
    for (let u = streamer.takeUpload(() => true); u !== undefined; u = streamer.takeUpload(() => true))
      streamer.markUploaded(u)
    expect(streamer.roomReady(0, 0)).toBe(true)
    expect(streamer.stats()).toMatchObject({ roomsReady: 1, textureBytes: 3 * Math.round((64 * 64 * 4 * 4) / 3) })
  })

  it('cancels the jobs of rooms left behind and frees them; destroy disposes and terminates the worker', () => {
    const { worker, streamer } = setup()
    streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
    const before = new Set(streamer.store.getState().rooms)
    streamer.update({ position: [14 * 20, 0], headingRad: Math.PI / 2, speedMps: 3.5 })
    const cancelled = worker.sent.filter((m) => m.type === 'cancel').flatMap((m) => (m.type === 'cancel' ? m.ids : []))
    expect(cancelled.length).toBeGreaterThan(0)
    expect(streamer.store.getState().rooms.some((k) => before.has(k))).toBe(false)
    streamer.destroy()
    expect(worker.sent.at(-1)).toEqual({ type: 'dispose' })
    expect(worker.terminated).toBe(true)
    expect(streamer.store.getState().rooms).toEqual([])
  })
})
