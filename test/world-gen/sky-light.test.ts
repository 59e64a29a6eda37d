import { describe, expect, it } from 'vitest'
import {
  fullSkyPanorama,
  GROUND_SHADE,
  linearToSrgbByte,
  mixSkyLighting,
  SUN_SWEEP_MAX_RAD,
  sunSteps,
  cloneSkyLighting,
  SKY_GROUND_FADE_RAD,
  skyAngles,
  skyColumnLongitudeRad,
  skyDirection,
  skyGroundFade,
  skyLight,
  skyLighting,
  skyRowElevationRad,
  SRGB_TO_LINEAR,
  OVERCAST_SHADOW,
  SUN_MIN_ELEVATION_RAD,
  type Rgb,
} from '../../world-gen/index'

const W = 512
const H = 128
const DEG = Math.PI / 180

/** A synthetic hemisphere: `paint(longitudeRad, elevationRad)` gives sRGB bytes per pixel centre. */
function panorama(paint: (lon: number, elev: number) => [number, number, number], w = W, h = H): Uint8Array {
  const out = new Uint8Array(w * h * 4)
  for (let row = 0; row < h; row++)
    for (let col = 0; col < w; col++) {
      const [r, g, b] = paint(skyColumnLongitudeRad(col, w), skyRowElevationRad(row, h))
      out.set([r, g, b, 255], (row * w + col) * 4)
    }
  return out
}

/** Great-circle angle between two unit directions, radians. */
const angleBetween = (a: number[], b: number[]) =>
  Math.acos(Math.max(-1, Math.min(1, a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!)))

/** A clear blue sky (darker at the zenith) with a white sun disc of radius `radiusDeg` at (lon, elev). */
function sunnySky(sunLon: number, sunElev: number, radiusDeg = 3) {
  const sun = skyDirection(sunLon, sunElev)
  return panorama((lon, elev) => {
    const d = angleBetween(skyDirection(lon, elev), sun)
    if (d < radiusDeg * DEG) return [255, 255, 250]
    const glow = Math.exp(-d / (12 * DEG))
    const t = elev / (Math.PI / 2)
    return [
      Math.round(150 - 90 * t + 100 * glow),
      Math.round(190 - 70 * t + 60 * glow),
      Math.round(235 - 20 * t + 15 * glow),
    ].map((v) => Math.min(255, v)) as [number, number, number]
  })
}

const lumaOf = (c: Rgb) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

