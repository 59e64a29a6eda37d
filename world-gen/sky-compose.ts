/**
 * The sky panorama of a room: the sky generator's cloud layer (a tileable texture of clouds seen from below) laid on a
 * horizontal plane at unit height above the viewer, under the physically based atmosphere of `sky-atmosphere.ts`,
 * rendered into the upper-hemisphere equirect panorama of `sky-panorama.ts` that the world's sky shader, the lighting,
 * the share card and export use.
 *
 * Cloud layer → cover and brightness: the generator paints clouds over one flat clear-sky colour (`CloudLayerSpec.
 * clearRgb`, how `training/sky_data.py` built its training images), so a texel `c = α·(L, L, L) + (1 − α)·clear` in
 * linear light gives back the cloud cover α (from how much bluer than grey it is) and the cloud's brightness L.
 * Per direction: the plane point under the view ray (perspective makes clouds shrink towards the horizon), α and α·L
 * read from a mip chain at the ray's footprint (world-gen `mip.ts`: no aliasing near the horizon), the cloud lit by the sun's colour and
 * the sky's ambient light (three.js Sky.js cloud shading: silver lining towards the sun; less sun through a thick,
 * unbroken deck), seen through the
 * atmosphere's extinction (distant clouds dissolve into haze) and faded out at the horizon. Then one exposure, the ACES
 * filmic curve (Narkowicz fit, as the training data's tone mapping) and sRGB encoding.
 *
 * The same shading, split into the layer and per-direction terms (`skyShading`), is what the world's sky shader paints
 * per screen pixel; `composeSky` evaluates it at the panorama's pixels (`renderSkyShading`).
 */
import { mipChain, sampleMip } from './mip'
import type { Vec3 } from './room-geometry'
import { atmosphereFromLatent, atmosphereShader, type Atmosphere, type SkyTerms } from './sky-atmosphere'
import {
  linearToSrgbByte,
  luma,
  skyColumnLongitudeRad,
  skyRowElevationRad,
  smoothstep,
  SRGB_TO_LINEAR,
  type Rgb,
} from './sky-panorama'

/** What the app needs to know about a cloud-layer generator (its model.json `latentscape.cloudLayer`). */
export interface CloudLayerSpec {
  /** Texels per unit of the plane (the cloud base's height above the viewer is 1 unit). */
  pxPerUnit: number
  /** Linear RGB of the clear sky the clouds are painted over. */
  clearRgb: Rgb
}

/** The sky panorama every consumer renders: the upper hemisphere, 512×128 px (the angular resolution of 512×256). */
export const SKY_PANORAMA_PX = { width: 512, height: 128 } as const

/** Cloud cover α and premultiplied brightness α·L of every texel of an RGBA8 cloud-layer tile. */
export function decodeCloudLayer(
  tile: Uint8Array,
  widthPx: number,
  heightPx: number,
  spec: CloudLayerSpec,
): { alpha: Float32Array; light: Float32Array } {
  if (tile.length !== widthPx * heightPx * 4)
    throw new RangeError(`cloud layer has ${tile.length} bytes, expected ${widthPx}×${heightPx}×4`)
  const [cr, cg, cb] = spec.clearRgb
  const blueness = cb - cr
  if (!(blueness > 0)) throw new RangeError('clearRgb must be bluer than grey')
  const n = widthPx * heightPx
  const alpha = new Float32Array(n)
  const light = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const r = SRGB_TO_LINEAR[tile[i * 4]!]!
    const g = SRGB_TO_LINEAR[tile[i * 4 + 1]!]!
    const b = SRGB_TO_LINEAR[tile[i * 4 + 2]!]!
    const a = Math.min(1, Math.max(0, 1 - (b - r) / blueness))
    // c − (1 − α)·clear = α·L in each channel; average the three estimates.
    const al = (r - (1 - a) * cr + (g - (1 - a) * cg) + (b - (1 - a) * cb)) / 3
    alpha[i] = a
    light[i] = Math.min(a, Math.max(0, al))
  }
  return { alpha, light }
}

/** Cover of the closed deck an overcast sky thickens the generated layer towards: a thin gap of sky is left. */
export const OVERCAST_COVER = 0.96
/** Brightness L of that deck's base: a grey stratus underside, darker than sunlit cumulus tops. */
export const OVERCAST_LIGHT = 0.55

