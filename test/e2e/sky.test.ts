/**
 * The generated sky in the browser: the first room's sky is generated (state, HUD), the canvas shows exactly its
 * clouds as the sky shader paints them per pixel (an oracle: every compared canvas pixel is predicted from the sky's
 * shading — cloud layer and terms, read back through automation — the camera, the plane under the view ray and the
 * equirect mapping, which also catches a wrong colour space, a flipped or rotated lookup, a wrong mip level), agrees
 * with the exported panorama, and is not the placeholder gradient; "Export sky" writes it with provenance; a room far
 * away gets a different sky. One page, `?tex=64`.
 */
import { Float16Array } from '@petamoriken/float16'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { skyPalette } from '../../components/canvas/world-palette'
import type { LatentscapeSkyShading } from '../../components/session/automation'
import {
  DIGITAL_SOURCE_TYPE_TRAINED,
  linearToSrgbByte,
  mipChain,
  readProvenance,
  room,
  sampleMip,
  shadeSkyTexel,
  skyAngles,
  skyHorizonFade,
  skySilver,
  SRGB_TO_LINEAR,
  type RgbaImage,
  type Vec3,
} from '../../world-gen'
import { browserForFile, openPage, type OpenedPage } from './support/browser'
import { REPO_ROOT } from './support/server'

const baseUrl = inject('baseUrl')
const browser = browserForFile()
const MODEL = JSON.parse(readFileSync(join(REPO_ROOT, 'public/models/sky/model.json'), 'utf8')).latentscape as {
  version: string
  weightsSha256: string
  licence: string
}
// Room (0, 0) of this seed is 10.5 m square with 4.5 m walls, no columns or dais: its walls stay below 33° from the
// centre, so a view pitched up shows plenty of open sky.
const SEED = 'sky-test'
// 13 rooms (> 3 keyframes) away, so an independent sky latent; 12 × 8.5 m with 3.5 m walls.
const FAR = { x: 13, z: 1 }
const VIEWPORT = { width: 480, height: 300 }
const FOV_DEG = 70 // components/canvas/world-scene.tsx camera
const EYE_M = 1.6
const VIEW = { headingDeg: 30, pitchDeg: 45 }
const DEG = Math.PI / 180
const TIMEOUT_MS = 150_000
/** Largest mean difference (0–255 per channel) of the canvas from the shading oracle. */
const SHADED_MAX = 2
/** Largest mean difference of the canvas from the exported panorama (coarser: it resolves fewer clouds' edges). */
const PANORAMA_MAX = 4

type Image = { width: number; height: number; data: Uint8Array }
const decode = (bytes: Uint8Array): Image => {
  const png = PNG.sync.read(Buffer.from(bytes))
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) }
}

/** World view direction of canvas pixel (px, py) for the camera at VIEW (three.js Euler YXZ: yaw −heading, pitch). */
function pixelDirection(px: number, py: number, w: number, h: number): Vec3 {
  const t = Math.tan((FOV_DEG / 2) * DEG)
  const x = ((2 * (px + 0.5)) / w - 1) * t * (w / h)
  const y = (1 - (2 * (py + 0.5)) / h) * t
  const p = VIEW.pitchDeg * DEG
  // Pitch about x, then yaw (−heading) about y.
  const y1 = y * Math.cos(p) + Math.sin(p)
  const z1 = y * Math.sin(p) - Math.cos(p)
  const yaw = -VIEW.headingDeg * DEG
  const len = Math.hypot(x, y1, z1)
  return [(x * Math.cos(yaw) + z1 * Math.sin(yaw)) / len, y1 / len, (-x * Math.sin(yaw) + z1 * Math.cos(yaw)) / len]
}

const smoothstep = (e0: number, e1: number, x: number) => {
  const t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)))
  return t * t * (3 - 2 * t)
}

type Rgb = [number, number, number]

