import { describe, expect, it } from 'vitest'
import { WorldStreamer } from '../../../components/streaming/world-streamer'
import { room, TEXTURE_TILE_M, textureRepeatM } from '../../../world-gen'
import type { GenerateRequest, ReadyResponse } from '../../../world-gen/protocol'
import { FakeWorker } from './fake-worker'

const PX_PER_METRE = { brick: 96, stone_blocks: 64, cobble: 80, wood_planks: 96, metal: 64, plaster: 64 }

function setup() {
  const worker = new FakeWorker()
  const streamer = new WorldStreamer({ seed: 'demo', texSizePx: 256, createWorker: () => worker as unknown as Worker })
  streamer.init()
  streamer.update({ position: [0, 0], headingRad: 0, speedMps: 0 })
  const jobs = worker.sent.filter(
    (m): m is GenerateRequest => m.type === 'generate' && m.model === 'surface' && m.roomKey === '0,0',
  )
  const ready = (families?: ReadyResponse['families']) =>
    worker.reply({
      type: 'ready',
      backend: 'wasm',
      refusals: [],
      versions: { surface: 'surface-v2-test' },
      warmupMs: 1,
      ...(families !== undefined ? { families } : {}),
    })
  return { worker, streamer, jobs, ready }
}

describe('WorldStreamer: material families', () => {
  it("asks for each surface in its room's district family (sent before the worker says what its model is)", () => {
    const { jobs } = setup()
    const spec = room('demo', 0, 0)
    expect(jobs.map((j) => [j.slot, j.family])).toEqual([
      ['floor', spec.families.floor],
      ['walls', spec.families.walls],
      ['trim', spec.families.trim],
    ])
  })

  it('a conditioned model: uploads carry the family painted and a repeat of texture px / px per metre', () => {
    const { worker, streamer, jobs, ready } = setup()
    ready({ surface: { names: Object.keys(PX_PER_METRE), pxPerMetre: PX_PER_METRE } })
    expect(streamer.surfaceFamilies()).toEqual({ names: Object.keys(PX_PER_METRE), pxPerMetre: PX_PER_METRE })
    const walls = jobs.find((j) => j.slot === 'walls')!
    const family = { a: 'brick', b: 'plaster', t: 0.25 }
    for (const [sizeIndex, px] of [
      [0, 64],
      [1, 256],
    ])
      worker.reply({
        type: 'result',
        id: walls.id,
        sizeIndex,
        final: sizeIndex === 1,
        width: px,
        height: px,
        pixels: new ArrayBuffer(px * px * 4),
        ms: 1,
        fromCache: false,
        version: 'surface-v2-test',
        family,
      })
    const uploads = [streamer.takeUpload(() => true), streamer.takeUpload(() => true)]
    // The preview was superseded by the full size before the frame loop took it.
    expect(uploads[1]).toBeUndefined()
    expect(uploads[0]).toMatchObject({ slot: 'walls', width: 256, family })
    // 256 px of brick at 96 px/m: one repeat is 2.67 m; the mesh UVs count 2 m repeats.
    expect(uploads[0]!.uvScale).toBeCloseTo(TEXTURE_TILE_M / textureRepeatM(256, family, PX_PER_METRE), 12)
    expect(uploads[0]!.uvScale).toBeCloseTo(0.75, 12)
  })

  it('a model without families: no families to show, the fixed 2 m repeat', () => {
    const { worker, streamer, jobs, ready } = setup()
    ready()
    expect(streamer.surfaceFamilies()).toBeNull()
    worker.reply({
      type: 'result',
      id: jobs[0]!.id,
      sizeIndex: 1,
      final: true,
      width: 256,
      height: 256,
      pixels: new ArrayBuffer(256 * 256 * 4),
      ms: 1,
      fromCache: false,
      version: 'surface-v1-test',
    })
    const upload = streamer.takeUpload(() => true)!
    expect(upload.family).toBeUndefined()
    expect(upload.uvScale).toBe(1)
  })
})