/**
 * Thicken a decoded cloud layer (cover α and premultiplied brightness α·L, in place) towards a closed grey deck by
 * `overcast` (0 … 1): α' = α + (1 − α)·k with k = `OVERCAST_COVER`·overcast, the added cover at brightness
 * `OVERCAST_LIGHT`. No texture is added: the generated clouds stay where they were (brighter than the grey around
 * them), and at 0 the layer is untouched.
 */
export function thickenCloudLayer(alpha: Float32Array, light: Float32Array, overcast: number): void {
  const k = Math.min(1, Math.max(0, overcast)) * OVERCAST_COVER
  if (!(k > 0)) return
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i]!
    const added = (1 - a) * k
    alpha[i] = a + added
    light[i] = light[i]! + added * OVERCAST_LIGHT
  }
}

/** Narkowicz's ACES filmic fit. */
function aces(x: number): number {
  const v = Math.max(0, x)
  return Math.min(1, (v * (2.51 * v + 0.03)) / (v * (2.43 * v + 0.59) + 0.14))
}

/** Refuse a cloud-layer tile that `composeSky` cannot lay on the plane: it must be square, with a power-of-two size. */
export function assertCloudTileSize(widthPx: number, heightPx: number): void {
  if (!Number.isInteger(widthPx) || widthPx < 1 || widthPx !== heightPx || (widthPx & (widthPx - 1)) !== 0)
    throw new RangeError(`the cloud layer must be square with a power-of-two size, got ${widthPx}×${heightPx} px`)
}

/**
 * A room's sky panorama as every consumer paints it (worker, share card, CLI, sample sheet): its cloud-layer tile under
 * the atmosphere and weather (evening, overcast) of the same global sky latent the tile was generated from.
 */
export function composeRoomSky(
  tile: Uint8Array,
  tileSize: number,
  spec: CloudLayerSpec,
  globalLatent: ArrayLike<number>,
): Uint8Array {
  return composeSky(tile, tileSize, spec, atmosphereFromLatent(globalLatent))
}

/** A room's `skyShading` (what the world's sky shader paints from), under the atmosphere of its global sky latent. */
export function roomSkyShading(
  tile: Uint8Array,
  tileSize: number,
  spec: CloudLayerSpec,
  globalLatent: ArrayLike<number>,
): SkyShading {
  return skyShading(tile, tileSize, spec, atmosphereFromLatent(globalLatent))
}

/**
 * What it takes to paint a room's clouds at any resolution: the cloud layer as cover and brightness, and per direction
 * of the panorama grid the smooth terms of the cloud shading, which depend on the atmosphere and the layer's mean
 * cover but not on where a cloud lies. `composeSky` evaluates it at the panorama's pixels; the world's sky shader
 * (`shaders/sky.glsl.ts`) evaluates the same sum per screen pixel, so clouds stay as sharp as the tile however far a
 * view zooms in, where a 512-px panorama for the whole circle would be magnified tenfold on screen.
 *
 * In one direction, with the layer's cover α and brightness L there (`shadeSkyTexel`):
 * `aces(S + (P + Q·(L + silver·4α(1 − α)·6/7) − S)·α·fade)`, S the clear sky, P + Q·… the cloud seen through the air,
 * all already multiplied by the exposure; `silver` the silver lining towards the sun and `fade` the horizon fade
 * (each of the direction alone).
 */
export interface SkyShading {
  /** RGBA8 `[tileSize, tileSize, 4]`, linear: R = cover α, G = premultiplied brightness α·L, B = 0, A = 255. */
  layer: Uint8Array
  tileSize: number
  /** Tile repeats per unit of the cloud plane (its height above the viewer is 1): `pxPerUnit / tileSize`. */
  tilesPerUnit: number
  /**
   * RGBA float `[3 × heightPx, widthPx, 4]` on the panorama grid (`sky-panorama.ts`: row 0 = the zenith), three bands
   * of `heightPx` rows: S (the clear sky with the sun's disc), P and Q (the cloud's constant and brightness terms), each
   * exposed; alpha unused (0). Values are clamped to `SKY_TERM_MAX`.
   */
  terms: Float32Array
  widthPx: number
  heightPx: number
  /** Unit direction towards the sun (y up). */
  sunDirection: Vec3
  /** How far an overcast sky closes the deck to the horizon (0 … 1). */
  overcast: number
}

