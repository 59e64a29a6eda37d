/**
 * Headless screenshots for the README: `/` → docs/screenshots/landing.png, `/w/<seed>` → docs/screenshots/world.png.
 * Usage: `npx tsx scripts/screenshot.ts [--base-url http://localhost:3000] [--seed amber-fern-drift]`.
 * Without --base-url it serves the existing production build (building it first if there is none).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { launchBrowser, openPage, type PageRecord } from '../test/e2e/support/browser'
import { buildApp, hasBuild, REPO_ROOT, startNextServer, type NextServer } from '../test/e2e/support/server'

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
  let server: NextServer | undefined
  let baseUrl = values['base-url']
  if (baseUrl === undefined) {
    if (!hasBuild()) await buildApp()
    server = await startNextServer()
    baseUrl = server.url
  }
  const browser = await launchBrowser()
  try {
    await mkdir(OUT_DIR, { recursive: true })

    const landing = await openPage(browser, baseUrl, '/', { viewport: VIEWPORT })
    await landing.page.waitForLoadState('networkidle')
    await landing.page.screenshot({ path: join(OUT_DIR, 'landing.png') })
    report('landing', landing.record)
    await landing.context.close()

    const world = await openPage(browser, baseUrl, `/w/${encodeURIComponent(values.seed)}`, { viewport: VIEWPORT })
    await world.page.waitForFunction(() => window.latentscape?.getState().ready === true, undefined, {
      timeout: 60_000,
    })
    await world.page.waitForTimeout(500)
    await world.page.screenshot({ path: join(OUT_DIR, 'world.png') })
    report('world', world.record)
    await world.context.close()
    console.log(`[screenshot] wrote ${join(OUT_DIR, 'landing.png')} and ${join(OUT_DIR, 'world.png')}`)
  } finally {
    await browser.close()
    await server?.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
