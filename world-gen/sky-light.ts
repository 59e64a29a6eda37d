/**
 * Scene lighting read from a generated sky: `skyLight` measures the sky generator's hemisphere (RGBA8 equirect, see
 * `sky-panorama.ts`) — zenith, mean sky and horizon colours, a ground tone, and the sun as the brightest smoothed
 * region (its direction from its pixel position, its strength from how much it stands out, weak or none for an
 * overcast sky) — and `skyLighting` turns that into hemisphere-light, sun and fog parameters. Pure and deterministic;
 * colours are linear RGB. In the spirit of image-based lighting from a panorama (Debevec 1998,
 * https://www.pauldebevec.com/Research/IBL/), reduced to one hemisphere light and one directional light.
 */
import type { Vec3 } from './room-geometry'
import {
  assertRgba,
  luma,
  skyColumnLongitudeRad,
  skyDirection,
  skyRowElevationRad,
  smoothstep,
  SRGB_TO_LINEAR,
  type Rgb,
} from './sky-panorama'

/** The sun (or the brightest region) of a sky. */
export interface SkySun {
  /** Unit world direction towards it (`skyDirection`). */
  direction: Vec3
  /** Elevation above the horizon, radians in (0, π/2). */
  elevationRad: number
  /** Longitude, radians in (−π, π]: 0 north (−z), π/2 east (+x). */
  azimuthRad: number
  /** 0 (no distinct sun: overcast, uniform) … 1 (a bright, compact sun far above the sky's mean brightness). */
  strength: number
  /** Mean linear colour of the bright region. */
  color: Rgb
}

/** What `skyLight` measures on a hemisphere. Colours are linear RGB in [0, 1]. */
export interface SkyLight {
  /** Mean colour of the rows above 86° elevation: what the sky shader shows at the zenith point itself. */
  pole: Rgb
  /** Mean colour above 70° elevation. */
  zenith: Rgb
  /** Mean colour of the whole hemisphere, weighted by solid angle. */
  sky: Rgb
  /** Mean colour below 10° elevation. */
  horizon: Rgb
  /** A darker ground tone derived from the horizon (`horizon × GROUND_SHADE`): the lower hemisphere is not generated. */
  ground: Rgb
  /** The brightest smoothed region. */
  sun: SkySun
}

/** The ground tone is the horizon colour scaled by this (linear light). */
export const GROUND_SHADE = 0.3

/** Elevation above which pixels count towards `zenith`, radians (70°). */
const ZENITH_FROM_RAD = (70 * Math.PI) / 180
/** Elevation above which pixels count towards `pole`, radians (86°). */
const POLE_FROM_RAD = (86 * Math.PI) / 180
/** Elevation below which pixels count towards `horizon`, radians (10°). */
const HORIZON_TO_RAD = (10 * Math.PI) / 180
/** The sun search grid: the hemisphere is averaged into at most this many blocks across and down. */
const GRID_W = 128
const GRID_H = 32

/**
 * Measure a generated sky hemisphere: `rgba` is RGBA8 `[heightPx, widthPx, 4]`, sRGB bytes, row 0 the zenith, the last
 * row the horizon, column 0 longitude −180° (wrapping). Throws RangeError when the size does not match.
 */
export function skyLight(rgba: Uint8Array, widthPx: number, heightPx: number): SkyLight {
  assertRgba(rgba, widthPx, heightPx)
  const lin = SRGB_TO_LINEAR
  const pole = [0, 0, 0, 0]
  const zen = [0, 0, 0, 0]
  const all = [0, 0, 0, 0]
  const hor = [0, 0, 0, 0]
  const gw = Math.min(GRID_W, widthPx)
  const gh = Math.min(GRID_H, heightPx)
  const grid = new Float64Array(gw * gh * 4) // r, g, b, pixel count per block (linear, unweighted)
  // Always at least one row each, however small the panorama.
  const poleRows = Math.max(
    1,
    rowsWhere(heightPx, (e) => e >= POLE_FROM_RAD),
  )
  const zenithRows = Math.max(
    1,
    rowsWhere(heightPx, (e) => e >= ZENITH_FROM_RAD),
  )
  const horizonRows = Math.max(
    1,
    rowsWhere(heightPx, (e) => e <= HORIZON_TO_RAD),
  )
  for (let row = 0; row < heightPx; row++) {
    const weight = Math.cos(skyRowElevationRad(row, heightPx))
    const gy = Math.floor((row * gh) / heightPx)
    for (let col = 0; col < widthPx; col++) {
      const i = (row * widthPx + col) * 4
      const r = lin[rgba[i]!]!
      const g = lin[rgba[i + 1]!]!
      const b = lin[rgba[i + 2]!]!
      add(all, r, g, b, weight)
      if (row < poleRows) add(pole, r, g, b, weight)
      if (row < zenithRows) add(zen, r, g, b, weight)
      if (row >= heightPx - horizonRows) add(hor, r, g, b, weight)
      const cell = (gy * gw + Math.floor((col * gw) / widthPx)) * 4
      grid[cell]! += r
      grid[cell + 1]! += g
      grid[cell + 2]! += b
      grid[cell + 3]! += 1
    }
  }
  const horizon = mean(hor)
  const sky = mean(all)
  return {
    pole: mean(pole),
    zenith: mean(zen),
    sky,
    horizon,
    ground: [horizon[0] * GROUND_SHADE, horizon[1] * GROUND_SHADE, horizon[2] * GROUND_SHADE],
    sun: findSun(grid, gw, gh, widthPx, heightPx, luma(...sky)),
  }
}

