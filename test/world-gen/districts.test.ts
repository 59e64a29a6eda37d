import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  assertDistrictFamilies,
  DISTRICT_BLEND_ROOMS,
  DISTRICT_FAMILIES,
  districtStyle,
  FLOOR_FAMILIES,
  roomDistricts,
  roomFamilies,
  TRIM_FAMILIES,
  WALL_FAMILIES,
} from '../../world-gen/districts'
import { FamilyError, type FamilyConditioning } from '../../world-gen/families'
import { room, SURFACE_SLOTS } from '../../world-gen/layout'

/** Rooms of the square window [-n, n) × [-n, n). */
function windowCells(n: number): [number, number][] {
  const cells: [number, number][] = []
  for (let z = -n; z < n; z++) for (let x = -n; x < n; x++) cells.push([x, z])
  return cells
}

const digest = (seed: string, cells: [number, number][]) => {
  const byKey = new Map(cells.map(([x, z]) => [`${x},${z}`, JSON.stringify(roomFamilies(seed, x, z))]))
  const hash = createHash('sha256')
  for (const key of [...byKey.keys()].sort()) hash.update(`${key}=${byKey.get(key)};`)
  return hash.digest('hex')
}

/** Family → weight of a conditioning. */
function weights(c: FamilyConditioning): Map<string, number> {
  const t = c.t ?? 0
  const w = new Map([[c.a, 1 - t]])
  if (c.b !== undefined) w.set(c.b, (w.get(c.b) ?? 0) + t)
  return w
}

/** Total variation distance between two conditionings' family weights: 1 for a hard switch, 0 for the same. */
function jump(p: FamilyConditioning, q: FamilyConditioning): number {
  const wp = weights(p)
  const wq = weights(q)
  let sum = 0
  for (const k of new Set([...wp.keys(), ...wq.keys()])) sum += Math.abs((wp.get(k) ?? 0) - (wq.get(k) ?? 0))
  return sum / 2
}

