import { describe, expect, it } from 'vitest'
import { photoWorldUrl } from '../../../components/dom/photo-world'
import { withPageOptions } from '../../../components/dom/style-photo'
import { decodeStyle, decodeWorldUrl, encodeStyle } from '../../../world-gen'

const STYLE = encodeStyle({
  slot: 'floor',
  global: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)),
  families: [{ index: 3, weight: 1 }],
})

describe('photoWorldUrl', () => {
  it('opens a new world at its start room with the style, keeping page options but no stale room or style', () => {
    const url = photoWorldUrl('amber-fern-drift', STYLE, '?tex=64&r=5,5&style=old&threads=2')
    expect(url).toBe(`/w/amber-fern-drift?r=0,0&h=0&style=${STYLE}&tex=64&threads=2`)
    const decoded = decodeWorldUrl(url)
    expect(decoded.ok && decoded.value).toMatchObject({ seed: 'amber-fern-drift', x: 0, z: 0, heading: 0 })
    expect(decoded.ok && decoded.value.style?.slot).toBe('floor')
    expect(encodeStyle(decodeStyle(STYLE))).toBe(STYLE)
  })

  it('refuses a corrupt style value rather than opening a link that says it is styled', () => {
    expect(() => photoWorldUrl('amber-fern-drift', STYLE.slice(0, -2), '')).toThrow(/style parameter/)
  })

  it('withPageOptions escapes what it carries over', () => {
    expect(withPageOptions('/w/a?r=0,0&h=0', '?x=a%26b')).toBe('/w/a?r=0,0&h=0&x=a%26b')
  })
})
