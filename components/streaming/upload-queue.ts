/**
 * Generated surface textures on their way to the GPU: the queue the renderer takes a few from per frame, and the count
 * of GPU bytes held by what it uploaded (per room and slot, so a room's bytes go when the room goes).
 */
import type { FamilyConditioning, RoomKey, SurfaceSlot } from '../../world-gen'

/** A generated texture waiting to be uploaded to the GPU. */
export type PendingUpload = {
  key: RoomKey
  slot: SurfaceSlot
  width: number
  height: number
  pixels: ArrayBuffer
  final: boolean
  /** The material family it was painted as (family-conditioned models only). */
  family?: FamilyConditioning
  /**
   * Texture repeats per mesh UV unit (world-gen `textureUvScale`), so one repeat covers the family's size in metres.
   * @default 1 (TEXTURE_TILE_M)
   */
  uvScale?: number
  /**
   * A relief model's normal map (RG8) and height (R8), `[height, width]`; `pixels` then holds the roughness in its
   * alpha (the worker's `ResultRelief`).
   */
  relief?: { normal: ArrayBuffer; height: ArrayBuffer }
}

type Uploaded = { widthPx: number; heightPx: number; final: boolean; relief: boolean }

/** GPU bytes a pixel of a surface: RGBA8 colour, plus an RG8 normal map with relief (the height stays on the CPU). */
const bytesPerPixel = (relief: boolean) => (relief ? 6 : 4)

/**
 * GPU bytes of a surface's textures with their mip chains (≈ 4/3 of the base level): an RGBA8 colour texture, and with
 * `relief` its RG8 normal map too (the roughness rides in the colour's alpha).
 */
export function textureBytes(width: number, height: number, relief = false): number {
  return Math.round((width * height * bytesPerPixel(relief) * 4) / 3)
}

/** Pending uploads and the textures on the GPU, by room and slot. */
export class UploadQueue {
  private pending: PendingUpload[] = []
  private readonly uploaded = new Map<RoomKey, Map<SurfaceSlot, Uploaded>>()
  private bytes = 0

  /** Uploads waiting. */
  get length(): number {
    return this.pending.length
  }

  /** GPU bytes of the uploaded textures (with mipmaps). */
  get textureBytes(): number {
    return this.bytes
  }

  /** Queue a generated texture; a full-size one makes a still-queued preview of the same surface pointless. */
  push(u: PendingUpload): void {
    if (u.final) this.pending = this.pending.filter((p) => p.key !== u.key || p.slot !== u.slot)
    this.pending.push(u)
  }

  /**
   * The next upload whose room `canUpload` accepts (mounted), removed from the queue; uploads of rooms that
   * `isResident` denies are dropped on the way.
   */
  take(canUpload: (key: RoomKey) => boolean, isResident: (key: RoomKey) => boolean): PendingUpload | undefined {
    for (let i = 0; i < this.pending.length; i++) {
      const u = this.pending[i]
      if (!isResident(u.key)) {
        this.pending.splice(i--, 1)
        continue
      }
      if (canUpload(u.key)) {
        this.pending.splice(i, 1)
        return u
      }
    }
    return undefined
  }

  /** Record that `u` is now on the GPU, replacing whatever texture its surface had. */
  markUploaded(u: PendingUpload): void {
    let slots = this.uploaded.get(u.key)
    if (slots === undefined) this.uploaded.set(u.key, (slots = new Map()))
    const was = slots.get(u.slot)
    const relief = u.relief !== undefined
    // A preview's bytes are replaced by the full texture's, never added to them.
    this.bytes +=
      textureBytes(u.width, u.height, relief) -
      (was === undefined ? 0 : textureBytes(was.widthPx, was.heightPx, was.relief))
    slots.set(u.slot, { widthPx: u.width, heightPx: u.height, final: (was?.final ?? false) || u.final, relief })
  }

  /** Whether a texture of (key, slot), a preview or the full size, is on the GPU. */
  hasTexture(key: RoomKey, slot: SurfaceSlot): boolean {
    return this.uploaded.get(key)?.has(slot) === true
  }

  /** Whether the full-size texture of (key, slot) is on the GPU. */
  finalUploaded(key: RoomKey, slot: SurfaceSlot): boolean {
    return this.uploaded.get(key)?.get(slot)?.final === true
  }

  /** Forget a room: its queued uploads and the bytes of its textures (the renderer disposes them). */
  forget(key: RoomKey): void {
    const slots = this.uploaded.get(key)
    if (slots !== undefined) for (const t of slots.values()) this.bytes -= textureBytes(t.widthPx, t.heightPx, t.relief)
    this.uploaded.delete(key)
    this.pending = this.pending.filter((u) => u.key !== key)
  }

  /** Forget everything. */
  clear(): void {
    this.pending = []
    this.uploaded.clear()
    this.bytes = 0
  }
}