function rowsWhere(heightPx: number, test: (elevationRad: number) => boolean): number {
  let n = 0
  for (let row = 0; row < heightPx; row++) if (test(skyRowElevationRad(row, heightPx))) n++
  return n
}

function add(acc: number[], r: number, g: number, b: number, w: number): void {
  acc[0]! += r * w
  acc[1]! += g * w
  acc[2]! += b * w
  acc[3]! += w
}

function mean(acc: number[]): Rgb {
  const w = acc[3]! > 0 ? acc[3]! : 1
  return [acc[0]! / w, acc[1]! / w, acc[2]! / w]
}

/**
 * The sun: the block of largest 3×3-smoothed luminance (wrapping in longitude), refined to the luminance centroid of
 * its neighbourhood; strength from its contrast against the sky's mean luminance, its absolute brightness, and its
 * compactness (a large bright area is diffuse light, not a sun).
 */
function findSun(
  grid: Float64Array,
  gw: number,
  gh: number,
  widthPx: number,
  heightPx: number,
  skyLuma: number,
): SkySun {
  const lum = new Float64Array(gw * gh)
  const solid = new Float64Array(gw * gh)
  for (let y = 0; y < gh; y++) {
    // Solid angle of a block row ∝ cos(elevation of its centre).
    const rowCentre = ((y + 0.5) * heightPx) / gh - 0.5
    const cosE = Math.cos(skyRowElevationRad(rowCentre, heightPx))
    for (let x = 0; x < gw; x++) {
      const c = (y * gw + x) * 4
      const n = grid[c + 3]! || 1
      lum[y * gw + x] = luma(grid[c]! / n, grid[c + 1]! / n, grid[c + 2]! / n)
      solid[y * gw + x] = cosE
    }
  }
  const smooth = new Float64Array(gw * gh)
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      let s = 0
      let n = 0
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy
        if (yy < 0 || yy >= gh) continue
        for (let dx = -1; dx <= 1; dx++) {
          s += lum[yy * gw + ((x + dx + gw) % gw)]!
          n++
        }
      }
      smooth[y * gw + x] = s / n
    }
  let best = 0
  for (let i = 1; i < smooth.length; i++) if (smooth[i]! > smooth[best]!) best = i
  const bx = best % gw
  const by = Math.floor(best / gw)

  // Centroid of the neighbourhood's luminance above its minimum, in block units (x may leave [0, gw): it wraps).
  // `peak`: the brightest single block there (a small sun disc is diluted by the smoothing).
  let floor = Infinity
  let peak = 0
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      const yy = by + dy
      if (yy < 0 || yy >= gh) continue
      const v = lum[yy * gw + ((bx + dx + gw) % gw)]!
      floor = Math.min(floor, v)
      peak = Math.max(peak, v)
    }
  let cx = 0
  let cy = 0
  let cw = 0
  const color: Rgb = [0, 0, 0]
  let colorN = 0
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      const yy = by + dy
      if (yy < 0 || yy >= gh) continue
      const i = yy * gw + ((bx + dx + gw) % gw)
      const w = lum[i]! - floor
      cx += (bx + dx) * w
      cy += yy * w
      cw += w
      const c = i * 4
      const n = grid[c + 3]! || 1
      color[0] += grid[c]! / n
      color[1] += grid[c + 1]! / n
      color[2] += grid[c + 2]! / n
      colorN++
    }
  const fx = cw > 0 ? cx / cw : bx
  const fy = cw > 0 ? cy / cw : by
  // Block (fx, fy) centre → pixel position → angles.
  const col = (((fx + 0.5) * widthPx) / gw - 0.5 + widthPx) % widthPx
  const row = Math.max(0, Math.min(heightPx - 1, ((fy + 0.5) * heightPx) / gh - 0.5))
  const azimuthRad = skyColumnLongitudeRad(col, widthPx)
  const elevationRad = skyRowElevationRad(row, heightPx)

  // Share of the sky (by solid angle) nearly as bright as the peak.
  let bright = 0
  let total = 0
  for (let i = 0; i < lum.length; i++) {
    total += solid[i]!
    if (lum[i]! >= 0.85 * peak) bright += solid[i]!
  }
  const contrast = peak > 0 ? (peak - skyLuma) / peak : 0
  const strength =
    smoothstep(0.2, 0.6, contrast) * smoothstep(0.12, 0.45, peak) * (1 - smoothstep(0.04, 0.2, bright / total))
  return {
    direction: skyDirection(azimuthRad, elevationRad),
    elevationRad,
    azimuthRad,
    strength,
    color: [color[0] / colorN, color[1] / colorN, color[2] / colorN],
  }
}

