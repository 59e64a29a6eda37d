/**
 * Evening and overcast along a world's walk: the weather of a sky latent (`skyWeatherFromLatent`), how it bends the
 * atmosphere (`atmosphereFromLatent`) and how the panorama shows it (`composeSky`, `thickenCloudLayer`).
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  atmosphereFromLatent,
  EVENING_SUN_ELEVATION_DEG,
  SKY_WEATHER_CHANNELS,
  skyWeatherFromLatent,
  SUN_ELEVATION_DEG,
  type Atmosphere,
} from '../../world-gen/sky-atmosphere'
import {
  composeRoomSky,
  composeSky,
  OVERCAST_COVER,
  thickenCloudLayer,
  type CloudLayerSpec,
} from '../../world-gen/sky-compose'
import { skyLatent } from '../../world-gen/latent-walk'
import { linearToSrgbByte } from '../../world-gen/sky-panorama'

const SPEC: CloudLayerSpec = { pxPerUnit: 128 / 3, clearRgb: [0.1, 0.25, 0.75] }
const W = 128
const H = 32

/** A 32 px tile, clear sky with one round cloud of cover 0.9 and brightness 0.9 in the middle. */
function cloudTile(): Uint8Array {
  const size = 32
  const t = new Uint8Array(size * size * 4)
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const a = Math.hypot(x - 16, y - 16) < 7 ? 0.9 : 0
      for (let c = 0; c < 3; c++) t[(y * size + x) * 4 + c] = linearToSrgbByte(a * 0.9 + (1 - a) * SPEC.clearRgb[c]!)
      t[(y * size + x) * 4 + 3] = 255
    }
  return t
}