describe('sky panorama geometry', () => {
  it.each([
    ['north, on the horizon', 0, 0, [0, 0, -1]],
    ['east', Math.PI / 2, 0, [1, 0, 0]],
    ['south (the wrap)', Math.PI, 0, [0, 0, 1]],
    ['west', -Math.PI / 2, 0, [-1, 0, 0]],
    ['straight up', 0, Math.PI / 2, [0, 1, 0]],
  ])('skyDirection: %s', (_, lon, elev, expected) => {
    const d = skyDirection(lon, elev)
    for (let c = 0; c < 3; c++) expect(d[c]).toBeCloseTo(expected[c]!, 12)
  })

  it('skyAngles inverts skyDirection, and rows/columns map to pixel centres', () => {
    for (const [lon, elev] of [
      [0.3, 0.2],
      [-2.9, 1.1],
      [3.0, 0.01],
    ]) {
      const [l, e] = skyAngles(skyDirection(lon!, elev!))
      expect(l).toBeCloseTo(lon!, 12)
      expect(e).toBeCloseTo(elev!, 12)
    }
    expect(skyRowElevationRad(0, H)).toBeCloseTo(Math.PI / 2 - Math.PI / 4 / H, 12)
    expect(skyRowElevationRad(H - 1, H)).toBeCloseTo(Math.PI / 4 / H, 12)
    expect(skyColumnLongitudeRad(0, W)).toBeCloseTo(-Math.PI + Math.PI / W, 12)
    expect(skyColumnLongitudeRad(W / 2 - 0.5, W)).toBeCloseTo(0, 12)
  })

  it('sRGB transfer functions round-trip every byte', () => {
    for (let i = 0; i < 256; i++) expect(linearToSrgbByte(SRGB_TO_LINEAR[i]!)).toBe(i)
    expect(SRGB_TO_LINEAR[128]).toBeCloseTo(0.2158, 3)
  })

  it('fullSkyPanorama: the upper half is the generated hemisphere byte for byte; below, horizon → ground', () => {
    const hemi = sunnySky(1, 0.5)
    const ground: Rgb = [0.02, 0.015, 0.01]
    const full = fullSkyPanorama(hemi, W, H, ground)
    expect(full.length).toBe(W * H * 2 * 4)
    expect(Buffer.compare(Buffer.from(full.subarray(0, hemi.length)), Buffer.from(hemi))).toBe(0)
    // The first row below the horizon is (within the fade's first sliver) the horizon row.
    const horizonRow = hemi.subarray((H - 1) * W * 4, H * W * 4)
    const below = full.subarray(H * W * 4, (H + 1) * W * 4)
    for (let i = 0; i < W * 4; i += 4) expect(Math.abs(below[i]! - horizonRow[i]!)).toBeLessThanOrEqual(1)
    // Past the fade depth every pixel is the ground tone.
    const deepRow = H + Math.ceil((SKY_GROUND_FADE_RAD / (Math.PI / 2)) * H) + 1
    const expected = ground.map(linearToSrgbByte)
    for (let col = 0; col < W; col += 37) {
      const i = (deepRow * W + col) * 4
      expect([full[i], full[i + 1], full[i + 2], full[i + 3]]).toEqual([...expected, 255])
    }
    expect(() => fullSkyPanorama(hemi, W, H + 1, ground)).toThrow(RangeError)
  })

  it('skyGroundFade is a smoothstep over the fade depth', () => {
    expect(skyGroundFade(0)).toBe(0)
    expect(skyGroundFade(-1)).toBe(0)
    expect(skyGroundFade(SKY_GROUND_FADE_RAD / 2)).toBeCloseTo(0.5, 12)
    expect(skyGroundFade(SKY_GROUND_FADE_RAD)).toBe(1)
    expect(skyGroundFade(2)).toBe(1)
  })
})

describe('skyLight', () => {
  it.each([
    ['high in the east', 90 * DEG, 60 * DEG],
    ['low in the south-west', -135 * DEG, 12 * DEG],
    ['north-north-west, mid height', -20 * DEG, 35 * DEG],
    ['across the longitude wrap (due south)', 179 * DEG, 30 * DEG],
  ])('finds a sun %s within 4° and rates it strong', (_, lon, elev) => {
    const light = skyLight(sunnySky(lon, elev), W, H)
    const err = angleBetween(light.sun.direction, skyDirection(lon, elev))
    expect(err / DEG, `sun found at ${light.sun.azimuthRad / DEG}°, ${light.sun.elevationRad / DEG}°`).toBeLessThan(4)
    expect(light.sun.strength).toBeGreaterThan(0.7)
    expect(Math.hypot(...light.sun.direction)).toBeCloseTo(1, 9)
  })

  it('rates a uniform overcast sky as having no sun', () => {
    const light = skyLight(
      panorama(() => [178, 180, 184]),
      W,
      H,
    )
    expect(light.sun.strength).toBeLessThan(0.05)
    const grey = SRGB_TO_LINEAR[180]!
    for (const c of [light.zenith, light.sky, light.horizon]) expect(c[1]).toBeCloseTo(grey, 5)
    expect(light.ground[1]).toBeCloseTo(grey * GROUND_SHADE, 5)
  })

  it('rates a bright but diffuse sky (wide hazy glow, no disc) as weak', () => {
    const light = skyLight(
      panorama((lon, elev) => {
        const v = 150 + Math.round(40 * Math.cos(lon) * Math.cos(elev))
        return [v, v, v + 5]
      }),
      W,
      H,
    )
    expect(light.sun.strength).toBeLessThan(0.2)
  })

  it('a dim sun in a dark sky is weaker than a bright one', () => {
    const dim = skyLight(
      panorama((lon, elev) =>
        angleBetween(skyDirection(lon, elev), skyDirection(0, 0.5)) < 3 * DEG ? [70, 70, 70] : [30, 30, 40],
      ),
      W,
      H,
    )
    const bright = skyLight(sunnySky(0, 0.5), W, H)
    expect(dim.sun.strength).toBeLessThan(bright.sun.strength)
  })

  it('separates zenith, horizon and mean colours (blue overhead, orange at the horizon)', () => {
    const light = skyLight(
      panorama((_, elev) => (elev > 45 * DEG ? [40, 80, 200] : [230, 140, 60])),
      W,
      H,
    )
    expect(light.zenith[2]).toBeGreaterThan(light.zenith[0] * 5)
    expect(light.horizon[0]).toBeGreaterThan(light.horizon[2] * 5)
    // By solid angle the band below 45° is ~71% of the hemisphere: the mean leans orange.
    expect(light.sky[0]).toBeGreaterThan(light.sky[2])
    for (let c = 0; c < 3; c++) expect(light.ground[c]).toBeCloseTo(light.horizon[c]! * GROUND_SHADE, 9)
  })

  it('is deterministic and rejects a wrong size', () => {
    const sky = sunnySky(0.4, 0.7)
    expect(skyLight(sky, W, H)).toEqual(skyLight(sky.slice(), W, H))
    expect(() => skyLight(sky, W, H - 1)).toThrow(RangeError)
    expect(() => skyLight(sky, 0, H)).toThrow(RangeError)
  })

  it('handles tiny panoramas (a 1×1-cell field gives 16×16 px)', () => {
    const light = skyLight(sunnySky(0.4, 0.7).subarray(0, 16 * 16 * 4), 16, 16)
    expect(light.sun.elevationRad).toBeGreaterThan(0)
    expect(Number.isFinite(light.sun.strength)).toBe(true)
  })
})

