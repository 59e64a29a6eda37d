import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import {
  encodeRgbaPng,
  skyExportTexture,
  texturePng,
  textureFileName,
  type ExportTexture,
} from '../../../components/export/export-png'
import { DIGITAL_SOURCE_TYPE_TRAINED, readProvenance } from '../../../world-gen/provenance'

function texture(widthPx: number, heightPx: number): ExportTexture {
  const pixels = new Uint8Array(widthPx * heightPx * 4)
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 29 + 7) & 0xff
  return { slot: 'floor', width: widthPx, height: heightPx, pixels, model: 'surface', version: 'surface-v1-x' }
}

describe('texture export', () => {
  it('encodes RGBA8 pixels losslessly (pngjs reads back the same bytes)', () => {
    const t = texture(20, 12)
    const decoded = PNG.sync.read(Buffer.from(encodeRgbaPng(t.pixels, 20, 12)))
    expect([decoded.width, decoded.height]).toEqual([20, 12])
    expect(Buffer.compare(decoded.data, Buffer.from(t.pixels))).toBe(0)
  })

  it.each([
    ['too few bytes', new Uint8Array(3), 1, 1],
    ['zero width', new Uint8Array(0), 0, 4],
    ['fractional height', new Uint8Array(8), 1, 1.5],
  ])('refuses %s', (_, bytes, w, h) => {
    expect(() => encodeRgbaPng(bytes, w, h)).toThrow(RangeError)
  })

  it('writes the provenance of the spot into the PNG', () => {
    const t = { ...texture(16, 16), slot: 'walls', weightsSha256: 'ab'.repeat(32) }
    const spot = { seed: 'Demo world', room: { x: 2, z: -1 }, url: 'https://l.example/w/Demo%20world?r=2,-1&h=90' }
    const read = readProvenance(texturePng(t, spot))
    expect(read).toMatchObject({
      model: 'surface',
      version: 'surface-v1-x',
      weightsSha256: 'ab'.repeat(32),
      seed: 'Demo world',
      room: { x: 2, z: -1 },
      slot: 'walls',
      url: spot.url,
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
  })

  it('names the material family painted (a blend too) in the provenance; none when the model has no families', () => {
    const spot = { seed: 'demo', room: { x: -3, z: 0 }, url: '/w/demo?r=-3,0&h=0' }
    const blend = { ...texture(8, 8), slot: 'walls', family: 'brick 85% + plaster 15%' }
    expect(readProvenance(texturePng(blend, spot))).toMatchObject({ slot: 'walls', family: 'brick 85% + plaster 15%' })
    expect(readProvenance(texturePng(texture(8, 8), spot)).family).toBeUndefined()
  })

  it.each([
    ['Demo world', { x: 2, z: -1 }, 'walls', 'latentscape-Demo-world-2_-1-walls.png'],
    ['../../etc/passwd', { x: 0, z: 0 }, 'floor', 'latentscape-etc-passwd-0_0-floor.png'],
    ['Wäldchen 世界', { x: 0, z: 3 }, 'trim', 'latentscape-Wäldchen-世界-0_3-trim.png'],
  ])('names the file of %s safely', (seed, room, slot, name) => {
    expect(textureFileName(seed, room, slot)).toBe(name)
  })

  it('exports the live sky as a 2:1 equirect PNG (generated upper half unchanged) with slot sky and the model licence', () => {
    const w = 32
    const h = 8
    const pixels = new Uint8Array(w * h * 4)
    for (let i = 0; i < pixels.length; i++) pixels[i] = i % 4 === 3 ? 255 : (i * 13) & 0xff
    const t = skyExportTexture(
      { widthPx: w, heightPx: h, pixels, ground: [0.01, 0.02, 0.03], version: 'sky-v1-b' },
      { model: 'sky', version: 'sky-v1-a', weightsSha256: 'cd'.repeat(32), licence: 'CC0-1.0' },
    )
    expect([t.slot, t.width, t.height, t.version]).toEqual(['sky', 32, 16, 'sky-v1-b'])
    const png = texturePng(t, { seed: 'Demo world', room: { x: 4, z: 0 }, url: '/w/Demo%20world?r=4,0&h=0' })
    const decoded = PNG.sync.read(Buffer.from(png))
    expect([decoded.width, decoded.height]).toEqual([32, 16])
    expect(Buffer.compare(decoded.data.subarray(0, pixels.length), Buffer.from(pixels))).toBe(0)
    expect(readProvenance(png)).toMatchObject({
      model: 'sky',
      version: 'sky-v1-b',
      weightsSha256: 'cd'.repeat(32),
      slot: 'sky',
      room: { x: 4, z: 0 },
      licence: 'CC0-1.0',
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
  })
})
