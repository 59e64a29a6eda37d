/**
 * Room geometry: a RoomSpec becomes axis-aligned boxes and columns (plain data), triangle buffers per material
 * slot with world-space UVs (even texel density on every face), and 2D colliders for walking.
 *
 * Pure and deterministic: `meshRoom(room(seed, x, z))` depends only on the spec. Meshes are in room-local metres
 * (origin at the room centre on the floor, y up) so Float32 stays precise far from the world origin; colliders are in
 * world metres (float64). Meshing follows the culled box mesher idea of isaac-mason/sketches (typed arrays + counts).
 */
import { dominantFamily, type FamilyConditioning } from './families'
import type { RoomSpec, Side, SurfaceSlot } from './layout'
import { SURFACE_SLOTS } from './layout'

/** A point or size `[x, y, z]` in metres. */
export type Vec3 = [number, number, number]

/**
 * Metres of surface one texture repeat covers in the mesh UVs (UVs count repeats of this), and the repeat of a texture
 * from a model without families (256 px → 128 px per metre).
 */
export const TEXTURE_TILE_M = 2

/**
 * Metres of surface one repeat of a `texturePx`-wide generated texture covers: `texturePx / pxPerMetre` of the
 * dominant family, so a brick is a brick's size at any texture size. Without a family or its scale (an unconditioned
 * model) the world's fixed TEXTURE_TILE_M.
 */
export function textureRepeatM(
  texturePx: number,
  cond: FamilyConditioning | undefined,
  pxPerMetre: Readonly<Record<string, number>> | undefined,
): number {
  if (cond === undefined || pxPerMetre === undefined) return TEXTURE_TILE_M
  const ppm = pxPerMetre[dominantFamily(cond)]
  if (ppm === undefined || !(ppm > 0)) return TEXTURE_TILE_M
  return texturePx / ppm
}

/**
 * The texture repeat (`texture.repeat` in three.js) that makes a `texturePx`-wide texture cover `textureRepeatM`
 * metres on a mesh whose UVs count repeats of TEXTURE_TILE_M (1 for an unconditioned model).
 */
export function textureUvScale(
  texturePx: number,
  cond: FamilyConditioning | undefined,
  pxPerMetre: Readonly<Record<string, number>> | undefined,
): number {
  return TEXTURE_TILE_M / textureRepeatM(texturePx, cond, pxPerMetre)
}

/** Player body: collision radius in metres. @default 0.3 */
export const PLAYER_RADIUS_M = 0.3

/** Boxes lower than this (skirting, dais) are stepped over, not collided with, in metres. */
export const STEP_HEIGHT_M = 0.25

/** An axis-aligned box of one material; `topSlot` overrides the material of its upward face. */
export interface RoomBox {
  /** Minimum corner, room-local metres. */
  min: Vec3
  /** Maximum corner, room-local metres. */
  max: Vec3
  /** Material of the box's faces. */
  slot: SurfaceSlot
  /** Material of the +y face, if different (the dais: floor on top, trim on the sides). */
  topSlot?: SurfaceSlot
  /** Whether the player collides with it (walls, jambs, corridor walls). */
  solid: boolean
}

/** A vertical cylinder (column), room-local metres. */
export interface RoomColumn {
  /** Centre `[x, z]`. */
  center: [number, number]
  /** Radius in metres. */
  radiusM: number
  /** Height in metres. */
  heightM: number
}

/** Triangle buffers of one material slot: positions/normals xyz, uvs in texture repeats, 32-bit indices. */
export interface MeshBuffers {
  /** Material slot of these triangles. */
  slot: SurfaceSlot
  /** Vertex positions, room-local metres, xyz interleaved. */
  positions: Float32Array
  /** Unit normals, xyz interleaved. */
  normals: Float32Array
  /** Texture coordinates in repeats of TEXTURE_TILE_M metres. */
  uvs: Float32Array
  /** Triangle indices (counter-clockwise seen from outside). */
  indices: Uint32Array
  /** Axis-aligned bounds of the positions, room-local metres. */
  bounds: { min: Vec3; max: Vec3 }
}

/** Everything solid of one room for 2D collision, in world metres. */
export interface RoomColliders {
  /** Rectangles `[minX, minZ, maxX, maxZ]`. */
  rects: [number, number, number, number][]
  /** Circles `[x, z, radius]`. */
  circles: [number, number, number][]
}

const SIDE_AXIS: Record<Side, { normal: [number, number]; along: 'x' | 'z' }> = {
  north: { normal: [0, -1], along: 'x' },
  south: { normal: [0, 1], along: 'x' },
  east: { normal: [1, 0], along: 'z' },
  west: { normal: [-1, 0], along: 'z' },
}

