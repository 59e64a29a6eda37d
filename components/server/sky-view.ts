/**
 * A wide view of a world as seen from its start room, drawn from two images: the room's sky panorama (world-gen
 * `composeSky`: the sky generator's clouds under the atmosphere; the upper hemisphere in equirectangular projection,
 * row 0 the zenith, the last row the horizon, longitude −180°…180° across, the centre column looking north along −z,
 * as `world-gen/sky-panorama.ts` defines it) and the generated floor
 * texture (tileable, TEXTURE_TILE_M metres per repeat) laid as a ground plane below the horizon, fading into the
 * sky's own horizon colour with distance (the lower hemisphere is not drawn; the world hides it the same way).
 *
 * The view is itself equirectangular (uniform degrees per pixel), so the panorama is magnified evenly, with no
 * perspective stretch at the edges. Pure TypeScript on RGBA8 bytes: no tf.js, no DOM; used by the share card.
 * Sky: bicubic (Catmull-Rom) resampling. Ground: trilinear sampling of a box-filtered mip chain, level chosen from
 * the pixel's footprint on the ground plane (Williams 1983, "Pyramidal parametrics").
 */

import { mipChain, sampleMip, skyPanoramaPixel, type RgbaImage } from '../../world-gen'

/** An RGBA8 image, row-major [heightPx, widthPx, 4]. */
export type { RgbaImage }

/** How the view is framed. */
export interface SkyViewOptions {
  /** Output width in pixels. */
  widthPx: number
  /** Output height in pixels. */
  heightPx: number
  /** Compass heading at the centre of the view, degrees (0 north = −z, 90 east = +x). @default 0 */
  headingDeg?: number
  /** Horizontal field of view, degrees (at most 360). @default 150 */
  fovDeg?: number
  /** Height of the horizon, as a fraction of the height from the top. @default 0.78 */
  horizonAt?: number
  /** Eye height above the ground plane, metres. @default 1.6 */
  eyeM?: number
  /** Ground distance of one floor-texture repeat, metres (TEXTURE_TILE_M in the world). @default 2 */
  tileM?: number
  /** Distance at which the ground is 63 % faded into the horizon colour, metres. @default 6 */
  hazeM?: number
}

const DEG = Math.PI / 180

/** Catmull-Rom weights for the four taps around a sample at fraction `t` ∈ [0, 1). */
function cubicWeights(t: number, out: Float64Array): Float64Array {
  const t2 = t * t
  const t3 = t2 * t
  out[0] = 0.5 * (-t3 + 2 * t2 - t)
  out[1] = 0.5 * (3 * t3 - 5 * t2 + 2)
  out[2] = 0.5 * (-3 * t3 + 4 * t2 + t)
  out[3] = 0.5 * (t3 - t2)
  return out
}

/**
 * One column of an equirect panorama at continuous x `u` (pixel centres at +0.5, wrapping): the Catmull-Rom blend of
 * the four nearest columns, float RGB [heightPx, 3] into `out`. Rendering per output column makes the bicubic sky
 * separable: four taps across here once, four taps down per pixel.
 */
export function skyColumn(sky: RgbaImage, u: number, out: Float64Array): Float64Array {
  const { data, widthPx: w, heightPx: h } = sky
  const x = u - 0.5
  const x0 = Math.floor(x)
  const wx = cubicWeights(x - x0, new Float64Array(4))
  out.fill(0, 0, 3 * h)
  for (let i = 0; i < 4; i++) {
    const col = (((x0 - 1 + i) % w) + w) % w
    const wt = wx[i]!
    for (let r = 0; r < h; r++) {
      const o = 4 * (r * w + col)
      out[3 * r] += wt * data[o]!
      out[3 * r + 1] += wt * data[o + 1]!
      out[3 * r + 2] += wt * data[o + 2]!
    }
  }
  return out
}

const _wy = new Float64Array(4)

/** Catmull-Rom sample of a column (`skyColumn`) at continuous y `v`, clamped to the column; RGB into `out`. */
function sampleColumn(column: Float64Array, heightPx: number, v: number, out: Float64Array): Float64Array {
  const y = Math.min(Math.max(v - 0.5, 0), heightPx - 1)
  const y0 = Math.floor(y)
  cubicWeights(y - y0, _wy)
  out[0] = out[1] = out[2] = 0
  for (let j = 0; j < 4; j++) {
    const r = 3 * Math.min(Math.max(y0 - 1 + j, 0), heightPx - 1)
    out[0] += _wy[j]! * column[r]!
    out[1] += _wy[j]! * column[r + 1]!
    out[2] += _wy[j]! * column[r + 2]!
  }
  return out
}