/** Largest stored term: the tone curve is flat to within a byte far below it, and half floats stay finite. */
export const SKY_TERM_MAX = 1000

/** The silver lining's weight in direction · sun `cosTheta` (three.js Sky.js cloud shading). */
export function skySilver(cosTheta: number): number {
  return Math.min(3, 0.51 / Math.pow(1.49 - cosTheta * 1.4, 1.5))
}

/** Clouds fade out towards the horizon over the last sin(elevation) 0.06, where the plane's far edge would show. */
export function skyHorizonFade(sinElevation: number): number {
  return smoothstep(0, 0.06, sinElevation)
}

/**
 * One channel of the sky in a direction, tone mapped (linear, 0 … 1): terms `s`, `p`, `q` there, cover `a` and
 * premultiplied brightness `al` of the cloud layer there, `silver` and `fade` of the direction, the sky's `overcast`.
 */
export function shadeSkyTexel(
  s: number,
  p: number,
  q: number,
  a: number,
  al: number,
  silver: number,
  fade: number,
  overcast: number,
): number {
  const brightness = a > 1e-4 ? al / a : 0
  const edge = a * (1 - a) * 4
  const aerial = p + q * (brightness + (silver * edge * 6) / 7)
  // A closed deck reaches the horizon; scattered clouds fade out before it.
  const cover = a * (fade + (1 - fade) * overcast)
  return aces(s + (aerial - s) * cover)
}

/**
 * The cloud shading of `tile` (RGBA8 `[tileSize, tileSize, 4]`, square, power of two, wrapping) under `atmosphere`,
 * with its terms on a `widthPx` × `heightPx` panorama grid.
 */
export function skyShading(
  tile: Uint8Array,
  tileSize: number,
  spec: CloudLayerSpec,
  atmosphere: Atmosphere,
  widthPx: number = SKY_PANORAMA_PX.width,
  heightPx: number = SKY_PANORAMA_PX.height,
): SkyShading {
  assertCloudTileSize(tileSize, tileSize)
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1)
    throw new RangeError(`bad panorama size ${widthPx}×${heightPx}`)
  const { alpha, light } = decodeCloudLayer(tile, tileSize, tileSize, spec)
  thickenCloudLayer(alpha, light, atmosphere.overcast ?? 0)
  // Cover α in red, α·L in green, 8 bits each (the tile's own precision).
  const layer = new Uint8Array(tileSize * tileSize * 4)
  let coverSum = 0
  for (let i = 0; i < alpha.length; i++) {
    layer[i * 4] = Math.round(alpha[i]! * 255)
    layer[i * 4 + 1] = Math.round(light[i]! * 255)
    layer[i * 4 + 3] = 255
    coverSum += layer[i * 4]!
  }
  const shader = atmosphereShader(atmosphere)
  // Mean cover of the layer: a thick, unbroken deck lets less sunlight through than scattered clouds, so overcast skies
  // are grey and fair-weather clouds white (the photos' brightness was normalised per sky when the data was built).
  const cover = coverSum / alpha.length / 255
  // An overcast sky's deck is thick as well as closed: less direct sun again, the light mostly diffuse and grey.
  const overcast = Math.min(1, Math.max(0, atmosphere.overcast ?? 0))
  const sunThrough = (1 - 0.8 * cover * cover) * (1 - 0.8 * overcast)
  // Skylight on the clouds' undersides: the clear sky's light from overhead, which turns grey under a thick deck (there
  // is no blue sky above it to light the clouds).
  const zenith = shader.terms(0, 1, 0).ambient
  const zenithGrey = luma(...zenith)
  const skylight = zenith.map((v) => v + (zenithGrey - v) * cover)
  const sunColor = shader.sunColor
  const dim = 0.3 + 0.7 * shader.dayFactor
  const exposure = shader.exposure
  const band = widthPx * heightPx * 4
  const terms = new Float32Array(3 * band)
  const t: SkyTerms = { sky: [0, 0, 0], extinction: [0, 0, 0], ambient: [0, 0, 0] }
  const clamp = (v: number) => Math.min(SKY_TERM_MAX, Math.max(0, v * exposure))
  for (let row = 0; row < heightPx; row++) {
    const el = skyRowElevationRad(row, heightPx)
    const sinEl = Math.sin(el)
    const cosEl = Math.cos(el)
    for (let col = 0; col < widthPx; col++) {
      const lon = skyColumnLongitudeRad(col, widthPx)
      shader.terms(cosEl * Math.sin(lon), sinEl, -cosEl * Math.cos(lon), t)
      const o = (row * widthPx + col) * 4
      for (let c = 0; c < 3; c++) {
        const ext = t.extinction[c]!
        // Seen through the air: extinction dims the cloud and in-scattered light (the sky without the sun's disc) adds
        // haze, so a cloud in front of the sun hides the disc and distant clouds fade into the sky's colour (less of it
        // under a thick deck: no direct sun lights the air below it).
        const haze = t.ambient[c]! * sunThrough
        // The cloud: skylight plus the sun's light, 0.3 on its shaded side up to 1 where it is brightest (0.7·L).
        const lit = sunColor[c]! * sunThrough * dim
        terms[o + c] = clamp(t.sky[c]!)
        terms[band + o + c] = clamp(haze * (1 - ext) + ext * (skylight[c]! * dim + 0.3 * lit))
        terms[2 * band + o + c] = clamp(ext * 0.7 * lit)
      }
    }
  }
  const tilesPerUnit = spec.pxPerUnit / tileSize
  return { layer, tileSize, tilesPerUnit, terms, widthPx, heightPx, sunDirection: shader.sunDirection, overcast }
}

