import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { qrDataUrl, qrEncodedText, qrSvg, SHARE_QR_ERROR_CORRECTION } from '../../../components/export/qr-code'

const URLS = [
  'http://localhost:3000/w/Demo%20world?r=2,-1&h=90',
  'https://latentscape.example/w/W%C3%A4ldchen%20%E4%B8%96%E7%95%8C?r=-1000000,1000000&h=359',
]

describe('share QR codes', () => {
  it.each(URLS)('encode the exact link %s', (url) => {
    expect(qrEncodedText(url)).toBe(url)
  })

  it('draw an SVG of the same symbol the segments describe, as a data: URL (no network)', async () => {
    const url = URLS[0]
    const svg = await qrSvg(url)
    const modules = QRCode.create(url, { errorCorrectionLevel: SHARE_QR_ERROR_CORRECTION }).modules.size
    // viewBox = modules + 2 × 2-module quiet zone.
    expect(svg).toContain(`viewBox="0 0 ${modules + 4} ${modules + 4}"`)
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
    const dataUrl = await qrDataUrl(url)
    expect(dataUrl.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true)
    expect(decodeURIComponent(dataUrl.slice(dataUrl.indexOf(',') + 1))).toBe(svg)
  })
})