/** Intervals of [from, to] left after cutting out `holes` ([a, b] pairs), in order. */
function cut(from: number, to: number, holes: [number, number][]): [number, number][] {
  const out: [number, number][] = []
  let start = from
  for (const [a, b] of [...holes].sort((p, q) => p[0] - q[0])) {
    if (a > start) out.push([start, Math.min(a, to)])
    start = Math.max(start, b)
  }
  if (start < to) out.push([start, to])
  return out.filter(([a, b]) => b - a > 1e-6)
}

/** A box spanning `[a, b]` along the wall direction and `[n0, n1]` along the wall normal axis. */
function wallBox(along: 'x' | 'z', a: number, b: number, n0: number, n1: number, y0: number, y1: number) {
  const lo = Math.min(n0, n1)
  const hi = Math.max(n0, n1)
  return along === 'x'
    ? { min: [a, y0, lo] as Vec3, max: [b, y1, hi] as Vec3 }
    : { min: [lo, y0, a] as Vec3, max: [hi, y1, b] as Vec3 }
}

/**
 * The boxes and columns of a room (floor, walls cut by doors with lintels, door frames, skirting, band, dais and the
 * corridors this room owns), room-local.
 */
export function roomParts(spec: RoomSpec): { boxes: RoomBox[]; columns: RoomColumn[] } {
  const { width, depth, height } = spec.size
  const t = spec.wallThicknessM
  const hw = width / 2
  const hd = depth / 2
  const boxes: RoomBox[] = []
  boxes.push({ min: [-hw - t, -0.1, -hd - t], max: [hw + t, 0, hd + t], slot: 'floor', solid: false })

  const trim = spec.trim
  const proud = 0.03 // trim stands this far proud of the wall face
  for (const side of ['north', 'east', 'south', 'west'] as Side[]) {
    const { normal, along } = SIDE_AXIS[side]
    const sign = normal[0] + normal[1]
    const half = along === 'x' ? hw : hd
    const inner = sign * (along === 'x' ? hd : hw)
    const outer = inner + sign * t
    // North/south walls run over the corners; east/west walls fit between them.
    const span: [number, number] = along === 'x' ? [-hw - t, hw + t] : [-hd, hd]
    const door = spec.openings.find((o) => o.side === side)
    const holes: [number, number][] = door ? [[door.offsetM - door.widthM / 2, door.offsetM + door.widthM / 2]] : []
    for (const [a, b] of cut(span[0], span[1], holes)) {
      boxes.push({ ...wallBox(along, a, b, inner, outer, 0, height), slot: 'walls', solid: true })
    }
    // Skirting along the inner face, interrupted by the door.
    for (const [a, b] of cut(-half, half, holes)) {
      boxes.push({
        ...wallBox(along, a, b, inner, inner - sign * proud, 0, trim.skirtingHeightM),
        slot: 'trim',
        solid: false,
      })
    }
    if (trim.bandYM !== null) {
      boxes.push({
        ...wallBox(along, -half, half, inner, inner - sign * proud, trim.bandYM, trim.bandYM + trim.bandThicknessM),
        slot: 'trim',
        solid: false,
      })
    }
    if (!door) continue
    const d0 = door.offsetM - door.widthM / 2
    const d1 = door.offsetM + door.widthM / 2
    boxes.push({ ...wallBox(along, d0, d1, inner, outer, door.heightM, height), slot: 'walls', solid: false })
    // Door frame: two jambs beside the opening and a head piece, proud of both wall faces.
    const f = trim.frameWidthM
    const n0 = inner - sign * proud
    const n1 = outer + sign * proud
    boxes.push({ ...wallBox(along, d0 - f, d0, n0, n1, 0, door.heightM + f), slot: 'trim', solid: true })
    boxes.push({ ...wallBox(along, d1, d1 + f, n0, n1, 0, door.heightM + f), slot: 'trim', solid: true })
    boxes.push({ ...wallBox(along, d0, d1, n0, n1, door.heightM, door.heightM + f), slot: 'trim', solid: false })
    // The corridor to the neighbour, built by one of the two rooms only.
    const c = door.corridor
    if (!c.owned || c.lengthM <= 0) continue
    const s0 = sign * c.startM
    const s1 = sign * (c.startM + c.lengthM)
    const floorBox = wallBox(along, d0 - t, d1 + t, s0, s1, -0.1, 0)
    boxes.push({ ...floorBox, slot: 'floor', solid: false })
    boxes.push({ ...wallBox(along, d0 - t, d0, s0, s1, 0, c.wallHeightM), slot: 'walls', solid: true })
    boxes.push({ ...wallBox(along, d1, d1 + t, s0, s1, 0, c.wallHeightM), slot: 'walls', solid: true })
  }

  if (spec.dais) {
    const { widthM, depthM, heightM } = spec.dais
    boxes.push({
      min: [-widthM / 2, 0, -depthM / 2],
      max: [widthM / 2, heightM, depthM / 2],
      slot: 'trim',
      topSlot: 'floor',
      solid: false,
    })
  }
  const columns = spec.columns.positions.map(([cx, cz]) => ({
    center: [cx, cz] as [number, number],
    radiusM: spec.columns.radiusM,
    heightM: spec.columns.heightM,
  }))
  return { boxes, columns }
}