/**
 * Bilinear lookup at texture coordinates (u, t) of a `w` × `h` grid whose texel (x, y) has channel c `at(x, y, c)`:
 * wrapping in u, clamped to the rows in t (as the GPU samples the sky's equirect textures).
 */
function bilinearAt(at: (x: number, y: number, c: number) => number, w: number, h: number, u: number, t: number): Rgb {
  const fx = u * w - 0.5
  const fy = Math.min(h - 1, Math.max(0, t * h - 0.5))
  const x0 = Math.floor(fx)
  const y0 = Math.floor(fy)
  const ax = fx - x0
  const ay = fy - y0
  const texel = (x: number, y: number, c: number) => at(((x % w) + w) % w, Math.min(h - 1, y), c)
  return [0, 1, 2].map((c) => {
    const top = texel(x0, y0, c) * (1 - ax) + texel(x0 + 1, y0, c) * ax
    const bottom = texel(x0, y0 + 1, c) * (1 - ax) + texel(x0 + 1, y0 + 1, c) * ax
    return top * (1 - ay) + bottom * ay
  }) as Rgb
}

/**
 * The sky shader's `equirect` filter (shaders/sky.glsl.ts) over a `w` × `h` hemisphere looked up bilinearly by
 * `lookup(u, t)`, in direction (lon, elev): the same row clamp and the longitude filter that widens towards the zenith.
 */
function equirectFilter(lookup: (u: number, t: number) => Rgb, w: number, h: number, lon: number, elev: number): Rgb {
  const u = lon / (2 * Math.PI) + 0.5
  const t = Math.min(1 - 0.5 / h, Math.max(0.5 / h, 1 - elev / (Math.PI / 2)))
  const cosE = Math.cos(elev)
  const polar = 1 - smoothstep(0.05, 0.5, cosE)
  const width = Math.min(Math.max(1 / (4 * h * Math.max(cosE, 1e-4)) - 1 / w, polar * 0.125), 1)
  if (width * w < 0.25) return lookup(u, t)
  const out: Rgb = [0, 0, 0]
  let wsum = 0
  for (let i = 0; i < 16; i++) {
    const o = (i + 0.5) / 16 - 0.5
    const k = 1 - Math.abs(o)
    const c = lookup(u + o * width, t)
    for (let j = 0; j < 3; j++) out[j] += k * c[j]!
    wsum += k
  }
  return out.map((v) => v / wsum) as Rgb
}

/**
 * What the sky shader (shaders/sky.glsl.ts `hemisphere`, above the horizon and below the zenith blend) draws from the
 * exported panorama (its upper half) in direction (lon, elev), in linear light like the GPU's sRGB sampler, as sRGB
 * bytes.
 */
function expectedSky(pano: Image, lonRad: number, elevRad: number): Rgb {
  const w = pano.width
  const h = pano.height / 2
  const at = (x: number, y: number, c: number) => SRGB_TO_LINEAR[pano.data[(y * w + x) * 4 + c]!]!
  const lin = equirectFilter((u, t) => bilinearAt(at, w, h, u, t), w, h, lonRad, elevRad)
  return lin.map(linearToSrgbByte) as Rgb
}

/** A sky's shading as the page holds it, decoded: the cloud layer's mip chain and the terms. */
type Shading = {
  mips: RgbaImage[]
  tileSize: number
  tilesPerUnit: number
  terms: Float32Array
  w: number
  h: number
  sun: Vec3
  overcast: number
}

