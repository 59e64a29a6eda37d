import { describe, expect, it } from 'vitest'
import type { DataTexture, Material, Texture, WebGLRenderer } from 'three'
import { createRoomMaterials, RoomSurfaces } from '../../../components/canvas/room-surfaces'
import type { RoomKey } from '../../../world-gen'

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
const pixels = (sizePx: number, value: number) => new Uint8Array(sizePx * sizePx * 4).fill(value).buffer

describe('RoomSurfaces', () => {
  it('starts untextured grey; an upload puts the generated texture on map and bump map and uploads it now', () => {
    const { renderer, uploaded } = fakeRenderer()
    const surfaces = new RoomSurfaces(renderer)
    const materials = createRoomMaterials()
    expect(materials.floor.map).toBeNull()
    expect(materials.floor.color.getHex()).not.toBe(0xffffff)
    expect(surfaces.upload(renderer, KEY, 'floor', pixels(4, 9), 4, 4)).toBe(false)

    surfaces.attach(KEY, materials)
    expect(surfaces.has(KEY)).toBe(true)
    const version = materials.floor.version
    expect(surfaces.upload(renderer, KEY, 'floor', pixels(4, 9), 4, 4)).toBe(true)
    const map = materials.floor.map as DataTexture
    expect(materials.floor.bumpMap).toBe(map)
    expect(materials.floor.color.getHex()).toBe(0xffffff)
    expect([map.image.width, map.image.height, map.anisotropy]).toEqual([4, 4, 8])
    expect(uploaded).toEqual([map])
    // The first map changes the shader program.
    expect(materials.floor.version).toBeGreaterThan(version)
    expect(surfaces.texturesOf(KEY)).toEqual([
      { slot: 'floor', width: 4, height: 4, pixels: new Uint8Array(64).fill(9) },
    ])
  })

  it('a family texture repeats at its scale (bump map too) and export names the family painted', () => {
    const { renderer } = fakeRenderer()
    const surfaces = new RoomSurfaces(renderer)
    const materials = createRoomMaterials()
    surfaces.attach(KEY, materials)
    const family = { a: 'brick', b: 'plaster', t: 0.25 }
    surfaces.upload(renderer, KEY, 'walls', pixels(4, 3), 4, 4, { uvScale: 0.75, family })
    surfaces.upload(renderer, KEY, 'floor', pixels(4, 5), 4, 4)
    const map = materials.walls.map!
    expect([map.repeat.x, map.repeat.y]).toEqual([0.75, 0.75])
    expect(materials.walls.bumpMap).toBe(map)
    expect([materials.floor.map!.repeat.x, materials.floor.map!.repeat.y]).toEqual([1, 1])
    expect(surfaces.texturesOf(KEY)).toEqual([
      { slot: 'floor', width: 4, height: 4, pixels: new Uint8Array(64).fill(5) },
      { slot: 'walls', width: 4, height: 4, pixels: new Uint8Array(64).fill(3), family },
    ])
  })

  it('a new texture replaces and disposes the previous one; detach and dispose release everything once', () => {
    const { renderer } = fakeRenderer()
    const surfaces = new RoomSurfaces(renderer)
    const a = createRoomMaterials()
    const b = createRoomMaterials()
    surfaces.attach(KEY, a)
    surfaces.attach('1,0' as RoomKey, b)
    surfaces.upload(renderer, KEY, 'walls', pixels(2, 1), 2, 2)
    const preview = a.walls.map!
    const previewDisposed = disposals(preview)
    const version = a.walls.version
    surfaces.upload(renderer, KEY, 'walls', pixels(4, 2), 4, 4)
    expect(previewDisposed()).toBe(1)
    // Swapping one map for another keeps the shader program.
    expect(a.walls.version).toBe(version)

    const full = disposals(a.walls.map!)
    const aMaterials = [a.floor, a.walls, a.trim].map(disposals)
    surfaces.detach(KEY)
    expect([full(), ...aMaterials.map((n) => n())]).toEqual([1, 1, 1, 1])
    expect(surfaces.has(KEY)).toBe(false)
    expect(surfaces.texturesOf(KEY)).toEqual([])
    surfaces.detach(KEY)
    expect(aMaterials.map((n) => n())).toEqual([1, 1, 1])

    const bMaterials = [b.floor, b.walls, b.trim].map(disposals)
    surfaces.dispose()
    expect(bMaterials.map((n) => n())).toEqual([1, 1, 1])
  })

  it("the rooms' shadow-pass material never takes a map, so it never samples (and re-uploads) a disposed texture", () => {
    const { renderer } = fakeRenderer()
    const surfaces = new RoomSurfaces(renderer)
    const materials = createRoomMaterials()
    surfaces.attach(KEY, materials)
    surfaces.upload(renderer, KEY, 'floor', pixels(4, 9), 4, 4)
    // What three's shadow pass does for each caster with a custom depth material: copy the caster's map onto it.
    const depth = surfaces.depthMaterial
    depth.map = materials.floor.map
    expect(materials.floor.map).not.toBeNull()
    expect(depth.map).toBeNull()
    expect(depth.isMeshDepthMaterial).toBe(true)
    const depthDisposals = disposals(depth)
    surfaces.dispose()
    expect(depthDisposals()).toBe(1)
  })
})