/**
 * Render the sky panorama (RGBA8, sRGB, row 0 = the zenith, `sky-panorama.ts` geometry) of a cloud-layer tile (RGBA8
 * `[tileSize, tileSize, 4]`, square, power of two, wrapping) under `atmosphere`: `skyShading` evaluated at each
 * pixel, the layer read from a mip chain at the pixel's footprint on the plane (world-gen `mip.ts`: no aliasing near
 * the horizon).
 */
export function composeSky(...args: Parameters<typeof skyShading>): Uint8Array {
  return renderSkyShading(skyShading(...args))
}

/** The panorama of a `SkyShading` on its own grid (RGBA8 sRGB `[heightPx, widthPx, 4]`). */
export function renderSkyShading(shading: SkyShading): Uint8Array {
  const { layer, tileSize, terms, widthPx, heightPx, sunDirection: sun, overcast } = shading
  const mips = mipChain({ data: layer, widthPx: tileSize, heightPx: tileSize })
  const out = new Uint8Array(widthPx * heightPx * 4)
  const sample = new Float64Array(3)
  const band = widthPx * heightPx * 4
  const rowRad = Math.PI / 2 / heightPx
  const colRad = (2 * Math.PI) / widthPx
  const px = shading.tilesPerUnit * tileSize
  for (let row = 0; row < heightPx; row++) {
    const el = skyRowElevationRad(row, heightPx)
    const sinEl = Math.sin(el)
    const cosEl = Math.cos(el)
    const cot = cosEl / sinEl
    // Footprint of one pixel on the plane, in texels: radially (elevation) and across (longitude); the larger wins.
    const footprint = Math.max(rowRad / (sinEl * sinEl), colRad * cot) * px
    const fade = skyHorizonFade(sinEl)
    for (let col = 0; col < widthPx; col++) {
      const lon = skyColumnLongitudeRad(col, widthPx)
      const dx = cosEl * Math.sin(lon)
      const dz = -cosEl * Math.cos(lon)
      // Plane point under the ray (x east, z south), in texels: perspective shrinks clouds towards the horizon.
      sampleMip(mips, (dx / sinEl) * px, (dz / sinEl) * px, footprint, sample)
      const a = sample[0]! / 255
      const al = sample[1]! / 255
      const silver = skySilver(dx * sun[0] + sinEl * sun[1] + dz * sun[2])
      const o = (row * widthPx + col) * 4
      for (let c = 0; c < 3; c++) {
        const v = shadeSkyTexel(
          terms[o + c]!,
          terms[band + o + c]!,
          terms[2 * band + o + c]!,
          a,
          al,
          silver,
          fade,
          overcast,
        )
        out[o + c] = linearToSrgbByte(v)
      }
      out[o + 3] = 255
    }
  }
  return out
}
