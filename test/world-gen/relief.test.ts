import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  baseRoughness,
  calibrateHeight,
  FAMILY_ROUGHNESS,
  heightBytes,
  normalMapRg,
  packSurfaceRelief,
  parseSurfaceMaps,
  reliefCalibration,
  ROUGHNESS_RELIEF_RANGE,
  roughnessBytes,
  SLOT_ROUGHNESS,
  surfaceMapRgba,
} from '../../world-gen/relief'
import { DISTRICT_FAMILIES } from '../../world-gen/districts'

/** A height field from a formula of (column, row). */
function field(widthPx: number, heightPx: number, h: (col: number, row: number) => number): Float32Array {
  const out = new Float32Array(widthPx * heightPx)
  for (let row = 0; row < heightPx; row++)
    for (let col = 0; col < widthPx; col++) out[row * widthPx + col] = h(col, row)
  return out
}

/** The normal at (col, row) of an RG8 normal map, decoded as a shader reads it (z rebuilt). */
function normalAt(rg: Uint8Array, widthPx: number, col: number, row: number): [number, number, number] {
  const x = (rg[2 * (row * widthPx + col)]! / 255) * 2 - 1
  const y = (rg[2 * (row * widthPx + col) + 1]! / 255) * 2 - 1
  return [x, y, Math.sqrt(Math.max(0, 1 - x * x - y * y))]
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
/** One 8-bit step of a normal component, plus rounding: what the encoding can be off by. */
const BYTE = 2 / 255

// A tiling height: integer numbers of periods across the texture in both axes.
const W = 32
const H = 24
const tiling = field(W, H, (c, r) => 0.6 * Math.sin((2 * Math.PI * 2 * c) / W) * Math.cos((2 * Math.PI * r) / H))

describe('normalMapRg', () => {
  it('a flat height gives the straight-up normal: RG (128, 128), and (128, 128, 255) as an RGB normal map', () => {
    const rg = normalMapRg(new Float32Array(16 * 8).fill(0.3), 16, 8, 6)
    expect(new Set(rg)).toEqual(new Set([128]))
    const rgb = surfaceMapRgba('normal', new Uint8Array(16 * 8 * 4), 16, 8, {
      normal: rg,
      height: new Uint8Array(16 * 8),
    })
    for (let i = 0; i < 16 * 8; i++) expect(Array.from(rgb.subarray(4 * i, 4 * i + 4))).toEqual([128, 128, 255, 255])
  })

  it.each([
    // [what, height, expected normal (x right, y to the image top)]
    ['rising to the right tilts the normal left', (c: number) => 0.02 * c, 'x', -1],
    ['rising down the image tilts the normal up (y towards the top row)', (_: number, r: number) => 0.02 * r, 'y', 1],
  ] as const)('a known ramp: %s, by atan(slope·pxPerUnit)', (_, h, axis, sign) => {
    const P = 5
    const rg = normalMapRg(field(W, H, h), W, H, P)
    const slope = 0.02 * P
    const along = (sign * slope) / Math.hypot(slope, 1)
    const flat = 0
    // Interior pixels only: a ramp does not tile, so the wrap-around differences at its seam are not a ramp's.
    for (const [c, r] of [
      [5, 5],
      [16, 12],
      [30, 20],
    ] as const) {
      const n = normalAt(rg, W, c, r)
      expect(Math.abs(n[0] - (axis === 'x' ? along : flat))).toBeLessThanOrEqual(BYTE)
      expect(Math.abs(n[1] - (axis === 'y' ? along : flat))).toBeLessThanOrEqual(BYTE)
      expect(Math.abs(n[2] - 1 / Math.hypot(slope, 1))).toBeLessThanOrEqual(2 * BYTE)
    }
  })

  it('tiles: across the wrap the normals step as between any two interior neighbours', () => {
    const rg = normalMapRg(tiling, W, H, 6)
    // Mean |n(col) − n(col − 1)| over a column pair, both components.
    const step = (a: number, b: number) => {
      let sum = 0
      for (let r = 0; r < H; r++) {
        const na = normalAt(rg, W, a, r)
        const nb = normalAt(rg, W, b, r)
        sum += Math.abs(na[0] - nb[0]) + Math.abs(na[1] - nb[1])
      }
      return sum / H
    }
    // Column 0 and W − 1 hold the same phase relation as 8 and 7 (the height repeats every W / 2 columns).
    const seam = step(0, W - 1)
    const interior = step(W / 2, W / 2 - 1)
    expect(Math.abs(seam - interior)).toBeLessThanOrEqual(BYTE)
    expect(seam).toBeGreaterThan(0)
    // Same across the top/bottom seam: row 0 vs row H − 1, as row H/2 vs H/2 − 1 (one period per H rows).
    let topSeam = 0
    let middle = 0
    for (let c = 0; c < W; c++) {
      topSeam += Math.abs(normalAt(rg, W, c, 0)[1] - normalAt(rg, W, c, H - 1)[1])
      middle += Math.abs(normalAt(rg, W, c, H / 2)[1] - normalAt(rg, W, c, H / 2 - 1)[1])
    }
    expect(Math.abs(topSeam - middle) / W).toBeLessThanOrEqual(BYTE)
  })

  it('tiles exactly: rolling the height rolls the normal map by the same pixels, byte for byte', () => {
    const [dx, dy] = [7, 5]
    const rolled = field(W, H, (c, r) => tiling[((r - dy + H) % H) * W + ((c - dx + W) % W)]!)
    const a = normalMapRg(tiling, W, H, 6)
    const b = normalMapRg(rolled, W, H, 6)
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++) {
        const src = 2 * (((r - dy + H) % H) * W + ((c - dx + W) % W))
        expect([b[2 * (r * W + c)], b[2 * (r * W + c) + 1]]).toEqual([a[src], a[src + 1]])
      }
  })

  it('is deterministic: the same height gives the same bytes, another height other bytes', () => {
    expect(sha(normalMapRg(tiling, W, H, 6))).toBe(sha(normalMapRg(Float32Array.from(tiling), W, H, 6)))
    expect(sha(normalMapRg(tiling, W, H, 6))).not.toBe(sha(normalMapRg(tiling, W, H, 7)))
    const other = Float32Array.from(tiling, (v) => -v)
    expect(sha(normalMapRg(other, W, H, 6))).not.toBe(sha(normalMapRg(tiling, W, H, 6)))
  })

  it.each([
    ['a size that does not match the height', () => normalMapRg(new Float32Array(10), 4, 4, 5), /expected 16 values/],
    ['a zero size', () => normalMapRg(new Float32Array(0), 0, 4, 5), /positive integers/],
    ['pxPerUnit 0', () => normalMapRg(new Float32Array(16), 4, 4, 0), /pxPerUnit must be a number > 0/],
    ['pxPerUnit NaN', () => normalMapRg(new Float32Array(16), 4, 4, NaN), /pxPerUnit must be a number > 0/],
  ])('refuses %s', (_, f, message) => {
    expect(f).toThrow(message)
  })
})

