/**
 * Offline: once a world has loaded, it keeps working without a network. The service worker (public/sw.js) serves
 * the page, chunks, wasm and model from its caches; the reloaded world generates textures for rooms it never saw,
 * from the cached model. (The shared page helper blocks service workers, so this test opens its own context.)
 */
import { describe, expect, inject, it } from 'vitest'
import { browserForFile } from './support/browser'

const baseUrl = inject('baseUrl')
const SEED = 'offline-walk'
const browser = browserForFile()

describe('offline', () => {
  it.each([
    ['after arriving from the landing page', true],
    ['after opening the world link directly (first ever visit)', false],
  ])('a loaded world reloads and walks on offline, %s', async (_, viaLanding) => {
    const context = await browser().newContext({ viewport: { width: 320, height: 200 }, serviceWorkers: 'allow' })
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    try {
      if (viaLanding) {
        // First visit (landing): the service worker installs, precaches the model and wasm, and takes control.
        await page.goto(`${baseUrl}/`, { waitUntil: 'load' })
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 })
      }
      // Opened directly, the world page and the generation worker load before the service worker controls them:
      // the page hands it what it loaded, and what the worker loaded (reported in the worker's `ready`).
      await page.goto(`${baseUrl}/w/${SEED}?tex=64`, { waitUntil: 'load' })
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 150_000,
        polling: 250,
      })
      await page.waitForFunction(
        async () =>
          (await caches.match('/models/surface/weights.bin')) !== undefined &&
          (await caches.match(location.href, { ignoreSearch: true })) !== undefined,
        undefined,
        { timeout: 60_000, polling: 500 },
      )

      await context.setOffline(true)
      // Belt and braces: any request that still reaches the network layer fails, as it would with no connection.
      await context.route('**/*', (route) => route.abort('internetdisconnected'))
      const reloaded = await page.reload({ waitUntil: 'load' })
      expect(reloaded?.fromServiceWorker()).toBe(true)
      expect(await page.evaluate(() => navigator.onLine)).toBe(false)
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 150_000,
        polling: 250,
      })
      // Five rooms east: outside everything streamed before going offline, so it must be generated now.
      await page.evaluate(() => window.latentscape!.goTo(5, 0, 90))
      await page.waitForFunction(() => window.latentscape!.isRoomReady(5, 0), undefined, {
        timeout: 150_000,
        polling: 250,
      })
      const state = await page.evaluate(() => window.latentscape!.getState())
      const stats = await page.evaluate(() => window.latentscape!.getStats())
      expect(state.room).toEqual({ x: 5, z: 0 })
      expect(state.backend).not.toBeNull()
      expect(stats.textureBytes).toBeGreaterThan(0)
      expect(await page.getByTestId('world-notice').allInnerTexts()).toEqual([])
      expect(pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
