/**
 * Frame-time benchmark of the explorable world in headless Chromium: a scripted keyboard walk through 20 rooms at
 * walking (1.4 m/s) and running (3.5 m/s) speed. Reports frame-time median / p95 / p99, how many rooms the player
 * entered before their full textures were on the GPU, and the world's start from navigation start (worker created,
 * generator ready, first result, the first room painted with previews and with every full-size texture). Prints the figures
 * and writes them to bench/results/frames.json; never passes or fails on time.
 *
 * Usage: `npm run bench:frames -- [--seed amber-fern-drift] [--rooms 20] [--tex 128] [--width 960 --height 540]
 * [--threads 2] [--still] [--base-url http://localhost:3000]`. `--threads` asks the wasm backend for that many
 * threads (`?threads=`; default: the app's own choice, every core but one). `--still` adds a pass that stands still
 * every 1.5 m of the route with nothing streaming and times the frames there (`stillPass`). Without --base-url it
 * serves the existing production build (building first if there is none). Note that headless Chromium here renders
 * with SwiftShader (software), so frame times measure the CPU, not a GPU.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { launchBrowser, openPage } from '../test/e2e/support/browser'
import { REPO_ROOT, serveApp } from '../test/e2e/support/server'
import { START_MARKS } from '../components/streaming/world-streamer'
import type { RoomSpec, Side } from '../world-gen'

const STEP: Record<Side, [number, number]> = { north: [0, -1], east: [1, 0], south: [0, 1], west: [-1, 0] }
const HEADING: Record<Side, number> = { north: 0, east: 90, south: 180, west: 270 }

type Leg = { axis: 'x' | 'z'; target: number }

/** A route through `rooms` rooms from (0, 0) through open doors, never revisiting a room (greedy, east first). */
async function planRoute(page: Page, rooms: number): Promise<{ legs: Leg[]; rooms: string[] }> {
  const legs: Leg[] = []
  const visited = ['0,0']
  let at = { x: 0, z: 0 }
  while (visited.length < rooms) {
    const spec: RoomSpec = await page.evaluate(({ x, z }) => window.latentscape!.getRoom(x, z), at)
    const door = spec.openings
      .filter((o) => !visited.includes(`${at.x + STEP[o.side][0]},${at.z + STEP[o.side][1]}`))
      .sort((a, b) => HEADING[a.side] - HEADING[b.side])[0]
    if (door === undefined) break
    const [cx, cz] = spec.centerM
    const next = { x: at.x + STEP[door.side][0], z: at.z + STEP[door.side][1] }
    if (door.side === 'north' || door.side === 'south') {
      legs.push({ axis: 'z', target: cz }, { axis: 'x', target: cx + door.offsetM }, { axis: 'z', target: next.z * 14 })
    } else {
      legs.push({ axis: 'x', target: cx }, { axis: 'z', target: cz + door.offsetM }, { axis: 'x', target: next.x * 14 })
    }
    at = next
    visited.push(`${at.x},${at.z}`)
  }
  return { legs, rooms: visited }
}

/**
 * Walk the legs with ArrowUp held (Shift for running), facing each leg's direction through the test hook; the page
 * releases the key itself at the target and records, on each room entry, whether that room was textured.
 */
async function walk(page: Page, legs: Leg[], run: boolean): Promise<{ seconds: number; entries: boolean[] }> {
  // A string, not a function: tsx (esbuild keepNames) would wrap a named inner function in `__name`, which does not
  // exist in the page. Watches room entries on every frame: was the new room fully textured when the player stepped in?
  await page.evaluate(`(() => {
    const w = window
    w.__entries = []
    const s = window.latentscape.getState()
    w.__room = s.room.x + ',' + s.room.z
    w.__watch = requestAnimationFrame(function watch() {
      const p = window.latentscape.getState().position
      const x = Math.round(p.x / 14)
      const z = Math.round(p.z / 14)
      if (x + ',' + z !== w.__room) {
        w.__room = x + ',' + z
        w.__entries.push(window.latentscape.isRoomReady(x, z))
      }
      w.__watch = requestAnimationFrame(watch)
    })
  })()`)
  const t0 = Date.now()
  for (const leg of legs) {
    const pos = await page.evaluate(() => window.latentscape!.getState().position!)
    const delta = leg.target - pos[leg.axis]
    if (Math.abs(delta) < 0.05) continue
    const heading = leg.axis === 'x' ? (delta > 0 ? 90 : 270) : delta > 0 ? 180 : 0
    await page.evaluate((h) => window.latentscape!.setHeading(h), heading)
    if (run) await page.keyboard.down('Shift')
    await page.keyboard.down('ArrowUp')
    await page.waitForFunction(
      ({ axis, target, sign }) => {
        const w = window as unknown as { __last?: number }
        const p = window.latentscape!.getState().position!
        const step = w.__last === undefined ? 0 : Math.abs(p[axis] - w.__last)
        w.__last = p[axis]
        if (sign * (target - p[axis]) > step / 2) return false
        window.dispatchEvent(new KeyboardEvent('keyup', { code: 'ArrowUp', key: 'ArrowUp' }))
        delete w.__last
        return true
      },
      { axis: leg.axis, target: leg.target, sign: Math.sign(delta) },
      { polling: 'raf', timeout: 180_000 },
    )
    await page.keyboard.up('ArrowUp')
    if (run) await page.keyboard.up('Shift')
  }
  const seconds = (Date.now() - t0) / 1000
  const entries = await page.evaluate(() => {
    const w = window as unknown as { __entries: boolean[]; __watch: number }
    cancelAnimationFrame(w.__watch)
    return w.__entries
  })
  return { seconds, entries }
}

