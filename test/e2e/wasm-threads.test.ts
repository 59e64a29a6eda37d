import { describe, expect, inject, it } from 'vitest'
import { openPage, browserForFile } from './support/browser'

const baseUrl = inject('baseUrl')
const browser = browserForFile()

const WORKER_SCRIPT = '/tfjs/tfjs-backend-wasm-threaded-simd.worker.js'
const MODULE_SCRIPT = '/tfjs/tfjs-backend-wasm-threaded-simd.js'

/**
 * tfjs's threaded wasm build under the app's real headers (COOP/COEP, and a CSP whose script-src has no blob:): its
 * pthread workers must start from the same-origin scripts or the backend never starts, and it must compute on the
 * threads asked (tfjs alone would cap them at half the logical cores: one on this machine's two). By default the app
 * asks for every logical core the browser reports but the page's own (the page's count is set here, so the test does
 * not depend on the machine); on two cores that is the single-threaded build, and neither script is fetched.
 */
describe('wasm backend threads', () => {
  it('starts the threaded build under the CSP when asked (?threads=2), without blob: scripts', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/w/amber-fern-drift?tex=64&threads=2')
    try {
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 120_000,
      })
      const state = await page.evaluate(() => window.latentscape!.getState())
      expect(state.backend).toBe('wasm')
      expect(state.threads).toBe(2)
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
      const origin = new URL(baseUrl).origin
      expect(record.requests).toContain(`${origin}${WORKER_SCRIPT}`)
      expect(record.requests).toContain(`${origin}${MODULE_SCRIPT}`)
      expect(record.requests).toContain(`${origin}/tfjs/tfjs-backend-wasm-threaded-simd.wasm`)
      expect(record.requests.filter((url) => url.startsWith('blob:'))).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('asks for every logical core but one by default: three threads on four', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/w/amber-fern-drift?tex=64', {
      initScript: () => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 4 }),
    })
    try {
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 120_000,
      })
      expect(await page.evaluate(() => window.latentscape!.getState())).toMatchObject({ backend: 'wasm', threads: 3 })
      await expect.poll(() => page.getByTestId('hud-threads').textContent()).toContain('3 threads')
      expect(record.requests).toContain(`${new URL(baseUrl).origin}${WORKER_SCRIPT}`)
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('runs the single-threaded build by default on two cores', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/w/amber-fern-drift?tex=64', {
      initScript: () => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2 }),
    })
    try {
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 120_000,
      })
      expect(await page.evaluate(() => window.latentscape!.getState())).toMatchObject({ backend: 'wasm', threads: 1 })
      expect(await page.getByTestId('hud-threads').count()).toBe(0)
      const threaded = record.requests.filter((url) => url.includes('threaded'))
      expect(threaded).toEqual([])
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
