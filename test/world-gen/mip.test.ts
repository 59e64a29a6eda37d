import { describe, expect, it } from 'vitest'
import { mipChain, sampleMip, type RgbaImage } from '../../world-gen/mip'

function image(
  widthPx: number,
  heightPx: number,
  color: (x: number, y: number) => [number, number, number],
): RgbaImage {
  const data = new Uint8Array(widthPx * heightPx * 4)
  for (let y = 0; y < heightPx; y++)
    for (let x = 0; x < widthPx; x++) {
      data.set([...color(x, y), 255], 4 * (y * widthPx + x))
    }
  return { data, widthPx, heightPx }
}
const px = (rgba: Uint8Array, widthPx: number, x: number, y: number) =>
  Array.from(rgba.subarray(4 * (y * widthPx + x), 4 * (y * widthPx + x) + 3))

describe('mipChain', () => {
  it('halves down to 1×1, each level the 2×2 box average', () => {
    const levels = mipChain(image(8, 8, (x, y) => [(x + y) % 2 ? 255 : 0, 100, 0]))
    expect(levels.map((l) => l.widthPx)).toEqual([8, 4, 2, 1])
    expect(px(levels[1]!.data, 4, 1, 1)).toEqual([128, 100, 0])
    expect(px(levels[3]!.data, 1, 0, 0)).toEqual([128, 100, 0])
  })
})

describe('sampleMip', () => {
  const checker = mipChain(image(8, 8, (x, y) => [(x + y) % 2 ? 255 : 0, 100, 0]))
  const out = new Float64Array(3)

  it('reads texel centres exactly at footprint 1 and wraps around the edges', () => {
    expect(Array.from(sampleMip(checker, 1.5, 0.5, 1, out))).toEqual([255, 100, 0])
    expect(Array.from(sampleMip(checker, 8 + 1.5, -8 + 0.5, 1, out))).toEqual([255, 100, 0])
  })

  it('averages over the footprint: many texels per pixel give the mean, not a flickering texel', () => {
    for (const s of [0.5, 1.5, 2.25, 3.7])
      expect(Math.abs(sampleMip(checker, s, 0.5, 8, out)[0]! - 127.5)).toBeLessThanOrEqual(1)
  })
})