/** A latent whose first channels are given and the rest 0. */
function latent(values: number[]): Float32Array {
  const l = new Float32Array(64)
  l.set(values)
  return l
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const rgbAt = (img: Uint8Array, x: number, y: number) => Array.from(img.subarray((y * W + x) * 4, (y * W + x) * 4 + 3))
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length

describe('skyWeatherFromLatent', () => {
  it('is deterministic per world and room, in [0, 1], and absent for short or non-finite latents', () => {
    const a = skyWeatherFromLatent(skyLatent('Demo world', 3, -2, 0))
    expect(skyWeatherFromLatent(skyLatent('Demo world', 3, -2, 0))).toEqual(a)
    for (const v of [a.evening, a.overcast]) expect(v >= 0 && v <= 1).toBe(true)
    expect(skyWeatherFromLatent([0, 0, 0, 0])).toEqual({ evening: 0, overcast: 0 })
    expect(skyWeatherFromLatent([0, 0, 0, 0, NaN, Infinity])).toEqual({ evening: 0, overcast: 0 })
    expect(skyWeatherFromLatent(latent([0, 0, 0, 0, 3, 3]))).toEqual({ evening: 1, overcast: 1 })
  })

  it('brings evening and overcast rooms along the walks, about one room in five each, most rooms daylight', () => {
    let evening = 0
    let overcast = 0
    let n = 0
    for (let w = 0; w < 40; w++)
      for (let x = 0; x < 30; x++) {
        const s = skyWeatherFromLatent(skyLatent(`world ${w}`, x, 0, 0))
        if (s.evening > 0.5) evening++
        if (s.overcast > 0.5) overcast++
        n++
      }
    expect(evening / n).toBeGreaterThan(0.1)
    expect(evening / n).toBeLessThan(0.35)
    expect(overcast / n).toBeGreaterThan(0.1)
    expect(overcast / n).toBeLessThan(0.35)
  })

  it('shows both states within a walk of 30 rooms in most worlds', () => {
    let both = 0
    for (let w = 0; w < 20; w++) {
      const states = Array.from({ length: 30 }, (_, x) => skyWeatherFromLatent(skyLatent(`world ${w}`, x, 0, 0)))
      if (states.some((s) => s.evening > 0.5) && states.some((s) => s.overcast > 0.5)) both++
    }
    expect(both).toBeGreaterThanOrEqual(10)
  })

  it('fades in: a small latent step moves the weights a little, never a switch', () => {
    const ch = SKY_WEATHER_CHANNELS.evening
    let last = skyWeatherFromLatent(latent([0, 0, 0, 0, -3, 0])).evening
    for (let v = -3; v <= 3; v += 0.01) {
      const l = latent([0, 0, 0, 0, 0, 0])
      l[ch] = v
      const e = skyWeatherFromLatent(l).evening
      expect(Math.abs(e - last)).toBeLessThan(0.05)
      last = e
    }
  })
})

describe('atmosphereFromLatent under the weather', () => {
  it('leaves a daylight latent as before and sinks the sun of an evening one to the horizon, with redder air', () => {
    const base = [0.8, 0.3, -0.2, 0.1]
    const day = atmosphereFromLatent(latent([...base, -3, -3]))
    const u = (v: number) => 0.5 * (1 + erf(v / Math.SQRT2))
    const expectedDeg = SUN_ELEVATION_DEG.min + (SUN_ELEVATION_DEG.max - SUN_ELEVATION_DEG.min) * u(0.8) ** 1.6
    expect((day.sunElevationRad * 180) / Math.PI).toBeCloseTo(expectedDeg, 4)
    expect(day.rayleigh).toBeCloseTo(1 + 2 * u(0.1), 5)
    expect(day.overcast).toBe(0)
    const evening = atmosphereFromLatent(latent([...base, 3, -3]))
    const el = (evening.sunElevationRad * 180) / Math.PI
    expect(el).toBeGreaterThanOrEqual(EVENING_SUN_ELEVATION_DEG.min)
    expect(el).toBeLessThanOrEqual(EVENING_SUN_ELEVATION_DEG.max)
    expect(evening.rayleigh).toBeGreaterThanOrEqual(2.4)
    expect(evening.sunAzimuthRad).toBe(day.sunAzimuthRad)
    const overcast = atmosphereFromLatent(latent([...base, -3, 3]))
    expect(overcast.overcast).toBe(1)
    expect(overcast.mieDirectionalG).toBeLessThan(day.mieDirectionalG)
  })
})

describe('the panorama under the weather', () => {
  const noon: Atmosphere = {
    sunElevationRad: (40 * Math.PI) / 180,
    sunAzimuthRad: 0,
    turbidity: 3,
    rayleigh: 1.5,
    mieCoefficient: 0.004,
    mieDirectionalG: 0.88,
  }

  it('thickenCloudLayer: untouched at 0, a closed deck at 1 with the generated clouds still brighter', () => {
    const alpha = Float32Array.from([0, 0.5, 1])
    const light = Float32Array.from([0, 0.45, 0.95])
    thickenCloudLayer(alpha, light, 0)
    expect(Array.from(alpha)).toEqual([0, 0.5, 1])
    thickenCloudLayer(alpha, light, 1)
    for (const a of alpha) expect(a).toBeGreaterThanOrEqual(OVERCAST_COVER - 1e-6)
    const brightness = Array.from(light, (l, i) => l / alpha[i]!)
    expect(brightness[2]).toBeGreaterThan(brightness[0]!)
  })

  it('overcast 0 paints exactly the sky of an atmosphere without weather', () => {
    const tile = cloudTile()
    expect(sha(composeSky(tile, 32, SPEC, { ...noon, overcast: 0 }, W, H))).toBe(
      sha(composeSky(tile, 32, SPEC, noon, W, H)),
    )
  })

  it('overcast hides the sun and turns the sky grey and dimmer', () => {
    const tile = cloudTile()
    const clear = composeSky(tile, 32, SPEC, noon, W, H)
    const grey = composeSky(tile, 32, SPEC, { ...noon, overcast: 1, mieDirectionalG: 0.28 }, W, H)
    // The sun: azimuth 0 (north, the middle column), 40 degrees up.
    const sunRow = Math.round(H * (1 - 40 / 90))
    const sunClear = rgbAt(clear, W / 2, sunRow)
    const sunGrey = rgbAt(grey, W / 2, sunRow)
    expect(Math.min(...sunClear)).toBeGreaterThan(240)
    expect(Math.max(...sunGrey)).toBeLessThan(230)
    // Saturation (max - min channel) over the upper half: the blue is gone.
    const sat = (img: Uint8Array) =>
      mean(
        Array.from({ length: (W * H) / 2 }, (_, i) => {
          const p = rgbAt(img, i % W, Math.floor(i / W))
          return Math.max(...p) - Math.min(...p)
        }),
      )
    expect(sat(grey)).toBeLessThan(sat(clear) / 3)
    const luma = (img: Uint8Array) =>
      mean(Array.from({ length: W * H }, (_, i) => mean(rgbAt(img, i % W, Math.floor(i / W)))))
    expect(luma(grey)).toBeLessThan(luma(clear))
  })

  it('evening reddens the horizon towards the sun, where the daylight sky of the same latent is blue-white', () => {
    const tile = cloudTile()
    const at = (img: Uint8Array, col: number, row: number) =>
      Array.from(img.subarray((row * 512 + col) * 4, (row * 512 + col) * 4 + 3))
    const eveningLatent = latent([0, 0, 0, 0, 3, -3])
    const dayLatent = latent([0, 0, 0, 0, -3, -3])
    const evening = composeRoomSky(tile, 32, SPEC, eveningLatent)
    const day = composeRoomSky(tile, 32, SPEC, dayLatent)
    // 30 degrees of azimuth beside the sun, a few rows above the horizon of the 512×128 panorama (the sun itself is
    // white in both).
    const a = atmosphereFromLatent(eveningLatent)
    const col = Math.round(((a.sunAzimuthRad / (2 * Math.PI) + 0.5) * 512 + 512 / 12) % 512)
    const e = at(evening, col, 122)
    const d = at(day, col, 122)
    expect(e[0]! - e[2]!).toBeGreaterThan(20)
    expect(e[0]! - e[2]!).toBeGreaterThan(d[0]! - d[2]! + 20)
    expect(sha(composeRoomSky(tile, 32, SPEC, eveningLatent))).toBe(sha(evening))
  })
})

/** Error function (Abramowitz & Stegun 7.1.26), for the expected daylight mapping. */
function erf(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * z)
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z)
  return x >= 0 ? y : -y
}
