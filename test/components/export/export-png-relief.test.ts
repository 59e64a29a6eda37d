import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { texturePng, textureFileName, textureMaps, type ExportTexture } from '../../../components/export/export-png'
import { packSurfaceRelief, surfaceMapRgba } from '../../../world-gen/relief'
import { DIGITAL_SOURCE_TYPE_TRAINED, readPngText, readProvenance } from '../../../world-gen/provenance'

const W = 16
const H = 8
/** A relief texture as the world holds it: colour with the roughness packed into its alpha, normal map, height. */
function reliefTexture(): ExportTexture {
  const pixels = new Uint8Array(W * H * 4).map((_, i) => (i * 29 + 7) & 0xff)
  const height = new Float32Array(W * H).map((_, i) => Math.sin((2 * Math.PI * (i % W)) / W) * 0.5)
  const relief = packSurfaceRelief(pixels, height, W, H, 6, 0.8)
  return {
    slot: 'walls',
    width: W,
    height: H,
    pixels,
    relief,
    model: 'surface',
    version: 'surface-v3-x',
    weightsSha256: 'ab'.repeat(32),
    licence: 'CC-BY-SA-4.0',
    family: 'brick',
  }
}
const spot = { seed: 'Demo world', room: { x: 2, z: -1 }, url: 'https://l.example/w/Demo%20world?r=2,-1&h=90' }

describe('texture export: relief maps', () => {
  it('a relief texture exports colour, height, normal and roughness; a colour-only one its colour', () => {
    expect(textureMaps(reliefTexture())).toEqual(['color', 'height', 'normal', 'roughness'])
    const { relief: _, ...plain } = reliefTexture()
    expect(textureMaps(plain)).toEqual(['color'])
  })

  it.each(['color', 'height', 'normal', 'roughness'] as const)(
    'the %s map: its pixels (alpha 255), the same provenance as the colour, and which map it is',
    (map) => {
      const t = reliefTexture()
      const png = texturePng(t, spot, map)
      const decoded = PNG.sync.read(Buffer.from(png))
      expect([decoded.width, decoded.height]).toEqual([W, H])
      expect(Buffer.compare(decoded.data, Buffer.from(surfaceMapRgba(map, t.pixels, W, H, t.relief)))).toBe(0)
      expect(decoded.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true)
      expect(readProvenance(png)).toMatchObject({
        model: 'surface',
        version: 'surface-v3-x',
        weightsSha256: 'ab'.repeat(32),
        licence: 'CC-BY-SA-4.0',
        seed: 'Demo world',
        room: { x: 2, z: -1 },
        slot: 'walls',
        family: 'brick',
        map,
        url: spot.url,
        digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
      })
      expect(readPngText(png)['latentscape:map']).toBe(map)
    },
  )

  it('the colour map drops the packed roughness (alpha 255); a colour-only texture names no map', () => {
    const t = reliefTexture()
    expect(t.pixels.some((v, i) => i % 4 === 3 && v !== 255)).toBe(true)
    const colour = PNG.sync.read(Buffer.from(texturePng(t, spot)))
    for (let i = 0; i < W * H; i++) {
      expect(Array.from(colour.data.subarray(4 * i, 4 * i + 3))).toEqual(
        Array.from(t.pixels.subarray(4 * i, 4 * i + 3)),
      )
      expect(colour.data[4 * i + 3]).toBe(255)
    }
    const { relief: _, ...plain } = t
    expect(
      readProvenance(texturePng({ ...plain, pixels: surfaceMapRgba('color', t.pixels, W, H) }, spot)).map,
    ).toBeUndefined()
    expect(() => texturePng(plain, spot, 'normal')).toThrow(/no normal map: .*without relief/)
  })

  it.each([
    ['color', 'latentscape-Demo-world-2_-1-walls.png'],
    ['height', 'latentscape-Demo-world-2_-1-walls-height.png'],
    ['normal', 'latentscape-Demo-world-2_-1-walls-normal.png'],
    ['roughness', 'latentscape-Demo-world-2_-1-walls-roughness.png'],
  ] as const)('names the %s file', (map, name) => {
    expect(textureFileName('Demo world', { x: 2, z: -1 }, 'walls', map)).toBe(name)
  })
})