const _sky = new Float64Array(3)
const _ground = new Float64Array(3)

/**
 * Render the view: RGBA8 [heightPx, widthPx, 4], alpha 255. Each output pixel is a direction (longitude linear in x,
 * elevation linear in y, same degrees per pixel on both axes); above the horizon it samples `sky`, below it the
 * ground plane textured with `floor`, hazed towards the sky's horizon colour at that longitude.
 */
export function renderSkyView(sky: RgbaImage, floor: RgbaImage, options: SkyViewOptions): Uint8Array {
  const { widthPx: w, heightPx: h } = options
  const headingDeg = options.headingDeg ?? 0
  const fovDeg = Math.min(options.fovDeg ?? 150, 360)
  const horizonY = (options.horizonAt ?? 0.78) * h
  const eyeM = options.eyeM ?? 1.6
  const tileM = options.tileM ?? 2
  const hazeM = options.hazeM ?? 6
  const degPerPx = fovDeg / w
  const radPerPx = degPerPx * DEG
  const mips = mipChain(floor)
  const texelsPerM = floor.widthPx / tileM
  const out = new Uint8Array(w * h * 4)
  // Everything that depends on the row only (elevation → sky row, or ground distance, footprint and haze), once.
  const skyV = new Float64Array(h)
  const distM = new Float64Array(h)
  const footprintTexels = new Float64Array(h)
  const haze = new Float64Array(h)
  for (let y = 0; y < h; y++) {
    const elDeg = (horizonY - (y + 0.5)) * degPerPx
    if (elDeg >= 0) {
      skyV[y] = skyPanoramaPixel(0, Math.min(elDeg, 90), sky.widthPx, sky.heightPx)[1]
      distM[y] = -1 // marks a sky row
    } else {
      const d = eyeM / Math.tan(-elDeg * DEG) // horizontal distance to the ground point
      // Footprint of one pixel on the ground: radially d(dist)/d(elevation) = eye/sin²(el), sideways dist·dλ.
      const sinEl = Math.sin(-elDeg * DEG)
      distM[y] = d
      footprintTexels[y] = Math.max(eyeM / (sinEl * sinEl), d) * radPerPx * texelsPerM
      haze[y] = 1 - Math.exp(-d / hazeM)
    }
  }
  const column = new Float64Array(3 * sky.heightPx)
  const hr = 3 * (sky.heightPx - 1) // the horizon row of a column
  for (let x = 0; x < w; x++) {
    const lonDeg = headingDeg + (x + 0.5 - w / 2) * degPerPx
    const lon = lonDeg * DEG
    // World x = dist·sin(lon), z = −dist·cos(lon); texture s along +x, t along +z (as the room floors' UVs).
    const sPerM = Math.sin(lon) * texelsPerM
    const tPerM = -Math.cos(lon) * texelsPerM
    skyColumn(sky, skyPanoramaPixel(lonDeg, 0, sky.widthPx, sky.heightPx)[0], column)
    for (let y = 0; y < h; y++) {
      let rgb: Float64Array
      const d = distM[y]!
      if (d < 0) {
        rgb = sampleColumn(column, sky.heightPx, skyV[y]!, _sky)
      } else {
        sampleMip(mips, d * sPerM, d * tPerM, footprintTexels[y]!, _ground)
        const k = haze[y]!
        for (let c = 0; c < 3; c++) _ground[c] = _ground[c]! + (column[hr + c]! - _ground[c]!) * k
        rgb = _ground
      }
      const o = 4 * (y * w + x)
      out[o] = Math.min(Math.max(Math.round(rgb[0]!), 0), 255)
      out[o + 1] = Math.min(Math.max(Math.round(rgb[1]!), 0), 255)
      out[o + 2] = Math.min(Math.max(Math.round(rgb[2]!), 0), 255)
      out[o + 3] = 255
    }
  }
  return out
}

/**
 * Alpha-composite `layer` (RGBA8, straight alpha, same size) over `base` (RGBA8, opaque) in place; returns `base`.
 */
export function compositeOver(base: Uint8Array, layer: Uint8Array): Uint8Array {
  if (base.length !== layer.length) throw new RangeError(`sizes differ: ${base.length} vs ${layer.length} bytes`)
  for (let o = 0; o < base.length; o += 4) {
    const a = layer[o + 3]!
    if (a === 0) continue
    for (let c = 0; c < 3; c++) base[o + c] = Math.round((layer[o + c]! * a + base[o + c]! * (255 - a)) / 255)
  }
  return base
}
