/**
 * Offline: once a world has loaded, it keeps working without a network. The service worker (public/sw.js) serves
 * the page, chunks, wasm and model from its caches; the reloaded world generates textures for rooms it never saw,
 * from the cached model. (The shared page helper blocks service workers, so this test opens its own context.)
 */
import type { Route } from 'playwright-core'
import { describe, expect, inject, it } from 'vitest'
import { browserForFile } from './support/browser'

const baseUrl = inject('baseUrl')
const SEED = 'offline-walk'
const browser = browserForFile()

/** Every wait is shorter than the test, so a failure names the step that did not finish (with what was recorded). */
const STEP_MS = 60_000
const TEST_MS = 6 * STEP_MS
/** The slow-connection case: how long each script download of the page and its workers takes. */
const SLOW_SCRIPT_MS = 1000

describe('offline', () => {
  it.each([
    ['after arriving from the landing page', true, false],
    ['after opening the world link directly (first ever visit)', false, false],
    // Scripts (the world scene's chunk, the generation worker and its imports) are still downloading when the service
    // worker takes control: they never pass through it, yet must end up in its cache.
    ['after opening the world link directly on a slow connection', false, true],
  ])(
    'a loaded world reloads and walks on offline, %s',
    async (_, viaLanding, slowScripts) => {
      const context = await browser().newContext({ viewport: { width: 320, height: 200 }, serviceWorkers: 'allow' })
      const t0 = Date.now()
      const steps: string[] = []
      const pageErrors: string[] = []
      const consoleErrors: string[] = []
      const failedRequests: string[] = []
      const errorResponses: string[] = []
      context.on('requestfailed', (r) => failedRequests.push(`${r.failure()?.errorText ?? '?'} ${r.url()}`))
      context.on('response', (r) => {
        if (r.status() >= 400) errorResponses.push(`${r.status()} ${r.url()}`)
      })
      const page = await context.newPage()
      page.on('pageerror', (e) => pageErrors.push(String(e)))
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text())
      })
      const record = () => JSON.stringify({ steps, pageErrors, consoleErrors, failedRequests, errorResponses }, null, 2)
      /** Run one step; if it throws (a wait timing out included), fail naming it, with everything recorded so far. */
      const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
        steps.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${name}`)
        try {
          return await run()
        } catch (error) {
          throw new Error(`offline test step "${name}" failed: ${String(error)}\n${record()}`, { cause: error })
        }
      }
      const textured = () =>
        page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
          timeout: STEP_MS,
          polling: 250,
        })
      const slowScript = async (route: Route) => {
        // Only what the page and its workers fetch; the service worker's own requests (its caching) go at full speed.
        if (route.request().serviceWorker() === null) await new Promise((wait) => setTimeout(wait, SLOW_SCRIPT_MS))
        await route.fallback()
      }
      try {
        if (slowScripts) await context.route('**/_next/static/**', slowScript)
        if (viaLanding) {
          // First visit (landing): the service worker installs, precaches the model and wasm, and takes control.
          await step('open the landing page', () => page.goto(`${baseUrl}/`, { waitUntil: 'load' }))
          await step('landing page controlled by the service worker', () =>
            page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: STEP_MS }),
          )
        }
        // Opened directly, the world page and the generation worker load before the service worker controls them:
        // the page reports what it and the worker loaded, and says when the service worker has cached all of it.
        await step('open the world', () => page.goto(`${baseUrl}/w/${SEED}?tex=64`, { waitUntil: 'load' }))
        await step('world textured online', textured)
        await step('offline cache ready (<html data-offline="ready">)', () =>
          page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', undefined, {
            timeout: STEP_MS,
            polling: 250,
          }),
        )
        const cached = await page.evaluate(async () => ({
          model: (await caches.match('/models/surface/weights.bin')) !== undefined,
          page: (await caches.match(location.href, { ignoreSearch: true })) !== undefined,
        }))
        expect(cached, record()).toEqual({ model: true, page: true })
        if (slowScripts) await context.unroute('**/_next/static/**', slowScript)

        await context.setOffline(true)
        // Belt and braces: any request that still reaches the network layer fails, as it would with no connection.
        await context.route('**/*', (route) => route.abort('internetdisconnected'))
        const reloaded = await step('reload offline', () => page.reload({ waitUntil: 'load' }))
        expect(reloaded?.fromServiceWorker(), record()).toBe(true)
        expect(await page.evaluate(() => navigator.onLine)).toBe(false)
        await step('world textured offline', textured)
        // Five rooms east: outside everything streamed before going offline, so it must be generated now.
        await page.evaluate(() => window.latentscape!.goTo(5, 0, 90))
        await step('room (5, 0) generated offline', () =>
          page.waitForFunction(() => window.latentscape!.isRoomReady(5, 0), undefined, {
            timeout: STEP_MS,
            polling: 250,
          }),
        )
        const state = await page.evaluate(() => window.latentscape!.getState())
        const stats = await page.evaluate(() => window.latentscape!.getStats())
        expect(state.room, record()).toEqual({ x: 5, z: 0 })
        // A generator that could not start offline (a script missing from the cache) leaves the rooms grey, "ready".
        expect(state.backend, record()).not.toBeNull()
        expect(stats.textureBytes, record()).toBeGreaterThan(0)
        expect(await page.getByTestId('world-notice').allInnerTexts(), record()).toEqual([])
        expect(pageErrors, record()).toEqual([])
      } finally {
        await context.close()
      }
    },
    TEST_MS,
  )
})
