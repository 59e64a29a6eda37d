import { describe, expect, it } from 'vitest'
import {
  BLOCK_ROOMS,
  edgeHasDoor,
  room,
  ROOM_MAX_HEIGHT_M,
  ROOM_PITCH_M,
  SIDES,
  WALL_THICKNESS_M,
  worldHash,
  type RoomSpec,
} from '../../world-gen/index'

const SEEDS = ['demo', 'Lantern field', '森の部屋', 'x']

describe('room spec', () => {
  it('a small room spec (inline snapshot)', () => {
    expect(room('demo', 1, 2)).toMatchInlineSnapshot(`
      {
        "centerM": [
          14,
          28,
        ],
        "columns": {
          "heightM": 5.75,
          "positions": [],
          "radiusM": 0.25,
        },
        "dais": null,
        "doors": {
          "east": false,
          "north": false,
          "south": true,
          "west": true,
        },
        "families": {
          "floor": {
            "a": "stone_blocks",
          },
          "trim": {
            "a": "wood_planks",
          },
          "walls": {
            "a": "metal",
          },
        },
        "openings": [
          {
            "corridor": {
              "lengthM": 4.1,
              "owned": true,
              "startM": 6.2,
              "wallHeightM": 2.8,
              "widthM": 2,
            },
            "heightM": 2.4,
            "offsetM": 0.2,
            "side": "south",
            "widthM": 2,
          },
          {
            "corridor": {
              "lengthM": 6.1,
              "owned": false,
              "startM": 3.2,
              "wallHeightM": 3,
              "widthM": 1.2,
            },
            "heightM": 2.6,
            "offsetM": -0.6,
            "side": "west",
            "widthM": 1.2,
          },
        ],
        "roomSeed": 224928106,
        "seed": "demo",
        "size": {
          "depth": 12,
          "height": 5.75,
          "width": 6,
        },
        "slots": [
          "floor",
          "walls",
          "trim",
        ],
        "trim": {
          "bandThicknessM": 0.25,
          "bandYM": 5.24,
          "frameWidthM": 0.15,
          "skirtingHeightM": 0.25,
        },
        "wallThicknessM": 0.2,
        "x": 1,
        "z": 2,
      }
    `)
  })

  it('output depends only on (seed, x, z) and -0 is 0', () => {
    expect(room('demo', -0, 0)).toEqual(room('demo', 0, 0))
    expect(JSON.stringify(room('demo', -0, -0))).toBe(JSON.stringify(room('demo', 0, 0)))
  })

  it.each([
    ['non-integer x', 0.5, 0],
    ['NaN z', 0, Number.NaN],
    ['x beyond +1e6', 1_000_001, 0],
    ['z beyond -1e6', 0, -1_000_001],
    ['Infinity', Number.POSITIVE_INFINITY, 0],
  ])('rejects %s with a RangeError', (_, x, z) => {
    expect(() => room('demo', x, z)).toThrow(RangeError)
  })

  it.each([
    ['lower corner of the coordinate range', -1_000_000, -1_000_000],
    ['upper corner of the coordinate range', 1_000_000, 1_000_000],
  ])('accepts the %s', (_, x, z) => {
    expect(room('demo', x, z).centerM).toEqual([x * ROOM_PITCH_M, z * ROOM_PITCH_M])
  })

  it('sizes, doors, trim and extras stay within their documented ranges over 2,500 rooms', () => {
    let columns = 0
    let daises = 0
    let bands = 0
    for (let z = -25; z < 25; z++) {
      for (let x = -25; x < 25; x++) {
        const r = room('demo', x, z)
        const { width, depth, height } = r.size
        expect(
          width >= 4 && width <= 12 && depth >= 4 && depth <= 12 && height >= 3 && height <= ROOM_MAX_HEIGHT_M,
        ).toBe(true)
        expect(r.slots).toEqual(['floor', 'walls', 'trim'])
        expect(r.openings.map((o) => o.side)).toEqual(SIDES.filter((s) => r.doors[s]))
        for (const o of r.openings) {
          expect(o.widthM >= 1.2 && o.widthM <= 2 && o.heightM >= 2.2 && o.heightM <= 2.6).toBe(true)
          // The opening plus its frame fits inside the wall it is in.
          const wallM = o.side === 'north' || o.side === 'south' ? width : depth
          expect(Math.abs(o.offsetM) + o.widthM / 2 + r.trim.frameWidthM).toBeLessThanOrEqual(wallM / 2)
          expect(o.corridor.lengthM).toBeGreaterThanOrEqual(1.6 - 1e-9)
          const halfOwn = o.side === 'north' || o.side === 'south' ? depth / 2 : width / 2
          expect(o.corridor.startM).toBeCloseTo(halfOwn + WALL_THICKNESS_M, 9)
          expect(o.corridor.owned).toBe(o.side === 'east' || o.side === 'south')
        }
        if (r.trim.bandYM !== null) {
          bands++
          expect(r.trim.bandYM).toBeGreaterThan(2.6 + r.trim.frameWidthM)
          expect(r.trim.bandYM + r.trim.bandThicknessM).toBeLessThan(height)
        }
        for (const [cx, cz] of r.columns.positions) {
          columns++
          // Columns stay clear of every door path (doors span ≤ 1.6 m from the room axis).
          expect(Math.abs(cx) - r.columns.radiusM).toBeGreaterThan(1.6)
          expect(Math.abs(cz) - r.columns.radiusM).toBeGreaterThan(1.6)
          expect(Math.abs(cx) + r.columns.radiusM).toBeLessThan(width / 2)
        }
        if (r.dais) {
          daises++
          expect(r.dais.heightM).toBeLessThanOrEqual(0.2)
          expect(r.dais.widthM).toBeLessThan(width)
        }
      }
    }
    // The optional elements actually occur.
    expect(columns).toBeGreaterThan(0)
    expect(daises).toBeGreaterThan(0)
    expect(bands).toBeGreaterThan(0)
  })
})

