/**
 * The explorable world end to end in real Chromium: generated textures reach the first room, the player walks
 * through doorways with simulated keys, the URL follows and restores, and two browsers agree on the same world.
 * Generation on a software GPU is slow, so pages use `?tex=64` and a small viewport, and every wait polls state.
 */
import type { Page } from 'playwright-core'
import { describe, expect, inject, it } from 'vitest'
import { room, type RoomSpec, type Side } from '../../world-gen'
import { openPage, browserForFile, type PageRecord } from './support/browser'
import { pngDataUrlMeanDiff, pngDataUrlStats } from './support/pixels'

const baseUrl = inject('baseUrl')
const VIEWPORT = { width: 480, height: 300 }
const TEXTURE_TIMEOUT_MS = 150_000
const browser = browserForFile()

const canvasPng = (page: Page) => page.$eval('canvas', (canvas) => (canvas as HTMLCanvasElement).toDataURL('image/png'))

/** Wait until the current room is textured and nothing is queued (all resident rooms generated and uploaded). */
async function waitForTextures(page: Page, settled = false): Promise<void> {
  await page.waitForFunction(
    (all) => {
      const api = window.latentscape
      if (api === undefined || !api.getState().textured) return false
      return !all || api.getStats().queueLength === 0
    },
    settled,
    { timeout: TEXTURE_TIMEOUT_MS, polling: 250 },
  )
}

/** Two animation frames, so the preserved drawing buffer holds a frame drawn after the last change. */
const settleFrames = (page: Page) =>
  page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))))

function expectClean(record: PageRecord): void {
  expect(record.pageErrors).toEqual([])
  expect(record.consoleErrors).toEqual([])
  expect(record.blockedRequests).toEqual([])
}

const HEADING: Record<Side, number> = { north: 0, east: 90, south: 180, west: 270 }
const STEP: Record<Side, [number, number]> = { north: [0, -1], east: [1, 0], south: [0, 1], west: [-1, 0] }

/**
 * Walk along one axis to `target` (world metres) with the arrow key held: face the direction with the test hook,
 * hold ArrowUp (and Shift to run), and release from inside the page once the remaining distance is under half a
 * frame's step, so the stop is as precise as the frame rate allows.
 */
async function walkAxis(page: Page, axis: 'x' | 'z', target: number, run: boolean): Promise<void> {
  const pos = await page.evaluate(() => window.latentscape!.getState().position!)
  const delta = target - pos[axis]
  if (Math.abs(delta) < 0.05) return
  const heading = axis === 'x' ? (delta > 0 ? 90 : 270) : delta > 0 ? 180 : 0
  await page.evaluate((h) => window.latentscape!.setHeading(h), heading)
  if (run) await page.keyboard.down('Shift')
  await page.keyboard.down('ArrowUp')
  try {
    await page.waitForFunction(
      ({ axis, target, sign }) => {
        const w = window as unknown as { __walkLast?: number }
        const p = window.latentscape!.getState().position!
        const remaining = sign * (target - p[axis])
        const step = w.__walkLast === undefined ? 0 : Math.abs(p[axis] - w.__walkLast)
        w.__walkLast = p[axis]
        if (remaining > step / 2) return false
        // Release in the page itself: the next frame already stops, without a round trip to the test.
        window.dispatchEvent(new KeyboardEvent('keyup', { code: 'ArrowUp', key: 'ArrowUp' }))
        delete w.__walkLast
        return true
      },
      { axis, target, sign: Math.sign(delta) },
      { polling: 'raf', timeout: 90_000 },
    )
  } finally {
    await page.keyboard.up('ArrowUp')
    if (run) await page.keyboard.up('Shift')
  }
}

