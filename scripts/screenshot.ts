/**
 * Headless screenshots for the README: `/` → docs/screenshots/landing.png, `/w/<seed>` → docs/screenshots/world.png,
 * the generated sky looking up over the walls (sky.png) and two views while walking (walk-1.png through a doorway,
 * walk-2.png), each taken once the generated textures and the room's generated sky are on the GPU.
 * Usage: `npx tsx scripts/screenshot.ts [--base-url http://localhost:3000] [--seed amber-fern-drift]`.
 * Without --base-url it serves the existing production build (building it first if there is none).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { launchBrowser, openPage, type PageRecord } from '../test/e2e/support/browser'
import { REPO_ROOT, serveApp } from '../test/e2e/support/server'

const OUT_DIR = join(REPO_ROOT, 'docs', 'screenshots')
const VIEWPORT = { width: 1440, height: 900 }

function report(name: string, record: PageRecord): void {
  const problems = [...record.blockedRequests, ...record.pageErrors, ...record.consoleErrors]
  if (problems.length > 0) console.warn(`[screenshot] ${name}: ${problems.join('\n')}`)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'base-url': { type: 'string' }, seed: { type: 'string', default: 'amber-fern-drift' } },
  })
  const { baseUrl, server } = await serveApp(values['base-url'])
  const browser = await launchBrowser()
  try {
    await mkdir(OUT_DIR, { recursive: true })

    const landing = await openPage(browser, baseUrl, '/', { viewport: VIEWPORT })
    await landing.page.waitForLoadState('networkidle')
    await landing.page.screenshot({ path: join(OUT_DIR, 'landing.png') })
    report('landing', landing.record)
    await landing.context.close()

    const world = await openPage(browser, baseUrl, `/w/${encodeURIComponent(values.seed)}`, { viewport: VIEWPORT })
    const { page } = world
    // Wait for generated textures (not a fixed sleep): the room the player stands in and its sky (unless the sky
    // generator is unavailable), then its neighbours.
    const textured = async () => {
      await page.waitForFunction(
        () => {
          const s = window.latentscape?.getState()
          return s?.textured === true && (s.sky.ready || s.sky.available === false)
        },
        undefined,
        { timeout: 300_000, polling: 250 },
      )
      await page.waitForFunction(() => window.latentscape!.getStats().queueLength === 0, undefined, {
        timeout: 300_000,
        polling: 250,
      })
      await page.evaluate(
        () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
      )
    }
    await textured()
    await page.screenshot({ path: join(OUT_DIR, 'world.png') })
    // The sky: looking up over the walls (teleports level the view again).
    await page.evaluate(() => window.latentscape!.setPitch(50))
    await page.evaluate(
      () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
    )
    await page.screenshot({ path: join(OUT_DIR, 'sky.png') })
    await page.evaluate(() => window.latentscape!.setPitch(0))
    // Walk: face the first open door of the spawn room and walk (keyboard) until through it.
    const spawn = await page.evaluate(() => window.latentscape!.getRoom(0, 0))
    const door = spawn.openings[0]
    const heading = { north: 0, east: 90, south: 180, west: 270 }[door.side]
    await page.evaluate((h) => window.latentscape!.goTo(0, 0, h), heading)
    await textured()
    const walkTo = async (h: number, metres: number) => {
      await page.evaluate((deg) => window.latentscape!.setHeading(deg), h)
      const start = await page.evaluate(() => window.latentscape!.getState().position!)
      await page.keyboard.down('ArrowUp')
      await page.waitForFunction(
        ({ s, m }) => {
          const p = window.latentscape!.getState().position!
          return Math.hypot(p.x - s.x, p.z - s.z) >= m
        },
        { s: start, m: metres },
        { polling: 'raf', timeout: 120_000 },
      )
      await page.keyboard.up('ArrowUp')
    }
    // Towards that wall, stopping short of it (rooms are 4–12 m across).
    const halfM = (door.side === 'north' || door.side === 'south' ? spawn.size.depth : spawn.size.width) / 2
    await walkTo(heading, Math.min(2.5, halfM - 0.8))
    await textured()
    await page.screenshot({ path: join(OUT_DIR, 'walk-1.png') })
    await page.evaluate(() => window.latentscape!.goTo(1, -1, 225))
    await textured()
    await walkTo(225, 1)
    await textured()
    await page.screenshot({ path: join(OUT_DIR, 'walk-2.png') })
    report('world', world.record)
    await world.context.close()
    console.log(`[screenshot] wrote landing.png, world.png, sky.png, walk-1.png and walk-2.png in ${OUT_DIR}`)
  } finally {
    await browser.close()
    await server?.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