describe('doors', () => {
  it('every door equals the neighbour’s opposite door, with the same shape and a matching corridor (200×200)', () => {
    for (const seed of ['demo', 'Lantern field']) {
      const n = 200
      const x0 = -100
      const z0 = -100
      const rows: RoomSpec[][] = []
      for (let z = z0; z < z0 + n; z++) {
        const row: RoomSpec[] = []
        for (let x = x0; x < x0 + n; x++) row.push(room(seed, x, z))
        rows.push(row)
      }
      let mismatches = 0
      let corridorMismatches = 0
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const r = rows[j]![i]!
          const east = rows[j]![i + 1]
          const south = rows[j + 1]?.[i]
          for (const [other, side, opposite] of [
            [east, 'east', 'west'],
            [south, 'south', 'north'],
          ] as const) {
            if (!other) continue
            if (r.doors[side] !== other.doors[opposite]) mismatches++
            const a = r.openings.find((o) => o.side === side)
            const b = other.openings.find((o) => o.side === opposite)
            if (a && b) {
              if (a.offsetM !== b.offsetM || a.widthM !== b.widthM || a.heightM !== b.heightM) mismatches++
              // The two corridor halves describe the same passage: same length, and both ends meet the walls.
              const gap = ROOM_PITCH_M - a.corridor.startM - b.corridor.startM
              if (
                Math.abs(a.corridor.lengthM - b.corridor.lengthM) > 1e-9 ||
                Math.abs(gap - a.corridor.lengthM) > 1e-6
              ) {
                corridorMismatches++
              }
              if (a.corridor.owned === b.corridor.owned) corridorMismatches++
            }
          }
        }
      }
      expect(mismatches, seed).toBe(0)
      expect(corridorMismatches, seed).toBe(0)
    }
  })

  it('door ratio: tree edges plus ~35% extra doors (measured over 200×200)', () => {
    const world = worldHash('demo')
    let open = 0
    let total = 0
    for (let z = -100; z < 100; z++) {
      for (let x = -100; x < 100; x++) {
        for (const axis of ['x', 'z'] as const) {
          total++
          if (edgeHasDoor(world, x, z, axis)) open++
        }
      }
    }
    const ratio = open / total
    // A spanning tree alone opens ~50% of edges; extras (p = 0.35 on the rest) bring it to ~0.5 + 0.5 · 0.35 ≈ 0.67.
    expect(ratio).toBeGreaterThan(0.6)
    expect(ratio).toBeLessThan(0.75)
  })
})

/** BFS over the rooms of a window, through doors, never leaving the window. Returns the number of rooms reached. */
function reachable(seed: string, x0: number, z0: number, n: number): number {
  const doors: RoomSpec['doors'][] = []
  for (let z = z0; z < z0 + n; z++) for (let x = x0; x < x0 + n; x++) doors.push(room(seed, x, z).doors)
  const seen = new Uint8Array(n * n)
  const queue = [0]
  seen[0] = 1
  let count = 1
  while (queue.length > 0) {
    const k = queue.pop()!
    const i = k % n
    const j = (k - i) / n
    const d = doors[k]!
    const next: [boolean, number, number][] = [
      [d.north, i, j - 1],
      [d.east, i + 1, j],
      [d.south, i, j + 1],
      [d.west, i - 1, j],
    ]
    for (const [open, ni, nj] of next) {
      if (!open || ni < 0 || nj < 0 || ni >= n || nj >= n) continue
      const nk = nj * n + ni
      if (seen[nk] === 1) continue
      seen[nk] = 1
      count++
      queue.push(nk)
    }
  }
  return count
}

describe('connectivity', () => {
  // Block-aligned windows are connected using only their own doors (see layout.ts header), so BFS must reach all.
  it.each(SEEDS)('every room of the block-aligned 64×64 window [-32, 32)² is reachable for seed %s', (seed) => {
    expect(BLOCK_ROOMS * 8).toBe(64)
    expect(reachable(seed, -32, -32, 64)).toBe(64 * 64)
  })

  it('far away block-aligned windows are connected too', () => {
    expect(reachable('demo', 999_936, -1_000_000, 64)).toBe(64 * 64)
    expect(reachable('demo', -4096, 8192, 32)).toBe(32 * 32)
  })
})
