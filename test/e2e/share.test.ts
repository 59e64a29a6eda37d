import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { describe, expect, inject, it } from 'vitest'
import { encodeStyle, familyLabel, room, SURFACE_SLOTS, toLatentSphere } from '../../world-gen'
import { DIGITAL_SOURCE_TYPE_TRAINED, readProvenance } from '../../world-gen/provenance'
import { openPage, browserForFile } from './support/browser'
import { pngDataUrlStats } from './support/pixels'
import { REPO_ROOT } from './support/server'

const baseUrl = inject('baseUrl')
const modelMeta = (name: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, `public/models/${name}/model.json`), 'utf8')).latentscape as {
    version: string
    weightsSha256: string
    /** The weights' licence, which the images they paint carry. */
    licence: string
    /** Set for a family-conditioned surface model. */
    families?: { names: string[] }
  }
const MODEL = modelMeta('surface')
const SKY_MODEL = modelMeta('sky')
const browser = browserForFile()

/** Colour statistics of the rectangle [x0, x1) × [y0, y1) of a decoded PNG. */
function regionStats(png: PNG, x0: number, y0: number, x1: number, y1: number) {
  const colours = new Set<number>()
  let sum = 0
  let sumSq = 0
  let whitePixels = 0
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const o = 4 * (y * png.width + x)
      const [r, g, b] = [png.data[o], png.data[o + 1], png.data[o + 2]]
      colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4))
      const luma = 0.299 * r + 0.587 * g + 0.114 * b
      sum += luma
      sumSq += luma * luma
      if (r > 235 && g > 235 && b > 235) whitePixels++
    }
  const n = (x1 - x0) * (y1 - y0)
  return { distinctColors: colours.size, lumaStdDev: Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)), whitePixels }
}

/** The og:image URL a world page advertises, as a path on the app under test. */
async function ogImagePath(worldPath: string): Promise<string> {
  const html = await (await fetch(baseUrl + worldPath)).text()
  const meta = /<meta property="og:image" content="([^"]+)"/.exec(html)
  expect(meta, 'the world page has an og:image meta tag').not.toBeNull()
  const url = new URL(meta![1].replace(/&amp;/g, '&'))
  return url.pathname + url.search
}

describe('/about', () => {
  it('is linked from the landing page and shows the generators, both model cards, both data cards and credits', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/')
    try {
      await page.getByRole('link', { name: /How it works/ }).click()
      await page.waitForURL((url) => url.pathname === '/about')
      await page.getByRole('heading', { level: 1, name: 'How Latentscape works' }).waitFor()
      const card = await page.getByTestId('model-card').innerText()
      expect(card).toContain('Model card: surface generator')
      expect(card).toContain(MODEL.version)
      expect(card).toContain('PSGAN-style fully convolutional generator')
      const skyCard = await page.getByTestId('sky-model-card').innerText()
      expect(skyCard).toContain('Model card: sky generator')
      expect(skyCard).toContain(SKY_MODEL.version)
      expect(await page.getByTestId('data-card').innerText()).toContain('redeclipse-data')
      expect(await page.getByTestId('sky-data-card').innerText()).toContain('Data card: sky training set')
      expect(await page.getByTestId('credits').innerText()).toContain('Wildfire Games')
      const text = await page.locator('main').innerText()
      expect(text).toContain('The clouds come from a second generator')
      expect(text).toContain('physically based daylight model')
      expect(text).not.toContain('not generated yet')
      expect(text).toContain('trainedAlgorithmicMedia')
      expect(text).toContain('Code: no licence has been declared yet.')
      await page.waitForLoadState('networkidle')
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
    } finally {
      await context.close()
    }
  })
})

