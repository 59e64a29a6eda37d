/**
 * The sky panorama: the physically based atmosphere (`sky-atmosphere.ts`) and the cloud layer laid over it
 * (`sky-compose.ts`). Pure functions, so these are exact or bounded checks of what a user sees overhead.
 */
import { describe, expect, it } from 'vitest'
import {
  atmosphereFromLatent,
  atmosphereShader,
  SUN_ELEVATION_DEG,
  type Atmosphere,
} from '../../world-gen/sky-atmosphere'
import {
  composeSky,
  decodeCloudLayer,
  renderSkyShading,
  shadeSkyTexel,
  SKY_PANORAMA_PX,
  SKY_TERM_MAX,
  skyShading,
  type CloudLayerSpec,
} from '../../world-gen/sky-compose'
import {
  linearToSrgbByte,
  skyColumnLongitudeRad,
  skyPanoramaPixel,
  skyRowElevationRad,
} from '../../world-gen/sky-panorama'
import { skyLatent } from '../../world-gen/latent-walk'

const SPEC: CloudLayerSpec = { pxPerUnit: 128 / 3, clearRgb: [0.1, 0.25, 0.75] }
const W = SKY_PANORAMA_PX.width
const H = SKY_PANORAMA_PX.height

const noon: Atmosphere = {
  sunElevationRad: (50 * Math.PI) / 180,
  sunAzimuthRad: Math.PI / 2,
  turbidity: 3,
  rayleigh: 1.5,
  mieCoefficient: 0.004,
  mieDirectionalG: 0.88,
}
const dusk: Atmosphere = { ...noon, sunElevationRad: (2 * Math.PI) / 180, turbidity: 8, rayleigh: 2.5 }

/** A tile of one cloud cover α and brightness L everywhere, encoded as the generator paints it. */
function flatTile(size: number, alpha: number, light: number): Uint8Array {
  const t = new Uint8Array(size * size * 4)
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) t[i * 4 + c] = linearToSrgbByte(alpha * light + (1 - alpha) * SPEC.clearRgb[c]!)
    t[i * 4 + 3] = 255
  }
  return t
}

const px = (img: Uint8Array, x: number, y: number) => Array.from(img.subarray((y * W + x) * 4, (y * W + x) * 4 + 3))
const luma = (p: number[]) => 0.2126 * p[0]! + 0.7152 * p[1]! + 0.0722 * p[2]!

describe('atmosphereFromLatent', () => {
  it('maps a sky latent to parameters in range, deterministically', () => {
    for (let x = -20; x <= 20; x += 5) {
      const latent = skyLatent('Demo world', x, 3, 0)
      const a = atmosphereFromLatent(latent)
      expect(atmosphereFromLatent(latent)).toEqual(a)
      const el = (a.sunElevationRad * 180) / Math.PI
      expect(el).toBeGreaterThanOrEqual(SUN_ELEVATION_DEG.min)
      expect(el).toBeLessThanOrEqual(SUN_ELEVATION_DEG.max)
      expect(Math.abs(a.sunAzimuthRad)).toBeLessThanOrEqual(Math.PI)
      expect(a.turbidity).toBeGreaterThanOrEqual(2)
      expect(a.turbidity).toBeLessThanOrEqual(10)
      expect(a.rayleigh).toBeGreaterThanOrEqual(1)
      expect(a.rayleigh).toBeLessThanOrEqual(3)
    }
  })

  it('covers dawn/dusk and midday across worlds', () => {
    const elevations = Array.from({ length: 200 }, (_, i) => {
      const a = atmosphereFromLatent(skyLatent(`world ${i}`, 0, 0, 0))
      return (a.sunElevationRad * 180) / Math.PI
    })
    expect(elevations.filter((e) => e < 10).length).toBeGreaterThan(10)
    expect(elevations.filter((e) => e > 35).length).toBeGreaterThan(10)
  })

  it('moves smoothly: a small latent step moves the sun a little', () => {
    const a = new Float32Array(64).fill(0.3)
    const b = a.slice()
    b[0] += 0.01
    const d = Math.abs(atmosphereFromLatent(a).sunElevationRad - atmosphereFromLatent(b).sunElevationRad)
    expect(d).toBeGreaterThan(0)
    expect(d).toBeLessThan((0.5 * Math.PI) / 180)
  })

  it('refuses a latent with too few channels and treats non-finite channels as the median', () => {
    expect(() => atmosphereFromLatent([0, 0])).toThrow(RangeError)
    const a = atmosphereFromLatent([NaN, Infinity, 0, 0])
    const b = atmosphereFromLatent([0, 0, 0, 0])
    for (const k of Object.keys(a) as (keyof Atmosphere)[]) expect(a[k]).toBeCloseTo(b[k] ?? NaN, 6)
  })
})