/** Where the still pass stops: every `STILL_STEP_M` metres along the route's legs. */
const STILL_STEP_M = 1.5
/** Frames measured at each stop of the still pass. */
const STILL_FRAMES = 30

type Stop = { x: number; z: number; room: string; frameMs: number }

/**
 * The scene's own cost along the route: stop every STILL_STEP_M metres, wait until nothing is generated, uploaded or
 * fading (the generator idle, the sky settled), and take the median of STILL_FRAMES frames standing there. What the
 * renderer draws differs from place to place (a doorway shows two rooms); the spread of these medians is the part of
 * a walk's frame-time spread that no scheduling of the streaming work can remove.
 */
async function stillPass(page: Page, legs: Leg[]): Promise<Stop[]> {
  const stops: Stop[] = []
  const settle = () =>
    page.waitForFunction(
      () => {
        const l = window.latentscape!
        return l.getStats().queueLength === 0 && l.getState().sky.ready
      },
      undefined,
      { timeout: 300_000, polling: 250 },
    )
  const measure = async () => {
    await settle()
    await page.evaluate(() => window.latentscape!.resetFrameStats())
    await page.waitForFunction((n) => window.latentscape!.getStats().frameMs.count >= n, STILL_FRAMES, {
      polling: 'raf',
      timeout: 120_000,
    })
    stops.push(
      await page.evaluate(() => {
        const { position, room } = window.latentscape!.getState()
        const frameMs = window.latentscape!.getStats().frameMs.median
        return { x: position!.x, z: position!.z, room: `${room.x},${room.z}`, frameMs }
      }),
    )
  }
  await measure()
  for (const leg of legs) {
    const pos = await page.evaluate(() => window.latentscape!.getState().position!)
    const delta = leg.target - pos[leg.axis]
    const n = Math.ceil(Math.abs(delta) / STILL_STEP_M)
    for (let i = 1; i <= n; i++) {
      const target = pos[leg.axis] + (delta * i) / n
      await walk(page, [{ axis: leg.axis, target }], false)
      await measure()
    }
  }
  return stops
}