describe('share card (Open Graph image of /w/<seed>)', () => {
  it("is a 1200×630 PNG of the start room's generated sky, labelled, carrying the sky's provenance", async () => {
    const path = await ogImagePath('/w/Demo%20world')
    expect(path).toMatch(/^\/w\/Demo%20world\/opengraph-image/)
    const res = await fetch(baseUrl + path)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const bytes = new Uint8Array(await res.arrayBuffer())

    const png = PNG.sync.read(Buffer.from(bytes))
    expect([png.width, png.height]).toEqual([1200, 630])
    // The top half is sky (the label sits at the bottom): not a flat fill. Loose bounds, as even a clear generated
    // sky is a smooth gradient; test/components/server/share-card.test.ts checks that it is exactly the view of the room's
    // generated panorama.
    const top = regionStats(png, 0, 0, 1200, 315)
    expect(top.distinctColors, 'generated sky, not a flat fill').toBeGreaterThan(8)
    expect(top.lumaStdDev).toBeGreaterThan(1)
    // The bottom-left carries the white "AI-generated" label.
    expect(regionStats(png, 40, 430, 700, 600).whitePixels).toBeGreaterThan(500)

    const provenance = readProvenance(bytes)
    expect(provenance).toMatchObject({
      model: 'sky',
      version: SKY_MODEL.version,
      weightsSha256: SKY_MODEL.weightsSha256,
      seed: 'Demo world',
      room: { x: 0, z: 0 },
      slot: 'sky',
      url: '/w/Demo%20world?r=0,0&h=0',
      // The sky weights' own licence (CC-BY-SA-3.0 for weights trained without BY-SA 4.0 skies, 4.0 after).
      licence: SKY_MODEL.licence,
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
    expect(provenance.xmp).toContain('Iptc4xmpExt:DigitalSourceType')

    // Cached per seed: the second answer is the same image.
    const again = new Uint8Array(await (await fetch(baseUrl + path)).arrayBuffer())
    expect(Buffer.compare(Buffer.from(again), Buffer.from(bytes))).toBe(0)
  })

  it('a link with a photo style says so in its description, next to the same share card', async () => {
    const style = encodeStyle({
      slot: 'floor',
      global: toLatentSphere(Float32Array.from({ length: 64 }, (_, i) => Math.sin(i))),
      families: [{ index: 0, weight: 1 }],
    })
    const html = await (await fetch(`${baseUrl}/w/Demo%20world?r=0,0&h=0&style=${style}`)).text()
    const description = /<meta property="og:description" content="([^"]+)"/.exec(html)
    expect(description?.[1]).toContain('its floor styled from a photo')
    expect(html).toMatch(/<meta name="description" content="[^"]*styled from a photo/)
    expect(await ogImagePath(`/w/Demo%20world?r=0,0&h=0&style=${style}`)).toMatch(/^\/w\/Demo%20world\/opengraph-image/)
    // A bare link, and one whose style cannot be read, are not called styled.
    for (const path of ['/w/Demo%20world', '/w/Demo%20world?style=AAAA'])
      expect(await (await fetch(baseUrl + path)).text()).not.toContain('styled from a photo')
  })

  it.each([
    ['markup', '/w/%3Cb%3Ex%3C%2Fb%3E/opengraph-image'],
    ['a control character', '/w/a%00b/opengraph-image'],
    ['an encoded slash', '/w/a%2Fb/opengraph-image'],
    ['only spaces', '/w/%20%20/opengraph-image'],
    ['an over-long seed', `/w/${'a'.repeat(300)}/opengraph-image`],
    // (Malformed percent-encoding such as /w/%E0%A4%A is answered 500 by Next.js itself before any route code runs,
    // for the world page as well; that is outside this route.)
  ])('answers 404, not an error, for a seed with %s', async (_, path) => {
    const res = await fetch(baseUrl + path)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).not.toContain('image/png')
  })
})

describe('export from the world view', () => {
  it('downloads the floor texture as a PNG carrying provenance (model, seed, room, slot, IPTC source type)', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/w/Export%20test?r=1,-2&h=90&tex=64', {
      viewport: { width: 640, height: 400 },
    })
    try {
      await page.waitForFunction(() => window.latentscape?.getState().textured === true, undefined, {
        timeout: 120_000,
        polling: 250,
      })
      await page.getByRole('button', { name: 'Share · Export' }).click()
      const panel = page.getByRole('region', { name: 'Share and export' })
      await panel.waitFor()
      expect(await panel.getByRole('textbox', { name: 'Link to this spot' }).inputValue()).toContain(
        '/w/Export%20test?r=1,-2&h=90',
      )
      await panel.locator('img.share-qr').waitFor()
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel.getByRole('button', { name: 'floor', exact: true }).click(),
      ])
      const path = await download.path()
      const bytes = new Uint8Array(readFileSync(path))
      const meta = readProvenance(bytes)
      expect(meta.model).toBe('surface')
      expect(meta.version).toBe(MODEL.version)
      expect(meta.weightsSha256).toBe(MODEL.weightsSha256)
      expect(meta.seed).toBe('Export test')
      expect(meta.room).toEqual({ x: 1, z: -2 })
      expect(meta.slot).toBe('floor')
      expect(meta.xmp).toContain(DIGITAL_SOURCE_TYPE_TRAINED)
      // A family-conditioned model paints the room's district family, and the file and the HUD name it.
      const families = room('Export test', 1, -2).families
      if (MODEL.families !== undefined) {
        expect(meta.family).toBe(familyLabel(families.floor))
        const materials = await page.getByTestId('hud-materials').innerText()
        for (const slot of SURFACE_SLOTS)
          expect(materials).toContain(`${slot}: ${familyLabel(families[slot]).replaceAll('_', ' ')}`)
      } else {
        expect(meta.family).toBeUndefined()
        expect(await page.getByTestId('hud-materials').count()).toBe(0)
      }
      const stats = pngDataUrlStats(`data:image/png;base64,${Buffer.from(bytes).toString('base64')}`)
      expect(stats.widthPx).toBe(64)
      expect(stats.distinctColors, 'a generated texture, not a flat fill').toBeGreaterThan(20)
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
      expect(record.blockedRequests).toEqual([])
    } finally {
      await context.close()
    }
  })
})
