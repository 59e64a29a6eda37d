'use client'

/**
 * Owner of the rooms' surface materials and generated textures: a cache the reconciler never disposes, so it has one
 * explicit `dispose()`. Desktop and XR draw the same materials.
 * A room's materials start as a plain neutral colour, honestly untextured. A surface painted by a relief model gets two
 * textures: its colour (RGBA8, sRGB; the alpha holds its roughness) as `map` and `roughnessMap`, and its normal map
 * (RG8, three rebuilds z) as `normalMap`, so it is lit by its generated relief. A surface of a colour-only model keeps
 * one texture, used as both `map` and `bumpMap` (brightness read as height: the best such a model allows).
 */
import {
  Color,
  DataTexture,
  LinearFilter,
  LinearMipmapLinearFilter,
  MeshDepthMaterial,
  MeshStandardMaterial,
  RepeatWrapping,
  RGBAFormat,
  RGFormat,
  ShaderChunk,
  SRGBColorSpace,
  UnsignedByteType,
  type WebGLProgramParametersWithUniforms,
  type WebGLRenderer,
} from 'three'
import {
  SLOT_ROUGHNESS,
  type FamilyConditioning,
  type RoomKey,
  type SurfaceRelief,
  type SurfaceSlot,
} from '../../world-gen'

/** Materials of one room, one per surface slot. */
export type RoomMaterials = Record<SurfaceSlot, MeshStandardMaterial>

/** A generated texture on a room's surface, as `texturesOf` hands it to export. */
export type SurfaceTexture = {
  slot: SurfaceSlot
  width: number
  height: number
  /** RGBA8 colour; with `relief`, its alpha is the roughness (world-gen `packSurfaceRelief`). */
  pixels: Uint8Array
  /** The material family it was painted as (family-conditioned models only). */
  family?: FamilyConditioning
  /** The normal map and height of a surface painted by a relief model. */
  relief?: SurfaceRelief
}

/** Options of `RoomSurfaces.upload`. */
export type SurfaceUploadOptions = {
  /** Texture repeats per mesh UV unit (world-gen `textureUvScale`: the family's size per repeat). @default 1 */
  uvScale?: number
  /** The material family the texture was painted as, kept for export. */
  family?: FamilyConditioning
  /**
   * The relief of a surface painted by a relief model (the worker's `ResultRelief`): normal map RG8 and height R8, both
   * `[height, width]`; `pixels` then carries the roughness in its alpha.
   */
  relief?: { normal: ArrayBuffer; height: ArrayBuffer }
}

// What each generated texture was painted as and, for a relief surface, its height (for export: the GPU never needs
// it), kept beside the texture rather than on it (three objects get no ad-hoc fields), and dropped with the texture.
const _families = new WeakMap<DataTexture, FamilyConditioning>()
const _heights = new WeakMap<DataTexture, Uint8Array>()

/** Flat colours of untextured surfaces: neutral greys, so nothing pretends to be generated. */
const UNTEXTURED_COLOR: Record<SurfaceSlot, number> = { floor: 0x6b6b6b, walls: 0x8c8c8c, trim: 0x5a5a5a }
/** Bump strength per slot of a colour-only model: the generated image's brightness read as height. */
const BUMP_SCALE: Record<SurfaceSlot, number> = { floor: 1.6, walls: 2.2, trim: 1.2 }
/**
 * `normalScale` of every relief surface. x: the normal map's x is the texture's +u, as three's tangent frame has it.
 * y: the normal map's y points to the image's top (OpenGL convention, what exports write), but a DataTexture is not
 * flipped, so its first row sits at v = 0 and the image's top points to −v: the y component is negated (three's glTF
 * loader does the same for the same reason).
 */
export const RELIEF_NORMAL_SCALE: readonly [number, number] = [1, -1]
const MAX_ANISOTROPY = 8
const _white = new Color(0xffffff)

/**
 * three's roughness chunk with the roughness read from the map's alpha instead of its green channel: a relief surface
 * carries its roughness in the colour texture's alpha, so roughness costs no texture of its own. Null if this three
 * version's chunk no longer reads `.g` (a unit test guards it).
 */
export const ROUGHNESS_FROM_ALPHA_CHUNK: string | null = ShaderChunk.roughnessmap_fragment.includes('texelRoughness.g;')
  ? ShaderChunk.roughnessmap_fragment.replace('texelRoughness.g;', 'texelRoughness.a;')
  : null

function roughnessFromAlpha(shader: WebGLProgramParametersWithUniforms): void {
  if (ROUGHNESS_FROM_ALPHA_CHUNK === null) return
  shader.fragmentShader = shader.fragmentShader.replace('#include <roughnessmap_fragment>', ROUGHNESS_FROM_ALPHA_CHUNK)
}

/**
 * The rooms' shadow-pass material: a depth material that never takes a colour map. three copies each caster's `map`
 * onto its shared depth material, but picks that material's shader once, not per caster, and keeps its `map` uniform
 * when a caster has none. Once the shader was built with a map (the first shadow drawn over a textured room), every
 * untextured room's shadow sampled the last texture seen there, even after it was disposed, and the renderer quietly
 * re-uploaded that texture, which nothing owned any more: a texture leaked every few rooms. Room surfaces are opaque
 * (no alpha test), so their shadows need no texture at all.
 */
export function createRoomDepthMaterial(): MeshDepthMaterial {
  const material = new MeshDepthMaterial()
  Object.defineProperty(material, 'map', { get: () => null, set: () => {}, configurable: true })
  return material
}

