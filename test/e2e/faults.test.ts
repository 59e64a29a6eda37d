/**
 * Faults injected in the browser: a missing or corrupt model, a missing wasm binary, no WebGPU adapter and a worker
 * crash mid-walk. Each must give a clear message and let the app go on (next backend, restart, or clearly labelled
 * untextured surfaces), never procedural noise in place of generated scenery. Pages use `?tex=64` and a tiny viewport.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, inject, it } from 'vitest'
import { openPage, browserForFile, type OpenedPage } from './support/browser'

const baseUrl = inject('baseUrl')
// Tall enough for the loading screen's whole failure text and its button (it does not scroll).
const VIEWPORT = { width: 480, height: 720 }
const WORLD = '/w/amber-fern-drift?tex=64'
const TEXTURE_TIMEOUT_MS = 150_000
const browser = browserForFile()

/**
 * Open a blank app page, install `fault` (routes, init scripts) on its context, then navigate to the world. Also
 * records every text the loading screen ever showed (`window.__loadingTexts`), since it disappears once textured.
 */
async function openWithFault(fault: (context: BrowserContext) => Promise<unknown>): Promise<OpenedPage> {
  const opened = await openPage(browser(), baseUrl, '/about', { viewport: VIEWPORT })
  await opened.context.addInitScript(() => {
    const w = window as unknown as { __loadingTexts: string[] }
    w.__loadingTexts = []
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="world-loading"]') as HTMLElement | null
      if (el !== null && w.__loadingTexts.at(-1) !== el.innerText) w.__loadingTexts.push(el.innerText)
    }).observe(document, { subtree: true, childList: true, characterData: true })
  })
  await fault(opened.context)
  await opened.page.goto(`${baseUrl}${WORLD}`, { waitUntil: 'load' })
  return opened
}

const loadingTexts = (page: Page) =>
  page.evaluate(() => (window as unknown as { __loadingTexts: string[] }).__loadingTexts.join('\n'))

const waitTextured = (page: Page) =>
  page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
    timeout: TEXTURE_TIMEOUT_MS,
    polling: 250,
  })

/** A failed generator: the loading screen says why and offers to go on; going on shows the "untextured" banner. */
async function expectGeneratorUnavailable(page: Page, why: RegExp): Promise<void> {
  const error = page.locator('.world-loading-error')
  await error.waitFor({ timeout: 60_000 })
  expect(await error.innerText()).toMatch(/texture generator could not start/i)
  expect(await error.innerText()).toMatch(why)
  await page.getByRole('button', { name: 'Continue with untextured rooms' }).click()
  await expect(page.getByTestId('world-loading').count()).resolves.toBe(0)
  const notice = page.getByTestId('world-notice')
  expect(await notice.innerText()).toMatch(/untextured grey, not generated scenery/)
  const stats = await page.evaluate(() => window.latentscape!.getStats())
  expect(stats.textureBytes).toBe(0)
  // `ready` flips on the first frame drawn after the loading screen lifts, a frame after the click: wait for it.
  await page.waitForFunction(() => window.latentscape!.getState().ready, undefined, { timeout: 60_000, polling: 'raf' })
}

