/**
 * Mip chains of tileable RGBA8 textures and trilinear sampling at a footprint (Williams 1983, "Pyramidal
 * parametrics"): for textures seen in perspective on a plane, where one output pixel covers many texels (the share
 * card's ground, the sky's cloud layer near the horizon). Pure; no tf.js, no DOM.
 */

/** An RGBA8 image, row-major. */
export interface RgbaImage {
  /** Pixels, 4 bytes each (alpha is ignored when sampling). */
  data: Uint8Array
  widthPx: number
  heightPx: number
}

/** A tileable texture's mip chain: level 0 is the texture, each next level a 2×2 box average (wrapping). */
export function mipChain(tex: RgbaImage): RgbaImage[] {
  const levels = [tex]
  let cur = tex
  while (cur.widthPx > 1 && cur.heightPx > 1 && cur.widthPx % 2 === 0 && cur.heightPx % 2 === 0) {
    const w = cur.widthPx / 2
    const h = cur.heightPx / 2
    const data = new Uint8Array(w * h * 4)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 4; c++) {
          const at = (yy: number, xx: number) => cur.data[4 * (yy * cur.widthPx + xx) + c]!
          const s = at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)
          data[4 * (y * w + x) + c] = (s + 2) >> 2
        }
      }
    }
    cur = { data, widthPx: w, heightPx: h }
    levels.push(cur)
  }
  return levels
}

/** Bilinear sample of a tileable texture at its own texel coordinates (s, t) (wrapping); adds `weight`·RGB to `out`. */
function addBilinear(tex: RgbaImage, s: number, t: number, weight: number, out: Float64Array): void {
  const { data, widthPx: w, heightPx: h } = tex
  const x = s - 0.5
  const y = t - 0.5
  const x0 = Math.floor(x)
  const y0 = Math.floor(y)
  const fx = x - x0
  const fy = y - y0
  const xa = ((x0 % w) + w) % w
  const xb = xa + 1 === w ? 0 : xa + 1
  const ya = ((y0 % h) + h) % h
  const yb = ya + 1 === h ? 0 : ya + 1
  const a = 4 * (ya * w + xa)
  const b = 4 * (ya * w + xb)
  const c = 4 * (yb * w + xa)
  const d = 4 * (yb * w + xb)
  const wa = weight * (1 - fx) * (1 - fy)
  const wb = weight * fx * (1 - fy)
  const wc = weight * (1 - fx) * fy
  const wd = weight * fx * fy
  for (let k = 0; k < 3; k++) out[k] += wa * data[a + k]! + wb * data[b + k]! + wc * data[c + k]! + wd * data[d + k]!
}

/**
 * Trilinear sample of a mip chain at level-0 texel coordinates (s, t) with a footprint of `footprintTexels` level-0
 * texels per output pixel; writes RGB (0..255 floats) to `out`.
 */
export function sampleMip(mips: RgbaImage[], s: number, t: number, footprintTexels: number, out: Float64Array) {
  const level = Math.min(Math.max(Math.log2(Math.max(footprintTexels, 1)), 0), mips.length - 1)
  const l0 = Math.floor(level)
  const l1 = Math.min(l0 + 1, mips.length - 1)
  const f = level - l0
  out[0] = out[1] = out[2] = 0
  const base = mips[0]!
  const m0 = mips[l0]!
  addBilinear(m0, (s * m0.widthPx) / base.widthPx, (t * m0.heightPx) / base.heightPx, 1 - f, out)
  if (f > 0) {
    const m1 = mips[l1]!
    addBilinear(m1, (s * m1.widthPx) / base.widthPx, (t * m1.heightPx) / base.heightPx, f, out)
  }
  return out
}
