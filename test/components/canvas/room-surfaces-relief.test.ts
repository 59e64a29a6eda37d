import { describe, expect, it } from 'vitest'
import {
  NoColorSpace,
  RGBAFormat,
  RGFormat,
  SRGBColorSpace,
  type DataTexture,
  type Material,
  type Texture,
  type WebGLProgramParametersWithUniforms,
  type WebGLRenderer,
} from 'three'
import {
  createRoomMaterials,
  RELIEF_NORMAL_SCALE,
  ROUGHNESS_FROM_ALPHA_CHUNK,
  RoomSurfaces,
} from '../../../components/canvas/room-surfaces'
import { meshRoom, normalMapRg, room, SLOT_ROUGHNESS, type RoomKey } from '../../../world-gen'

/** The renderer calls RoomSurfaces makes: anisotropy and uploads (recorded). */
function fakeRenderer() {
  const uploaded: Texture[] = []
  const renderer = {
    capabilities: { getMaxAnisotropy: () => 16 },
    initTexture: (t: Texture) => void uploaded.push(t),
  } as unknown as WebGLRenderer
  return { renderer, uploaded }
}

/** Count 'dispose' events of a material or texture. */
function disposals(target: Material | Texture): () => number {
  let n = 0
  target.addEventListener('dispose', () => n++)
  return () => n
}

const KEY = '0,0' as RoomKey
const rgba = (sizePx: number, value: number) => new Uint8Array(sizePx * sizePx * 4).fill(value).buffer
const relief = (sizePx: number, value: number) => ({
  normal: new Uint8Array(sizePx * sizePx * 2).fill(value).buffer,
  height: new Uint8Array(sizePx * sizePx).fill(value + 1).buffer,
})

describe('RoomSurfaces: relief surfaces', () => {
  it('a relief upload puts colour on map and roughnessMap, the RG normal map on normalMap, and uploads both now', () => {
    const { renderer, uploaded } = fakeRenderer()
    const surfaces = new RoomSurfaces(renderer)
    const materials = createRoomMaterials()
    surfaces.attach(KEY, materials)
    const version = materials.walls.version
    surfaces.upload(renderer, KEY, 'walls', rgba(4, 9), 4, 4, { uvScale: 0.5, relief: relief(4, 7) })
    const m = materials.walls
    const map = m.map as DataTexture
    const normal = m.normalMap as DataTexture
    expect(m.roughnessMap).toBe(map)
    expect(m.bumpMap).toBeNull()
    expect([map.format, map.colorSpace]).toEqual([RGBAFormat, SRGBColorSpace])
    expect([normal.format, normal.colorSpace, normal.image.width, normal.generateMipmaps]).toEqual([
      RGFormat,
      NoColorSpace,
      4,
      true,
    ])
    // Colour and relief stay in register: the same repeat.
    expect([normal.repeat.x, normal.repeat.y]).toEqual([0.5, 0.5])
    expect([m.normalScale.x, m.normalScale.y]).toEqual([...RELIEF_NORMAL_SCALE])
    // The alpha holds the roughness itself.
    expect(m.roughness).toBe(1)
    expect(uploaded).toEqual([map, normal])
    expect(m.version).toBeGreaterThan(version)
    expect(surfaces.texturesOf(KEY)).toEqual([
      {
        slot: 'walls',
        width: 4,
        height: 4,
        pixels: new Uint8Array(64).fill(9),
        relief: { normal: new Uint8Array(32).fill(7), height: new Uint8Array(16).fill(8) },
      },
    ])
  })

  it('swapping relief textures keeps the program and disposes the old pair once; a colour-only texture drops relief', () => {
    const { renderer } = fakeRenderer()
    const surfaces = new RoomSurfaces(renderer)
    const materials = createRoomMaterials()
    surfaces.attach(KEY, materials)
    const m = materials.floor
    surfaces.upload(renderer, KEY, 'floor', rgba(2, 1), 2, 2, { relief: relief(2, 1) })
    const [oldMap, oldNormal] = [disposals(m.map!), disposals(m.normalMap!)]
    const version = m.version
    surfaces.upload(renderer, KEY, 'floor', rgba(4, 2), 4, 4, { relief: relief(4, 2) })
    expect([oldMap(), oldNormal()]).toEqual([1, 1])
    expect(m.version).toBe(version)

    const [map, normal] = [disposals(m.map!), disposals(m.normalMap!)]
    surfaces.upload(renderer, KEY, 'floor', rgba(4, 3), 4, 4)
    expect([map(), normal()]).toEqual([1, 1])
    expect(m.normalMap).toBeNull()
    expect(m.roughnessMap).toBeNull()
    expect(m.bumpMap).toBe(m.map)
    expect(m.roughness).toBe(SLOT_ROUGHNESS.floor)
    expect(m.version).toBeGreaterThan(version)
    expect(surfaces.texturesOf(KEY)[0]!.relief).toBeUndefined()
  })

  it('detach disposes the colour and the normal map once each, and the materials', () => {
    const { renderer } = fakeRenderer()
    const surfaces = new RoomSurfaces(renderer)
    const materials = createRoomMaterials()
    surfaces.attach(KEY, materials)
    surfaces.upload(renderer, KEY, 'trim', rgba(2, 1), 2, 2, { relief: relief(2, 1) })
    const counts = [materials.trim.map!, materials.trim.normalMap!, materials.trim].map(disposals)
    surfaces.detach(KEY)
    expect(counts.map((n) => n())).toEqual([1, 1, 1])
  })

  it('reads roughness from the alpha: the patched chunk, and only in these materials’ programs', () => {
    expect(ROUGHNESS_FROM_ALPHA_CHUNK).not.toBeNull()
    expect(ROUGHNESS_FROM_ALPHA_CHUNK).toContain('roughnessFactor *= texelRoughness.a;')
    const material = createRoomMaterials().walls
    const shader = { fragmentShader: 'a\n#include <roughnessmap_fragment>\nb' } as WebGLProgramParametersWithUniforms
    material.onBeforeCompile(shader, {} as WebGLRenderer)
    expect(shader.fragmentShader).toBe(`a\n${ROUGHNESS_FROM_ALPHA_CHUNK}\nb`)
    expect(material.customProgramCacheKey()).toBe('latentscape-roughness-alpha')
  })
})

