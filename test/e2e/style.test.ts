import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { describe, expect, inject, it } from 'vitest'
import { decodeWorldUrl } from '../../world-gen'
import { PHOTO_GUIDANCE, readProvenance } from '../../world-gen/provenance'
import { browserForFile, openPage, type OpenedPage } from './support/browser'
import { REPO_ROOT } from './support/server'

const baseUrl = inject('baseUrl')
const browser = browserForFile()
/** A small brick-like picture drawn by a script (no third-party image): the "photo". */
const PHOTO = join(REPO_ROOT, 'test/fixtures/style-photo.png')

/** Wait for the room's textures, then download the walls texture from the Share · Export panel: its PNG bytes. */
async function wallsPng({ page }: OpenedPage): Promise<Uint8Array> {
  await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
    timeout: 180_000,
    polling: 250,
  })
  const open = page.getByRole('button', { name: 'Share · Export' })
  if ((await open.count()) > 0) await open.click()
  const panel = page.getByRole('region', { name: 'Share and export' })
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'walls', exact: true }).click(),
  ])
  return new Uint8Array(readFileSync(await download.path()))
}

function maxPixelDiff(a: Uint8Array, b: Uint8Array): number {
  const pa = PNG.sync.read(Buffer.from(a))
  const pb = PNG.sync.read(Buffer.from(b))
  expect([pb.width, pb.height]).toEqual([pa.width, pa.height])
  let worst = 0
  for (let i = 0; i < pa.data.length; i++) worst = Math.max(worst, Math.abs(pa.data[i]! - pb.data[i]!))
  return worst
}

