import { describe, expect, it, vi } from 'vitest'

vi.mock('server-only', () => ({}))
const { drawableWithBundledFont, renderLabelLayer } = await import('../../../components/server/share-card-label')

describe('drawableWithBundledFont', () => {
  it.each([
    ['a word seed', 'amber-fern-drift', true],
    ['spaces and punctuation', 'Demo world #3!', true],
    ['Latin-1 and Latin Extended-A letters', 'Zoë Ćirić façade', true],
    ['Cyrillic', 'Привет мир', true],
    ['CJK (next/og would download a Google font)', '世界の夢', false],
    ['Greek with tonos (not in the bundled font)', 'Ωμέγα', false],
    ['an emoji (next/og would download a Twemoji SVG)', 'sky 🌅', false],
    ['a combining accent', 'e\u0301', false],
  ])('%s → %s', (_, text, expected) => {
    expect(drawableWithBundledFont(text)).toBe(expected)
  })
})

describe('renderLabelLayer', () => {
  const size = { width: 1200, height: 630 } // the card's size: the label's type sizes are in card pixels
  const alphaIn = (rgba: Uint8Array, x0: number, y0: number, x1: number, y1: number) => {
    let max = 0
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) max = Math.max(max, rgba[4 * (y * size.width + x) + 3]!)
    return max
  }

  it('draws the label and a scrim along the bottom, and leaves the top transparent', async () => {
    const rgba = await renderLabelLayer({ seed: 'amber', caption: 'AI-generated sky' }, size)
    expect(rgba.length).toBe(size.width * size.height * 4)
    expect(alphaIn(rgba, 0, 0, size.width, 0.5 * size.height)).toBe(0) // the sky stays untouched
    expect(alphaIn(rgba, 0, size.height - 10, size.width, size.height)).toBeGreaterThan(150)
    // White text: some opaque near-white pixels in the lower half.
    let white = 0
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 3]! > 200 && rgba[i]! > 230 && rgba[i + 2]! > 230) white++
    expect(white).toBeGreaterThan(100)
  })

  it('makes no network request, whatever the seed', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    try {
      const withSeed = await renderLabelLayer({ seed: 'W', caption: 'AI-generated sky' }, size)
      const cjk = await renderLabelLayer({ seed: '世界の夢🌅', caption: 'AI-generated sky' }, size)
      const remote = fetchSpy.mock.calls.map(([url]) => String(url)).filter((u) => !u.startsWith('data:'))
      expect(remote).toEqual([])
      // The CJK seed is left out (nothing the bundled font cannot draw), so its layer has less ink than one with a seed.
      const ink = (rgba: Uint8Array) => rgba.reduce((n, v, i) => (i % 4 === 3 && v > 200 ? n + 1 : n), 0)
      expect(ink(cjk)).toBeLessThan(ink(withSeed))
    } finally {
      fetchSpy.mockRestore()
    }
  })
})