describe('roughness', () => {
  it('every district family has a base roughness in (0, 1]; unknown families fall back to the slot', () => {
    for (const name of DISTRICT_FAMILIES) {
      expect(FAMILY_ROUGHNESS[name], name).toBeGreaterThan(0)
      expect(FAMILY_ROUGHNESS[name], name).toBeLessThanOrEqual(1)
    }
    expect(baseRoughness('walls', { a: 'brick' })).toBe(FAMILY_ROUGHNESS.brick)
    expect(baseRoughness('trim')).toBe(SLOT_ROUGHNESS.trim)
    expect(baseRoughness('floor', { a: 'not-a-family' })).toBe(SLOT_ROUGHNESS.floor)
    // A blend near a border mixes the two as the family vector does.
    expect(baseRoughness('walls', { a: 'brick', b: 'metal', t: 0.25 })).toBeCloseTo(
      0.75 * FAMILY_ROUGHNESS.brick! + 0.25 * FAMILY_ROUGHNESS.metal!,
      12,
    )
  })

  it('flat paint keeps its base roughness everywhere; recesses are rougher than what stands out', () => {
    const flat = roughnessBytes(new Float32Array(64).fill(-0.2), 6, 0.5)
    expect(new Set(flat)).toEqual(new Set([Math.round(0.5 * 255)]))
    // A mortar joint (row 0, low) between two courses (high).
    const wall = field(8, 8, (_, r) => (r === 0 ? -0.4 : 0.1))
    const r = roughnessBytes(wall, 6, 0.6)
    expect(r[0]).toBeGreaterThan(r[8]!)
    expect(r[0]).toBeGreaterThan(Math.round(0.6 * 255))
    expect(r[8]).toBeLessThan(Math.round(0.6 * 255))
    // Deep relief moves it at most ROUGHNESS_RELIEF_RANGE either way.
    const deep = roughnessBytes(
      field(8, 8, (_, row) => (row < 4 ? -1 : 1)),
      8,
      0.5,
    )
    expect(Math.max(...deep)).toBe(Math.round((0.5 + ROUGHNESS_RELIEF_RANGE) * 255))
    expect(Math.min(...deep)).toBe(Math.round((0.5 - ROUGHNESS_RELIEF_RANGE) * 255))
  })

  it('packSurfaceRelief writes the roughness into the colour alpha and leaves the colour alone', () => {
    const rgba = new Uint8Array(W * H * 4).map((_, i) => (i * 7) % 256)
    const before = rgba.slice()
    const relief = packSurfaceRelief(rgba, tiling, W, H, 6, 0.7)
    const rough = roughnessBytes(tiling, 6, 0.7)
    for (let i = 0; i < W * H; i++) {
      expect(Array.from(rgba.subarray(4 * i, 4 * i + 3))).toEqual(Array.from(before.subarray(4 * i, 4 * i + 3)))
      expect(rgba[4 * i + 3]).toBe(rough[i])
    }
    expect(relief.normal).toEqual(normalMapRg(tiling, W, H, 6))
    expect(relief.height).toEqual(heightBytes(tiling))
  })
})