async function skyShading(page: Page): Promise<Shading> {
  const s = (await page.evaluate(() => window.latentscape!.getSkyShading())) as LatentscapeSkyShading | null
  expect(s, 'the shown sky is painted from its shading').not.toBeNull()
  const layer = new Uint8Array(Buffer.from(s!.layerBase64, 'base64'))
  const bytes = Buffer.from(s!.termsBase64, 'base64')
  const terms = Float32Array.from(
    new Float16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
  )
  expect(layer.length).toBe(s!.tileSize * s!.tileSize * 4)
  expect(terms.length).toBe(3 * s!.termsWidthPx * s!.termsHeightPx * 4)
  return {
    mips: mipChain({ data: layer, widthPx: s!.tileSize, heightPx: s!.tileSize }),
    tileSize: s!.tileSize,
    tilesPerUnit: s!.tilesPerUnit,
    terms,
    w: s!.termsWidthPx,
    h: s!.termsHeightPx,
    sun: s!.sunDirection,
    overcast: s!.overcast,
  }
}

/** Band `band` of the terms at texture coordinates (u, t), bilinear. */
function termsBilinear(sh: Shading, band: number, u: number, t: number): Rgb {
  const at = (x: number, y: number, c: number) => sh.terms[((band * sh.h + y) * sh.w + x) * 4 + c]!
  return bilinearAt(at, sh.w, sh.h, u, t)
}

/** Point of the cloud plane (unit height) under direction `d`, in the layer's texels (x times `east`). */
const planeTexel = (sh: Shading, d: Vec3, east: number): [number, number] => {
  const k = (sh.tilesPerUnit * sh.tileSize) / Math.max(d[1], 0.01)
  return [east * d[0] * k, d[2] * k]
}

/**
 * What the sky shader (shaders/sky.glsl.ts `shadedSky`) draws in direction `d` above the horizon, as sRGB bytes: the
 * terms at the direction, the cloud layer trilinear at the plane point with the mip level of its footprint between
 * neighbouring pixels (`dRight`, `dDown`), shaded as world-gen `shadeSkyTexel`. `east` −1 mirrors the layer (a
 * control).
 */
function expectedShaded(sh: Shading, d: Vec3, dRight: Vec3, dDown: Vec3, east = 1): [number, number, number] {
  const [lon, elev] = skyAngles(d)
  const s = equirectFilter((u, t) => termsBilinear(sh, 0, u, t), sh.w, sh.h, lon, elev)
  const u = lon / (2 * Math.PI) + 0.5
  const t = Math.min(1 - 0.5 / sh.h, Math.max(0.5 / sh.h, 1 - elev / (Math.PI / 2)))
  const p = termsBilinear(sh, 1, u, t)
  const q = termsBilinear(sh, 2, u, t)
  const at = planeTexel(sh, d, east)
  const right = planeTexel(sh, dRight, east)
  const down = planeTexel(sh, dDown, east)
  const footprint = Math.max(
    Math.hypot(right[0] - at[0], right[1] - at[1]),
    Math.hypot(down[0] - at[0], down[1] - at[1]),
  )
  const layer = sampleMip(sh.mips, at[0], at[1], footprint, new Float64Array(3))
  const a = layer[0]! / 255
  const al = layer[1]! / 255
  const silver = skySilver(d[0] * sh.sun[0] + d[1] * sh.sun[1] + d[2] * sh.sun[2])
  const fade = skyHorizonFade(d[1])
  return [0, 1, 2].map((c) =>
    linearToSrgbByte(shadeSkyTexel(s[c]!, p[c]!, q[c]!, a, al, silver, fade, sh.overcast)),
  ) as [number, number, number]
}

/** The placeholder gradient of shaders/gradient-sky.glsl.ts in direction `d`, as sRGB bytes. */
function gradientSky(d: Vec3): [number, number, number] {
  const { horizon, zenith } = skyPalette(SEED)
  const e = d[1]
  const k = Math.pow(Math.max(0, Math.min(1, e)), 0.55)
  const lin = [horizon.r, horizon.g, horizon.b].map((hc, c) => {
    const zc = [zenith.r, zenith.g, zenith.b][c]!
    return hc + (zc - hc) * k + hc * 0.35 * Math.exp(-Math.abs(e) * 18)
  })
  return lin.map(linearToSrgbByte) as [number, number, number]
}

