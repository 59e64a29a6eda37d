import { describe, expect, it } from 'vitest'
import { room, ROOM_PITCH_M, SURFACE_SLOTS } from '../../world-gen/layout'
import {
  floorHeightAt,
  meshRoom,
  PLAYER_RADIUS_M,
  resolveCollisions,
  roomColliders,
  roomParts,
  TEXTURE_TILE_M,
} from '../../world-gen/room-geometry'

const ROOMS = Array.from({ length: 64 }, (_, i) => room('geometry', (i % 8) - 4, Math.floor(i / 8) - 4))

describe('meshRoom', () => {
  it('gives every slot valid, finite, indexed triangles', () => {
    for (const spec of ROOMS) {
      const mesh = meshRoom(spec)
      for (const slot of SURFACE_SLOTS) {
        const m = mesh[slot]
        const n = m.positions.length / 3
        expect(m.normals.length, 'one normal per vertex').toBe(n * 3)
        expect(m.uvs.length, 'one uv per vertex').toBe(n * 2)
        expect(m.indices.length % 3).toBe(0)
        expect(Math.max(...m.indices)).toBeLessThan(n)
        expect(m.positions.every(Number.isFinite)).toBe(true)
      }
      expect(mesh.floor.indices.length).toBeGreaterThan(0)
      expect(mesh.walls.indices.length).toBeGreaterThan(0)
      expect(mesh.trim.indices.length).toBeGreaterThan(0)
    }
  })

  it('is deterministic (same spec → identical buffers)', () => {
    const a = meshRoom(room('geometry', 3, -7))
    const b = meshRoom(room('geometry', 3, -7))
    for (const slot of SURFACE_SLOTS) {
      expect(Buffer.from(a[slot].positions.buffer).equals(Buffer.from(b[slot].positions.buffer))).toBe(true)
      expect(Buffer.from(a[slot].uvs.buffer).equals(Buffer.from(b[slot].uvs.buffer))).toBe(true)
    }
  })

  it('has even texel density: uv distance = world distance / TEXTURE_TILE_M on every quad edge', () => {
    const m = meshRoom(room('geometry', 1, 1)).walls
    for (let q = 0; q < m.positions.length / 12; q++) {
      const v = (i: number) => [
        m.positions[(q * 4 + i) * 3]!,
        m.positions[(q * 4 + i) * 3 + 1]!,
        m.positions[(q * 4 + i) * 3 + 2]!,
      ]
      const t = (i: number) => [m.uvs[(q * 4 + i) * 2]!, m.uvs[(q * 4 + i) * 2 + 1]!]
      const [p0, p1] = [v(0), v(1)]
      const [t0, t1] = [t(0), t(1)]
      const dWorld = Math.hypot(p1[0]! - p0[0]!, p1[1]! - p0[1]!, p1[2]! - p0[2]!)
      const dUv = Math.hypot(t1[0]! - t0[0]!, t1[1]! - t0[1]!)
      expect(dUv).toBeCloseTo(dWorld / TEXTURE_TILE_M, 4)
    }
  })

  it('bounds enclose the room and the owned corridors', () => {
    const spec = room('geometry', 0, 0)
    const { floor } = meshRoom(spec)
    expect(floor.bounds.min[0]).toBeLessThanOrEqual(-spec.size.width / 2)
    expect(floor.bounds.max[2]).toBeGreaterThanOrEqual(spec.size.depth / 2)
    const ownedSouth = spec.openings.find((o) => o.side === 'south')
    if (ownedSouth) expect(floor.bounds.max[2]).toBeCloseTo(ownedSouth.corridor.startM + ownedSouth.corridor.lengthM, 5)
  })
})

describe('collisions', () => {
  const step = (spec: ReturnType<typeof room>, from: [number, number], dir: [number, number], metres: number) => {
    const neighbours = [-1, 0, 1].flatMap((dx) =>
      [-1, 0, 1].map((dz) => roomColliders(room(spec.seed, spec.x + dx, spec.z + dz))),
    )
    let p: [number, number] = [...from]
    for (let i = 0; i < metres / 0.05; i++) {
      p = resolveCollisions([p[0] + dir[0] * 0.05, p[1] + dir[1] * 0.05], neighbours)
    }
    return p
  }

  it('stops the player at a wall without a door', () => {
    const spec = ROOMS.find((r) => !r.doors.north)!
    const [cx, cz] = spec.centerM
    const p = step(spec, [cx, cz], [0, -1], 20)
    expect(p[1], 'stays inside the north wall').toBeGreaterThanOrEqual(
      cz - spec.size.depth / 2 + PLAYER_RADIUS_M - 1e-6,
    )
  })

  it('lets the player walk through a doorway and the corridor into the next room', () => {
    const spec = ROOMS.find((r) => r.doors.east)!
    const door = spec.openings.find((o) => o.side === 'east')!
    const [cx, cz] = spec.centerM
    const p = step(spec, [cx, cz + door.offsetM], [1, 0], ROOM_PITCH_M)
    expect(p[0], 'reached the east neighbour').toBeGreaterThan(cx + ROOM_PITCH_M / 2 + 1)
  })

  it('columns are solid; the dais is walkable and raises the floor', () => {
    const withColumns = ROOMS.find((r) => r.columns.positions.length > 0)
    if (withColumns) {
      const [[x, z]] = withColumns.columns.positions as [[number, number]]
      const [cx, cz] = withColumns.centerM
      const out = resolveCollisions([cx + x, cz + z], [roomColliders(withColumns)])
      expect(Math.hypot(out[0] - cx - x, out[1] - cz - z)).toBeGreaterThanOrEqual(
        withColumns.columns.radiusM + PLAYER_RADIUS_M - 1e-9,
      )
    }
    const withDais = ROOMS.find((r) => r.dais !== null)
    if (withDais) {
      expect(floorHeightAt(withDais, 0, 0)).toBe(withDais.dais!.heightM)
      expect(floorHeightAt(withDais, withDais.size.width / 2 - 0.1, 0)).toBe(0)
      expect(roomParts(withDais).boxes.some((b) => b.topSlot === 'floor' && !b.solid)).toBe(true)
    }
    expect(withColumns ?? withDais, 'the sample holds columns or a dais').toBeDefined()
  })
})
