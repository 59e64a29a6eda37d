/**
 * QR codes of share links, drawn locally by the `qrcode` library (no network): an SVG string, a `data:` URL for an
 * `<img>` (allowed by the CSP's `img-src data:`), and the exact text the symbol encodes (for tests).
 */
import QRCode from 'qrcode'

/** Error correction of share QR codes: M (15 %) keeps symbols small for long links and scans well off a screen. */
export const SHARE_QR_ERROR_CORRECTION = 'M'

/** The text a QR code for `text` encodes, reassembled from the library's segments (byte, alphanumeric, numeric…). */
export function qrEncodedText(text: string): string {
  const qr = QRCode.create(text, { errorCorrectionLevel: SHARE_QR_ERROR_CORRECTION })
  const decoder = new TextDecoder()
  return qr.segments
    .map((s) => {
      const data = (s as unknown as { data: Uint8Array | string }).data
      return typeof data === 'string' ? data : decoder.decode(data)
    })
    .join('')
}

/** An SVG QR code of `text` (dark modules on white, quiet zone of 2 modules). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: SHARE_QR_ERROR_CORRECTION,
    margin: 2,
    color: { dark: '#000000', light: '#ffffff' },
  })
}

/** `data:image/svg+xml` URL of `qrSvg(text)`. */
export async function qrDataUrl(text: string): Promise<string> {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await qrSvg(text))}`
}
