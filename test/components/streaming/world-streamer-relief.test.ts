import { describe, expect, it } from 'vitest'
import { WorldStreamer } from '../../../components/streaming/world-streamer'
import { textureBytes } from '../../../components/streaming/upload-queue'
import type { GenerateRequest } from '../../../world-gen/protocol'
import { FakeWorker } from './fake-worker'

describe('WorldStreamer: relief surfaces', () => {
  it('hands a relief result’s normal map and height to the upload, and counts its GPU bytes with the normal map', () => {
    const worker = new FakeWorker()
    const streamer = new WorldStreamer({
      seed: 'demo',
      texSizePx: 256,
      createWorker: () => worker as unknown as Worker,
    })
    streamer.init()
    streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
    worker.reply({
      type: 'ready',
      backend: 'wasm',
      refusals: [],
      versions: { surface: 'surface-v3-test' },
      warmupMs: 1,
    })
    const walls = worker.sent.find(
      (m): m is GenerateRequest => m.type === 'generate' && m.slot === 'walls' && m.roomKey === '0,0',
    )!
    const relief = { normal: new ArrayBuffer(256 * 256 * 2), height: new ArrayBuffer(256 * 256) }
    worker.reply({
      type: 'result',
      id: walls.id,
      sizeIndex: 1,
      final: true,
      width: 256,
      height: 256,
      pixels: new ArrayBuffer(256 * 256 * 4),
      ms: 1,
      fromCache: false,
      version: 'surface-v3-test',
      relief,
    })
    const upload = streamer.takeUpload(() => true)!
    expect(upload.relief).toBe(relief)
    streamer.markUploaded(upload)
    expect(streamer.stats().textureBytes).toBe(textureBytes(256, 256, true))
    streamer.destroy()
  })
})