describe('atmosphereShader', () => {
  it('is blue overhead at noon, the sun is the brightest direction, and sunlight is whiter at noon than at dusk', () => {
    const s = atmosphereShader(noon)
    const zenith = s.terms(0, 1, 0).sky
    expect(zenith[2]).toBeGreaterThan(zenith[0] * 2)
    const [sx, sy, sz] = s.sunDirection
    const atSun = s.terms(sx, sy, sz).sky
    const away = s.terms(-sx, sy, -sz).sky
    expect(luma(atSun)).toBeGreaterThan(100 * luma(away))
    const d = atmosphereShader(dusk)
    // Dusk sunlight is red/orange: red over blue, much more than at noon.
    expect(d.sunColor[0] / d.sunColor[2]).toBeGreaterThan(2 * (s.sunColor[0] / s.sunColor[2]))
    expect(d.dayFactor).toBeLessThan(s.dayFactor)
  })

  it('extinction is in (0, 1] and falls towards the horizon', () => {
    const s = atmosphereShader(noon)
    const up = s.terms(0, 1, 0).extinction
    const low = s.terms(0, 0.02, -0.9998).extinction
    for (let c = 0; c < 3; c++) {
      expect(up[c]).toBeGreaterThan(0)
      expect(up[c]).toBeLessThanOrEqual(1)
      expect(low[c]).toBeLessThan(up[c]!)
    }
  })
})

describe('decodeCloudLayer', () => {
  it('gives back the cloud cover and brightness the tile was painted with', () => {
    for (const [alpha, light] of [
      [0, 1],
      [0.3, 0.9],
      [0.7, 0.5],
      [1, 0.8],
    ] as const) {
      const { alpha: a, light: l } = decodeCloudLayer(flatTile(4, alpha, light), 4, 4, SPEC)
      expect(Math.abs(a[0]! - alpha)).toBeLessThan(0.03)
      expect(Math.abs(l[0]! - alpha * light)).toBeLessThan(0.03)
    }
  })

  it('refuses a tile of the wrong length or a clear colour that is not blue', () => {
    expect(() => decodeCloudLayer(new Uint8Array(15), 2, 2, SPEC)).toThrow(RangeError)
    expect(() => decodeCloudLayer(new Uint8Array(16), 2, 2, { ...SPEC, clearRgb: [0.5, 0.5, 0.5] })).toThrow(/bluer/)
  })
})

