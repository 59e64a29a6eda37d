import { describe, expect, it } from 'vitest'
import {
  KEYFRAME_SPACING_ROOMS,
  LATENT_LAYOUT,
  LATENT_SLOTS,
  latentField,
  localField,
  localSeed,
  parseLatentLayout,
  room,
  roomLatent,
  roomLatents,
  skyLatent,
  type LatentLayout,
} from '../../world-gen/index'
import layoutJson from '../../world-gen/latent-layout.json'

const dist = (a: Float32Array, b: Float32Array): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2
  return Math.sqrt(s)
}
const norm = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0))

describe('latent layout', () => {
  it('is read from latent-layout.json, never hard-coded', () => {
    expect(LATENT_LAYOUT.surface.globalDim).toBe(layoutJson.surface.globalDim)
    expect(LATENT_LAYOUT.surface.localDim).toBe(layoutJson.surface.localDim)
    expect(LATENT_LAYOUT.sky.globalDim).toBe(layoutJson.sky.globalDim)
    expect(LATENT_LAYOUT.sky.trainCells).toEqual(layoutJson.sky.trainCells)
  })

  it.each([
    ['missing sky', { surface: layoutJson.surface }],
    ['zero globalDim', { ...layoutJson, surface: { ...layoutJson.surface, globalDim: 0 } }],
    ['fractional localDim', { ...layoutJson, sky: { ...layoutJson.sky, localDim: 1.5 } }],
    ['bad trainCells', { ...layoutJson, sky: { ...layoutJson.sky, trainCells: [8] } }],
    ['null', null],
  ])('rejects a layout with %s', (_, json) => {
    expect(() => parseLatentLayout(json)).toThrow(TypeError)
  })

  it('dimensions follow the layout passed in', () => {
    const small: LatentLayout = {
      surface: { ...LATENT_LAYOUT.surface, globalDim: 7, localDim: 3 },
      sky: { ...LATENT_LAYOUT.sky, globalDim: 5, localDim: 2 },
    }
    expect(roomLatent('demo', 0, 0, 'walls', { layout: small })).toHaveLength(7)
    expect(roomLatent('demo', 0, 0, 'sky', { layout: small })).toHaveLength(5)
    expect(localField(1, 'floor', 3, 2, small)).toHaveLength(2 * 3 * 3)
  })
})

describe('global latents', () => {
  it('every slot latent lies on the sphere of radius sqrt(globalDim)', () => {
    const latents = roomLatents('demo', 5, -3)
    for (const slot of LATENT_SLOTS) {
      const dim = slot === 'sky' ? LATENT_LAYOUT.sky.globalDim : LATENT_LAYOUT.surface.globalDim
      expect(latents[slot]).toHaveLength(dim)
      expect(norm(latents[slot])).toBeCloseTo(Math.sqrt(dim), 4)
    }
  })

  it('slots walk independent lattices', () => {
    const l = roomLatents('demo', 0, 0)
    expect(dist(l.floor, l.walls)).toBeGreaterThan(5)
    expect(dist(l.walls, l.trim)).toBeGreaterThan(5)
  })

  it('is continuous: neighbours are much closer than rooms 20 apart (300 samples)', () => {
    let near = 0
    let far = 0
    const samples = 300
    for (let k = 0; k < samples; k++) {
      const x = ((k * 37) % 200) - 100
      const z = ((k * 53) % 200) - 100
      const slot = LATENT_SLOTS[k % LATENT_SLOTS.length]!
      const a = roomLatent('demo', x, z, slot)
      const step = k % 2 === 0 ? [1, 0] : [0, 1]
      near += dist(a, roomLatent('demo', x + step[0]!, z + step[1]!, slot))
      far += dist(a, roomLatent('demo', x + 20 * step[0]!, z + 20 * step[1]!, slot))
    }
    near /= samples
    far /= samples
    // Independent points on the radius-8 sphere are ~8·√2 ≈ 11.3 apart; measured: neighbours ≈ 3.1, 20 apart ≈ 11.3.
    expect(far).toBeGreaterThan(10)
    expect(near).toBeLessThan(0.35 * far)
    expect(near).toBeGreaterThan(0.5)
  })

  it('keyframe rooms are exactly the keyframes and interpolation stays between them', () => {
    const s = KEYFRAME_SPACING_ROOMS
    const a = roomLatent('demo', 0, 0, 'floor')
    const b = roomLatent('demo', s, 0, 'floor')
    const mid = roomLatent('demo', s / 2, 0, 'floor')
    // The midpoint is the normalised average, equally far from both ends.
    expect(Math.abs(dist(mid, a) - dist(mid, b))).toBeLessThan(1e-4)
    expect(dist(mid, a)).toBeLessThan(dist(a, b))
  })
})

