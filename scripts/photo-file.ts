/**
 * Read a photo file for the style fit (the texture CLI's `--style-from`, the style benchmark): PNG (pngjs) or JPEG
 * (jpeg-js, pure JavaScript), recognised by their signature bytes, decoded to RGBA8. Node only.
 */
import { readFileSync } from 'node:fs'
import { decode as decodeJpeg } from 'jpeg-js'
import { PNG } from 'pngjs'

/** A decoded photo: RGBA8 `[heightPx, widthPx, 4]`. */
export type PhotoFile = { widthPx: number; heightPx: number; pixels: Uint8Array }

/** Largest photo decoded, in megapixels (a guard against decompression bombs; the fit uses a 64 px square). */
const MAX_MEGAPIXELS = 64

/** Decode PNG or JPEG bytes; throws an Error with a one-line reason for anything else or a broken file. */
export function decodePhoto(bytes: Uint8Array, name = 'photo'): PhotoFile {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8
  try {
    if (png) {
      const img = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      if (img.width * img.height > MAX_MEGAPIXELS * 1e6) throw new Error(`larger than ${MAX_MEGAPIXELS} megapixels`)
      return { widthPx: img.width, heightPx: img.height, pixels: new Uint8Array(img.data) }
    }
    if (jpeg) {
      const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS })
      return { widthPx: img.width, heightPx: img.height, pixels: img.data }
    }
  } catch (e) {
    throw new Error(`${name}: cannot decode the image (${(e as Error).message.split('\n')[0]})`)
  }
  throw new Error(`${name}: not a PNG or JPEG file`)
}

/** Read and decode a PNG or JPEG file. */
export function readPhoto(path: string): PhotoFile {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(readFileSync(path))
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message.split('\n')[0]}`)
  }
  return decodePhoto(bytes, path)
}
