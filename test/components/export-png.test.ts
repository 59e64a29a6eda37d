import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { encodeRgbaPng, texturePng, textureFileName, type ExportTexture } from '../../components/export/export-png'
import { DIGITAL_SOURCE_TYPE_TRAINED, readProvenance } from '../../world-gen/provenance'

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

  it.each([
    ['Demo world', { x: 2, z: -1 }, 'walls', 'latentscape-Demo-world-2_-1-walls.png'],
    ['../../etc/passwd', { x: 0, z: 0 }, 'floor', 'latentscape-etc-passwd-0_0-floor.png'],
    ['Wäldchen 世界', { x: 0, z: 3 }, 'trim', 'latentscape-Wäldchen-世界-0_3-trim.png'],
  ])('names the file of %s safely', (seed, room, slot, name) => {
    expect(textureFileName(seed, room, slot)).toBe(name)
  })
})
