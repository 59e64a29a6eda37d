/**
 * Security headers on real production responses (next.config.ts `headers()`): CSP, cross-origin isolation,
 * referrer, nosniff and permissions policy on pages, model files and wasm; and a world still loads under them.
 */
import { describe, expect, inject, it } from 'vitest'
import { openPage, browserForFile } from './support/browser'

const baseUrl = inject('baseUrl')
const browser = browserForFile()

const PATHS = [
  '/',
  '/w/amber-fern-drift',
  '/w/amber-fern-drift?r=1,-2&h=90',
  '/models/surface/model.json',
  '/models/surface/weights.bin',
  '/tfjs/tfjs-backend-wasm-simd.wasm',
  '/sw.js',
]

/** Parse a CSP into directive → sources. */
function parseCsp(value: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) out.set(name, sources)
  }
  return out
}

describe('security headers', () => {
  it.each(PATHS)('%s carries the full set', async (path) => {
    const response = await fetch(`${baseUrl}${path}`)
    expect(response.status).toBe(200)
    await response.arrayBuffer()
    const h = response.headers
    expect(h.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(h.get('cross-origin-embedder-policy')).toBe('require-corp')
    expect(h.get('cross-origin-resource-policy')).toBe('same-origin')
    expect(h.get('referrer-policy')).toBe('no-referrer')
    expect(h.get('x-content-type-options')).toBe('nosniff')
    expect(h.get('x-frame-options')).toBe('DENY')
    const permissions = h.get('permissions-policy') ?? ''
    expect(permissions).toContain('xr-spatial-tracking=(self)')
    for (const denied of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()'])
      expect(permissions).toContain(denied)
    const csp = parseCsp(h.get('content-security-policy') ?? '')
    expect(csp.get('default-src')).toEqual(["'self'"])
    expect(csp.get('script-src')).toEqual(["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'"])
    expect(csp.get('script-src')).not.toContain("'unsafe-eval'")
    expect(csp.get('worker-src')).toEqual(["'self'", 'blob:'])
    expect(csp.get('object-src')).toEqual(["'none'"])
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
    expect(csp.get('base-uri')).toEqual(["'self'"])
    // No directive allows another origin.
    for (const sources of csp.values())
      for (const s of sources) expect(s, `CSP source ${s}`).toMatch(/^('[a-z-]+'|data:|blob:)$/)
  })

  it('serves the wasm binary as application/wasm and the service worker as JavaScript', async () => {
    const wasm = await fetch(`${baseUrl}/tfjs/tfjs-backend-wasm-simd.wasm`)
    expect(wasm.headers.get('content-type')).toBe('application/wasm')
    await wasm.arrayBuffer()
    const sw = await fetch(`${baseUrl}/sw.js`)
    expect(sw.headers.get('content-type')).toMatch(/javascript/)
    expect(sw.headers.get('cache-control')).toBe('no-cache')
    await sw.text()
  })

  it('the share card (OG image) still renders', async () => {
    const response = await fetch(`${baseUrl}/w/amber-fern-drift/opengraph-image`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000)
  })

  it(
    'a world loads under them: cross-origin isolated, textured, no CSP violation or console error',
    { timeout: 200_000 },
    async () => {
      const { page, context, record } = await openPage(browser(), baseUrl, '/w/amber-fern-drift?tex=64', {
        viewport: { width: 480, height: 300 },
      })
      try {
        await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
          timeout: 150_000,
          polling: 250,
        })
        expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true)
        const state = await page.evaluate(() => window.latentscape!.getState())
        expect(['wasm', 'cpu', 'webgl', 'webgpu']).toContain(state.backend)
        expect(record.pageErrors).toEqual([])
        expect(record.consoleErrors).toEqual([])
        expect(record.blockedRequests).toEqual([])
      } finally {
        await context.close()
      }
    },
  )
})