/** Create the three untextured materials of a room (owned by the caller until `RoomSurfaces.attach`). */
export function createRoomMaterials(): RoomMaterials {
  const make = (slot: SurfaceSlot) => {
    const material = new MeshStandardMaterial({
      color: UNTEXTURED_COLOR[slot],
      roughness: SLOT_ROUGHNESS[slot],
      metalness: 0,
    })
    // Changes only programs with a roughness map, which only relief surfaces have; the key keeps these programs apart
    // from those of other standard materials (controller models read roughness from green).
    material.onBeforeCompile = roughnessFromAlpha
    material.customProgramCacheKey = () => 'latentscape-roughness-alpha'
    return material
  }
  return { floor: make('floor'), walls: make('walls'), trim: make('trim') }
}

/** Which maps a material uses: a change means a new shader program (`needsUpdate`), a swap of one texture does not. */
const mapLayout = (m: MeshStandardMaterial) =>
  `${m.map !== null}${m.bumpMap !== null}${m.normalMap !== null}${m.roughnessMap !== null}`

/** Materials and textures of every mounted room. */
export class RoomSurfaces {
  /** Every room mesh's `customDepthMaterial` (see `createRoomDepthMaterial`). */
  readonly depthMaterial = createRoomDepthMaterial()
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
   * Put generated RGBA8 pixels `[height, width, 4]` on a room's surface, replacing (and disposing) the textures it
   * had, and upload now through `renderer.initTexture` so the per-frame upload cap is real. `options.uvScale` sets how
   * many repeats of it one mesh UV unit holds (a family's texture scale); `options.relief` makes it a relief surface
   * (normal map, roughness from the colour's alpha). Returns false when the room is not attached.
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
    const uvScale = options.uvScale ?? 1
    const texture = this.texture(new Uint8Array(pixels), width, height, RGBAFormat, uvScale)
    texture.colorSpace = SRGBColorSpace
    if (options.family !== undefined) _families.set(texture, options.family)
    const previous = material.map
    const previousNormal = material.normalMap
    const layout = mapLayout(material)
    const relief = options.relief
    let normal: DataTexture | null = null
    material.map = texture
    if (relief === undefined) {
      material.bumpMap = texture
      material.bumpScale = BUMP_SCALE[slot]
      material.normalMap = null
      material.roughnessMap = null
      material.roughness = SLOT_ROUGHNESS[slot]
    } else {
      // The normal map takes the colour's repeat, so relief and colour stay in register.
      normal = this.texture(new Uint8Array(relief.normal), width, height, RGFormat, uvScale)
      // Rows of 2 bytes a pixel: no 4-byte row padding to assume.
      normal.unpackAlignment = 2
      _heights.set(texture, new Uint8Array(relief.height))
      material.bumpMap = null
      material.normalMap = normal
      material.normalScale.set(RELIEF_NORMAL_SCALE[0], RELIEF_NORMAL_SCALE[1])
      // The map's alpha is the roughness itself: the factor it multiplies stays 1.
      material.roughnessMap = texture
      material.roughness = 1
    }
    material.color.copy(_white)
    // Adding or dropping a kind of map changes the shader program; swapping one texture for another does not.
    if (mapLayout(material) !== layout) material.needsUpdate = true
    previous?.dispose()
    previousNormal?.dispose()
    renderer.initTexture(texture)
    if (normal !== null) renderer.initTexture(normal)
    return true
  }

  /** A repeating, mipmapped data texture (linear colour space unless the caller says otherwise). */
  private texture(
    data: Uint8Array,
    width: number,
    height: number,
    format: typeof RGBAFormat | typeof RGFormat,
    uvScale: number,
  ) {
    const texture = new DataTexture(data, width, height, format, UnsignedByteType)
    texture.wrapS = RepeatWrapping
    texture.wrapT = RepeatWrapping
    texture.generateMipmaps = true
    texture.minFilter = LinearMipmapLinearFilter
    texture.magFilter = LinearFilter
    texture.anisotropy = this.anisotropy
    texture.repeat.set(uvScale, uvScale)
    texture.needsUpdate = true
    return texture
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
      const height = _heights.get(map)
      const normal = (material.normalMap as DataTexture | null)?.image.data
      const relief = height !== undefined && normal instanceof Uint8Array ? { normal, height } : undefined
      out.push({
        slot,
        width: image.width,
        height: image.height,
        pixels: image.data,
        ...(family ? { family } : {}),
        ...(relief ? { relief } : {}),
      })
    }
    return out
  }

  /** Generated textures this holds on the mounted rooms' materials (colour maps and normal maps). */
  textureCount(): number {
    let n = 0
    for (const materials of this.rooms.values())
      for (const m of Object.values(materials)) n += (m.map !== null ? 1 : 0) + (m.normalMap !== null ? 1 : 0)
    return n
  }

  /** Dispose everything still registered, and the shadow-pass material. */
  dispose(): void {
    for (const key of [...this.rooms.keys()]) this.detach(key)
    this.depthMaterial.dispose()
  }
}

function disposeMaterial(material: MeshStandardMaterial): void {
  // map, bumpMap and roughnessMap are the same texture object: dispose it once.
  material.map?.dispose()
  material.normalMap?.dispose()
  material.map = null
  material.bumpMap = null
  material.roughnessMap = null
  material.normalMap = null
  material.dispose()
}