describe('district styles', () => {
  const cells = windowCells(30)

  it('the same seed gives the same styles in any order; another seed gives others', () => {
    const shuffled = [...cells].reverse()
    expect(digest('demo', shuffled)).toBe(digest('demo', cells))
    expect(digest('other', cells)).not.toBe(digest('demo', cells))
    expect(room('demo', 3, -4).families).toEqual(roomFamilies('demo', 3, -4))
  })

  it('districts are a few rooms across and neighbouring rooms mostly share theirs', () => {
    const districts = new Set<string>()
    let pairs = 0
    let sameDistrict = 0
    let sameFamilies = 0
    for (const [x, z] of cells) {
      const here = roomDistricts('demo', x, z)
      districts.add(here.district.join())
      const own = roomFamilies('demo', x, z)
      for (const [dx, dz] of [
        [1, 0],
        [0, 1],
      ]) {
        pairs++
        if (roomDistricts('demo', x + dx, z + dz).district.join() === here.district.join()) sameDistrict++
        const next = roomFamilies('demo', x + dx, z + dz)
        if (SURFACE_SLOTS.every((s) => next[s].a === own[s].a)) sameFamilies++
      }
    }
    const roomsPerDistrict = cells.length / districts.size
    expect(roomsPerDistrict).toBeGreaterThan(20) // about 6 × 6 rooms (partial districts at the edges count too)
    expect(roomsPerDistrict).toBeLessThan(50)
    expect(sameDistrict / pairs).toBeGreaterThan(0.75)
    expect(sameFamilies / pairs).toBeGreaterThan(0.7)
  })

  it('crossing a border blends the families over a room or two instead of switching', () => {
    const jumps: number[] = []
    let crossings = 0
    let switched = 0
    for (const [x, z] of cells) {
      const here = roomFamilies('demo', x, z)
      const hereDistrict = roomDistricts('demo', x, z).district.join()
      for (const [dx, dz] of [
        [1, 0],
        [0, 1],
      ]) {
        const next = roomFamilies('demo', x + dx, z + dz)
        const crossed = roomDistricts('demo', x + dx, z + dz).district.join() !== hereDistrict
        for (const slot of SURFACE_SLOTS) {
          const j = jump(here[slot], next[slot])
          if (j > 0) jumps.push(j)
          if (crossed && here[slot].a !== next[slot].a) {
            crossings++
            // A switch with no blend on either side would be two pure rooms of different families.
            if (here[slot].b === undefined && next[slot].b === undefined) switched++
          }
        }
      }
    }
    jumps.sort((a, b) => a - b)
    const mean = jumps.reduce((a, b) => a + b, 0) / jumps.length
    // A hard switch moves the whole weight (1) in one step; blending spreads it over the rooms near the border.
    expect(mean).toBeLessThan(0.35)
    expect(jumps[Math.floor(jumps.length * 0.99)]).toBeLessThanOrEqual(0.7)
    expect(crossings).toBeGreaterThan(100)
    expect(switched / crossings).toBeLessThan(0.02)
  })

  it('blend weights are in (0, 0.5], b differs from a, and a room deep inside a district is unblended', () => {
    let pure = 0
    for (const [x, z] of cells) {
      const f = roomFamilies('demo', x, z)
      const d = roomDistricts('demo', x, z)
      expect(d.shares[0]!.cell).toEqual(d.district)
      expect(d.shares.reduce((s, share) => s + share.weight, 0)).toBeCloseTo(1, 12)
      for (const slot of SURFACE_SLOTS) {
        const c = f[slot]
        if (c.b === undefined) expect(c.t).toBeUndefined()
        else {
          expect(c.b).not.toBe(c.a)
          expect(c.t).toBeGreaterThan(0)
          expect(c.t).toBeLessThanOrEqual(0.5)
        }
      }
      if (d.borderRooms >= DISTRICT_BLEND_ROOMS) {
        expect(d.shares).toHaveLength(1)
        expect(SURFACE_SLOTS.every((s) => f[s].b === undefined)).toBe(true)
        pure++
      }
    }
    expect(pure / cells.length).toBeGreaterThan(0.3)
  })

  it('a world opens inside a district: room 0,0 is one material per slot in (nearly) every world', () => {
    /** The larger minority share of walls or floor in room (x, z): 0 for a room of one material each. */
    const mixed = (seed: string, x: number, z: number) =>
      Math.max(...(['walls', 'floor'] as const).map((s) => roomFamilies(seed, x, z)[s].t ?? 0))
    let blendedAtSpawn = 0
    let mixedNearSpawn = 0
    for (let k = 0; k < 200; k++) {
      const seed = `world ${k}`
      if (mixed(seed, 0, 0) > 0) blendedAtSpawn++
      for (let z = -1; z <= 1; z++) for (let x = -1; x <= 1; x++) if (mixed(seed, x, z) >= 0.25) mixedNearSpawn++
    }
    // District 0,0's centre lies within 0.35 of a cell (2.1 rooms) of room 0,0 and its neighbours' at least 3.9
    // rooms away, so a border comes within the blend distance of room 0,0 only when both lean the same way.
    expect(blendedAtSpawn / 200).toBeLessThan(0.03)
    expect(mixedNearSpawn / (200 * 9)).toBeLessThan(0.15)
    // Away from the start, about one room in four is at least a quarter mixed (a border band about 1.5 rooms wide).
    let quarterMixed = 0
    for (const [x, z] of cells) if (mixed('demo', x + 40, z - 70) >= 0.25) quarterMixed++
    expect(quarterMixed / cells.length).toBeGreaterThan(0.15)
    expect(quarterMixed / cells.length).toBeLessThan(0.35)
  })

  it('walls, floors and trim come from their lists; built districts keep walls apart from floor and trim', () => {
    const seen = new Set<string>()
    let wild = 0
    for (let j = -15; j < 15; j++) {
      for (let i = -15; i < 15; i++) {
        const s = districtStyle('demo', i, j)
        seen.add(s.walls).add(s.floor).add(s.trim)
        expect(TRIM_FAMILIES).toContain(s.trim)
        expect(s.trim).not.toBe(s.walls)
        expect(s.trim).not.toBe(s.floor)
        expect(s.floor).not.toBe(s.walls)
        if (s.wild) {
          wild++
          expect(s.walls).toBe('rock')
          expect(['snow', 'grass', 'ground']).toContain(s.floor)
        } else {
          expect(WALL_FAMILIES).toContain(s.walls)
          expect(FLOOR_FAMILIES).toContain(s.floor)
        }
      }
    }
    // Every family the lists name turns up somewhere in 900 districts; wild ones are the exception.
    expect([...seen].sort()).toEqual([...DISTRICT_FAMILIES].sort())
    expect(wild / 900).toBeGreaterThan(0.05)
    expect(wild / 900).toBeLessThan(0.25)
  })

  it('works at the edges of the world and for negative coordinates', () => {
    for (const [x, z] of [
      [-1_000_000, -1_000_000],
      [1_000_000, -3],
      [-80, -3],
    ])
      expect(SURFACE_SLOTS.every((s) => DISTRICT_FAMILIES.includes(roomFamilies('demo', x!, z!)[s].a))).toBe(true)
  })

  it('names the eleven families of the conditioned surface model', () => {
    expect([...DISTRICT_FAMILIES].sort()).toEqual(
      [
        'brick',
        'stone_blocks',
        'floor_tiles',
        'cobble',
        'wood_planks',
        'plaster',
        'metal',
        'rock',
        'ground',
        'grass',
        'snow',
      ].sort(),
    )
  })

  it.each([
    ['every district family present', [...DISTRICT_FAMILIES, 'moss'], undefined],
    ['snow missing', DISTRICT_FAMILIES.filter((f) => f !== 'snow'), /has no material family "snow", which world-gen/],
    [
      'two missing',
      DISTRICT_FAMILIES.filter((f) => f !== 'cobble' && f !== 'metal'),
      /has no material families "metal", "cobble"/,
    ],
  ])('a model with %s: assertDistrictFamilies', (_, names, message) => {
    if (message === undefined) expect(() => assertDistrictFamilies(names)).not.toThrow()
    else {
      expect(() => assertDistrictFamilies(names)).toThrow(FamilyError)
      expect(() => assertDistrictFamilies(names)).toThrow(message)
    }
  })
})