type V3 = [number, number, number]
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const scale = (a: V3, s: number): V3 => [a[0] * s, a[1] * s, a[2] * s]
const add = (...vs: V3[]): V3 => vs.reduce((s, v) => [s[0] + v[0], s[1] + v[1], s[2] + v[2]], [0, 0, 0])
const unit = (a: V3): V3 => scale(a, 1 / Math.hypot(...a))

/**
 * three's tangent frame of a triangle (normalmap_pars_fragment `getTangentFrame`): T and B are the surface gradients
 * of u and v (the cotangent frame), both scaled by the larger one's length, and N the face normal.
 */
function tangentFrame(p: V3[], uv: [number, number][], n: V3): [V3, V3, V3] {
  const q0 = sub(p[1]!, p[0]!)
  const q1 = sub(p[2]!, p[0]!)
  const st0 = [uv[1]![0] - uv[0]![0], uv[1]![1] - uv[0]![1]]
  const st1 = [uv[2]![0] - uv[0]![0], uv[2]![1] - uv[0]![1]]
  const q1perp = cross(q1, n)
  const q0perp = cross(n, q0)
  const t = add(scale(q1perp, st0[0]!), scale(q0perp, st1[0]!))
  const b = add(scale(q1perp, st0[1]!), scale(q0perp, st1[1]!))
  const s = 1 / Math.sqrt(Math.max(dot(t, t), dot(b, b)))
  return [scale(t, s), scale(b, s), n]
}

