/**
 * Geometry of the sky generator's panorama: the UPPER hemisphere in equirectangular projection (row 0 = zenith, the
 * last row = the horizon, column 0 = longitude −180°, wrapping in longitude), the world directions its pixels stand
 * for, and the fade below the horizon (the lower hemisphere is not generated). The sky shader (`shaders/sky.glsl.ts`)
 * implements the same mapping and fade; `fullSkyPanorama` renders the whole sphere for export exactly as it does.
 * Equirectangular projection: https://en.wikipedia.org/wiki/Equirectangular_projection
 */
import type { Vec3 } from './room-geometry'

/** A linear-light RGB colour, each channel in [0, 1] (not sRGB-encoded). */
export type Rgb = [number, number, number]

/**
 * Angle below the horizon over which the sky fades from the horizon row's colour to the ground tone, in radians (15°).
 * The shader takes it as a uniform.
 */
export const SKY_GROUND_FADE_RAD = (15 * Math.PI) / 180

/**
 * Elevation of the centre of pixel row `row` of a `heightPx`-row hemisphere, in radians: just under π/2 for row 0,
 * just over 0 for the last row.
 */
export function skyRowElevationRad(row: number, heightPx: number): number {
  return (Math.PI / 2) * (1 - (row + 0.5) / heightPx)
}

/**
 * Longitude of the centre of pixel column `col` of a `widthPx`-column panorama, in radians in (−π, π): column 0 starts
 * at −π (south, behind a player facing north), the middle is 0 (north, −z), +π/2 is east (+x).
 */
export function skyColumnLongitudeRad(col: number, widthPx: number): number {
  return -Math.PI + (2 * Math.PI * (col + 0.5)) / widthPx
}

/**
 * Continuous pixel coordinates `[u, v]` (pixel centres at +0.5) of a direction in a `widthPx` × `heightPx` upper
 * hemisphere panorama: u from longitude (the centre column is longitude 0, north; ±180° the left and right edges), v
 * from elevation (0 at the zenith's edge, heightPx at the horizon). The inverse of `skyColumnLongitudeRad` /
 * `skyRowElevationRad`, which the world's sky shader follows.
 */
export function skyPanoramaPixel(lonDeg: number, elDeg: number, widthPx: number, heightPx: number): [number, number] {
  return [(lonDeg / 360 + 0.5) * widthPx, (1 - elDeg / 90) * heightPx]
}

/**
 * The unit world direction of (longitude, elevation): longitude 0 faces north (−z) and π/2 east (+x), like the URL
 * heading; elevation π/2 is straight up (+y). Pass `out` to avoid allocating.
 */
export function skyDirection(longitudeRad: number, elevationRad: number, out: Vec3 = [0, 0, 0]): Vec3 {
  const c = Math.cos(elevationRad)
  out[0] = c * Math.sin(longitudeRad)
  out[1] = Math.sin(elevationRad)
  out[2] = -c * Math.cos(longitudeRad)
  return out
}

/** The inverse of `skyDirection` for a non-zero direction: `[longitudeRad ∈ (−π, π], elevationRad ∈ [−π/2, π/2]]`. */
export function skyAngles(direction: Readonly<Vec3>): [number, number] {
  const [x, y, z] = direction
  const len = Math.hypot(x, y, z)
  return [Math.atan2(x, -z), Math.asin(Math.max(-1, Math.min(1, y / len)))]
}

/** Hermite smoothstep: 0 at or below `e0`, 1 at or above `e1`, smooth in between. */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)))
  return t * t * (3 - 2 * t)
}

/** Relative luminance of linear RGB (Rec. 709 / sRGB primaries). */
export function luma(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** Weight of the ground tone at `depthRad` below the horizon: smoothstep from 0 at the horizon to 1 at the fade depth. */
export function skyGroundFade(depthRad: number): number {
  return smoothstep(0, SKY_GROUND_FADE_RAD, depthRad)
}

/** sRGB byte → linear light, for every byte value (IEC 61966-2-1 transfer function). */
export const SRGB_TO_LINEAR: Float32Array = (() => {
  const lut = new Float32Array(256)
  for (let i = 0; i < 256; i++) {
    const c = i / 255
    lut[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return lut
})()

/** Linear light in [0, 1] → sRGB byte, rounded (the encoding three.js's `colorspace_fragment` applies to the output). */
export function linearToSrgbByte(v: number): number {
  const c = Math.max(0, Math.min(1, v))
  const s = c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055
  return Math.round(s * 255)
}

/** Throw RangeError unless `rgba` holds widthPx × heightPx RGBA8 pixels. */
export function assertRgba(rgba: Uint8Array, widthPx: number, heightPx: number): void {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1)
    throw new RangeError(`panorama size must be positive integers, got ${widthPx}×${heightPx}`)
  if (rgba.length !== widthPx * heightPx * 4)
    throw new RangeError(`expected ${widthPx * heightPx * 4} RGBA bytes for ${widthPx}×${heightPx}, got ${rgba.length}`)
}

/**
 * The whole sphere as the sky shader draws it: RGBA8 `[2·heightPx, widthPx, 4]`, the generated hemisphere
 * (`[heightPx, widthPx, 4]`, sRGB bytes) as the upper half byte for byte, and below the horizon each column's horizon
 * pixel blended in linear light towards `ground` (linear RGB) by `skyGroundFade`. Alpha is 255 throughout.
 */
export function fullSkyPanorama(hemisphere: Uint8Array, widthPx: number, heightPx: number, ground: Rgb): Uint8Array {
  assertRgba(hemisphere, widthPx, heightPx)
  const out = new Uint8Array(widthPx * heightPx * 2 * 4)
  out.set(hemisphere)
  for (let i = 3; i < hemisphere.length; i += 4) out[i] = 255
  const horizon = (heightPx - 1) * widthPx * 4
  for (let row = 0; row < heightPx; row++) {
    // Rows of the lower half mirror the upper half's elevations: row r below the horizon sits at −elevation(r').
    const depthRad = (Math.PI / 2) * ((row + 0.5) / heightPx)
    const w = skyGroundFade(depthRad)
    const base = (heightPx + row) * widthPx * 4
    for (let col = 0; col < widthPx; col++) {
      const src = horizon + col * 4
      const dst = base + col * 4
      for (let c = 0; c < 3; c++) {
        const lin = SRGB_TO_LINEAR[hemisphere[src + c]!]!
        out[dst + c] = linearToSrgbByte(lin + (ground[c]! - lin) * w)
      }
      out[dst + 3] = 255
    }
  }
  return out
}
