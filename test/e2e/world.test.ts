import { describe, expect, inject, it } from 'vitest'
import { openPage, browserForFile } from './support/browser'
import { pngDataUrlStats } from './support/pixels'

const baseUrl = inject('baseUrl')
const browser = browserForFile()

describe('world view', () => {
  it('draws a real scene into the canvas (non-blank pixels read back from WebGL)', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/w/amber-fern-drift')
    try {
      await page.waitForFunction(() => window.latentscape?.getState().ready === true, undefined, { timeout: 60_000 })
      // A few more frames, so shadows and the sky have settled into the preserved drawing buffer.
      await page.evaluate(
        () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
      )
      const dataUrl = await page.$eval('canvas', (canvas) => (canvas as HTMLCanvasElement).toDataURL('image/png'))
      const stats = pngDataUrlStats(dataUrl)
      expect(stats.widthPx).toBeGreaterThanOrEqual(1280)
      expect(stats.heightPx).toBeGreaterThanOrEqual(800)
      expect(stats.meanAlpha).toBeGreaterThan(250)
      // A flat clear colour has 1 distinct colour and ~0 deviation; the room scene has many of both.
      expect(stats.distinctColors).toBeGreaterThan(40)
      expect(stats.lumaStdDev).toBeGreaterThan(10)
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('window.latentscape.getState() reports the seed, room and heading from the URL', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/w/Demo%20world?r=2,-1&h=90')
    try {
      await page.waitForFunction(() => window.latentscape !== undefined)
      const state = await page.evaluate(() => window.latentscape!.getState())
      expect(state).toMatchObject({ seed: 'Demo world', room: { x: 2, z: -1 }, heading: 90 })
      await expect(page.getByTestId('hud-seed').textContent()).resolves.toBe('Demo world')
      await expect(page.getByTestId('hud-room').textContent()).resolves.toBe('2, -1')
      expect(await page.getByText('AI-generated scenery').count()).toBeGreaterThan(0)
      expect(record.pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('makes no third-party requests and logs no errors', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/w/quartz-tide-ember')
    try {
      await page.waitForFunction(() => window.latentscape?.getState().ready === true, undefined, { timeout: 60_000 })
      await page.waitForLoadState('networkidle')
      const appOrigin = new URL(baseUrl).origin
      const foreign = record.requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== appOrigin)
      expect(foreign).toEqual([])
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('shows an error page with a way home for an invalid seed, without reflecting markup', async () => {
    const input = '<img src=x onerror=alert(1)>'
    const { page, context, record } = await openPage(browser(), baseUrl, `/w/${encodeURIComponent(input)}`)
    try {
      await page.getByRole('heading', { name: 'This link doesn’t open a world' }).waitFor()
      expect(await page.locator('main img').count()).toBe(0)
      expect(await page.locator('canvas').count()).toBe(0)
      await expect(page.locator('.world-error-input code').textContent()).resolves.toBe(input)
      await expect(page.getByRole('link', { name: 'Back to Latentscape' }).getAttribute('href')).resolves.toBe('/')
      expect(await page.evaluate(() => window.latentscape)).toBeUndefined()
      expect(record.pageErrors).toEqual([])
      expect(record.blockedRequests).toEqual([])
    } finally {
      await context.close()
    }
  })
})