/** Seconds from navigation start to each of the world's start marks (`START_MARKS`) that the page has made. */
async function startTimeline(page: Page): Promise<Partial<Record<keyof typeof START_MARKS, number>>> {
  const at = await page.evaluate(
    (names) => names.map((n) => performance.getEntriesByName(n, 'mark')[0]?.startTime ?? null),
    Object.values(START_MARKS),
  )
  const out: Partial<Record<keyof typeof START_MARKS, number>> = {}
  Object.keys(START_MARKS).forEach((k, i) => {
    const ms = at[i]
    if (ms !== null) out[k as keyof typeof START_MARKS] = Math.round(ms / 10) / 100
  })
  return out
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      seed: { type: 'string', default: 'amber-fern-drift' },
      rooms: { type: 'string', default: '20' },
      tex: { type: 'string', default: '128' },
      width: { type: 'string', default: '960' },
      height: { type: 'string', default: '540' },
      threads: { type: 'string' },
      still: { type: 'boolean', default: false },
    },
  })
  const { baseUrl, server } = await serveApp(values['base-url'])
  const browser = await launchBrowser()
  const viewport = { width: Number(values.width), height: Number(values.height) }
  /** A fresh browser context on the world, once its first room is textured. */
  const openWorld = async () => {
    const opened = await openPage(
      browser,
      baseUrl,
      `/w/${encodeURIComponent(values.seed)}?tex=${values.tex}${values.threads ? `&threads=${values.threads}` : ''}`,
      { viewport },
    )
    try {
      await opened.page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 300_000,
        polling: 100,
      })
    } catch (error) {
      await opened.context.close()
      throw error
    }
    return opened
  }
  const runs = []
  let still: { stepM: number; framesPerStop: number; stops: Stop[] } | undefined
  try {
    for (const [label, run] of [
      ['walk 1.4 m/s', false],
      ['run 3.5 m/s', true],
    ] as const) {
      // A fresh context per speed: empty caches, so both walks generate every room.
      const { page, context } = await openWorld()
      try {
        // The world's start as the page marked it, in seconds from navigation start (the streamer's START_MARKS).
        const start = await startTimeline(page)
        const firstTexturedS = start.roomTextured ?? NaN
        const route = await planRoute(page, Number(values.rooms))
        await page.evaluate(() => window.latentscape!.resetFrameStats())
        const { seconds, entries } = await walk(page, route.legs, run)
        const stats = await page.evaluate(() => window.latentscape!.getStats())
        const result = {
          label,
          rooms: route.rooms.length,
          route: route.rooms,
          walkSeconds: Math.round(seconds * 10) / 10,
          firstTexturedRoomSeconds: Math.round(firstTexturedS * 100) / 100,
          startSeconds: start,
          roomsEntered: entries.length,
          roomsEnteredUntextured: entries.filter((ready) => !ready).length,
          frameMs: stats.frameMs,
          backend: (await page.evaluate(() => window.latentscape!.getState().backend)) ?? null,
          threads: await page.evaluate(() => window.latentscape!.getState().threads),
          endStats: stats,
        }
        console.log(
          `[bench:frames] ${label}: ${result.rooms} rooms in ${result.walkSeconds} s; frame ms median ${stats.frameMs.median}, ` +
            `p95 ${stats.frameMs.p95}, p99 ${stats.frameMs.p99} (${stats.frameMs.count} frames); ` +
            `entered untextured ${result.roomsEnteredUntextured}/${result.roomsEntered}; ` +
            `first textured room after ${result.firstTexturedRoomSeconds} s (${result.backend}, ${result.threads} thread(s))`,
        )
        const work = stats.frameMs.work
        if (work !== undefined)
          console.log(
            `[bench:frames] ${label}: ${work.slow.frames} frames slower than 1.5x the median; share of them (of all ` +
              `frames) that uploaded ${work.slow.upload} (${work.all.upload}), compiled a program ${work.slow.program} ` +
              `(${work.all.program}), mounted rooms ${work.slow.mount} (${work.all.mount}), ran with the generator busy ` +
              `${work.slow.generating} (${work.all.generating}), redrew the shadow map ${work.slow.shadow} (${work.all.shadow}); ` +
              `median upload in a slow frame ${work.slowUploadMs} ms`,
          )
        console.log(
          `[bench:frames] ${label}: from navigation start (s): ` +
            Object.entries(start)
              .map(([k, v]) => `${k} ${v}`)
              .join(', '),
        )
        runs.push(result)
      } finally {
        await context.close()
      }
    }
    if (values.still) {
      const { page, context } = await openWorld()
      try {
        const route = await planRoute(page, Number(values.rooms))
        const stops = await stillPass(page, route.legs)
        const ms = stops.map((s) => s.frameMs)
        const sorted = [...ms].sort((a, b) => a - b)
        const median = sorted[Math.floor(sorted.length / 2)]!
        console.log(
          `[bench:frames] still: ${stops.length} stops every ${STILL_STEP_M} m, nothing streaming; median frame ms per ` +
            `stop: ${ms.map((v) => v.toFixed(0)).join(' ')}; cheapest ${sorted[0]!.toFixed(1)}, median ` +
            `${median.toFixed(1)}, dearest ${sorted[sorted.length - 1]!.toFixed(1)} ` +
            `(${(sorted[sorted.length - 1]! / median).toFixed(2)}× the median stop)`,
        )
        still = { stepM: STILL_STEP_M, framesPerStop: STILL_FRAMES, stops }
      } finally {
        await context.close()
      }
    }
  } finally {
    await browser.close()
    await server?.stop()
  }
  const out = join(REPO_ROOT, 'bench', 'results', 'frames.json')
  await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
  await writeFile(
    out,
    JSON.stringify(
      {
        seed: values.seed,
        texPx: Number(values.tex),
        viewport,
        cpus: cpus().length,
        renderer: 'headless Chromium (SwiftShader, software)',
        runs,
        ...(still !== undefined ? { still } : {}),
      },
      null,
      2,
    ) + '\n',
  )
  console.log(`[bench:frames] wrote ${out}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