/**
 * Elevation above which nothing but sky is seen from the centre of room (x, z): its nearest wall (plus 0.5 m of trim)
 * at eye height, and at least 32° (through a doorway, a neighbour's wall — ≤ 6 m high, ≥ 8 m away — stays below).
 */
function openSkyFromRad(x: number, z: number): number {
  const { size } = room(SEED, x, z)
  return Math.max(32 * DEG, Math.atan((size.height + 0.5 - EYE_M) / (Math.min(size.width, size.depth) / 2)))
}

/**
 * Mean absolute difference per channel (0–255) between the canvas and `expected(direction, the directions of the
 * pixels right of and below it)` over canvas pixels whose elevation lies between the open sky (+3°) and 62°; and
 * their count.
 */
function compareSky(
  canvas: Image,
  wallRad: number,
  expected: (d: Vec3, dRight: Vec3, dDown: Vec3) => [number, number, number],
) {
  let sum = 0
  let n = 0
  for (let py = 0; py < canvas.height; py += 3)
    for (let px = 0; px < canvas.width; px += 3) {
      const d = pixelDirection(px, py, canvas.width, canvas.height)
      const [, elev] = skyAngles(d)
      if (elev < wallRad + 3 * DEG || elev > 62 * DEG) continue
      const right = pixelDirection(px + 1, py, canvas.width, canvas.height)
      const down = pixelDirection(px, py + 1, canvas.width, canvas.height)
      const e = expected(d, right, down)
      const i = (py * canvas.width + px) * 4
      for (let c = 0; c < 3; c++) sum += Math.abs(canvas.data[i + c]! - e[c]!)
      n++
    }
  return { meanDiff: sum / (3 * Math.max(1, n)), pixels: n }
}

async function canvasImage(page: Page): Promise<Image> {
  await page.evaluate((v) => {
    window.latentscape!.setHeading(v.headingDeg)
    window.latentscape!.setPitch(v.pitchDeg)
  }, VIEW)
  // Two frames: the view turned and drawn into the preserved drawing buffer.
  await page.evaluate(
    () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  )
  const url = await page.$eval('canvas', (c) => (c as HTMLCanvasElement).toDataURL('image/png'))
  return decode(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'))
}

async function waitSkyOf(page: Page, x: number, z: number): Promise<void> {
  await page.waitForFunction(
    ({ x, z }) => {
      const s = window.latentscape?.getState()
      return s?.sky.ready === true && s.room.x === x && s.room.z === z
    },
    { x, z },
    { timeout: TIMEOUT_MS, polling: 250 },
  )
}

async function exportSky(page: Page): Promise<Uint8Array> {
  const panel = page.getByRole('region', { name: 'Share and export' })
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Share · Export' }).click()
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export sky', exact: true }).click(),
  ])
  return new Uint8Array(readFileSync(await download.path()))
}

