import { describe, expect, it } from 'vitest'
import {
  DEFAULT_STREAMING_BUDGET,
  diffResidency,
  parseRoomKey,
  planStreaming,
  roomAt,
  roomCenter,
  roomKey,
  ROOM_PITCH_M,
  skyPriority,
  surfaceFullPriority,
  surfacePriority,
  type RoomKey,
  type StreamingInput,
} from '../../world-gen/index'

const EAST = Math.PI / 2
const base: StreamingInput = { position: [0, 0], headingRad: EAST, speedMps: 1.4, loaded: [], inFlight: [] }

describe('grid helpers', () => {
  it.each([
    ['room centre', [0, 0], [0, 0]],
    ['just below half a pitch', [6.99, -6.99], [0, 0]],
    ['half a pitch rounds up', [7, 0], [1, 0]],
    ['negative half pitch rounds towards +', [-7, 0], [0, 0]],
    ['far east', [14 * 1000, 0], [1000, 0]],
  ] as const)('roomAt: %s', (_, pos, cell) => {
    expect(roomAt(pos as [number, number])).toEqual(cell)
  })

  it('roomCenter inverts roomAt, and keys round-trip without -0', () => {
    expect(roomCenter(3, -2)).toEqual([3 * ROOM_PITCH_M, -2 * ROOM_PITCH_M])
    expect(roomAt(roomCenter(-5, 9))).toEqual([-5, 9])
    expect(roomKey(-0, 0)).toBe('0,0')
    expect(parseRoomKey('-3,12')).toEqual([-3, 12])
    expect(parseRoomKey('1,2,3')).toBeNull()
  })
})

describe('planStreaming', () => {
  it('ready is the current room then its four neighbours', () => {
    expect(planStreaming({ ...base, position: [15, -1] }).ready).toEqual(['1,0', '1,-1', '2,0', '1,1', '0,0'])
  })

  it('prefetches ahead of the heading first', () => {
    const east = planStreaming(base).prefetch
    const west = planStreaming({ ...base, headingRad: -EAST }).prefetch
    // Diagonals ahead (19.8 m, cost 25.6) come before straight ahead two rooms (28 m); all are east of the player.
    expect(east.slice(0, 3)).toEqual(['1,-1', '1,1', '2,0'])
    expect(west.slice(0, 3)).toEqual(['-1,-1', '-1,1', '-2,0'])
    // The first prefetched rooms are all on the east side.
    for (const key of east.slice(0, 3)) expect(parseRoomKey(key)![0]).toBeGreaterThan(0)
  })

  it('speed extends the look-ahead', () => {
    const budget = { maxResident: 200, maxPrefetch: 200 }
    const slow = planStreaming({ ...base, speedMps: 0, budget }).prefetch
    const fast = planStreaming({ ...base, speedMps: 6, budget }).prefetch
    const maxEast = (keys: RoomKey[]) => Math.max(...keys.map((k) => parseRoomKey(k)![0]))
    expect(maxEast(fast)).toBeGreaterThan(maxEast(slow))
    expect(fast.length).toBeGreaterThan(slow.length)
  })

  it('never prefetches what is ready, loaded or in flight, and respects maxPrefetch', () => {
    const plan = planStreaming({ ...base, loaded: ['2,0'], inFlight: ['3,0'], budget: { maxPrefetch: 3 } })
    expect(plan.prefetch).toHaveLength(3)
    for (const key of ['0,0', '1,0', '2,0', '3,0']) expect(plan.prefetch).not.toContain(key)
  })

  it('cancels and evicts what the player left behind', () => {
    const first = planStreaming({ ...base, budget: { maxPrefetch: 100 } })
    const loaded = [...first.ready]
    const inFlight = [...first.prefetch]
    // Walk 10 rooms east.
    const later = planStreaming({ ...base, position: roomCenter(10, 0), loaded, inFlight })
    expect(later.evict).toEqual(
      [...loaded].sort(
        (a, b) => parseRoomKey(a)![0] - parseRoomKey(b)![0] || parseRoomKey(a)![1] - parseRoomKey(b)![1],
      ),
    )
    expect(later.cancel.length).toBeGreaterThan(0)
    for (const key of later.cancel) expect(parseRoomKey(key)![0]).toBeLessThan(8)
  })

  it('keeps rooms at the edge thanks to hysteresis', () => {
    // Room -2,0 is 30 m from [2, 0]: outside the 28 m zone of a player standing still, inside 28 + 7 m once held.
    const still = { ...base, position: [2, 0] as [number, number], speedMps: 0, budget: { maxPrefetch: 100 } }
    expect(planStreaming(still).prefetch).not.toContain('-2,0')
    const held = planStreaming({ ...still, loaded: ['-2,0', '-3,0'] })
    expect(held.evict).toEqual(['-3,0'])
  })

  it('respects maxResident: loaded + in flight − dropped + new requests never exceed it', () => {
    for (const maxResident of [5, 9, 13, 25]) {
      const loaded = ['0,0', '1,0', '-1,0', '0,1', '0,-1', '2,0', '-2,0', '5,5'] as RoomKey[]
      const inFlight = ['3,0', '-3,0', '0,2'] as RoomKey[]
      const plan = planStreaming({ ...base, loaded, inFlight, budget: { maxResident, maxPrefetch: 50 } })
      const resident = new Set<RoomKey>([...loaded, ...inFlight, ...plan.ready, ...plan.prefetch])
      for (const k of [...plan.evict, ...plan.cancel]) resident.delete(k)
      expect(resident.size, `maxResident ${maxResident}`).toBeLessThanOrEqual(maxResident)
      for (const k of plan.ready) expect(resident.has(k)).toBe(true)
    }
  })

  it('a budget smaller than the ready set still keeps the ready set', () => {
    const plan = planStreaming({ ...base, loaded: ['0,0', '1,0'], budget: { maxResident: 1, maxPrefetch: 5 } })
    expect(plan.evict).toEqual([])
    expect(plan.prefetch).toEqual([])
  })

  it('is pure and independent of input list order', () => {
    const loaded = ['0,0', '1,0', '9,9', '-4,0'] as RoomKey[]
    const inFlight = ['2,0', '-3,3', '8,8'] as RoomKey[]
    const a = planStreaming({ ...base, loaded, inFlight })
    const b = planStreaming({ ...base, loaded: [...loaded].reverse(), inFlight: [...inFlight].reverse() })
    expect(b).toEqual(a)
    expect(loaded).toEqual(['0,0', '1,0', '9,9', '-4,0'])
  })

  it('handles hostile numbers', () => {
    expect(() => planStreaming({ ...base, position: [Number.NaN, 0] })).toThrow(RangeError)
    const plan = planStreaming({ ...base, headingRad: Number.NaN, speedMps: Number.POSITIVE_INFINITY })
    expect(plan.ready[0]).toBe('0,0')
    expect(plan.prefetch.length).toBeLessThanOrEqual(DEFAULT_STREAMING_BUDGET.maxPrefetch)
  })
})

