import { describe, expect, it } from 'vitest'
import { PNG } from 'pngjs'
import { PHOTO_GUIDANCE, readPngText, readProvenance, roomProvenance, withProvenance } from '../../world-gen/provenance'
import { encodeStyle, quantiseStyle, toLatentSphere } from '../../world-gen/style'

const style = quantiseStyle(
  'walls',
  toLatentSphere(Float32Array.from({ length: 64 }, (_, i) => Math.sin(i))),
  Float32Array.from([1, 0, 0]),
)
const model = { model: 'surface', version: 'surface-v2-test', weightsSha256: 'ab'.repeat(32) }
const png = () => {
  const img = new PNG({ width: 4, height: 4 })
  img.data.fill(128)
  return new Uint8Array(PNG.sync.write(img))
}

describe('provenance of a texture painted under a photo style', () => {
  it('says the texture was guided by a user photo and links the styled world', () => {
    const p = roomProvenance(model, { seed: 'demo', x: 1, z: 0, slot: 'walls', style })
    expect(p.guidance).toBe(PHOTO_GUIDANCE)
    expect(p.url).toBe(`/w/demo?r=1,0&h=0&style=${encodeStyle(style)}`)
    const back = readProvenance(withProvenance(png(), p))
    expect(back.guidance).toBe(PHOTO_GUIDANCE)
    expect(back.xmp).toContain(`<latentscape:guidance>${PHOTO_GUIDANCE}</latentscape:guidance>`)
    expect(readPngText(withProvenance(png(), p)).Description).toContain(PHOTO_GUIDANCE)
  })

  it('claims no guidance for a texture the style did not paint, or a world without one', () => {
    const outside = roomProvenance(model, { seed: 'demo', x: 9, z: 0, slot: 'floor', style, styled: false })
    expect(outside.guidance).toBeUndefined()
    expect(outside.url).toContain('style=')
    const plain = roomProvenance(model, { seed: 'demo', x: 0, z: 0, slot: 'walls' })
    expect(plain.guidance).toBeUndefined()
    expect(readProvenance(withProvenance(png(), plain)).guidance).toBeUndefined()
  })
})
