/**
 * The sun's shadow map is drawn on demand: not in frames where nothing it depends on changed (the player standing
 * still, every resident room mounted and the sky settled), and again as soon as the sun moves or rooms come and go.
 * Counted by the app's frame probe: the frames in which the renderer drew a room mesh into the shadow map.
 */
import type { Page } from 'playwright-core'
import { describe, expect, inject, it } from 'vitest'
import { openPage, browserForFile, settleInRoom } from './support/browser'

const baseUrl = inject('baseUrl')
const browser = browserForFile()

/** Frames (of the probe's window) that redrew the shadow map. */
const shadowFrames = (page: Page) =>
  page.evaluate(() => {
    const counts = window.latentscape!.getStats().frameMs.work?.counts
    return counts === undefined ? 0 : counts.shadow
  })

/** Let `n` frames be drawn. */
const frames = (page: Page, n: number) =>
  page.evaluate(
    (n) =>
      new Promise<void>((done) => {
        let i = 0
        const tick = () => (++i >= n ? done() : requestAnimationFrame(tick))
        requestAnimationFrame(tick)
      }),
    n,
  )

/** Nothing left to generate or upload, and the sky of the room settled. */
const quiet = (page: Page) =>
  page.waitForFunction(
    () => {
      const l = window.latentscape!
      return l.getStats().queueLength === 0 && l.getState().sky.ready
    },
    undefined,
    { timeout: 180_000, polling: 250 },
  )

describe('shadows on demand', () => {
  it(
    'the shadow map is redrawn when the sun moves or rooms change, not while nothing changes',
    { timeout: 420_000 },
    async () => {
      const { page, context, record } = await openPage(browser(), baseUrl, '/w/demo?tex=64', {
        viewport: { width: 320, height: 200 },
      })
      try {
        await settleInRoom(page, { x: 0, z: 0 }, 0, { roomTimeoutMs: 240_000, skyTimeoutMs: 120_000 })
        await quiet(page)
        await frames(page, 5)
        const drawn = await shadowFrames(page)
        expect(drawn, 'the shadow map was drawn at the start').toBeGreaterThan(0)

        await frames(page, 30)
        expect(await shadowFrames(page), 'standing still: no redraw').toBe(drawn)

        await page.evaluate(() => window.latentscape!.setLighting({ kind: 'sun', azimuthDeg: 200, elevationDeg: 40 }))
        await frames(page, 5)
        const afterSun = await shadowFrames(page)
        expect(afterSun, 'the sun moved: redrawn').toBeGreaterThan(drawn)
        await frames(page, 30)
        expect(await shadowFrames(page), 'the moved sun standing still: no redraw').toBe(afterSun)

        // Two rooms east: rooms ahead mount, rooms behind unmount, the sun follows the player's room.
        await page.evaluate(() => window.latentscape!.goTo(2, 0, 90))
        await page.waitForFunction(() => window.latentscape!.getState().room.x === 2, undefined, { polling: 50 })
        await frames(page, 5)
        expect(await shadowFrames(page), 'rooms changed: redrawn').toBeGreaterThan(afterSun)
        expect(record.pageErrors).toEqual([])
      } finally {
        await context.close()
      }
    },
  )
})