describe('style from a photo', () => {
  it('fits a photo on the device, and the shared link paints the same textures in a fresh browser', async () => {
    const first = await openPage(browser(), baseUrl, '/w/Photo%20style?r=0,0&h=0&tex=64', {
      viewport: { width: 800, height: 600 },
    })
    let styledPath: string
    let before: Uint8Array
    let after: Uint8Array
    try {
      const { page, record } = first
      before = await wallsPng(first)
      const section = page.getByTestId('style-photo')
      await section.getByTestId('style-slot').selectOption('walls')
      await section.getByTestId('style-file').setInputFiles(PHOTO)
      await page.getByTestId('style-progress').waitFor({ timeout: 120_000 })
      // The fit ends by opening the styled link of this spot.
      await page.waitForURL((url) => url.searchParams.has('style'), { timeout: 400_000 })
      const url = new URL(page.url())
      styledPath = url.pathname + url.search
      const decoded = decodeWorldUrl(styledPath)
      expect(decoded.ok && decoded.value.style?.slot).toBe('walls')
      expect(url.searchParams.get('style')!.length).toBeLessThanOrEqual(74)
      expect(url.searchParams.get('tex')).toBe('64')
      after = await wallsPng(first)
      expect(await page.getByTestId('hud-style').innerText()).toContain(`walls ${PHOTO_GUIDANCE}`)
      // The materials line names what the start room's walls are painted with: the style's mixture, marked as such.
      expect(await page.getByTestId('hud-materials').innerText()).toMatch(/walls: [^·]+ \(photo style\)/)
      // The share panel says that its link is styled from a photo.
      expect(await page.getByTestId('share-style-note').innerText()).toContain('walls styled from a photo')
      const meta = readProvenance(after)
      expect(meta.guidance).toBe(PHOTO_GUIDANCE)
      expect(meta.url).toContain('style=')
      // Nothing of the photo goes into the file's metadata.
      expect(Buffer.from(after).toString('latin1')).not.toContain('style-photo')
      expect(maxPixelDiff(before, after), 'the style changes the walls').toBeGreaterThan(40)
      // The photo never leaves the device: no request to another host (the guard aborts and records them).
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await first.context.close()
    }

    const second = await openPage(browser(), baseUrl, styledPath, { viewport: { width: 800, height: 600 } })
    try {
      const again = await wallsPng(second)
      // Same link, same backend: the same texture (a small tolerance, as across backends).
      expect(maxPixelDiff(after, again)).toBeLessThanOrEqual(3)
      expect(second.record.blockedRequests).toEqual([])
      expect(second.record.pageErrors).toEqual([])
    } finally {
      await second.context.close()
    }
  }, 600_000)

  it('the landing page starts a world from a photo: fitted on the device, then a new world opens styled', async () => {
    // `?tex=64` on the landing page travels into the world link, as page options do (software renderer here).
    const opened = await openPage(browser(), baseUrl, '/?tex=64', { viewport: { width: 800, height: 600 } })
    try {
      const { page, record } = opened
      const sent: string[] = []
      page.on('request', (r) => {
        if (r.method() !== 'GET') sent.push(`${r.method()} ${r.url()}`)
      })
      const section = page.getByTestId('style-photo')
      expect(await section.getByText('A world from a photo').count()).toBe(1)
      await section.getByTestId('style-slot').selectOption('floor')
      await section.getByTestId('style-file').setInputFiles(PHOTO)
      // The page has no world yet: its own worker loads the surface model and reports the fit's steps.
      await page.getByTestId('style-progress').waitFor({ timeout: 180_000 })
      await page.waitForURL((url) => url.pathname.startsWith('/w/') && url.searchParams.has('style'), {
        timeout: 400_000,
      })
      const url = new URL(page.url())
      const decoded = decodeWorldUrl(url.pathname + url.search)
      // A new world (a random seed), at its start room, with the style for the slot chosen and the page options.
      expect(decoded.ok && decoded.value).toMatchObject({ x: 0, z: 0, heading: 0 })
      expect(decoded.ok && decoded.value.seed).toMatch(/^[a-z]+-[a-z]+-[a-z]+$/)
      expect(decoded.ok && decoded.value.style?.slot).toBe('floor')
      expect(url.searchParams.get('tex')).toBe('64')
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 180_000,
        polling: 250,
      })
      expect(await page.getByTestId('hud-style').innerText()).toContain(`floor ${PHOTO_GUIDANCE}`)
      expect(await page.getByTestId('hud-materials').innerText()).toMatch(/floor: [^·]+ \(photo style\)/)
      // The photo never leaves the device: nothing sent to any host, none of ours included, and no other host asked.
      expect(sent).toEqual([])
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await opened.context.close()
    }
  }, 600_000)

  it('cancelling a fit leaves the world as it was, and generation goes on', async () => {
    const opened = await openPage(browser(), baseUrl, '/w/Photo%20cancel?r=0,0&h=0&tex=64', {
      viewport: { width: 800, height: 600 },
    })
    try {
      const { page, record } = opened
      const before = await wallsPng(opened)
      const urlBefore = page.url()
      const section = page.getByTestId('style-photo')
      await section.getByTestId('style-slot').selectOption('walls')
      await section.getByTestId('style-file').setInputFiles(PHOTO)
      // Cancel once the fit has reported a step (it is then running in the worker).
      await page.getByTestId('style-progress').waitFor({ timeout: 120_000 })
      await section.getByRole('button', { name: 'Cancel' }).click()
      await expect
        .poll(() => section.getByTestId('style-status').innerText(), { timeout: 30_000 })
        .toBe('Style fit cancelled')
      await section.getByRole('button', { name: 'Cancel' }).waitFor({ state: 'detached', timeout: 10_000 })
      // Nothing of the fit reached the world: same link, no style line, the same walls texture.
      expect(page.url()).toBe(urlBefore)
      expect(await page.getByTestId('hud-style').count()).toBe(0)
      expect(await page.getByTestId('share-style-note').count()).toBe(0)
      expect(await page.getByTestId('hud-materials').innerText()).not.toContain('photo style')
      expect(maxPixelDiff(before, await wallsPng(opened)), 'the walls are as they were').toBe(0)
      // Generation, which waits while a fit runs, goes on: a room not generated yet gets its textures.
      await page.evaluate(() => window.latentscape!.goTo(2, 0, 0))
      await page.waitForFunction(() => window.latentscape?.isRoomReady(2, 0) === true, undefined, {
        timeout: 180_000,
        polling: 250,
      })
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await opened.context.close()
    }
  }, 400_000)
})
