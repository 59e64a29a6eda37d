/**
 * Relief under a moving sun: face a solid brick wall, light it with a white sun grazing it from the left, then from
 * the right (mirror images about the wall's normal, high enough that no other wall shades it), and unlit (a uniform
 * white ambient light: the colour maps unshaded). A flat, evenly coloured wall would shade the same under both suns;
 * a wall with relief lights the faces turned towards each sun, so the shading pattern (lit ÷ unlit, per pixel, its
 * fine detail) has detail, and changes from one sun to the other, while the unlit colour on screen and the textures'
 * maps stay exactly the same.
 * Runs against the shipped surface model (whatever it is: a relief model's walls must carry a normal map, a colour-only
 * model's their colour alone, read as a bump map) and against a relief model that is a test fixture (random weights,
 * served in place of the shipped files), so the relief path is proven in the browser whatever model ships.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { describe, expect, inject, it } from 'vitest'
import type { LightingOverride } from '../../components/session/world-session'
import { parseManifest } from '../../world-gen/gan/manifest'
import { familyModel } from '../support/family-model'
import { openPage, browserForFile, settleInRoom } from './support/browser'

const baseUrl = inject('baseUrl')
const browser = browserForFile()
const SHIPPED = parseManifest(
  JSON.parse(readFileSync(fileURLToPath(new URL('../../public/models/surface/model.json', import.meta.url)), 'utf8')),
)
/** A relief model of the world's latent layout (64 + 16 + 16 channels, 8 px a cell, every district family). */
const FIXTURE = familyModel({
  globalDim: 64,
  familyDim: 16,
  localDim: 16,
  upsamples: 3,
  hidden: 8,
  reliefPxPerUnit: 6,
  version: 'surface-v3-relief-fixture',
})

// Room (-3, 2) of "demo": brick walls, no door in the west wall (5 m tall, 7.5 m wide), 2.75 m from the room's centre.
const WORLD = '/w/demo?r=-3,2&h=270&tex=128'
const ROOM = { x: -3, z: 2 }
const VIEWPORT = { width: 640, height: 400 }
/** The crop of the view that is west wall only: the middle of the screen, above the skirting, below the band. */
const CROP = { x0: 160, x1: 480, y0: 70, y1: 230 }
/** The suns: 55° either side of the wall's normal (azimuth 90°, east), 70° up, so no other wall shades the crop. */
const SUN_LEFT = { kind: 'sun', azimuthDeg: 35, elevationDeg: 70 } as const
const SUN_RIGHT = { kind: 'sun', azimuthDeg: 145, elevationDeg: 70 } as const

/** Luma (Rec. 601) of the crop of the current frame, row-major. */
async function cropLuma(page: Page): Promise<Float64Array> {
  // Four frames for the lights and the shadow map to follow the change, then the preserved drawing buffer.
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        let n = 0
        const tick = () => (++n >= 4 ? done() : requestAnimationFrame(tick))
        requestAnimationFrame(tick)
      }),
  )
  const url = await page.$eval('canvas', (c) => (c as HTMLCanvasElement).toDataURL('image/png'))
  const png = PNG.sync.read(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'))
  expect([png.width, png.height]).toEqual([VIEWPORT.width, VIEWPORT.height])
  const w = CROP.x1 - CROP.x0
  const out = new Float64Array(w * (CROP.y1 - CROP.y0))
  for (let y = CROP.y0; y < CROP.y1; y++)
    for (let x = CROP.x0; x < CROP.x1; x++) {
      const i = 4 * (y * png.width + x)
      out[(y - CROP.y0) * w + x - CROP.x0] = 0.299 * png.data[i]! + 0.587 * png.data[i + 1]! + 0.114 * png.data[i + 2]!
    }
  return out
}

/**
 * The fine detail of the shading of `lit` over `unlit`: lit ÷ unlit per pixel, divided by its mean (a brighter or
 * dimmer sun changes nothing), minus its 9×9 local mean (smooth gradients, the broad specular lobe, are left out).
 */
function shadingDetail(lit: Float64Array, unlit: Float64Array): Float64Array {
  const w = CROP.x1 - CROP.x0
  const h = CROP.y1 - CROP.y0
  const ratio = lit.map((v, i) => v / (unlit[i]! + 4))
  const mean = ratio.reduce((s, v) => s + v, 0) / ratio.length
  for (let i = 0; i < ratio.length; i++) ratio[i] = ratio[i]! / mean
  const out = new Float64Array(ratio.length)
  const r = 4
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let sum = 0
      let n = 0
      for (let dy = -r; dy <= r; dy++)
        for (let dx = -r; dx <= r; dx++) {
          const yy = y + dy
          const xx = x + dx
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue
          sum += ratio[yy * w + xx]!
          n++
        }
      out[y * w + x] = ratio[y * w + x]! - sum / n
    }
  return out
}

const meanAbsDiff = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length
const meanAbs = (a: Float64Array) => a.reduce((s, v) => s + Math.abs(v), 0) / a.length
function correlation(a: Float64Array, b: Float64Array): number {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!
    aa += a[i]! * a[i]!
    bb += b[i]! * b[i]!
  }
  return ab / Math.sqrt(aa * bb)
}

/** Open the world (after `setup` installed routes on the context), wait for the room's textures and its sky. */
async function openWall(setup?: (context: BrowserContext) => Promise<unknown>) {
  const opened = await openPage(browser(), baseUrl, '/about', { viewport: VIEWPORT })
  await setup?.(opened.context)
  await opened.page.goto(`${baseUrl}${WORLD}`, { waitUntil: 'load' })
  const { page } = opened
  await settleInRoom(page, ROOM, 270, { roomTimeoutMs: 240_000, skyTimeoutMs: 120_000 })
  return opened
}

