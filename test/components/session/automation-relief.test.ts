import { afterEach, describe, expect, it, vi } from 'vitest'
import { installAutomation } from '../../../components/session/automation'
import { WorldSession, type CurrentTexture } from '../../../components/session/world-session'
import { createWorldStore } from '../../../components/stores/world-store'
import { packSurfaceRelief } from '../../../world-gen'
import { FakeWorker } from '../streaming/fake-worker'

afterEach(() => vi.unstubAllGlobals())

/** A world session with `window.latentscape` installed over it, and a scene lending `textures` for room 0,0. */
function setup(textures: CurrentTexture[]) {
  const win = { location: { search: '' }, history: { replaceState: () => undefined } } as unknown as Window
  vi.stubGlobal('window', win)
  const store = createWorldStore({ seed: 'demo', texSizePx: 64 })
  const session = new WorldSession(store, { createWorker: () => new FakeWorker() as unknown as Worker })
  const remove = installAutomation(store, session)
  session.attachScene({
    shownSky: () => null,
    texturesOf: (key) => (key === '0,0' ? textures : []),
    memory: () => ({ textures: 0, geometries: 0, surfaceTextures: 0 }),
  })
  return { session, api: win.latentscape!, remove }
}

describe('window.latentscape: relief surfaces and test lighting', () => {
  it('getSurfaces lists each texture’s maps with a digest per map; the roughness in the alpha is not the colour', () => {
    const pixels = new Uint8Array(4 * 4 * 4).fill(90)
    const relief = packSurfaceRelief(
      pixels,
      new Float32Array(16).map((_, i) => (i % 4) / 4),
      4,
      4,
      6,
      0.5,
    )
    const plain = new Uint8Array(4 * 4 * 4).fill(90)
    const { api } = setup([
      { slot: 'walls', width: 4, height: 4, pixels, relief },
      { slot: 'floor', width: 4, height: 4, pixels: plain },
    ])
    const [walls, floor] = api.getSurfaces(0, 0)
    expect(walls).toMatchObject({
      slot: 'walls',
      widthPx: 4,
      heightPx: 4,
      maps: ['color', 'height', 'normal', 'roughness'],
    })
    expect(Object.keys(walls!.digests)).toEqual(['color', 'height', 'normal', 'roughness'])
    for (const d of Object.values(walls!.digests)) expect(d).toMatch(/^[0-9a-f]{16}$/)
    // The colour map drops the packed roughness: the same colour as a colour-only texture of those RGB values.
    expect(walls!.digests.color).toBe(floor!.digests.color)
    expect(floor).toMatchObject({ slot: 'floor', maps: ['color'] })
    expect(api.getSurfaces(1, 0)).toEqual([])
  })

  it('setLighting sets a sun or unlit lighting for the frame loop, null gives the sky’s back; bad angles throw', () => {
    const { session, api } = setup([])
    expect(session.lighting).toBeNull()
    api.setLighting({ kind: 'sun', azimuthDeg: 120, elevationDeg: 20 })
    expect(session.lighting).toEqual({ kind: 'sun', azimuthDeg: 120, elevationDeg: 20 })
    api.setLighting({ kind: 'unlit' })
    expect(session.lighting).toEqual({ kind: 'unlit' })
    api.setLighting(null)
    expect(session.lighting).toBeNull()
    expect(() => api.setLighting({ kind: 'sun', azimuthDeg: 0, elevationDeg: 95 })).toThrow(/elevation within ±90°/)
    expect(() => api.setLighting({ kind: 'sun', azimuthDeg: NaN, elevationDeg: 5 })).toThrow(RangeError)
    expect(() => api.setLighting({ kind: 'sun', azimuthDeg: 0, elevationDeg: 5, intensity: -1 })).toThrow(/intensity/)
    api.setLighting({ kind: 'sun', azimuthDeg: 0, elevationDeg: 5, intensity: 8 })
    expect(session.lighting).toEqual({ kind: 'sun', azimuthDeg: 0, elevationDeg: 5, intensity: 8 })
    api.setLighting(null)
    expect(() => api.setLighting({ kind: 'moon' } as never)).toThrow(/lighting must be/)
    expect(session.lighting).toBeNull()
  })
})