describe('skyLighting', () => {
  const sunny = skyLight(sunnySky(60 * DEG, 40 * DEG), W, H)
  const overcast = skyLight(
    panorama(() => [170, 172, 176]),
    W,
    H,
  )
  const dusk = skyLight(
    panorama((_, elev) => [Math.round(70 - 40 * Math.sin(elev)), 40, Math.round(60 + 20 * Math.sin(elev))]),
    W,
    H,
  )

  it('a sunny sky gives a strong sun from its direction; an overcast one a weak sun and more sky light', () => {
    const a = skyLighting(sunny)
    const b = skyLighting(overcast)
    expect(a.sunIntensity).toBeGreaterThan(2 * b.sunIntensity)
    expect(b.hemiIntensity / lumaOf(b.hemiSky)).toBeGreaterThan(a.hemiIntensity / lumaOf(a.hemiSky))
    expect(angleBetween(a.sunDirection, skyDirection(60 * DEG, 40 * DEG)) / DEG).toBeLessThan(4)
    expect(a.fog).toEqual(sunny.horizon)
  })

  it('shadows are full under a distinct sun and faint under an overcast sky', () => {
    expect(skyLighting(sunny).shadowIntensity).toBe(1)
    expect(skyLighting(overcast).shadowIntensity).toBeCloseTo(OVERCAST_SHADOW, 12)
    const hazy = skyLighting(
      skyLight(
        panorama((lon, elev) => {
          const v = 150 + Math.round(40 * Math.cos(lon) * Math.cos(elev))
          return [v, v, v + 5]
        }),
        W,
        H,
      ),
    )
    expect(hazy.shadowIntensity).toBeLessThan(0.5)
  })

  it('a dusk sky dims the scene but keeps it lit; a sun near the horizon lights from at least 15°', () => {
    expect(skyLighting(dusk).hemiIntensity).toBeLessThan(skyLighting(overcast).hemiIntensity)
    expect(skyLighting(dusk).hemiIntensity).toBeGreaterThan(0.3)
    const low = skyLighting(skyLight(sunnySky(0, 3 * DEG), W, H))
    expect(Math.asin(low.sunDirection[1])).toBeCloseTo(SUN_MIN_ELEVATION_RAD, 9)
  })

  it('the hemisphere light takes the sky hue (warm sky → warm light)', () => {
    const warm = skyLighting(
      skyLight(
        panorama(() => [230, 150, 90]),
        W,
        H,
      ),
    )
    expect(warm.hemiSky[0]).toBeGreaterThan(warm.hemiSky[2])
  })

  it('mixSkyLighting interpolates for the crossfade, without touching its inputs', () => {
    const a = skyLighting(sunny)
    const b = skyLighting(overcast)
    const a0 = cloneSkyLighting(a)
    const out = cloneSkyLighting(a)
    expect(mixSkyLighting(a, b, 0, out)).toEqual(a)
    expect(mixSkyLighting(a, b, 1, out).sunIntensity).toBeCloseTo(b.sunIntensity, 12)
    expect(out.fog).toEqual(b.fog)
    expect(out.sunDirection).toEqual(b.sunDirection)
    const half = mixSkyLighting(a, b, 0.5, out)
    expect(half.hemiIntensity).toBeCloseTo((a.hemiIntensity + b.hemiIntensity) / 2, 12)
    expect(half.shadowIntensity).toBeCloseTo((a.shadowIntensity + b.shadowIntensity) / 2, 12)
    expect(Math.hypot(...half.sunDirection)).toBeCloseTo(1, 12)
    expect(a).toEqual(a0)
  })

  it('mixSkyLighting steps a sun that turns, in shade: one direction change, the sun out at the step', () => {
    const a = skyLighting(sunny)
    const b = cloneSkyLighting(a)
    // The same sky with the sun a quarter turn round (azimuth +90°).
    b.sunDirection = [-a.sunDirection[2], a.sunDirection[1], a.sunDirection[0]]
    const out = cloneSkyLighting(a)
    const steps = 400
    let changes = 0
    let last = [...a.sunDirection]
    let lastIntensity = a.sunIntensity
    for (let i = 0; i <= steps; i++) {
      const l = mixSkyLighting(a, b, i / steps, out)
      if (l.sunDirection.some((v, c) => v !== last[c])) {
        changes++
        // The direction changes only where the sun gives no light.
        expect(l.sunIntensity).toBeLessThan(1e-3 * a.sunIntensity)
      }
      // Its light fades smoothly: no jump between neighbouring steps.
      expect(Math.abs(l.sunIntensity - lastIntensity)).toBeLessThan(0.02 * a.sunIntensity)
      last = [...l.sunDirection]
      lastIntensity = l.sunIntensity
    }
    expect(changes).toBe(1)
    expect(mixSkyLighting(a, b, 0.5, out).sunIntensity).toBe(0)
    expect(mixSkyLighting(a, b, 0.25, out).sunDirection).toEqual(a.sunDirection)
    expect(mixSkyLighting(a, b, 0.75, out).sunDirection).toEqual(b.sunDirection)
  })

  it('mixSkyLighting sweeps a sun that turns by less than SUN_SWEEP_MAX_RAD, in full light', () => {
    const a = skyLighting(sunny)
    const b = cloneSkyLighting(a)
    const turn = SUN_SWEEP_MAX_RAD / 2
    const [x, y, z] = a.sunDirection
    b.sunDirection = [x * Math.cos(turn) - z * Math.sin(turn), y, x * Math.sin(turn) + z * Math.cos(turn)]
    const half = mixSkyLighting(a, b, 0.5, cloneSkyLighting(a))
    expect(half.sunIntensity).toBeCloseTo(a.sunIntensity, 12)
    // Halfway round: the azimuth turned by half as much, the elevation kept.
    const azimuth = (d: number[]) => Math.atan2(d[0]!, d[2]!)
    expect(azimuth(half.sunDirection) - azimuth(a.sunDirection)).toBeCloseTo(-turn / 2, 9)
    expect(half.sunDirection[1]).toBeCloseTo(a.sunDirection[1], 4)
    expect(sunSteps(a, b)).toBe(false)
    const far = cloneSkyLighting(a)
    far.sunDirection = [
      x * Math.cos(3 * turn) - z * Math.sin(3 * turn),
      y,
      x * Math.sin(3 * turn) + z * Math.cos(3 * turn),
    ]
    expect(sunSteps(a, far)).toBe(true)
  })
})