describe('generated sky', () => {
  let opened: OpenedPage
  let firstExport: Image
  let firstCanvas: Image

  beforeAll(async () => {
    opened = await openPage(browser(), baseUrl, `/w/${SEED}?tex=64`, { viewport: VIEWPORT })
    await waitSkyOf(opened.page, 0, 0)
  }, TIMEOUT_MS + 30_000)

  afterAll(async () => {
    await opened?.context.close()
  })

  it('the first room’s sky is generated, painted per pixel from its shading like its panorama (not the gradient), and exports with provenance', async () => {
    const { page } = opened
    const state = await page.evaluate(() => window.latentscape!.getState())
    expect(state.sky).toEqual({
      ready: true,
      version: MODEL.version,
      available: true,
      room: { x: 0, z: 0 },
      error: null,
    })
    expect(await page.getByTestId('hud-sky').innerText()).toBe(
      `Sky: generated clouds (${MODEL.version}), computed daylight`,
    )

    const bytes = await exportSky(page)
    const meta = readProvenance(bytes)
    expect(meta).toMatchObject({
      model: 'sky',
      version: MODEL.version,
      weightsSha256: MODEL.weightsSha256,
      licence: MODEL.licence,
      seed: SEED,
      room: { x: 0, z: 0 },
      slot: 'sky',
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
    expect(meta.url).toMatch(/\/w\/sky-test\?r=0,0&h=\d+/)
    firstExport = decode(bytes)
    expect([firstExport.width, firstExport.height]).toEqual([512, 256])

    const wallRad = openSkyFromRad(0, 0)
    firstCanvas = await canvasImage(page)
    const shading = await skyShading(page)
    const sky = compareSky(firstCanvas, wallRad, (d, r, b) => expectedShaded(shading, d, r, b))
    const panorama = compareSky(firstCanvas, wallRad, (d) => expectedSky(firstExport, ...skyAngles(d)))
    // A control: the oracle with the cloud layer mirrored east–west misses the clouds (so it sees where they are).
    const mirrored = compareSky(firstCanvas, wallRad, (d, r, b) => expectedShaded(shading, d, r, b, -1))
    const gradient = compareSky(firstCanvas, wallRad, gradientSky)
    console.info(
      `[sky] canvas vs shading ${sky.meanDiff.toFixed(2)}, vs panorama ${panorama.meanDiff.toFixed(2)}, ` +
        `vs gradient ${gradient.meanDiff.toFixed(2)}, vs mirrored clouds ${mirrored.meanDiff.toFixed(2)}`,
    )
    expect(sky.pixels).toBeGreaterThan(2000)
    expect(sky.meanDiff, 'the canvas shows the sky’s shading where the mapping predicts it').toBeLessThan(SHADED_MAX)
    expect(panorama.meanDiff, 'the same sky as the exported panorama').toBeLessThan(PANORAMA_MAX)
    expect(gradient.meanDiff, 'and not the placeholder gradient').toBeGreaterThan(4 * sky.meanDiff + 6)
    expect(mirrored.meanDiff, 'nor clouds elsewhere').toBeGreaterThan(4 * sky.meanDiff + 2)
  })

  it('a room far away gets a different generated sky, again on screen as generated and exported', async () => {
    const { page, record } = opened
    await page.evaluate(({ x, z }) => window.latentscape!.goTo(x, z), FAR)
    await waitSkyOf(page, FAR.x, FAR.z)
    const bytes = await exportSky(page)
    expect(readProvenance(bytes).room).toEqual(FAR)
    const far = decode(bytes)
    let diff = 0
    for (let i = 0; i < far.data.length / 2; i++) diff += Math.abs(far.data[i]! - firstExport.data[i]!)
    expect(diff / (far.data.length / 2), 'a different panorama').toBeGreaterThan(8)

    const canvas = await canvasImage(page)
    const wallRad = openSkyFromRad(FAR.x, FAR.z)
    const shading = await skyShading(page)
    const now = compareSky(canvas, wallRad, (d, r, b) => expectedShaded(shading, d, r, b))
    const panorama = compareSky(canvas, wallRad, (d) => expectedSky(far, ...skyAngles(d)))
    const before = compareSky(canvas, wallRad, (d) => expectedSky(firstExport, ...skyAngles(d)))
    console.info(
      `[sky] far room: canvas vs its shading ${now.meanDiff.toFixed(2)}, vs its panorama ` +
        `${panorama.meanDiff.toFixed(2)}, vs the first ${before.meanDiff.toFixed(2)}`,
    )
    expect(now.pixels).toBeGreaterThan(500)
    expect(now.meanDiff).toBeLessThan(SHADED_MAX)
    expect(panorama.meanDiff).toBeLessThan(PANORAMA_MAX)
    expect(before.meanDiff).toBeGreaterThan(4 * now.meanDiff + 4)

    expect(record.pageErrors).toEqual([])
    expect(record.consoleErrors).toEqual([])
    expect(record.blockedRequests).toEqual([])
  })
})