class Builder {
  positions: number[] = []
  normals: number[] = []
  uvs: number[] = []
  indices: number[] = []

  quad(corners: Vec3[], normal: Vec3, uv: [number, number][]): void {
    const base = this.positions.length / 3
    for (let i = 0; i < 4; i++) {
      this.positions.push(...corners[i]!)
      this.normals.push(...normal)
      this.uvs.push(uv[i]![0] / TEXTURE_TILE_M, uv[i]![1] / TEXTURE_TILE_M)
    }
    this.indices.push(base, base + 1, base + 2, base, base + 2, base + 3)
  }
}

/** World-space planar UV of a point on a face with normal axis `axis` (0 = x, 1 = y, 2 = z), in metres. */
function planarUv(p: Vec3, axis: number, origin: [number, number]): [number, number] {
  const wx = p[0] + origin[0]
  const wz = p[2] + origin[1]
  if (axis === 0) return [wz, p[1]]
  if (axis === 2) return [wx, p[1]]
  return [wx, wz]
}

function addBox(b: Builder, box: RoomBox, faces: 'all' | 'top' | 'sides', origin: [number, number]): void {
  const [x0, y0, z0] = box.min
  const [x1, y1, z1] = box.max
  // [normal, 4 corners counter-clockwise seen from outside]
  const all: [Vec3, Vec3[]][] = [
    [
      [0, 1, 0],
      [
        [x0, y1, z1],
        [x1, y1, z1],
        [x1, y1, z0],
        [x0, y1, z0],
      ],
    ],
    [
      [1, 0, 0],
      [
        [x1, y0, z1],
        [x1, y0, z0],
        [x1, y1, z0],
        [x1, y1, z1],
      ],
    ],
    [
      [-1, 0, 0],
      [
        [x0, y0, z0],
        [x0, y0, z1],
        [x0, y1, z1],
        [x0, y1, z0],
      ],
    ],
    [
      [0, 0, 1],
      [
        [x0, y0, z1],
        [x1, y0, z1],
        [x1, y1, z1],
        [x0, y1, z1],
      ],
    ],
    [
      [0, 0, -1],
      [
        [x1, y0, z0],
        [x0, y0, z0],
        [x0, y1, z0],
        [x1, y1, z0],
      ],
    ],
  ]
  for (const [n, corners] of all) {
    const isTop = n[1] === 1
    if ((faces === 'top' && !isTop) || (faces === 'sides' && isTop)) continue
    // Skip faces that are flush with the floor plane and face down (none here) or have zero area.
    const axis = n[0] !== 0 ? 0 : n[1] !== 0 ? 1 : 2
    b.quad(
      corners,
      n,
      corners.map((c) => planarUv(c, axis, origin)),
    )
  }
}

function addColumn(b: Builder, col: RoomColumn, origin: [number, number], segments = 16): void {
  const [cx, cz] = col.center
  const circumference = 2 * Math.PI * col.radiusM
  for (let i = 0; i < segments; i++) {
    const a0 = (i / segments) * 2 * Math.PI
    const a1 = ((i + 1) / segments) * 2 * Math.PI
    const am = (a0 + a1) / 2
    const p = (a: number, y: number): Vec3 => [cx + Math.cos(a) * col.radiusM, y, cz + Math.sin(a) * col.radiusM]
    const u0 = (i / segments) * circumference + origin[0]
    const u1 = ((i + 1) / segments) * circumference + origin[0]
    b.quad(
      [p(a1, 0), p(a0, 0), p(a0, col.heightM), p(a1, col.heightM)],
      [Math.cos(am), 0, Math.sin(am)],
      [
        [u1, 0],
        [u0, 0],
        [u0, col.heightM],
        [u1, col.heightM],
      ],
    )
  }
}

function finish(slot: SurfaceSlot, b: Builder): MeshBuffers {
  const positions = new Float32Array(b.positions)
  const min: Vec3 = [Infinity, Infinity, Infinity]
  const max: Vec3 = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < positions.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = positions[i + k]!
      if (v < min[k]!) min[k] = v
      if (v > max[k]!) max[k] = v
    }
  }
  if (positions.length === 0) {
    min.fill(0)
    max.fill(0)
  }
  return {
    slot,
    positions,
    normals: new Float32Array(b.normals),
    uvs: new Float32Array(b.uvs),
    indices: new Uint32Array(b.indices),
    bounds: { min, max },
  }
}