/** Scene lighting from a sky: hemisphere light, sun (directional light) and fog. Colours are linear RGB. */
export interface SkyLighting {
  /** Hemisphere light colour from above, and from below. */
  hemiSky: Rgb
  hemiGround: Rgb
  /** Hemisphere light intensity. */
  hemiIntensity: number
  /** Directional light colour and intensity. */
  sunColor: Rgb
  sunIntensity: number
  /** Unit direction towards the light, its elevation clamped to [SUN_MIN_ELEVATION_RAD, SUN_MAX_ELEVATION_RAD]. */
  sunDirection: Vec3
  /**
   * How dark the sun's shadows are, 0 (none) … 1 (all of its light blocked): full under a distinct sun, faint under a
   * sky without one (overcast, haze), where real daylight comes from the whole sky and shadows soften away.
   */
  shadowIntensity: number
  /** Fog colour: the horizon, so distant rooms fade into the sky behind them. */
  fog: Rgb
}

/** The directional light never comes from lower than this (15°): a sun on the horizon would leave every room dark. */
export const SUN_MIN_ELEVATION_RAD = (15 * Math.PI) / 180
/** … nor from higher than this (80°), so walls keep some modelling. */
export const SUN_MAX_ELEVATION_RAD = (80 * Math.PI) / 180

/** Luminance of a typical daylight sky (linear): brighter skies light the scene more, darker ones less. */
const REFERENCE_SKY_LUMA = 0.3
/** How much of the sky's saturation the hemisphere light keeps (the rest is white): a tint, not a colour wash. */
const SKY_TINT = 0.45

/** `colour` rescaled to luminance `target` (hue and saturation kept); a black colour becomes grey. */
function withLuma(color: Rgb, target: number, out: Rgb = [0, 0, 0]): Rgb {
  const l = luma(...color)
  if (l <= 1e-6) {
    out[0] = out[1] = out[2] = target
    return out
  }
  const s = target / l
  // Keep every channel ≤ 1.5× target so a saturated colour does not turn into a neon light.
  for (let c = 0; c < 3; c++) out[c] = Math.min(color[c]! * s, target * 1.5)
  return out
}

/**
 * Light parameters that follow a measured sky: the hemisphere light takes a tint of the sky's hue from above and the
 * ground tone's hue from below; the sun takes the bright region's direction (elevation clamped), a colour between its
 * own and white (8-bit skies clip the sun), and an intensity that grows with `sun.strength`; an overcast sky gives a
 * weak sun, a stronger hemisphere and faint shadows. Overall brightness follows the sky's luminance within [0.75, 1.25] of the
 * daylight reference, so a dusk sky dims the rooms without blacking them out (their textures are generated to be seen).
 */
export function skyLighting(light: SkyLight): SkyLighting {
  const brightness = Math.max(0.75, Math.min(1.25, luma(...light.sky) / REFERENCE_SKY_LUMA))
  const s = light.sun.strength
  const elevationRad = Math.max(SUN_MIN_ELEVATION_RAD, Math.min(SUN_MAX_ELEVATION_RAD, light.sun.elevationRad))
  const sunTint = withLuma(light.sun.color, 1)
  const skyTint = withLuma(light.sky, 0.8)
  return {
    hemiSky: [0, 1, 2].map((c) => 0.8 + (skyTint[c]! - 0.8) * SKY_TINT) as Rgb,
    hemiGround: withLuma(light.ground, 0.05),
    hemiIntensity: (1.1 + 0.8 * (1 - s)) * brightness,
    sunColor: [0.5 + 0.5 * sunTint[0], 0.5 + 0.5 * sunTint[1], 0.5 + 0.5 * sunTint[2]],
    sunIntensity: (0.6 + 1.9 * s) * brightness,
    sunDirection: skyDirection(light.sun.azimuthRad, elevationRad),
    shadowIntensity: OVERCAST_SHADOW + (1 - OVERCAST_SHADOW) * smoothstep(0.1, 0.6, s),
    fog: [light.horizon[0], light.horizon[1], light.horizon[2]],
  }
}

