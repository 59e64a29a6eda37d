/**
 * The README's relief picture, docs/relief/wall-sun.png: the same brick wall (world `demo`, room -3,2, its west wall)
 * under a white sun grazing it from the left (left column) and from the right (right column), painted by the last
 * colour-only surface weights (top row: its colour read as a bump map) and by the shipped relief weights (bottom row:
 * their generated height as a normal map). The suns are the browser test's (`test/e2e/relief.test.ts`): the
 * automation's `setLighting`, 55° either side of the wall's normal, 70° up, so no other wall shades it (brighter than
 * the test's, for the eye).
 * Usage: `npm run screenshots:relief [-- --base-url http://localhost:3000] [--before <dir|git revision>] [--after <dir>]`
 * `--before`: a folder with model.json + weights.bin, or a git revision of public/models/surface/; default: the newest
 * committed surface model with 3 output channels. `--after`: such a folder; default: public/models/surface/ (which
 * must then be a relief model). Without --base-url it serves the existing production build (building it if there is
 * none). Both models are served in place of the app's own through routes, so nothing under public/ changes.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { PNG } from 'pngjs'
import type { LightingOverride } from '../components/session/world-session'
import { parseManifest } from '../world-gen/gan/manifest'
import { launchBrowser, openPage, settleInRoom } from '../test/e2e/support/browser'
import { REPO_ROOT, serveApp } from '../test/e2e/support/server'

const OUT = join(REPO_ROOT, 'docs', 'relief', 'wall-sun.png')
const WORLD = '/w/demo?r=-3,2&h=270&tex=256'
const ROOM = { x: -3, z: 2 }
const VIEWPORT = { width: 960, height: 600 }
/** The part of the view that is west wall: the middle, above the skirting. */
const CLIP = { x: 160, y: 90, width: 640, height: 360 }
/** A sun brighter than the sky's (which peaks near 3): the wall faces it at a grazing 12°, and brick is dark. */
const SUN_INTENSITY = 8
const SUNS: LightingOverride[] = [
  { kind: 'sun', azimuthDeg: 35, elevationDeg: 70, intensity: SUN_INTENSITY },
  { kind: 'sun', azimuthDeg: 145, elevationDeg: 70, intensity: SUN_INTENSITY },
]
const GAP_PX = 8
const MODEL_PATH = 'public/models/surface'

type ModelFiles = { label: string; manifest: string; weights: Buffer }

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, maxBuffer: 1 << 28 })

/** The model of a folder, or of a git revision of the committed one. */
function modelFrom(source: string): ModelFiles {
  try {
    return {
      label: source,
      manifest: readFileSync(join(source, 'model.json'), 'utf8'),
      weights: readFileSync(join(source, 'weights.bin')),
    }
  } catch {
    return {
      label: `${source}:${MODEL_PATH}`,
      manifest: git('show', `${source}:${MODEL_PATH}/model.json`).toString('utf8'),
      weights: git('show', `${source}:${MODEL_PATH}/weights.bin`),
    }
  }
}

/** The newest committed surface model that paints colour only (3 output channels). */
function lastColourOnlyRevision(): string {
  const revisions = git('log', '--format=%H', '--', `${MODEL_PATH}/model.json`).toString().trim().split('\n')
  for (const rev of revisions) {
    const manifest = parseManifest(JSON.parse(git('show', `${rev}:${MODEL_PATH}/model.json`).toString('utf8')))
    if (manifest.outputChannels === 3) return rev
  }
  throw new Error('no committed colour-only surface model')
}

/** The wall under each sun, as RGBA PNGs of CLIP. */
async function shots(browser: Awaited<ReturnType<typeof launchBrowser>>, baseUrl: string, model: ModelFiles) {
  const { page, context, record } = await openPage(browser, baseUrl, '/about', { viewport: VIEWPORT })
  try {
    await context.route('**/models/surface/model.json', (r) =>
      r.fulfill({ status: 200, contentType: 'application/json', body: model.manifest }),
    )
    await context.route('**/models/surface/weights.bin', (r) =>
      r.fulfill({ status: 200, contentType: 'application/octet-stream', body: model.weights }),
    )
    await page.goto(`${baseUrl}${WORLD}`, { waitUntil: 'load' })
    await settleInRoom(page, ROOM, 270, { roomTimeoutMs: 300_000, skyTimeoutMs: 300_000 })
    const out: PNG[] = []
    for (const sun of SUNS) {
      await page.evaluate((l) => window.latentscape!.setLighting(l), sun)
      // Four frames for the lights and the shadow map to follow (no named functions inside: tsx would wrap them in
      // a helper the page does not have).
      await page.evaluate(async () => {
        for (let n = 0; n < 4; n++) await new Promise((frame) => requestAnimationFrame(frame))
      })
      out.push(PNG.sync.read(await page.screenshot({ clip: CLIP })))
    }
    const problems = [...record.blockedRequests, ...record.pageErrors, ...record.consoleErrors]
    if (problems.length > 0) console.warn(`[relief] ${model.label}: ${problems.join('\n')}`)
    return out
  } finally {
    await context.close()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'base-url': { type: 'string' }, before: { type: 'string' }, after: { type: 'string' } },
  })
  const before = modelFrom(values.before ?? lastColourOnlyRevision())
  const after = modelFrom(values.after ?? join(REPO_ROOT, MODEL_PATH))
  for (const [name, m, relief] of [
    ['--before', before, false],
    ['--after', after, true],
  ] as const) {
    const manifest = parseManifest(JSON.parse(m.manifest))
    if ((manifest.relief !== undefined) !== relief)
      throw new Error(`${name} ${m.label} (${manifest.version}) ${relief ? 'paints no relief' : 'is a relief model'}`)
    console.log(`[relief] ${name}: ${manifest.version} (${m.label})`)
  }
  const { baseUrl, server } = await serveApp(values['base-url'])
  const browser = await launchBrowser()
  try {
    const rows = [await shots(browser, baseUrl, before), await shots(browser, baseUrl, after)]
    const sheet = new PNG({ width: 2 * CLIP.width + GAP_PX, height: 2 * CLIP.height + GAP_PX })
    sheet.data.fill(255)
    rows.forEach((row, r) =>
      row.forEach((png, c) =>
        PNG.bitblt(png, sheet, 0, 0, CLIP.width, CLIP.height, c * (CLIP.width + GAP_PX), r * (CLIP.height + GAP_PX)),
      ),
    )
    await mkdir(join(REPO_ROOT, 'docs', 'relief'), { recursive: true })
    await writeFile(OUT, PNG.sync.write(sheet))
    console.log(`[relief] wrote ${OUT}`)
  } finally {
    await browser.close()
    await server?.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
