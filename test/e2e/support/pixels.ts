/** Pixel statistics of a PNG, for asserting that a canvas really drew something. */
import { PNG } from 'pngjs'

/** Summary of an RGBA image. */
export type PixelStats = {
  widthPx: number
  heightPx: number
  /** Distinct colours after quantising each channel to 4 bits (ignores dithering noise). */
  distinctColors: number
  /** Standard deviation of luma (Rec. 601), 0–255. */
  lumaStdDev: number
  /** Mean alpha, 0–255. */
  meanAlpha: number
}

/** Decode a `data:image/png;base64,…` URL (e.g. from `canvas.toDataURL()`) and summarise its pixels. */
export function pngDataUrlStats(dataUrl: string): PixelStats {
  const prefix = 'data:image/png;base64,'
  if (!dataUrl.startsWith(prefix)) throw new Error(`not a PNG data URL: ${dataUrl.slice(0, 40)}`)
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(prefix.length), 'base64'))
  const colors = new Set<number>()
  let sum = 0
  let sumSq = 0
  let alpha = 0
  const pixels = png.width * png.height
  for (let i = 0; i < png.data.length; i += 4) {
    const r = png.data[i]
    const g = png.data[i + 1]
    const b = png.data[i + 2]
    colors.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4))
    const luma = 0.299 * r + 0.587 * g + 0.114 * b
    sum += luma
    sumSq += luma * luma
    alpha += png.data[i + 3]
  }
  const mean = sum / pixels
  return {
    widthPx: png.width,
    heightPx: png.height,
    distinctColors: colors.size,
    lumaStdDev: Math.sqrt(Math.max(0, sumSq / pixels - mean * mean)),
    meanAlpha: alpha / pixels,
  }
}

/** Mean absolute difference per channel (RGB, 0–255) between two equally sized PNG data URLs. */
export function pngDataUrlMeanDiff(a: string, b: string): number {
  const decode = (url: string) => PNG.sync.read(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'))
  const pa = decode(a)
  const pb = decode(b)
  if (pa.width !== pb.width || pa.height !== pb.height)
    throw new Error(`sizes differ: ${pa.width}×${pa.height} vs ${pb.width}×${pb.height}`)
  let sum = 0
  for (let i = 0; i < pa.data.length; i += 4)
    for (let c = 0; c < 3; c++) sum += Math.abs(pa.data[i + c] - pb.data[i + c])
  return sum / ((pa.data.length / 4) * 3)
}