describe('explorable world', () => {
  it('paints the first room with generated textures: nothing is drawn under the loading screen, then the room differs from its untextured look', async () => {
    // The same room with the surface model missing, continued untextured: flat grey surfaces under the same generated
    // sky, the picture the generated textures must change.
    const grey = await openPage(browser(), baseUrl, '/about', { viewport: VIEWPORT })
    let untextured: string
    try {
      await grey.context.route('**/models/surface/model.json', (route) => route.fulfill({ status: 404 }))
      await grey.page.goto(`${baseUrl}/w/amber-fern-drift?tex=64`, { waitUntil: 'load' })
      await grey.page.getByRole('button', { name: 'Continue with untextured rooms' }).click({ timeout: 60_000 })
      await grey.page.waitForFunction(() => window.latentscape!.getState().sky.ready, undefined, { timeout: 60_000 })
      await settleFrames(grey.page)
      expect((await grey.page.evaluate(() => window.latentscape!.getStats())).textureBytes).toBe(0)
      untextured = await canvasPng(grey.page)
    } finally {
      await grey.context.close()
    }

    const { page, context, record } = await openPage(browser(), baseUrl, '/w/amber-fern-drift?tex=64', {
      viewport: VIEWPORT,
    })
    try {
      // The first look at the world as soon as its session runs (the worker has only just been created, so nothing
      // can be painted yet): the loading screen covers it and no frame has been drawn behind it.
      const first = await page.waitForFunction(
        () => {
          const api = window.latentscape
          if (api === undefined) return undefined
          return {
            ready: api.getState().ready,
            textureBytes: api.getStats().textureBytes,
            loading: document.querySelector('[data-testid="world-loading"]') !== null,
          }
        },
        undefined,
        { timeout: 60_000, polling: 'raf' },
      )
      expect(await first.jsonValue()).toEqual({ ready: false, textureBytes: 0, loading: true })

      await waitForTextures(page)
      const after = await page.evaluate(() => window.latentscape!.getStats())
      expect(after.roomsReady).toBeGreaterThanOrEqual(1)
      expect(after.textureBytes).toBeGreaterThan(0)
      // `ready` flips on the first frame drawn once the loading screen lifts: the animation frame after the sync that
      // marks the room painted. At ?tex=64 there is no smaller preview, so that same sync marks it textured too, and
      // a frame still to come (a slow one while the worker paints the sky) is no failure; waiting for it is.
      await page.waitForFunction(() => window.latentscape!.getState().ready, undefined, {
        timeout: 60_000,
        polling: 'raf',
      })
      const state = await page.evaluate(() => window.latentscape!.getState())
      expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(state.backend)
      expect(state.ready).toBe(true)
      await expect(page.getByTestId('world-loading').count()).resolves.toBe(0)
      // The room's generated sky is on screen too, and the HUD says which model painted it.
      await page.waitForFunction(() => window.latentscape!.getState().sky.ready, undefined, { timeout: 60_000 })
      const { sky } = await page.evaluate(() => window.latentscape!.getState())
      await expect(page.getByTestId('hud-sky').textContent()).resolves.toBe(
        `Sky: generated clouds (${sky.version}), computed daylight`,
      )

      await settleFrames(page)
      const textured = await canvasPng(page)
      const diff = pngDataUrlMeanDiff(untextured, textured)
      // Flat grey surfaces become coloured generated ones, from the same place under the same sky.
      expect(diff).toBeGreaterThan(4)
      expect(pngDataUrlStats(textured).distinctColors).toBeGreaterThan(pngDataUrlStats(untextured).distinctColors)
      expectClean(record)
    } finally {
      await context.close()
    }
  })

  it('walks through three doorways with the keyboard; the URL follows and a reload restores the room', async () => {
    const seed = 'amber-fern-drift'
    const { page, context, record } = await openPage(browser(), baseUrl, `/w/${seed}?tex=64`, { viewport: VIEWPORT })
    try {
      await waitForTextures(page)
      const historyLength = await page.evaluate(() => history.length)
      let at = { x: 0, z: 0 }
      const visited = new Set(['0,0'])
      for (let door = 0; door < 3; door++) {
        const spec: RoomSpec = await page.evaluate(({ x, z }) => window.latentscape!.getRoom(x, z), at)
        const pick = spec.openings
          .filter((o) => !visited.has(`${at.x + STEP[o.side][0]},${at.z + STEP[o.side][1]}`))
          .sort((a, b) => HEADING[a.side] - HEADING[b.side])[0]
        expect(pick, `room ${at.x},${at.z} has an unvisited door`).toBeDefined()
        const [cx, cz] = spec.centerM
        const alongX = pick.side === 'north' || pick.side === 'south'
        // Back to the room's centre line, then sideways to the door's offset, then straight through at a run.
        if (alongX) {
          await walkAxis(page, 'z', cz, false)
          await walkAxis(page, 'x', cx + pick.offsetM, false)
        } else {
          await walkAxis(page, 'x', cx, false)
          await walkAxis(page, 'z', cz + pick.offsetM, false)
        }
        const next = { x: at.x + STEP[pick.side][0], z: at.z + STEP[pick.side][1] }
        await walkAxis(page, alongX ? 'z' : 'x', alongX ? next.z * 14 : next.x * 14, true)
        await page.waitForFunction(
          ({ x, z }) => {
            const s = window.latentscape!.getState()
            return s.room.x === x && s.room.z === z && window.location.search.includes(`r=${x},${z}`)
          },
          next,
          { timeout: 10_000 },
        )
        at = next
        visited.add(`${at.x},${at.z}`)
      }
      const state = await page.evaluate(() => window.latentscape!.getState())
      expect(state.room).toEqual(at)
      const url = new URL(page.url())
      expect(url.searchParams.get('r')).toBe(`${at.x},${at.z}`)
      expect(url.searchParams.get('tex')).toBe('64')
      // replaceState, not pushState: walking adds no history entries.
      expect(await page.evaluate(() => history.length)).toBe(historyLength)

      await page.reload({ waitUntil: 'load' })
      await page.waitForFunction(() => window.latentscape?.getState().position != null, undefined, {
        timeout: 60_000,
      })
      const restored = await page.evaluate(() => window.latentscape!.getState())
      expect(restored.room).toEqual(at)
      expect(restored.heading).toBe(Number(url.searchParams.get('h')))
      expect(restored.position).toEqual({ x: at.x * 14, z: at.z * 14 })
      expectClean(record)
    } finally {
      await context.close()
    }
  }, 180_000) // real-time walking on a software renderer sharing 2 cores: ~60–100 s

  it('gives two fresh browsers the same rooms and (within tolerance) the same picture', async () => {
    const path = '/w/quartz-tide-ember?r=1,-1&h=135&tex=64'
    const opened = await Promise.all([
      openPage(browser(), baseUrl, path, { viewport: VIEWPORT }),
      openPage(browser(), baseUrl, path, { viewport: VIEWPORT }),
    ])
    try {
      await Promise.all(opened.map(({ page }) => waitForTextures(page, true)))
      const specs = await Promise.all(
        opened.map(({ page }) =>
          page.evaluate(() => [window.latentscape!.getRoom(1, -1), window.latentscape!.getRoom(2, -1)]),
        ),
      )
      expect(specs[0]).toEqual(specs[1])
      // Each room names its material families (its district style), the same for every visitor.
      expect(specs[0]![0]!.families).toEqual(room(specs[0]![0]!.seed, 1, -1).families)
      await Promise.all(opened.map(({ page }) => settleFrames(page)))
      const [a, b] = await Promise.all(opened.map(({ page }) => canvasPng(page)))
      expect(pngDataUrlStats(a).lumaStdDev).toBeGreaterThan(10)
      expect(pngDataUrlMeanDiff(a, b)).toBeLessThan(3)
      for (const { record } of opened) expectClean(record)
    } finally {
      await Promise.all(opened.map(({ context }) => context.close()))
    }
  })
})
