import { describe, expect, it } from 'vitest'
import { textureBytes, UploadQueue, type PendingUpload } from '../../../components/streaming/upload-queue'
import type { RoomKey, SurfaceSlot } from '../../../world-gen'

const upload = (key: string, slot: SurfaceSlot, sizePx: number, final: boolean): PendingUpload => ({
  key: key as RoomKey,
  slot,
  width: sizePx,
  height: sizePx,
  pixels: new ArrayBuffer(sizePx * sizePx * 4),
  final,
})
const all = () => true

describe('UploadQueue', () => {
  it('a full texture supersedes its queued preview; bytes count the latest texture of each surface', () => {
    const q = new UploadQueue()
    q.push(upload('0,0', 'floor', 64, false))
    q.push(upload('0,0', 'walls', 64, false))
    q.push(upload('0,0', 'floor', 256, true))
    expect(q.length).toBe(2)
    const walls = q.take(all, all)!
    expect([walls.slot, walls.width]).toEqual(['walls', 64])
    q.markUploaded(walls)
    const floor = q.take(all, all)!
    expect([floor.slot, floor.width, floor.final]).toEqual(['floor', 256, true])
    q.markUploaded(floor)
    expect(q.finalUploaded('0,0', 'floor')).toBe(true)
    expect(q.finalUploaded('0,0', 'walls')).toBe(false)
    expect(q.textureBytes).toBe(textureBytes(64, 64) + textureBytes(256, 256))
    // The walls' full texture replaces the preview's bytes.
    q.markUploaded(upload('0,0', 'walls', 256, true))
    expect(q.textureBytes).toBe(2 * textureBytes(256, 256))
  })

  it('skips rooms that cannot upload yet, drops those no longer resident, forgets a room’s bytes', () => {
    const q = new UploadQueue()
    q.push(upload('0,0', 'floor', 64, true))
    q.push(upload('1,0', 'floor', 64, true))
    q.push(upload('2,0', 'floor', 64, true))
    const u = q.take(
      (key) => key === '2,0',
      (key) => key !== '0,0',
    )
    expect(u?.key).toBe('2,0')
    expect(q.length).toBe(1)
    q.markUploaded(u!)
    q.forget('2,0' as RoomKey)
    q.forget('1,0' as RoomKey)
    expect([q.length, q.textureBytes, q.finalUploaded('2,0' as RoomKey, 'floor')]).toEqual([0, 0, false])
  })
})

describe('UploadQueue: relief surfaces', () => {
  it('counts the RG8 normal map beside the RGBA8 colour: 1.5× the bytes of a colour-only surface', () => {
    // Per room of three 256 px surfaces, mipmaps included: 1 MiB colour-only, 1.5 MiB with relief.
    expect(Math.abs(3 * textureBytes(256, 256) - 1024 * 1024)).toBeLessThanOrEqual(2)
    expect(3 * textureBytes(256, 256, true)).toBe(1.5 * 1024 * 1024)
    const q = new UploadQueue()
    const relief = { normal: new ArrayBuffer(64 * 64 * 2), height: new ArrayBuffer(64 * 64) }
    q.markUploaded({ ...upload('0,0', 'walls', 64, false), relief })
    expect(q.textureBytes).toBe(textureBytes(64, 64, true))
    // A colour-only texture in its place (another model after a restart) replaces the relief bytes.
    q.markUploaded(upload('0,0', 'walls', 256, true))
    expect(q.textureBytes).toBe(textureBytes(256, 256))
    q.markUploaded({ ...upload('0,0', 'walls', 256, true), relief })
    q.forget('0,0' as RoomKey)
    expect(q.textureBytes).toBe(0)
  })
})
