import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import {
  AI_TEXTURE_NOTE,
  DEFAULT_LICENCE,
  DIGITAL_SOURCE_TYPE_TRAINED,
  readPngText,
  readProvenance,
  roomProvenance,
  unescapeXml,
  withProvenance,
  XMP_KEYWORD,
  type Provenance,
} from '../../world-gen/provenance'

/** A small RGBA PNG with a deterministic pattern (pngjs, independent of the code under test). */
function samplePng(widthPx = 16, heightPx = 8): Uint8Array {
  const png = new PNG({ width: widthPx, height: heightPx })
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37 + (i >> 2) * 11) & 0xff
  return new Uint8Array(PNG.sync.write(png))
}

const META: Provenance = {
  model: 'surface',
  version: 'surface-v1-0f249bb140bd',
  weightsSha256: '0f249bb140bd1a40562f2acd40af495ed05176bd2f8cec1f4670ab5647b7b364',
  seed: 'Demo world',
  room: { x: 3, z: -2 },
  slot: 'walls',
  url: 'https://latentscape.example/w/Demo%20world?r=3,-2&h=90',
  licence: 'CC-BY-SA-3.0',
}

describe('withProvenance / readProvenance', () => {
  it('round-trips every field, the XMP packet and the standard text keywords', () => {
    const out = withProvenance(samplePng(), META)
    const read = readProvenance(out)
    expect({ ...read, xmp: undefined, digitalSourceType: undefined }).toEqual({
      ...META,
      xmp: undefined,
      digitalSourceType: undefined,
    })
    expect(read.digitalSourceType).toBe(DIGITAL_SOURCE_TYPE_TRAINED)
    expect(read.xmp).toContain(
      `<Iptc4xmpExt:DigitalSourceType>${DIGITAL_SOURCE_TYPE_TRAINED}</Iptc4xmpExt:DigitalSourceType>`,
    )
    expect(read.xmp).toMatch(/^<\?xpacket begin="\uFEFF"/)
    const text = readPngText(out)
    expect(text).toMatchObject({
      Software: 'Latentscape',
      Source: 'Latentscape surface generator (surface-v1-0f249bb140bd)',
      Comment: AI_TEXTURE_NOTE,
      Description: AI_TEXTURE_NOTE,
      Copyright: 'Licence: CC-BY-SA-3.0',
    })
    expect(Object.keys(text)).toContain(XMP_KEYWORD)
  })

  it('keeps the image: pngjs decodes it with identical size and pixels', () => {
    const src = samplePng(33, 17)
    const before = PNG.sync.read(Buffer.from(src))
    const after = PNG.sync.read(Buffer.from(withProvenance(src, META)))
    expect([after.width, after.height]).toEqual([33, 17])
    expect(Buffer.compare(after.data, before.data)).toBe(0)
  })

  it('escapes hostile seed text in the XMP and still round-trips it exactly', () => {
    const seed = `</latentscape:seed><script>alert("x")</script> & ]]> ?> 'q' ünï 世界 🙂 \u0007`
    const out = withProvenance(samplePng(), { ...META, seed, url: '/w/x?r=0,0&h=0' })
    const read = readProvenance(out)
    // Text chunks carry the exact value (UTF-8 iTXt for non-ASCII); only the NUL-free original is expected.
    expect(read.seed).toBe(seed)
    const xmp = read.xmp!
    expect(xmp).not.toContain('<script')
    expect(xmp).not.toContain('</latentscape:seed><')
    expect(xmp).toContain(
      '&lt;/latentscape:seed&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt; ?&gt;',
    )
    expect(xmp).toContain('&apos;q&apos;')
    expect(xmp).toContain('/w/x?r=0,0&amp;h=0')
    // The BEL control character is not an XML 1.0 character: it is replaced, never written raw.
    expect(xmp).not.toContain('\u0007')
    const inXmp = /<latentscape:seed>([^<]*)<\/latentscape:seed>/.exec(xmp)
    expect(inXmp).not.toBeNull()
    expect(unescapeXml(inXmp![1])).toBe(seed.replace('\u0007', '\uFFFD'))
    // One element per property: the hostile text did not open or close any element.
    expect(xmp.match(/<latentscape:seed>/g)).toHaveLength(1)
  })

  it('replaces its own chunks when written twice, and leaves other text chunks alone', () => {
    const once = withProvenance(samplePng(), META)
    const twice = withProvenance(once, { ...META, room: { x: 0, z: 0 }, slot: 'floor' })
    const read = readProvenance(twice)
    expect([read.room, read.slot]).toEqual([{ x: 0, z: 0 }, 'floor'])
    const xmpCount = Buffer.from(twice).toString('latin1').split(XMP_KEYWORD).length - 1
    expect(xmpCount).toBe(1)
  })

  it.each([
    ['an empty buffer', new Uint8Array(0)],
    ['a JPEG header', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0])],
  ])('refuses %s (not a PNG)', (_, bytes) => {
    expect(() => withProvenance(bytes, META)).toThrow(/not a PNG/)
    expect(() => readProvenance(bytes)).toThrow(/not a PNG/)
  })

  it('says so when a PNG carries no provenance', () => {
    expect(() => readProvenance(samplePng())).toThrow(/no Latentscape provenance/)
  })

  it('names the material family painted, a blend too, in a text chunk and the XMP; none for the sky', () => {
    const blend = { ...META, family: 'brick 75% + plaster 25%' }
    const out = withProvenance(samplePng(), blend)
    const read = readProvenance(out)
    expect(read.family).toBe('brick 75% + plaster 25%')
    expect(readPngText(out)['latentscape:family']).toBe('brick 75% + plaster 25%')
    expect(read.xmp).toContain('<latentscape:family>brick 75% + plaster 25%</latentscape:family>')
    expect(readProvenance(withProvenance(samplePng(), META)).family).toBeUndefined()
    // Written again without a family, the old family chunk goes with the rest of the old provenance.
    expect(readProvenance(withProvenance(out, META)).family).toBeUndefined()
    expect(
      roomProvenance({ model: 'surface', version: 'v' }, { seed: 'a', x: 1, z: 2, slot: 'walls', family: 'metal' }),
    ).toMatchObject({ slot: 'walls', family: 'metal' })
  })

  it('roomProvenance builds the world link of the spot with encodeWorldUrl', () => {
    const model = { model: 'surface', version: 'v', weightsSha256: undefined }
    expect(roomProvenance(model, { seed: 'Demo world', x: -4, z: 7, slot: 'trim' })).toEqual({
      model: 'surface',
      version: 'v',
      seed: 'Demo world',
      room: { x: -4, z: 7 },
      slot: 'trim',
      url: '/w/Demo%20world?r=-4,7&h=0',
    })
    expect(
      roomProvenance(model, { seed: 'a', x: 0, z: 0, slot: 'floor', heading: 450, origin: 'https://x.example/' }).url,
    ).toBe('https://x.example/w/a?r=0,0&h=90')
  })

  it("carries the weights' own licence into the PNG; only a record without one falls back to the default", () => {
    const sky = { model: 'sky', version: 'v', licence: 'CC-BY-SA-4.0' }
    const meta = roomProvenance(sky, { seed: 'a', x: 0, z: 0, slot: 'sky' })
    expect(meta.licence).toBe('CC-BY-SA-4.0')
    const png = withProvenance(samplePng(), meta)
    expect(readProvenance(png).licence).toBe('CC-BY-SA-4.0')
    expect(readPngText(png)['Copyright']).toBe('Licence: CC-BY-SA-4.0')
    expect(readProvenance(png).xmp).toContain('CC-BY-SA-4.0; generated by the sky model')
    const legacy = roomProvenance({ model: 'sky', version: 'v' }, { seed: 'a', x: 0, z: 0, slot: 'sky' })
    expect(legacy.licence).toBeUndefined()
    expect(readProvenance(withProvenance(samplePng(), legacy)).licence).toBe(DEFAULT_LICENCE)
  })
})