describe('relief calibration per family', () => {
  const spec = {
    channel: 3,
    pxPerUnit: 6,
    familyGain: { plaster: 1.2, metal: 0.8 },
    familyDetail: { plaster: 0.1, metal: 0.4 },
  }

  it('is the family’s gain and detail, each blended near a border like the family vector, 1 where none is known', () => {
    expect(reliefCalibration(spec, { a: 'plaster' })).toEqual({ gain: 1.2, detail: 0.1 })
    const border = reliefCalibration(spec, { a: 'plaster', b: 'metal', t: 0.25 })
    expect(border.gain).toBeCloseTo(0.75 * 1.2 + 0.25 * 0.8, 12)
    expect(border.detail).toBeCloseTo(0.75 * 0.1 + 0.25 * 0.4, 12)
    const half = reliefCalibration(spec, { a: 'brick', b: 'plaster', t: 0.5 })
    expect(half.gain).toBeCloseTo(1.1, 12)
    expect(half.detail).toBeCloseTo(0.55, 12)
    expect(reliefCalibration(spec, { a: 'brick' })).toEqual({ gain: 1, detail: 1 })
    expect(reliefCalibration(spec)).toEqual({ gain: 1, detail: 1 })
    expect(reliefCalibration({ channel: 3, pxPerUnit: 6 }, { a: 'plaster' })).toEqual({ gain: 1, detail: 1 })
  })

  it('calibrateHeight is gain·(B(h) + detail·(h − B(h))) with the wrap-around [1,2,1]/4 blur, as training fits it', () => {
    // The same 4×3 field and factors in training/test_pipeline.py, whose numbers these are (PyTorch's calibrate).
    const h = Float32Array.from([0.5, -0.25, 0, 1, 0.25, 0.75, -1, 0, -0.5, 0, 0.25, 0.5])
    const want = [
      0.26875, -0.0425, 0.04375, 0.415, 0.19125, 0.22375, -0.26625, 0.06125, -0.05, 0.00875, 0.1125, 0.23375,
    ]
    const got = calibrateHeight(h, 4, 3, { gain: 0.8, detail: 0.3 })
    want.forEach((v, i) => expect(got[i], `pixel ${i}`).toBeCloseTo(v, 6))
    expect(calibrateHeight(h, 4, 3, { gain: 1, detail: 1 })).toBe(h) // nothing to do: the painted height itself
    // A flat field has no fine relief to take away: only the gain acts on it.
    expect(Array.from(calibrateHeight(new Float32Array(12).fill(0.5), 4, 3, { gain: 0.5, detail: 0 }))).toEqual(
      new Array(12).fill(0.25),
    )
  })

  it('calibrateHeight tiles: rolling the height rolls the calibrated height by the same pixels', () => {
    const a = calibrateHeight(tiling, W, H, { gain: 0.7, detail: 0.2 })
    const rolled = field(W, H, (c, r) => tiling[((r + 5) % H) * W + ((c + 3) % W)]!)
    const b = calibrateHeight(rolled, W, H, { gain: 0.7, detail: 0.2 })
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++) expect(b[r * W + c]).toBeCloseTo(a[((r + 5) % H) * W + ((c + 3) % W)]!, 6)
  })

  it('detail 0 takes the pixel-scale grain away and keeps broad shapes', () => {
    // A one-pixel checkerboard (grain) on a broad ridge: the blur removes the checkerboard and keeps most of the ridge.
    const grain = field(W, H, (c, r) => ((c + r) % 2 === 0 ? 0.2 : -0.2))
    const broad = tiling
    const both = grain.map((v, i) => v + broad[i]!)
    const out = calibrateHeight(both, W, H, { gain: 1, detail: 0 })
    const ridge = calibrateHeight(broad, W, H, { gain: 1, detail: 0 })
    for (let i = 0; i < W * H; i++) expect(out[i]).toBeCloseTo(ridge[i]!, 6)
    const peak = Math.max(...ridge)
    expect(peak).toBeGreaterThan(0.8 * Math.max(...broad))
  })

  it('packSurfaceRelief with a calibration derives every map from the calibrated height and leaves the painted one', () => {
    const painted = tiling.slice()
    const rgba = new Uint8Array(W * H * 4)
    const cal = { gain: 0.5, detail: 0.3 }
    const relief = packSurfaceRelief(rgba, painted, W, H, 6, 0.7, cal)
    const calibrated = calibrateHeight(tiling, W, H, cal)
    expect(painted).toEqual(tiling)
    expect(relief.normal).toEqual(normalMapRg(calibrated, W, H, 6))
    expect(relief.height).toEqual(heightBytes(calibrated))
    const rough = roughnessBytes(calibrated, 6, 0.7)
    for (let i = 0; i < W * H; i++) expect(rgba[4 * i + 3]).toBe(rough[i])
  })

  it.each([
    ['gain 0', { gain: 0, detail: 0.5 }, /relief gain must be a number > 0, got 0/],
    ['gain NaN', { gain: NaN, detail: 0.5 }, /relief gain must be a number > 0, got NaN/],
    ['detail above 1', { gain: 1, detail: 1.5 }, /relief detail must be a number in \[0, 1\], got 1.5/],
    ['detail below 0', { gain: 1, detail: -0.1 }, /relief detail must be a number in \[0, 1\], got -0.1/],
  ])('calibrateHeight refuses %s', (_, cal, message) => {
    expect(() => calibrateHeight(tiling, W, H, cal)).toThrow(message)
  })
})