describe('injected faults', () => {
  it('model manifest 404 → "model file not found", untextured rooms clearly labelled', async () => {
    const { page, context, record } = await openWithFault((c) =>
      c.route('**/models/surface/model.json', (route) => route.fulfill({ status: 404, body: 'not found' })),
    )
    try {
      await expectGeneratorUnavailable(page, /model file not found: \/models\/surface\/model\.json \(HTTP 404\)/)
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('truncated weights shard → "truncated", untextured rooms clearly labelled', async () => {
    const { page, context, record } = await openWithFault((c) =>
      c.route('**/models/surface/weights.bin', async (route) => {
        const body = await (await route.fetch()).body()
        await route.fulfill({ status: 200, contentType: 'application/octet-stream', body: body.subarray(0, 1000) })
      }),
    )
    try {
      await expectGeneratorUnavailable(page, /truncated/)
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('corrupt weights (one flipped bit) → sha256 mismatch, untextured rooms clearly labelled', async () => {
    const { page, context, record } = await openWithFault((c) =>
      c.route('**/models/surface/weights.bin', async (route) => {
        const body = Buffer.from(await (await route.fetch()).body())
        // The low byte of a float16 is mantissa only: the value stays finite, only the checksum can tell.
        body[1000] ^= 0x01
        await route.fulfill({ status: 200, contentType: 'application/octet-stream', body })
      }),
    )
    try {
      await expectGeneratorUnavailable(page, /sha256 .* does not match model\.json/)
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('sky model 404 → surfaces generated as usual, the placeholder gradient stays and says it is not generated', async () => {
    const { page, context, record } = await openWithFault((c) =>
      c.route('**/models/sky/model.json', (route) => route.fulfill({ status: 404, body: 'not found' })),
    )
    try {
      await waitTextured(page)
      const { sky } = await page.evaluate(() => window.latentscape!.getState())
      expect(sky).toMatchObject({ ready: false, version: null, available: false, room: null })
      expect(sky.error).toMatch(/model file not found: \/models\/sky\/model\.json \(HTTP 404\)/)
      expect(await page.getByTestId('hud-sky').innerText()).toMatch(
        /^Sky: placeholder gradient, not generated — the sky generator is unavailable \(.*HTTP 404\)\)$/,
      )
      expect(await loadingTexts(page)).toMatch(/Sky generator unavailable \(.*\): the sky stays a placeholder gradient/)
      expect((await page.evaluate(() => window.latentscape!.getStats())).textureBytes).toBeGreaterThan(0)
      // Nothing passes the gradient off as generated: "Export sky" exports nothing and says why.
      await page.getByRole('button', { name: 'Share · Export' }).click()
      let downloads = 0
      page.on('download', () => downloads++)
      await page.getByRole('button', { name: 'Export sky', exact: true }).click()
      await expect(page.getByRole('status').filter({ hasText: 'No generated sky' }).count()).resolves.toBe(1)
      expect(downloads).toBe(0)
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('wasm binaries missing (404) → wasm refused with its reason, the cpu backend paints the room', async () => {
    const { page, context, record } = await openWithFault((c) =>
      c.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'not found' })),
    )
    try {
      await waitTextured(page)
      expect(await page.evaluate(() => window.latentscape!.getState().backend)).toBe('cpu')
      expect(await loadingTexts(page)).toMatch(/wasm refused: .+/)
      const stats = await page.evaluate(() => window.latentscape!.getStats())
      expect(stats.textureBytes).toBeGreaterThan(0)
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('no WebGPU adapter (requestAdapter → null in the worker) → webgpu refused, the next backend paints', async () => {
    const { page, context, record } = await openWithFault((c) =>
      // Prepend to the generation worker's bootstrap script (Turbopack's worker entry, served by the app) a prelude
      // that makes navigator.gpu.requestAdapter() resolve null inside the worker, as on a machine whose GPU is
      // blocklisted. The response keeps its headers (a worker of a COEP page needs its own COEP header).
      c.route(
        (url) => url.pathname.includes('/turbopack-worker-'),
        async (route) => {
          const response = await route.fetch()
          const prelude =
            "Object.defineProperty(WorkerNavigator.prototype, 'gpu', { configurable: true, get: () => ({ requestAdapter: async () => null }) });\n"
          await route.fulfill({ response, body: prelude + (await response.text()) })
        },
      ),
    )
    try {
      await waitTextured(page)
      expect(await loadingTexts(page)).toMatch(/webgpu refused: no WebGPU adapter/)
      expect(await page.evaluate(() => window.latentscape!.getState().backend)).not.toBe('webgpu')
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('worker crash mid-walk → notice, a fresh worker, the missing textures generated again', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, WORLD, { viewport: VIEWPORT })
    try {
      await waitTextured(page)
      await page.evaluate(() => window.latentscape!.goTo(4, 0, 90))
      await page.waitForFunction(() => window.latentscape!.getState().room.x === 4, undefined, { timeout: 10_000 })
      // An uncaught error inside the generation worker (as a backend crash would throw).
      const worker = page.workers().find((w) => !w.url().startsWith('blob:'))
      expect(worker, 'the generation worker').toBeDefined()
      await worker!.evaluate(() => {
        setTimeout(() => {
          throw new Error('injected worker crash')
        }, 0)
      })
      const notice = page.getByTestId('world-notice')
      await notice.waitFor({ timeout: 10_000 })
      expect(await notice.innerText()).toMatch(/stopped \(.*injected worker crash\)\. Restarted it \(1 of 3\)/)
      await page.waitForFunction(() => window.latentscape!.isRoomReady(4, 0), undefined, {
        timeout: TEXTURE_TIMEOUT_MS,
        polling: 250,
      })
      const stats = await page.evaluate(() => window.latentscape!.getStats())
      expect(stats.workerRestarts).toBe(1)
      expect(stats.textureBytes).toBeGreaterThan(0)
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
