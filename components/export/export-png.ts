/**
 * Texture export in the browser: RGBA8 pixels → PNG (fast-png) → provenance metadata (world-gen `withProvenance`)
 * → a download through a Blob and `<a download>`. A relief model's surface exports as four maps (colour, height,
 * normal, roughness: world-gen `surfaceMapRgba`, the same pixels the texture CLI writes). Encoding is plain TypeScript,
 * so it also runs in Node (tests).
 */
import { encode } from 'fast-png'
import { withProvenance, type Provenance } from '../../world-gen/provenance'
import { SURFACE_MAPS, surfaceMapRgba, type SurfaceMap, type SurfaceRelief } from '../../world-gen/relief'
import { fullSkyPanorama, type Rgb } from '../../world-gen/sky-panorama'

/** A generated texture as the world store hands it to the share panel. */
export interface ExportTexture {
  /** Material slot, e.g. `floor`, `walls`, `trim`. */
  slot: string
  /** Width in pixels. */
  width: number
  /** Height in pixels. */
  height: number
  /** RGBA8 bytes, row-major from the top-left, length width·height·4 (with `relief`, the alpha is the roughness). */
  pixels: Uint8Array
  /** The normal map and height of a surface painted by a relief model: it then exports as every map of SURFACE_MAPS. */
  relief?: SurfaceRelief
  /** Generator name (model.json `latentscape.model`). */
  model: string
  /** Generator version (model.json `latentscape.version`). */
  version: string
  /** Hex sha256 of the weights, when known. */
  weightsSha256?: string
  /** Licence of the weights and their outputs (model.json `latentscape.licence`). @default DEFAULT_LICENCE */
  licence?: string
  /**
   * The material family it was painted as, as world-gen `familyLabel` names it (`brick`, `brick 75% + plaster 25%`);
   * absent for the sky and for models without families.
   */
  family?: string
  /** Set when the texture was painted under a style fitted to a user photo (world-gen PHOTO_GUIDANCE). */
  guidance?: string
}

/** A generator's identity as its model.json states it (`latentscape.model`, `version`, `weightsSha256`, `licence`). */
export interface ExportModelInfo {
  model: string
  version: string
  weightsSha256?: string
  licence?: string
}

/** A generated sky hemisphere as the world view holds it (RGBA8, row 0 = zenith) and the ground tone it fades to. */
export interface ExportSkySource {
  widthPx: number
  heightPx: number
  pixels: Uint8Array
  /** Linear ground tone below the horizon. */
  ground: Rgb
  /** Sky model version that painted it. */
  version: string
}

/** Where a texture was taken: world seed, room and the link to that spot. */
export interface ExportSpot {
  seed: string
  room: { x: number; z: number }
  /** Link to the spot (absolute when possible, so the file leads back to the world). */
  url: string
}

/**
 * Encode RGBA8 pixels (length widthPx·heightPx·4, row-major, top row first) as an 8-bit RGBA PNG.
 * Throws RangeError when the byte length does not match the size.
 */
export function encodeRgbaPng(rgba: Uint8Array, widthPx: number, heightPx: number): Uint8Array {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1)
    throw new RangeError(`PNG size must be positive integers, got ${widthPx}×${heightPx}`)
  if (rgba.length !== widthPx * heightPx * 4)
    throw new RangeError(`expected ${widthPx * heightPx * 4} RGBA bytes for ${widthPx}×${heightPx}, got ${rgba.length}`)
  return encode({ width: widthPx, height: heightPx, data: rgba, depth: 8, channels: 4 })
}

/** The maps a texture exports as: every map of SURFACE_MAPS for a relief surface, its colour alone otherwise. */
export function textureMaps(texture: ExportTexture): SurfaceMap[] {
  return texture.relief === undefined ? ['color'] : [...SURFACE_MAPS]
}

/**
 * The provenance record of a texture taken at `spot`; `map` names which map of a relief surface the image is (left out
 * for colour-only textures and the sky, which have one image each).
 */
export function textureProvenance(texture: ExportTexture, spot: ExportSpot, map: SurfaceMap = 'color'): Provenance {
  return {
    model: texture.model,
    version: texture.version,
    ...(texture.weightsSha256 !== undefined ? { weightsSha256: texture.weightsSha256 } : {}),
    ...(texture.licence !== undefined ? { licence: texture.licence } : {}),
    seed: spot.seed,
    room: { x: spot.room.x, z: spot.room.z },
    slot: texture.slot,
    ...(texture.family !== undefined ? { family: texture.family } : {}),
    ...(texture.guidance !== undefined ? { guidance: texture.guidance } : {}),
    ...(texture.relief !== undefined ? { map } : {}),
    url: spot.url,
  }
}

/**
 * The live sky as an exportable image: the full sphere in equirectangular projection, `widthPx × 2·heightPx` (512 × 256
 * for the 512 × 128 hemisphere), the sky panorama as the upper half byte for byte and the lower half faded to the ground tone
 * exactly as the sky shader draws it (world-gen `fullSkyPanorama`). Slot `sky`. The model's identity comes from `info`,
 * except the version, which is the one that painted this sky.
 */
export function skyExportTexture(sky: ExportSkySource, info: ExportModelInfo): ExportTexture {
  return {
    ...info,
    version: sky.version,
    slot: 'sky',
    width: sky.widthPx,
    height: sky.heightPx * 2,
    pixels: fullSkyPanorama(sky.pixels, sky.widthPx, sky.heightPx, sky.ground),
  }
}

/**
 * A PNG of one map of the texture (its colour unless `map` says otherwise) carrying its provenance (XMP with IPTC
 * `trainedAlgorithmicMedia`, model, seed, room…). Tileable like the texture: every map is per pixel (the normal map's
 * differences wrap around). Throws when a relief map is asked of a colour-only texture.
 */
export function texturePng(texture: ExportTexture, spot: ExportSpot, map: SurfaceMap = 'color'): Uint8Array {
  // A colour-only texture (and the sky) is already what the PNG holds: no copy.
  const rgba =
    map === 'color' && texture.relief === undefined
      ? texture.pixels
      : surfaceMapRgba(map, texture.pixels, texture.width, texture.height, texture.relief)
  return withProvenance(encodeRgbaPng(rgba, texture.width, texture.height), textureProvenance(texture, spot, map))
}

/**
 * A safe download name: `latentscape-<seed>-<x>_<z>-<slot>.png` for the colour, `…-<slot>-<map>.png` for another map,
 * with the seed reduced to letters, digits, `-` and `_`.
 * @example textureFileName('Demo world', { x: 2, z: -1 }, 'walls') // 'latentscape-Demo-world-2_-1-walls.png'
 * @example textureFileName('Demo world', { x: 2, z: -1 }, 'walls', 'normal') // '…-2_-1-walls-normal.png'
 */
export function textureFileName(
  seed: string,
  room: { x: number; z: number },
  slot: string,
  map: SurfaceMap = 'color',
): string {
  const safe = (s: string) =>
    s
      .normalize('NFC')
      .replace(/[^\p{L}\p{N}_-]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'world'
  const suffix = map === 'color' ? '' : `-${map}`
  return `latentscape-${safe(seed).slice(0, 64)}-${room.x}_${room.z}-${safe(slot)}${suffix}.png`
}

/** Save bytes as a file through a Blob URL and a temporary `<a download>` (browser only). */
export function downloadBytes(bytes: Uint8Array, fileName: string, mimeType = 'image/png'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoking at once can cancel the download in some browsers; the URL only needs to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 30_000)
}