/** Shadow intensity under a sky with no distinct sun (`sun.strength` ≤ 0.1); full from a strength of 0.6. */
export const OVERCAST_SHADOW = 0.25

/**
 * Largest turn of the sun, in radians, that a crossfade sweeps through (1°); a larger one the sun makes in one step,
 * in shade (see `mixSkyLighting`).
 */
export const SUN_SWEEP_MAX_RAD = Math.PI / 180
const SUN_SWEEP_MIN_COS = Math.cos(SUN_SWEEP_MAX_RAD)

/**
 * Whether a crossfade from `a` to `b` turns the sun in one step (in shade, at its middle) rather than sweeping it:
 * their sun directions are more than SUN_SWEEP_MAX_RAD apart.
 */
export function sunSteps(a: SkyLighting, b: SkyLighting): boolean {
  const da = a.sunDirection
  const db = b.sunDirection
  const norms = Math.hypot(da[0], da[1], da[2]) * Math.hypot(db[0], db[1], db[2])
  return (da[0] * db[0] + da[1] * db[1] + da[2] * db[2]) / (norms || 1) < SUN_SWEEP_MIN_COS
}

/** The middle part of a crossfade (as a fraction of it) in which a stepping sun gives no light. */
const SUN_DARK = 0.2

/**
 * Blend two lightings for a crossfade (`t` = 0 gives `a`, 1 gives `b`) into `out`: colours and intensities linearly.
 * The sun turns by normalised lerp only when the two directions are within SUN_SWEEP_MAX_RAD; otherwise it keeps
 * `a`'s direction for the first half and `b`'s for the second, and its light (its shadows with it) fades out towards
 * the middle and back in, to nothing around t = 0.5 (as if a cloud passed), so the step is never seen. A sweep would
 * move the shadows in every frame of the fade, and each move redraws the shadow map, a slow frame on a software
 * renderer; the step redraws it once, while the sun is hidden.
 */
export function mixSkyLighting(a: SkyLighting, b: SkyLighting, t: number, out: SkyLighting): SkyLighting {
  const u = Math.max(0, Math.min(1, t))
  const lerp3 = (x: Rgb | Vec3, y: Rgb | Vec3, o: Rgb | Vec3) => {
    for (let c = 0; c < 3; c++) o[c] = x[c]! + (y[c]! - x[c]!) * u
  }
  lerp3(a.hemiSky, b.hemiSky, out.hemiSky)
  lerp3(a.hemiGround, b.hemiGround, out.hemiGround)
  lerp3(a.sunColor, b.sunColor, out.sunColor)
  lerp3(a.fog, b.fog, out.fog)
  out.hemiIntensity = a.hemiIntensity + (b.hemiIntensity - a.hemiIntensity) * u
  out.sunIntensity = a.sunIntensity + (b.sunIntensity - a.sunIntensity) * u
  out.shadowIntensity = a.shadowIntensity + (b.shadowIntensity - a.shadowIntensity) * u
  const da = a.sunDirection
  const db = b.sunDirection
  const d = out.sunDirection
  if (!sunSteps(a, b)) {
    // Within a degree of each other: their lerp is nowhere near zero length.
    lerp3(da, db, d)
    const len = Math.hypot(d[0], d[1], d[2])
    for (let c = 0; c < 3; c++) d[c] = d[c]! / len
  } else {
    const from = u < 0.5 ? da : db
    for (let c = 0; c < 3; c++) d[c] = from[c]!
    // 1 at either end and 0 over the middle fifth, smoothly: the step falls in the dark at any frame rate where the
    // fade takes more than ten frames.
    out.sunIntensity *= smoothstep(SUN_DARK, 1, Math.abs(1 - 2 * u))
  }
  return out
}

/** A fresh, independent copy of a lighting (e.g. the `out` of `mixSkyLighting`). */
export function cloneSkyLighting(l: SkyLighting): SkyLighting {
  return {
    hemiSky: [...l.hemiSky],
    hemiGround: [...l.hemiGround],
    hemiIntensity: l.hemiIntensity,
    sunColor: [...l.sunColor],
    sunIntensity: l.sunIntensity,
    sunDirection: [...l.sunDirection],
    shadowIntensity: l.shadowIntensity,
    fog: [...l.fog],
  }
}