/** Distinct wall faces of a real room: a triangle of each, with its UVs and normal. */
function wallTriangles() {
  const walls = meshRoom(room('demo', 0, 0)).walls
  const out = new Map<string, { p: V3[]; uv: [number, number][]; n: V3 }>()
  for (let t = 0; t < walls.indices.length; t += 3) {
    const idx = [walls.indices[t]!, walls.indices[t + 1]!, walls.indices[t + 2]!]
    const p = idx.map((i) => [walls.positions[3 * i]!, walls.positions[3 * i + 1]!, walls.positions[3 * i + 2]!] as V3)
    const uv = idx.map((i) => [walls.uvs[2 * i]!, walls.uvs[2 * i + 1]!] as [number, number])
    const n: V3 = [walls.normals[3 * idx[0]!]!, walls.normals[3 * idx[0]! + 1]!, walls.normals[3 * idx[0]! + 2]!]
    out.set(n.join(','), { p, uv, n })
  }
  return [...out.values()]
}

describe('relief normal maps on the room meshes (three’s tangent frame, DataTexture rows, RELIEF_NORMAL_SCALE)', () => {
  // A tiling height: a vertical mortar joint (a groove at column 8) across gentle sines.
  const W = 32
  const P = 6
  const height = new Float32Array(W * W)
  for (let row = 0; row < W; row++)
    for (let col = 0; col < W; col++) {
      const groove = Math.max(0, 1 - Math.abs(col - 8) / 2)
      height[row * W + col] = 0.3 * Math.sin((2 * Math.PI * row) / W) - 0.5 * groove
    }
  const rg = normalMapRg(height, W, W, P)
  const h = (col: number, row: number) => height[((row + W) % W) * W + ((col + W) % W)]!
  /** The shaded normal of pixel (col, row) on a face: three's `normalize(tbn * mapN)` with mapN.xy *= normalScale. */
  const shaded = ([t, b, n]: [V3, V3, V3], col: number, row: number): V3 => {
    const x = ((rg[2 * (row * W + col)]! / 255) * 2 - 1) * RELIEF_NORMAL_SCALE[0]
    const y = ((rg[2 * (row * W + col) + 1]! / 255) * 2 - 1) * RELIEF_NORMAL_SCALE[1]
    const z = Math.sqrt(Math.max(0, 1 - x * x - y * y))
    return unit(add(scale(t, x), scale(b, y), scale(n, z)))
  }
  const faces = wallTriangles()

  it('the shaded normal is the normal of the surface displaced by the height, on every wall orientation', () => {
    expect(faces.length).toBeGreaterThanOrEqual(4)
    for (const face of faces) {
      const frame = tangentFrame(face.p, face.uv, face.n)
      const [t, b, n] = frame
      for (const [col, row] of [
        [7, 3],
        [9, 3],
        [20, 5],
        [20, 24],
        [31, 0],
      ] as const) {
        // A DataTexture is not flipped: row r lies at v = (r + ½) / H, so +v is +row; +u is +column. The surface
        // p + N·h·P (in pixels) has the normal N − P·∂h/∂column·û − P·∂h/∂row·v̂.
        const du = (P * (h(col + 1, row) - h(col - 1, row))) / 2
        const dv = (P * (h(col, row + 1) - h(col, row - 1))) / 2
        const truth = unit(add(n, scale(unit(t), -du), scale(unit(b), -dv)))
        const angle = Math.acos(Math.min(1, dot(shaded(frame, col, row), truth)))
        expect(angle, `face ${face.n.join(',')} pixel ${col},${row}`).toBeLessThan((1.5 * Math.PI) / 180)
      }
    }
  })

  it('a mortar joint looks recessed under a grazing light: the flank facing the light is lit, the other in shade', () => {
    for (const face of faces) {
      const frame = tangentFrame(face.p, face.uv, face.n)
      // Light from the +u side of the groove, 15° above the wall.
      const light = unit(add(scale(unit(frame[0]), Math.cos(Math.PI / 12)), scale(frame[2], Math.sin(Math.PI / 12))))
      const lambert = (col: number) => Math.max(0, dot(shaded(frame, col, 10), light))
      // Column 7 is the joint's near flank, sinking towards +u: it faces the light. Column 9 rises out of the joint
      // towards +u, facing away from it.
      expect(lambert(7)).toBeGreaterThan(lambert(20) * 1.5)
      expect(lambert(9)).toBeLessThan(lambert(20) * 0.5)
    }
  })
})