describe('sky drift', () => {
  it('equals the static sky latent at time 0, bit for bit', () => {
    expect(skyLatent('demo', 3, 4, 0)).toEqual(roomLatent('demo', 3, 4, 'sky'))
  })

  it('moves slowly and continuously with time', () => {
    const t0 = skyLatent('demo', 0, 0, 0)
    const t1 = skyLatent('demo', 0, 0, 1)
    const t600 = skyLatent('demo', 0, 0, 600, { driftPeriodS: 60 })
    expect(dist(t0, t1)).toBeGreaterThan(0)
    expect(dist(t0, t1)).toBeLessThan(0.01)
    expect(dist(t0, t600)).toBeGreaterThan(5)
  })

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('treats time %s as 0', (t) => {
    expect(skyLatent('demo', 1, 1, t)).toEqual(skyLatent('demo', 1, 1, 0))
  })
})

describe('local and full fields', () => {
  it('localField is [cellsH, cellsW, localDim], deterministic, ~N(0, 1), different per slot and room', () => {
    const { roomSeed } = room('demo', 0, 0)
    const a = localField(roomSeed, 'walls', 32, 16)
    expect(a).toHaveLength(16 * 32 * LATENT_LAYOUT.surface.localDim)
    expect(localField(roomSeed, 'walls', 32, 16)).toEqual(a)
    expect(localField(roomSeed, 'floor', 32, 16)).not.toEqual(a)
    expect(localField(roomSeed + 1, 'walls', 32, 16)).not.toEqual(a)
    const mean = a.reduce((s, v) => s + v, 0) / a.length
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length
    expect(Math.abs(mean)).toBeLessThan(0.05)
    expect(Math.abs(variance - 1)).toBeLessThan(0.05)
  })

  it('latentField broadcasts the global channels then appends each cell’s local channels', () => {
    const g = Float32Array.from([1, 2, 3])
    const l = Float32Array.from([10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61]) // 2×3 cells, L = 2
    const f = latentField(g, l, 3, 2)
    expect(Array.from(f)).toEqual([
      1, 2, 3, 10, 11, 1, 2, 3, 20, 21, 1, 2, 3, 30, 31, 1, 2, 3, 40, 41, 1, 2, 3, 50, 51, 1, 2, 3, 60, 61,
    ])
    const out = new Float32Array(30)
    expect(latentField(g, l, 3, 2, out)).toBe(out)
  })

  it('the full surface field has the layout’s channel count', () => {
    const { roomSeed } = room('demo', 2, 2)
    const [cellsH, cellsW] = LATENT_LAYOUT.surface.trainCells
    const f = latentField(
      roomLatent('demo', 2, 2, 'floor'),
      localField(roomSeed, 'floor', cellsW, cellsH),
      cellsW,
      cellsH,
    )
    expect(f).toHaveLength(cellsH * cellsW * (LATENT_LAYOUT.surface.globalDim + LATENT_LAYOUT.surface.localDim))
  })

  it.each([
    ['zero cells', 0, 2],
    ['fractional cells', 1.5, 2],
  ])('rejects %s', (_, w, h) => {
    expect(() => localField(1, 'floor', w, h)).toThrow(RangeError)
    expect(() => latentField(new Float32Array(2), new Float32Array(4), w, h)).toThrow(RangeError)
  })

  it('rejects a local field whose length does not match the cell count', () => {
    expect(() => latentField(new Float32Array(2), new Float32Array(5), 2, 2)).toThrow(RangeError)
  })
})

describe('localSeed', () => {
  it('surfaces: the room seed, so each room has its own arrangement', () => {
    expect(localSeed('demo', 12345, 'floor')).toBe(12345)
    expect(localSeed('demo', 777, 'walls')).toBe(777)
  })

  it('sky: one seed per world, so the cloud layout stays while the latent walk moves between rooms', () => {
    const a = room('demo', 0, 0)
    const b = room('demo', 5, -3)
    expect(a.roomSeed).not.toBe(b.roomSeed)
    expect(localSeed('demo', a.roomSeed, 'sky')).toBe(localSeed('demo', b.roomSeed, 'sky'))
    expect(localSeed('demo', a.roomSeed, 'sky')).not.toBe(localSeed('other world', a.roomSeed, 'sky'))
    expect(Number.isInteger(localSeed('demo', a.roomSeed, 'sky'))).toBe(true)
  })
})