describe('surfaceMapRgba', () => {
  const rgba = new Uint8Array(W * H * 4).map((_, i) => (i * 13) % 256)
  const relief = packSurfaceRelief(rgba, tiling, W, H, 6, 0.8)

  it('gives each map as RGBA8 with alpha 255: colour without the packed roughness, grey height and roughness', () => {
    const color = surfaceMapRgba('color', rgba, W, H, relief)
    const height = surfaceMapRgba('height', rgba, W, H, relief)
    const rough = surfaceMapRgba('roughness', rgba, W, H, relief)
    for (const i of [0, 17, W * H - 1]) {
      expect(Array.from(color.subarray(4 * i, 4 * i + 4))).toEqual([...rgba.subarray(4 * i, 4 * i + 3), 255])
      const h = relief.height[i]!
      expect(Array.from(height.subarray(4 * i, 4 * i + 4))).toEqual([h, h, h, 255])
      const r = rgba[4 * i + 3]!
      expect(Array.from(rough.subarray(4 * i, 4 * i + 4))).toEqual([r, r, r, 255])
    }
  })

  it('refuses a relief map of a colour-only surface, naming the map', () => {
    expect(() => surfaceMapRgba('height', rgba, W, H)).toThrow(/no height map: .*without relief/)
    expect(surfaceMapRgba('color', rgba, W, H)).toHaveLength(W * H * 4)
  })
})

describe('parseSurfaceMaps', () => {
  it.each([
    ['color,height,normal,roughness', ['color', 'height', 'normal', 'roughness']],
    ['normal', ['normal']],
    [' color , normal ', ['color', 'normal']],
  ])('reads %j', (text, maps) => {
    expect(parseSurfaceMaps(text)).toEqual(maps)
  })

  it.each([
    ['colour', /unknown map "colour" \(maps: color, height, normal, roughness\)/],
    ['color,albedo', /unknown map "albedo"/],
    ['normal,normal', /map "normal" is named twice/],
    ['', /no map named/],
    ['color,', /unknown map ""/],
  ])('refuses %j', (text, message) => {
    expect(() => parseSurfaceMaps(text)).toThrow(message)
  })
})
