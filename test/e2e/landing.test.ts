import { describe, expect, inject, it } from 'vitest'
import { openPage, browserForFile } from './support/browser'
import { readProvenance } from '../../world-gen/provenance'

const baseUrl = inject('baseUrl')
const browser = browserForFile()

describe('landing page', () => {
  it('shows the product, the pitch and the AI-generated scenery note, with no errors or third-party requests', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/')
    try {
      await expect(page.title()).resolves.toBe('Latentscape')
      await page.getByRole('heading', { level: 1, name: 'Latentscape' }).waitFor()
      expect(await page.getByText('AI-generated scenery').count()).toBeGreaterThan(0)
      // Give late requests (prefetches, fonts) a moment to show up.
      await page.waitForLoadState('networkidle')
      expect(record.requests.length).toBeGreaterThan(0)
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('the harness aborts and records requests to other hosts (self-test of the guard the other tests rely on)', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/')
    try {
      // A top-level navigation is not subject to the page's CSP, so only the harness route guard can stop it.
      await expect(page.goto('https://example.com/tracker')).rejects.toThrow()
      expect(record.blockedRequests).toEqual(['https://example.com/tracker'])
    } finally {
      await context.close()
    }
  })

  it('the Content-Security-Policy stops third-party fetches inside the page before they hit the network', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/')
    try {
      const outcome = await page.evaluate(() =>
        fetch('https://example.com/tracker.js').then(
          () => 'loaded',
          () => 'blocked',
        ),
      )
      expect(outcome).toBe('blocked')
      expect(record.requests.filter((url) => url.includes('example.com'))).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('"New world" opens /w/<random seed>', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/')
    try {
      await page.getByRole('button', { name: 'New world' }).click()
      await page.waitForURL(/\/w\/[a-z]+-[a-z]+-[a-z]+$/)
      const seed = new URL(page.url()).pathname.split('/')[2]
      await page.waitForFunction(() => window.latentscape !== undefined)
      const state = await page.evaluate(() => window.latentscape!.getState())
      expect(state.seed).toBe(seed)
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('the seed field opens that world, and an invalid seed is refused in place', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/')
    try {
      const field = page.getByLabel('World seed')
      await field.fill('<b>x</b>')
      await page.getByRole('button', { name: 'Go', exact: true }).click()
      await page.locator('.seed-error').waitFor()
      expect(new URL(page.url()).pathname).toBe('/')
      expect(await page.locator('main b').count()).toBe(0)

      await field.fill('  Demo   world ')
      await page.getByRole('button', { name: 'Go', exact: true }).click()
      await page.waitForURL((url) => url.pathname === '/w/Demo%20world')
      await page.waitForFunction(() => window.latentscape !== undefined)
      expect(await page.evaluate(() => window.latentscape!.getState().seed)).toBe('Demo world')

      // Back on the landing page (opened again: the world's loading screen covers its HUD while the first room
      // generates, which takes a while on a busy software renderer), the visited world is listed under "Recent".
      await page.goto(`${baseUrl}/`)
      const recent = page.getByRole('navigation', { name: 'Recent worlds' }).getByRole('link', { name: 'Demo world' })
      await recent.waitFor()
      // Its thumbnail is the world's server-rendered share card (the start room's generated sky), and it really loads.
      const thumb = recent.locator('img.recent-thumb')
      await thumb.scrollIntoViewIfNeeded()
      await page.waitForFunction(
        (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 1200,
        await thumb.elementHandle(),
        { timeout: 60_000 },
      )
      const src = await thumb.getAttribute('src')
      expect(src).toBe('/w/Demo%20world/opengraph-image')
      const card = new Uint8Array(await (await fetch(baseUrl + src)).arrayBuffer())
      expect(readProvenance(card)).toMatchObject({ model: 'sky', slot: 'sky', seed: 'Demo world' })
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