describe('job priorities', () => {
  it('run room by room: the current room’s previews, its sky, then its full sizes; a neighbour’s sky after its trim', () => {
    const order = [
      ['floor 0 preview', surfacePriority(0, 'floor')],
      ['walls 0 preview', surfacePriority(0, 'walls')],
      ['trim 0 preview', surfacePriority(0, 'trim')],
      ['sky 0', skyPriority(0)],
      ['floor 0 full', surfaceFullPriority(0, 'floor')],
      ['walls 0 full', surfaceFullPriority(0, 'walls')],
      ['trim 0 full', surfaceFullPriority(0, 'trim')],
      ['floor 1 preview', surfacePriority(1, 'floor')],
      ['walls 1 preview', surfacePriority(1, 'walls')],
      ['trim 1 preview', surfacePriority(1, 'trim')],
      ['floor 1 full', surfaceFullPriority(1, 'floor')],
      ['walls 1 full', surfaceFullPriority(1, 'walls')],
      ['trim 1 full', surfaceFullPriority(1, 'trim')],
      ['sky 1', skyPriority(1)],
      ['floor 2 preview', surfacePriority(2, 'floor')],
    ] as const
    const sorted = [...order].sort((a, b) => a[1] - b[1]).map(([name]) => name)
    expect(sorted).toEqual(order.map(([name]) => name))
  })
})

describe('diffResidency', () => {
  const resident = (entries: [string, number][]) => new Map(entries as [RoomKey, number][])
  it.each([
    {
      name: 'nothing resident: request everything, in rank order',
      resident: resident([]),
      wanted: ['0,0', '1,0'],
      drop: undefined,
      want: {
        drop: [],
        request: [
          { key: '0,0', rank: 0 },
          { key: '1,0', rank: 1 },
        ],
        rerank: [],
      },
    },
    {
      name: 'same ranks: nothing to send',
      resident: resident([
        ['0,0', 0],
        ['1,0', 1],
      ]),
      wanted: ['0,0', '1,0'],
      drop: undefined,
      want: { drop: [], request: [], rerank: [] },
    },
    {
      name: 'moved: rerank the kept, drop the unwanted by default, request the new',
      resident: resident([
        ['0,0', 0],
        ['1,0', 1],
        ['5,5', 2],
      ]),
      wanted: ['1,0', '0,0', '2,0'],
      drop: undefined,
      want: {
        drop: ['5,5'],
        request: [{ key: '2,0', rank: 2 }],
        rerank: [
          { key: '1,0', rank: 0 },
          { key: '0,0', rank: 1 },
        ],
      },
    },
    {
      name: 'an explicit drop list keeps unwanted rooms it does not name and ignores keys not resident',
      resident: resident([
        ['0,0', 0],
        ['5,5', 1],
        ['6,6', 2],
      ]),
      wanted: ['0,0'],
      drop: ['6,6', '9,9'],
      want: { drop: ['6,6'], request: [], rerank: [] },
    },
    {
      name: 'a dropped key that is wanted again is requested afresh',
      resident: resident([['0,0', 0]]),
      wanted: ['0,0'],
      drop: ['0,0'],
      want: { drop: ['0,0'], request: [{ key: '0,0', rank: 0 }], rerank: [] },
    },
  ])('$name', ({ resident, wanted, drop, want }) => {
    expect(diffResidency(resident, wanted as RoomKey[], drop as RoomKey[] | undefined)).toEqual(want)
  })
})
