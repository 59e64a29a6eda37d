import { describe, expect, it } from 'vitest'
import { decodeWorldParams, decodeWorldUrl, encodeWorldUrl } from '../../world-gen/url'
import { encodeStyle, quantiseStyle, toLatentSphere } from '../../world-gen/style'

const style = quantiseStyle(
  'walls',
  toLatentSphere(Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7))),
  Float32Array.from([0.7, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
)
const text = encodeStyle(style)

describe('world URL with a photo style', () => {
  it('round-trips seed, room, heading and style', () => {
    const url = encodeWorldUrl({ seed: 'demo', x: 3, z: -2, heading: 90, style })
    expect(url).toBe(`/w/demo?r=3,-2&h=90&style=${text}`)
    const back = decodeWorldUrl(url)
    expect(back.ok).toBe(true)
    if (!back.ok) return
    expect(back.warnings).toEqual([])
    expect(back.value.style?.slot).toBe('walls')
    expect(encodeStyle(back.value.style!)).toBe(text)
    expect(encodeWorldUrl(back.value)).toBe(url)
  })

  it('has no style parameter for a plain world', () => {
    expect(encodeWorldUrl({ seed: 'demo', x: 0, z: 0, heading: 0 })).toBe('/w/demo?r=0,0&h=0')
  })

  it.each([
    ['corrupt', text.slice(0, 30) + (text[30] === 'A' ? 'B' : 'A') + text.slice(31), /checksum|corrupt/],
    ['truncated', text.slice(0, 50), /truncated|bytes/],
    ['not base64url', '%%%', /base64url/],
  ])('a %s style is a warning: the seed, room and heading still open, without the style', (_, bad, reason) => {
    const r = decodeWorldParams('demo', { r: '2,5', h: '45', style: bad })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value).toEqual({ seed: 'demo', x: 2, z: 5, heading: 45 })
    expect(r.styleError).toMatch(reason)
    expect(r.warnings.join(' ')).toMatch(/without the photo style/)
    expect(r.warnings.join(' ')).not.toContain(bad.slice(0, 20))
  })

  it('refuses two style parameters', () => {
    const r = decodeWorldUrl(`/w/demo?style=${text}&style=${text}`)
    expect(r.ok && r.styleError).toMatch(/duplicate/)
  })

  it('does not count style as an unknown parameter', () => {
    const r = decodeWorldUrl(`/w/demo?r=0,0&h=0&style=${text}`)
    expect(r.ok && r.warnings).toEqual([])
  })
})
