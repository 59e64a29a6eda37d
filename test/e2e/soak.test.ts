/**
 * Soak: teleport through LATENTSCAPE_SOAK_ROOMS rooms (default 200) with `window.latentscape.goTo`, without waiting
 * for every room's textures (a readiness checkpoint every 20 rooms), and check that nothing grows with distance:
 * GPU textures and geometries (`renderer.info.memory`), the worker's live tf.js tensors and the JS heap (CDP
 * `Runtime.getHeapUsage` after a forced GC). Prints the curve and writes it as bench/results/soak.json under the
 * ignored test-results/ (`npm run bench:soak` updates the committed file).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { describe, expect, inject, it } from 'vitest'
import { parseManifest } from '../../world-gen/gan/manifest'
import { openPage, browserForFile } from './support/browser'
import { figurePath } from './support/figures'

const baseUrl = inject('baseUrl')
const ROOMS = Number(process.env.LATENTSCAPE_SOAK_ROOMS ?? 200)
const CHECKPOINT_EVERY = 20
const SEED = 'soak-walk'
/** A relief model's surfaces hold two textures each (colour, normal map), a colour-only model's one. */
const TEXTURES_PER_SURFACE =
  parseManifest(
    JSON.parse(readFileSync(fileURLToPath(new URL('../../public/models/surface/model.json', import.meta.url)), 'utf8')),
  ).relief === undefined
    ? 1
    : 2
/** At most 25 rooms are resident (world-gen DEFAULT_STREAMING_BUDGET) with 3 generated surfaces each. */
const TEXTURE_BUDGET = 25 * 3 * TEXTURES_PER_SURFACE + 16
const browser = browserForFile()

type Sample = {
  rooms: number
  textures: number
  surfaceTextures: number
  geometries: number
  roomsLoaded: number
  workerTensors: number | null
  heapUsedMiB: number
  seconds: number
}

const waitRoomReady = (page: Page, x: number, z: number) =>
  page.waitForFunction(
    ({ x, z }) => window.latentscape!.isRoomReady(x, z),
    { x, z },
    { timeout: 120_000, polling: 100 },
  )

/** A serpentine path: 10 rooms east, one north, 10 rooms west, … (every step enters a new room). */
function roomAt(i: number): [number, number] {
  const row = Math.floor(i / 10)
  const col = i % 10
  return [row % 2 === 0 ? col : 9 - col, -row]
}

describe('soak', () => {
  it(`walks ${ROOMS} rooms with bounded textures, geometries, tensors and heap`, { timeout: 600_000 }, async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, `/w/${SEED}?tex=64`, {
      viewport: { width: 256, height: 160 },
    })
    const cdp = await context.newCDPSession(page)
    const t0 = Date.now()
    const samples: Sample[] = []
    const sample = async (rooms: number) => {
      // Tensors are counted with the worker idle: every resident room generated and uploaded. The rooms ahead are
      // generated paced (the worker idles between layers, holding that generation's intermediates), so a report taken
      // mid-generation would count them. Then wait for a fresh report (the worker sends one about once a second).
      await page.waitForFunction(() => window.latentscape!.getStats().queueLength === 0, undefined, {
        timeout: 120_000,
        polling: 100,
      })
      await page.waitForTimeout(1200)
      await cdp.send('HeapProfiler.collectGarbage')
      const { usedSize } = await cdp.send('Runtime.getHeapUsage')
      const stats = await page.evaluate(() => window.latentscape!.getStats())
      const s: Sample = {
        rooms,
        textures: stats.textures,
        surfaceTextures: stats.surfaceTextures,
        geometries: stats.geometries,
        roomsLoaded: stats.roomsLoaded,
        workerTensors: stats.workerTensors,
        heapUsedMiB: Math.round((usedSize / 2 ** 20) * 10) / 10,
        seconds: Math.round((Date.now() - t0) / 100) / 10,
      }
      samples.push(s)
      console.log('[soak]', JSON.stringify(s))
    }
    try {
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 150_000,
        polling: 250,
      })
      await sample(0)
      for (let i = 1; i <= ROOMS; i++) {
        const [x, z] = roomAt(i)
        await page.evaluate(({ x, z }) => window.latentscape!.goTo(x, z, 90), { x, z })
        // One streaming tick (100 ms) takes the new room in; then on, without waiting for its textures.
        await page.waitForFunction(
          ({ x, z }) => {
            const r = window.latentscape!.getState().room
            return r.x === x && r.z === z
          },
          { x, z },
          { polling: 50 },
        )
        await page.waitForTimeout(120)
        if (i % CHECKPOINT_EVERY === 0) {
          await waitRoomReady(page, x, z)
          await sample(i)
        }
      }
      const first = samples[0]
      const warm = samples[1]
      const last = samples[samples.length - 1]
      const result = {
        seed: SEED,
        texPx: 64,
        rooms: ROOMS,
        checkpointEvery: CHECKPOINT_EVERY,
        backend: await page.evaluate(() => window.latentscape!.getState().backend),
        renderer: 'headless Chromium (SwiftShader, software)',
        seconds: last.seconds,
        samples,
      }
      writeFileSync(figurePath('bench/results/soak.json'), `${JSON.stringify(result, null, 2)}\n`)
      console.table(samples)

      for (const s of samples) {
        expect(s.textures, `textures after ${s.rooms} rooms`).toBeLessThanOrEqual(TEXTURE_BUDGET)
        expect(s.roomsLoaded, `rooms resident after ${s.rooms} rooms`).toBeLessThanOrEqual(25)
        // Geometry count is per resident room: bounded by the most seen while the first rooms were resident, + slack.
        expect(s.geometries, `geometries after ${s.rooms} rooms`).toBeLessThanOrEqual(
          Math.max(first.geometries, warm.geometries) * 1.5,
        )
      }
      // Every texture beyond the rooms' own is the renderer's and the sky's: a fixed few (a second sky while one fades
      // in). A texture lost by its owner and re-uploaded by the renderer would show here long before the budget.
      const others = samples.map((s) => s.textures - s.surfaceTextures)
      expect(
        Math.max(...others) - Math.min(...others),
        `textures beyond the rooms' ${others.join(' ')}`,
      ).toBeLessThanOrEqual(1)
      // Tensors: the weights plus nothing else once warm and idle; a report may still catch a late sky's intermediates.
      // A leak of even one tensor per room would leave no two checkpoints equal.
      const tensors = samples.map((s) => s.workerTensors ?? Number.NaN)
      expect(tensors.every(Number.isFinite)).toBe(true)
      const base = Math.min(...tensors)
      expect(tensors.filter((n) => n === base).length).toBeGreaterThanOrEqual(Math.ceil(tensors.length / 2))
      expect(Math.max(...tensors)).toBeLessThanOrEqual(base + 40)
      // Heap: no growth with distance beyond noise (the first checkpoint is the warm baseline).
      expect(last.heapUsedMiB - warm.heapUsedMiB).toBeLessThan(24)
      expect(record.pageErrors).toEqual([])
      expect(record.blockedRequests).toEqual([])
    } finally {
      await context.close()
    }
  })
})