/** The wall under both suns and unlit; what the textures hold before and after. */
async function measureWall(page: Page) {
  const surfaces = () => page.evaluate(({ x, z }) => window.latentscape!.getSurfaces(x, z), ROOM)
  const before = await surfaces()
  const light = (l: LightingOverride | null) => page.evaluate((l) => window.latentscape!.setLighting(l), l)
  await light({ kind: 'unlit' })
  const unlit = await cropLuma(page)
  await light(SUN_LEFT)
  const left = await cropLuma(page)
  const leftAgain = await cropLuma(page)
  await light(SUN_RIGHT)
  const right = await cropLuma(page)
  await light({ kind: 'unlit' })
  const unlitAfter = await cropLuma(page)
  await light(null)
  const after = await surfaces()
  const dl = shadingDetail(left, unlit)
  const dr = shadingDetail(right, unlit)
  const figures = {
    // How much the fine shading changes from one sun to the other, and between two frames under the same sun.
    flip: meanAbsDiff(dl, dr),
    noise: meanAbsDiff(dl, shadingDetail(leftAgain, unlit)),
    detail: (meanAbs(dl) + meanAbs(dr)) / 2,
    // Both suns stand as high: the part of the relief facing up lights alike, so this is positive, not −1.
    correlation: correlation(dl, dr),
    // The unlit colour before and after the sun moved (0–255 luma).
    unlitDiff: meanAbsDiff(unlit, unlitAfter),
    // The sun really lights the crop: mean luma under each, and unlit.
    means: [left, right, unlit].map((a) => a.reduce((s, v) => s + v, 0) / a.length),
  }
  console.info(`[relief] ${JSON.stringify(figures)}`)
  return { before, after, figures }
}

/** What every model must show: the sun moves the shading pattern, the colour stays put. */
function expectReliefAnswersTheSun({ before, after, figures }: Awaited<ReturnType<typeof measureWall>>) {
  expect(after, 'the textures and their maps did not change when the sun moved').toEqual(before)
  expect(figures.unlitDiff, 'the unlit colour on screen did not change').toBeLessThan(0.5)
  // The suns must light the crop; the unlit view (uniform ambient light) only shows the material's own colour,
  // which may be dark (the shipped weights paint this wall a near-black maroon brick: luma ~3 unlit, ~13 lit).
  const [litLeft, litRight, unlitMean] = figures.means as [number, number, number]
  expect(Math.min(litLeft, litRight), 'both suns light the wall').toBeGreaterThan(10)
  expect(unlitMean, 'the wall has colour unlit (not black)').toBeGreaterThan(1)
  // A flat wall lit by a distant sun shades evenly: lit ÷ unlit would have no fine detail at all.
  expect(figures.detail, 'the sunlit wall shows relief').toBeGreaterThan(0.03)
  expect(figures.flip, 'the fine shading changes with the sun').toBeGreaterThan(0.02)
  expect(figures.flip, '… far beyond frame-to-frame noise').toBeGreaterThan(10 * figures.noise + 0.005)
}

describe('relief: a lit wall answers the sun', () => {
  it(
    `the shipped surface model (${SHIPPED.version}, ${SHIPPED.relief ? 'relief' : 'colour only'}): moving the sun ` +
      'changes the shading of a lit wall; the unlit colour and the maps stay the same',
    { timeout: 420_000 },
    async () => {
      const { page, context, record } = await openWall()
      try {
        const { before, after, figures } = await measureWall(page)
        const walls = before.find((s) => s.slot === 'walls')!
        // A relief model's walls carry their height, normal and roughness; a colour-only model's their colour alone.
        expect(walls.maps, `maps of ${SHIPPED.version}`).toEqual(
          SHIPPED.relief ? ['color', 'height', 'normal', 'roughness'] : ['color'],
        )
        expectReliefAnswersTheSun({ before, after, figures })
        expect(record.pageErrors).toEqual([])
        expect(record.consoleErrors).toEqual([])
        expect(record.blockedRequests).toEqual([])
      } finally {
        await context.close()
      }
    },
  )

  it(
    'a relief model (a test fixture with random weights, served in place of the shipped files): the walls get a ' +
      'normal map and roughness, and their relief answers the sun',
    { timeout: 420_000 },
    async () => {
      const json = JSON.stringify(FIXTURE.manifest)
      const weights = Buffer.from(FIXTURE.weights)
      const { page, context, record } = await openWall((c) =>
        Promise.all([
          c.route('**/models/surface/model.json', (r) =>
            r.fulfill({ status: 200, contentType: 'application/json', body: json }),
          ),
          c.route('**/models/surface/weights.bin', (r) =>
            r.fulfill({ status: 200, contentType: 'application/octet-stream', body: weights }),
          ),
        ]),
      )
      try {
        const result = await measureWall(page)
        const walls = result.before.find((s) => s.slot === 'walls')!
        expect(walls).toMatchObject({ widthPx: 128, heightPx: 128, maps: ['color', 'height', 'normal', 'roughness'] })
        expectReliefAnswersTheSun(result)
        // The roughness patch compiled (a shader error is a console error) and the normal map is counted.
        const stats = await page.evaluate(() => window.latentscape!.getStats())
        expect(stats.textureBytes).toBeGreaterThan(0)
        expect(record.pageErrors).toEqual([])
        expect(record.consoleErrors).toEqual([])
        expect(record.blockedRequests).toEqual([])
      } finally {
        await context.close()
      }
    },
  )
})
