import { describe, expect, it } from 'vitest'
import { skyColumnLongitudeRad, skyPanoramaPixel, skyRowElevationRad } from '../../../world-gen'
import { compositeOver, renderSkyView, skyColumn, type RgbaImage } from '../../../components/server/sky-view'

/** An RGBA8 image whose pixel (x, y) is `color(x, y)`. */
function image(widthPx: number, heightPx: number, color: (x: number, y: number) => [number, number, number]) {
  const data = new Uint8Array(widthPx * heightPx * 4)
  for (let y = 0; y < heightPx; y++)
    for (let x = 0; x < widthPx; x++) {
      const o = 4 * (y * widthPx + x)
      data.set([...color(x, y), 255], o)
    }
  return { data, widthPx, heightPx } satisfies RgbaImage
}

const px = (rgba: Uint8Array, widthPx: number, x: number, y: number) =>
  Array.from(rgba.subarray(4 * (y * widthPx + x), 4 * (y * widthPx + x) + 3))

// A 64×16 hemisphere: red encodes the elevation row (0 at the zenith), green the longitude column, blue is constant.
const SKY = image(64, 16, (x, y) => [y * 16, x * 4, 200])
// A plain 16 px floor.
const FLOOR = image(16, 16, () => [40, 60, 80])
const VIEW = { widthPx: 360, heightPx: 200, fovDeg: 180, horizonAt: 0.5, hazeM: 20 } // 0.5° per pixel

describe('renderSkyView', () => {
  it('maps the view centre to the panorama centre (north) and the column at +90° to the east quarter', () => {
    const north = renderSkyView(SKY, FLOOR, { ...VIEW, headingDeg: 0 })
    const east = renderSkyView(SKY, FLOOR, { ...VIEW, headingDeg: 90 })
    // Pixel 180 looks at longitude 0.25°, between panorama columns 31 and 32 (green 124 and 128).
    expect(px(north, 360, 180, 40)[1]).toBeCloseTo(128, -1)
    // Heading 90: the centre looks at longitude 90°, i.e. column 48 (green 192).
    expect(px(east, 360, 180, 40)[1]).toBeCloseTo(192, -1)
    // And heading 0's right-hand edge looks east too: same column.
    expect(px(north, 360, 359, 40)[1]).toBeCloseTo(px(east, 360, 180, 40)[1], -1)
  })

  it('maps elevation linearly: the horizon row just above the horizon, higher rows higher up', () => {
    const view = renderSkyView(SKY, FLOOR, VIEW)
    // y = 99 is the last sky row (elevation 0…0.5°): the panorama's horizon row 15 → red 240.
    expect(px(view, 360, 180, 99)[0]).toBe(240)
    // Elevation 45° (y = 10) is the middle of the panorama, rows 7/8 → red ≈ 120.
    expect(px(view, 360, 180, 10)[0]).toBeGreaterThan(100)
    expect(px(view, 360, 180, 10)[0]).toBeLessThan(140)
    // In a view that reaches past the zenith (top row at 94.75°), those rows clamp to the zenith row.
    expect(px(renderSkyView(SKY, FLOOR, { ...VIEW, horizonAt: 0.95 }), 360, 180, 0)[0]).toBe(0)
  })

  it('draws the floor below the horizon, fading into the horizon colour with distance', () => {
    const view = renderSkyView(SKY, FLOOR, VIEW)
    const horizon = px(view, 360, 180, 99)
    const near = px(view, 360, 180, 199) // 50° down: 1.3 m away, little haze
    const far = px(view, 360, 180, 100) // 0.25° down: 370 m away, all haze
    const floor = [40, 60, 80]
    for (let c = 0; c < 3; c++) {
      // Under 10 % haze 1.4 m away (hazeM 20), all haze 370 m away.
      expect(Math.abs(near[c]! - floor[c]!)).toBeLessThanOrEqual(0.1 * Math.abs(horizon[c]! - floor[c]!) + 1)
      expect(Math.abs(far[c]! - horizon[c]!)).toBeLessThan(3)
    }
  })

  it('is opaque and deterministic', () => {
    const a = renderSkyView(SKY, FLOOR, VIEW)
    expect(Buffer.compare(Buffer.from(a), Buffer.from(renderSkyView(SKY, FLOOR, VIEW)))).toBe(0)
    for (let i = 3; i < a.length; i += 4) if (a[i] !== 255) throw new Error(`alpha ${a[i]} at ${i}`)
  })
})

describe('skyPanoramaPixel', () => {
  it("inverts world-gen's panorama geometry (the mapping the world's sky shader uses)", () => {
    const [w, h] = [512, 128]
    for (const [col, row] of [
      [0, 0],
      [255, 64],
      [256, 127],
      [511, 3],
      [384, 100],
    ]) {
      const lonDeg = (skyColumnLongitudeRad(col, w) * 180) / Math.PI
      const elDeg = (skyRowElevationRad(row, h) * 180) / Math.PI
      const [u, v] = skyPanoramaPixel(lonDeg, elDeg, w, h)
      expect(u).toBeCloseTo(col + 0.5, 9)
      expect(v).toBeCloseTo(row + 0.5, 9)
    }
  })
})

describe('skyColumn', () => {
  it('wraps in longitude: sampling at x = 0 blends the last and first columns', () => {
    const col = skyColumn(SKY, 0, new Float64Array(3 * SKY.heightPx))
    // Halfway between column 63 (green 252) and column 0 (green 0).
    expect(col[1]).toBeCloseTo(126, 0)
    expect(col[3 * 5]).toBeCloseTo(80, 5) // red of row 5, unchanged across columns
  })
})

describe('compositeOver', () => {
  it.each([
    ['transparent leaves the base', 0, [10, 20, 30]],
    ['opaque replaces it', 255, [250, 240, 230]],
    ['half blends', 128, [130, 130, 130]],
  ])('%s', (_, alpha, expected) => {
    const base = new Uint8Array([10, 20, 30, 255])
    compositeOver(base, new Uint8Array([250, 240, 230, alpha]))
    expect(Array.from(base.subarray(0, 3))).toEqual(expected)
    expect(base[3]).toBe(255)
  })

  it('refuses layers of another size', () => {
    expect(() => compositeOver(new Uint8Array(8), new Uint8Array(4))).toThrow(RangeError)
  })
})