/**
 * Triangle buffers of a room, one per material slot (floor, walls, trim), room-local metres. UVs are world-planar
 * (x/z on floors, the wall's run and height on walls) in repeats of TEXTURE_TILE_M, so textures line up across
 * rooms and corridors and texel density is even everywhere.
 */
export function meshRoom(spec: RoomSpec): Record<SurfaceSlot, MeshBuffers> {
  const { boxes, columns } = roomParts(spec)
  const builders = Object.fromEntries(SURFACE_SLOTS.map((s) => [s, new Builder()])) as Record<SurfaceSlot, Builder>
  const origin = spec.centerM
  for (const box of boxes) {
    if (box.topSlot && box.topSlot !== box.slot) {
      addBox(builders[box.topSlot], box, 'top', origin)
      addBox(builders[box.slot], box, 'sides', origin)
    } else {
      addBox(builders[box.slot], box, 'all', origin)
    }
  }
  for (const col of columns) addColumn(builders.trim, col, origin)
  return Object.fromEntries(SURFACE_SLOTS.map((s) => [s, finish(s, builders[s])])) as Record<SurfaceSlot, MeshBuffers>
}

/** The room's solid parts as world-space 2D colliders (walls, door jambs, corridor walls, columns). */
export function roomColliders(spec: RoomSpec): RoomColliders {
  const { boxes, columns } = roomParts(spec)
  const [ox, oz] = spec.centerM
  return {
    rects: boxes
      .filter((b) => b.solid && b.max[1] > STEP_HEIGHT_M && b.min[1] < 1.8)
      .map((b) => [b.min[0] + ox, b.min[2] + oz, b.max[0] + ox, b.max[2] + oz]),
    circles: columns.map((c) => [c.center[0] + ox, c.center[1] + oz, c.radiusM]),
  }
}

/**
 * Move a circle of `radiusM` from its position out of every collider (a few relaxation passes); returns `out`
 * (allocated if absent). Positions are world `[x, z]` metres.
 */
export function resolveCollisions(
  position: [number, number],
  colliders: readonly RoomColliders[],
  radiusM = PLAYER_RADIUS_M,
  out: [number, number] = [0, 0],
): [number, number] {
  let px = position[0]
  let pz = position[1]
  for (let pass = 0; pass < 3; pass++) {
    let moved = false
    for (const c of colliders) {
      for (const [x0, z0, x1, z1] of c.rects) {
        if (px < x0 - radiusM || px > x1 + radiusM || pz < z0 - radiusM || pz > z1 + radiusM) continue
        const qx = Math.min(Math.max(px, x0), x1)
        const qz = Math.min(Math.max(pz, z0), z1)
        const dx = px - qx
        const dz = pz - qz
        const d2 = dx * dx + dz * dz
        if (d2 >= radiusM * radiusM) continue
        if (d2 > 1e-12) {
          const d = Math.sqrt(d2)
          px = qx + (dx / d) * radiusM
          pz = qz + (dz / d) * radiusM
        } else {
          // Centre inside the rectangle: leave by the nearest side.
          const exits = [px - x0 + radiusM, x1 - px + radiusM, pz - z0 + radiusM, z1 - pz + radiusM]
          const k = exits.indexOf(Math.min(...exits))
          if (k === 0) px = x0 - radiusM
          else if (k === 1) px = x1 + radiusM
          else if (k === 2) pz = z0 - radiusM
          else pz = z1 + radiusM
        }
        moved = true
      }
      for (const [cx, cz, r] of c.circles) {
        const dx = px - cx
        const dz = pz - cz
        const min = r + radiusM
        const d2 = dx * dx + dz * dz
        if (d2 >= min * min) continue
        if (d2 < 1e-12) {
          // Exactly at the centre: any direction is as good; pick +x deterministically.
          px = cx + min
          pz = cz
        } else {
          const d = Math.sqrt(d2)
          px = cx + (dx / d) * min
          pz = cz + (dz / d) * min
        }
        moved = true
      }
    }
    if (!moved) break
  }
  out[0] = px
  out[1] = pz
  return out
}

/** Height of the walkable floor at room-local `(x, z)`: the dais top if standing on it, else 0, in metres. */
export function floorHeightAt(spec: RoomSpec, localX: number, localZ: number): number {
  const d = spec.dais
  if (d && Math.abs(localX) <= d.widthM / 2 && Math.abs(localZ) <= d.depthM / 2) return d.heightM
  return 0
}
