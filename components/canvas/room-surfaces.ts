'use client'

/**
 * Owner of the rooms' surface materials and generated textures: a cache the reconciler never disposes, so it has one
 * explicit `dispose()`.
 * A room's materials start as a plain neutral colour, honestly untextured; each generated RGBA8 result becomes a
 * `DataTexture` used as both `map` and `bumpMap` (relief derived in the shader from the same generated image).
 */
import {
  Color,
  DataTexture,
  LinearFilter,
  LinearMipmapLinearFilter,
  MeshStandardMaterial,
  RepeatWrapping,
  RGBAFormat,
  SRGBColorSpace,
  UnsignedByteType,
  type WebGLRenderer,
} from 'three'
import type { FamilyConditioning, RoomKey, SurfaceSlot } from '../../world-gen'

/** Materials of one room, one per surface slot. */
export type RoomMaterials = Record<SurfaceSlot, MeshStandardMaterial>

/** A generated texture on a room's surface, as `texturesOf` hands it to export. */
export type SurfaceTexture = {
  slot: SurfaceSlot
  width: number
  height: number
  pixels: Uint8Array
  /** The material family it was painted as (family-conditioned models only). */
  family?: FamilyConditioning
}

/** Options of `RoomSurfaces.upload`. */
export type SurfaceUploadOptions = {
  /** Texture repeats per mesh UV unit (world-gen `textureUvScale`: the family's size per repeat). @default 1 */
  uvScale?: number
  /** The material family the texture was painted as, kept for export. */
  family?: FamilyConditioning
}

// What each generated texture was painted as, kept beside the texture rather than on it (three objects get no ad-hoc
// fields), and dropped with the texture.
const _families = new WeakMap<DataTexture, FamilyConditioning>()

/** Flat colours of untextured surfaces: neutral greys, so nothing pretends to be generated. */
const UNTEXTURED_COLOR: Record<SurfaceSlot, number> = { floor: 0x6b6b6b, walls: 0x8c8c8c, trim: 0x5a5a5a }
/** Roughness per slot (the generator paints albedo only). */
const ROUGHNESS: Record<SurfaceSlot, number> = { floor: 0.88, walls: 0.92, trim: 0.7 }
/** Bump strength per slot: the generated image's brightness read as height. */
const BUMP_SCALE: Record<SurfaceSlot, number> = { floor: 1.6, walls: 2.2, trim: 1.2 }
const MAX_ANISOTROPY = 8
const _white = new Color(0xffffff)

/** Create the three untextured materials of a room (owned by the caller until `RoomSurfaces.attach`). */
export function createRoomMaterials(): RoomMaterials {
  const make = (slot: SurfaceSlot) =>
    new MeshStandardMaterial({ color: UNTEXTURED_COLOR[slot], roughness: ROUGHNESS[slot], metalness: 0 })
  return { floor: make('floor'), walls: make('walls'), trim: make('trim') }
}

/** Materials and textures of every mounted room. */
export class RoomSurfaces {
  private readonly rooms = new Map<RoomKey, RoomMaterials>()
  private readonly anisotropy: number

  constructor(renderer: WebGLRenderer) {
    this.anisotropy = Math.min(MAX_ANISOTROPY, renderer.capabilities.getMaxAnisotropy())
  }

  /** Register a mounted room's materials; from now on this owns (and will dispose) them. */
  attach(key: RoomKey, materials: RoomMaterials): void {
    this.rooms.set(key, materials)
  }

  /** Whether a room's materials are registered (its upload can proceed). */
  has(key: RoomKey): boolean {
    return this.rooms.has(key)
  }

  /** Dispose a room's materials and textures (on unmount / eviction). */
  detach(key: RoomKey): void {
    const materials = this.rooms.get(key)
    if (materials === undefined) return
    this.rooms.delete(key)
    for (const m of Object.values(materials)) disposeMaterial(m)
  }

  /**
   * Put generated RGBA8 pixels `[height, width, 4]` on a room's surface, replacing (and disposing) the texture it
   * had, and upload now through `renderer.initTexture` so the per-frame upload cap is real. `options.uvScale` sets how
   * many repeats of it one mesh UV unit holds (a family's texture scale). Returns false when the room is not attached.
   */
  upload(
    renderer: WebGLRenderer,
    key: RoomKey,
    slot: SurfaceSlot,
    pixels: ArrayBuffer,
    width: number,
    height: number,
    options: SurfaceUploadOptions = {},
  ): boolean {
    const material = this.rooms.get(key)?.[slot]
    if (material === undefined) return false
    const texture = new DataTexture(new Uint8Array(pixels), width, height, RGBAFormat, UnsignedByteType)
    texture.wrapS = RepeatWrapping
    texture.wrapT = RepeatWrapping
    texture.colorSpace = SRGBColorSpace
    texture.generateMipmaps = true
    texture.minFilter = LinearMipmapLinearFilter
    texture.magFilter = LinearFilter
    texture.anisotropy = this.anisotropy
    // The map and the bump map are this one texture, so both take the repeat.
    const uvScale = options.uvScale ?? 1
    texture.repeat.set(uvScale, uvScale)
    if (options.family !== undefined) _families.set(texture, options.family)
    texture.needsUpdate = true
    const previous = material.map
    const hadMap = previous !== null
    material.map = texture
    material.bumpMap = texture
    material.bumpScale = BUMP_SCALE[slot]
    material.color.copy(_white)
    // Adding a map changes the shader program; swapping one map for another does not.
    if (!hadMap) material.needsUpdate = true
    previous?.dispose()
    renderer.initTexture(texture)
    return true
  }

  /**
   * The generated pixels currently on a room's surfaces (for export): RGBA8 `[height, width, 4]` per slot that has a
   * texture. The arrays are the textures' own CPU copies: callers must not modify them.
   */
  texturesOf(key: RoomKey): SurfaceTexture[] {
    const materials = this.rooms.get(key)
    if (materials === undefined) return []
    const out: SurfaceTexture[] = []
    for (const [slot, material] of Object.entries(materials) as [SurfaceSlot, MeshStandardMaterial][]) {
      const map = material.map as DataTexture | null
      const image = map?.image
      if (map === null || !(image?.data instanceof Uint8Array)) continue
      const family = _families.get(map)
      out.push({ slot, width: image.width, height: image.height, pixels: image.data, ...(family ? { family } : {}) })
    }
    return out
  }

  /** Dispose everything still registered. */
  dispose(): void {
    for (const key of [...this.rooms.keys()]) this.detach(key)
  }
}

function disposeMaterial(material: MeshStandardMaterial): void {
  // map and bumpMap are the same texture object: dispose it once.
  material.map?.dispose()
  material.map = null
  material.bumpMap = null
  material.dispose()
}