describe('composeSky', () => {
  const clear = composeSky(flatTile(32, 0, 1), 32, SPEC, noon)
  const overcast = composeSky(flatTile(32, 1, 0.9), 32, SPEC, noon)

  it('returns the 512×128 RGBA8 upper hemisphere, opaque, byte-identical on repeat', () => {
    expect(clear.length).toBe(W * H * 4)
    for (let i = 3; i < clear.length; i += 4) expect(clear[i]).toBe(255)
    expect(Buffer.from(composeSky(flatTile(32, 0, 1), 32, SPEC, noon)).equals(Buffer.from(clear))).toBe(true)
  })

  it('a clear layer shows the atmosphere: blue at the zenith, the sun where the atmosphere puts it', () => {
    const z = px(clear, 10, 0)
    expect(z[2]).toBeGreaterThan(z[0]! + 40)
    const [u, v] = skyPanoramaPixel(90, 50, W, H) // noon's sun: azimuth 90° (east), elevation 50°
    let best = [0, 0]
    let bestL = -1
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const l = luma(px(clear, x, y))
        if (l > bestL) [bestL, best] = [l, [x, y]]
      }
    expect(Math.abs(best[0]! + 0.5 - u)).toBeLessThan(3)
    expect(Math.abs(best[1]! + 0.5 - v)).toBeLessThan(3)
  })

  it('an overcast layer hides the blue and the sun overhead; both meet the same haze at the horizon', () => {
    const z = px(overcast, 10, 0)
    expect(Math.abs(z[2]! - z[0]!)).toBeLessThan(25) // grey, not blue
    const [u, v] = skyPanoramaPixel(90, 50, W, H)
    expect(luma(px(overcast, Math.floor(u), Math.floor(v)))).toBeLessThan(luma(px(clear, Math.floor(u), Math.floor(v))))
    // The last row (0.35° up): clouds fade out and dissolve into the haze, so cover barely changes it.
    let diff = 0
    for (let x = 0; x < W; x++) diff += Math.abs(luma(px(overcast, x, H - 1)) - luma(px(clear, x, H - 1)))
    expect(diff / W).toBeLessThan(6)
  })

  it('has no seam at the longitude wrap: the first and last columns differ like any neighbouring columns', () => {
    const tile = new Uint8Array(64 * 64 * 4)
    for (let i = 0; i < 64 * 64; i++) {
      const a = (Math.sin(i * 0.37) + Math.sin(i * 0.071)) * 0.25 + 0.5 // busy, deterministic
      for (let c = 0; c < 3; c++) tile[i * 4 + c] = linearToSrgbByte(a * 0.9 + (1 - a) * SPEC.clearRgb[c]!)
      tile[i * 4 + 3] = 255
    }
    const sky = composeSky(tile, 64, SPEC, noon)
    const colDiff = (a: number, b: number) => {
      let d = 0
      for (let y = 0; y < H; y++)
        for (let c = 0; c < 3; c++) d += Math.abs(sky[(y * W + a) * 4 + c]! - sky[(y * W + b) * 4 + c]!)
      return d
    }
    let interior = 0
    for (let x = 0; x < W - 1; x++) interior += colDiff(x, x + 1)
    interior /= W - 1
    expect(colDiff(W - 1, 0) / interior).toBeLessThan(1.5)
  })

  it('filters the layer near the horizon (no aliasing): a fine checkerboard turns to its mean low in the sky', () => {
    const t = new Uint8Array(64 * 64 * 4)
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) {
        const a = (x + y) % 2
        for (let c = 0; c < 3; c++) t[(y * 64 + x) * 4 + c] = linearToSrgbByte(a * 0.95 + (1 - a) * SPEC.clearRgb[c]!)
        t[(y * 64 + x) * 4 + 3] = 255
      }
    const sky = composeSky(t, 64, SPEC, noon)
    const rowSpread = (y: number) => {
      const v = Array.from({ length: W }, (_, x) => luma(px(sky, x, y)))
      const m = v.reduce((s, a) => s + a, 0) / W
      return Math.sqrt(v.reduce((s, a) => s + (a - m) ** 2, 0) / W)
    }
    // 15° up: one pixel spans many texels, so the pixels of a row vary smoothly (only with the sun's glow).
    const row15 = Math.round(H * (1 - 15 / 90))
    const neighbours = Array.from({ length: W - 1 }, (_, x) =>
      Math.abs(luma(px(sky, x, row15)) - luma(px(sky, x + 1, row15))),
    )
    expect(Math.max(...neighbours)).toBeLessThan(6)
    expect(rowSpread(row15)).toBeLessThan(40)
  })

  it('dusk is darker than noon under the same clouds, and warm low towards the sun', () => {
    const tile = flatTile(32, 0.5, 0.9)
    const n = composeSky(tile, 32, SPEC, noon)
    const d = composeSky(tile, 32, SPEC, dusk)
    let ln = 0
    let ld = 0
    for (let i = 0; i < W * H; i++) {
      ln += luma(Array.from(n.subarray(i * 4, i * 4 + 3)))
      ld += luma(Array.from(d.subarray(i * 4, i * 4 + 3)))
    }
    expect(ld).toBeLessThan(ln)
    // Within 30° of the sun's azimuth (east) and 5° of the horizon: red over blue at dusk, blue over red at noon.
    const warm = (img: Uint8Array) => {
      let w = 0
      const [u] = skyPanoramaPixel(90, 0, W, H)
      for (let y = Math.round(H * (1 - 5 / 90)); y < H; y++)
        for (let x = Math.round(u - W / 12); x < u + W / 12; x++) w += img[(y * W + x) * 4]! - img[(y * W + x) * 4 + 2]!
      return w
    }
    expect(warm(d)).toBeGreaterThan(0)
    expect(warm(d)).toBeGreaterThan(warm(n))
  })

  it('refuses a tile that is not a square power of two, or a bad panorama size', () => {
    expect(() => composeSky(new Uint8Array(24 * 24 * 4), 24, SPEC, noon)).toThrow(/power-of-two/)
    expect(() => composeSky(new Uint8Array(16 * 4), 4, SPEC, noon, 0, 10)).toThrow(/panorama size/)
  })
})

describe('skyShading', () => {
  /**
   * The sky of one flat layer (cover α, brightness L everywhere) in one direction, shaded straight from the atmosphere
   * as the panorama was composed before it was split into terms: the reference the terms must sum back to.
   */
  function direct(a: Atmosphere, alpha: number, light: number, x: number, y: number, z: number): number[] {
    const s = atmosphereShader(a)
    const overcast = a.overcast ?? 0
    const cover = alpha
    const sunThrough = (1 - 0.8 * cover * cover) * (1 - 0.8 * overcast)
    const zenith = s.terms(0, 1, 0).ambient
    const grey = 0.2126 * zenith[0] + 0.7152 * zenith[1] + 0.0722 * zenith[2]
    const skylight = zenith.map((v) => v + (grey - v) * cover)
    const t = s.terms(x, y, z)
    const cosTheta = x * s.sunDirection[0] + y * s.sunDirection[1] + z * s.sunDirection[2]
    const silver = Math.min(3, 0.51 / Math.pow(1.49 - cosTheta * 1.4, 1.5))
    const fade = Math.min(1, Math.max(0, y / 0.06)) ** 2 * (3 - 2 * Math.min(1, Math.max(0, y / 0.06)))
    const here = alpha * (fade + (1 - fade) * overcast)
    const aces = (v: number) => Math.min(1, (v * (2.51 * v + 0.03)) / (v * (2.43 * v + 0.59) + 0.14))
    return [0, 1, 2].map((c) => {
      const cloud =
        (skylight[c]! + s.sunColor[c]! * sunThrough * (0.3 + 0.7 * light + silver * alpha * (1 - alpha) * 4 * 0.6)) *
        (0.3 + 0.7 * s.dayFactor)
      const haze = t.ambient[c]! * sunThrough
      const aerial = haze + (cloud - haze) * t.extinction[c]!
      return linearToSrgbByte(aces(Math.max(0, (t.sky[c]! + (aerial - t.sky[c]!) * here) * s.exposure)))
    })
  }

  it('its terms sum back to the direct shading of every direction, within a byte (away from the sun’s disc)', () => {
    for (const [atm, alpha, light] of [
      [noon, 0, 1],
      [noon, 0.6, 0.8],
      [dusk, 0.4, 0.7],
      [{ ...noon, overcast: 0.5 }, 0.5, 0.9],
    ] as const) {
      const img = composeSky(flatTile(16, alpha, light), 16, SPEC, atm)
      const layer = skyShading(flatTile(16, alpha, light), 16, SPEC, atm).layer
      const a = layer[0]! / 255
      const l = layer[1]! / 255 / Math.max(a, 1e-6)
      const sun = atmosphereShader(atm).sunDirection
      let worst = 0
      for (let row = 0; row < H; row += 7)
        for (let col = 0; col < W; col += 11) {
          const el = skyRowElevationRad(row, H)
          const lon = skyColumnLongitudeRad(col, W)
          const d = [Math.cos(el) * Math.sin(lon), Math.sin(el), -Math.cos(el) * Math.cos(lon)] as const
          if (d[0] * sun[0] + d[1] * sun[1] + d[2] * sun[2] > Math.cos(0.05)) continue
          const want = direct(atm, a, a > 0 ? l : 0, ...d)
          for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(img[(row * W + col) * 4 + c]! - want[c]!))
        }
      expect(worst, `${alpha} ${light}`).toBeLessThanOrEqual(1)
    }
  })

  it('holds the layer as cover and brightness, its scale, and finite terms in range', () => {
    const sh = skyShading(flatTile(32, 0.5, 0.8), 32, SPEC, noon)
    expect(sh.tileSize).toBe(32)
    expect(sh.tilesPerUnit).toBeCloseTo(SPEC.pxPerUnit / 32, 12)
    expect(sh.layer.length).toBe(32 * 32 * 4)
    expect(Math.abs(sh.layer[0]! / 255 - 0.5)).toBeLessThan(0.03)
    expect(Math.abs(sh.layer[1]! / 255 - 0.4)).toBeLessThan(0.03)
    expect([sh.widthPx, sh.heightPx]).toEqual([W, H])
    expect(sh.terms.length).toBe(3 * W * H * 4)
    let lo = Infinity
    let hi = -Infinity
    for (const v of sh.terms) {
      lo = Math.min(lo, v)
      hi = Math.max(hi, Number.isNaN(v) ? Infinity : v)
    }
    expect(lo).toBeGreaterThanOrEqual(0)
    expect(hi).toBeLessThanOrEqual(SKY_TERM_MAX)
    // The sun's disc is far brighter than the tone curve's range: clamped, not overflowing.
    expect(hi).toBe(SKY_TERM_MAX)
    expect(sh.sunDirection).toEqual(atmosphereShader(noon).sunDirection)
    // The same shading on any grid: a finer grid's panorama agrees with the default one where their pixels coincide.
    const fine = renderSkyShading(skyShading(flatTile(32, 0.5, 0.8), 32, SPEC, noon, 2 * W, 2 * H))
    const coarse = renderSkyShading(sh)
    let diff = 0
    let n = 0
    for (let row = 0; row < H; row += 4)
      for (let col = 0; col < W; col += 4) {
        // Coarse pixel (col, row) spans fine pixels 2col…2col+1, 2row…2row+1: compare with their mean.
        for (let c = 0; c < 3; c++) {
          let m = 0
          for (const [dx, dy] of [
            [0, 0],
            [1, 0],
            [0, 1],
            [1, 1],
          ])
            m += fine[((2 * row + dy) * 2 * W + 2 * col + dx) * 4 + c]!
          diff += Math.abs(m / 4 - coarse[(row * W + col) * 4 + c]!)
          n++
        }
      }
    expect(diff / n).toBeLessThan(1.5)
  })

  it('shadeSkyTexel: no cover shows the clear sky; scattered clouds vanish at the horizon, a closed deck does not', () => {
    const aces = (v: number) => Math.min(1, (v * (2.51 * v + 0.03)) / (v * (2.43 * v + 0.59) + 0.14))
    expect(shadeSkyTexel(0.3, 0.9, 0.5, 0, 0, 1, 1, 0)).toBeCloseTo(aces(0.3), 12)
    expect(shadeSkyTexel(0.3, 0.9, 0.5, 0.8, 0.6, 1, 0, 0)).toBeCloseTo(aces(0.3), 12)
    expect(shadeSkyTexel(0.3, 0.9, 0.5, 0.8, 0.6, 1, 0, 1)).toBeGreaterThan(aces(0.3) + 0.1)
    // Brighter cloud, brighter sky.
    expect(shadeSkyTexel(0.3, 0.2, 0.5, 0.8, 0.7, 1, 1, 0)).toBeGreaterThan(
      shadeSkyTexel(0.3, 0.2, 0.5, 0.8, 0.2, 1, 1, 0),
    )
  })
})
