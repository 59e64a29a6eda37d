/**
 * The server-rendered share card (Open Graph image of /w/<seed>) with the committed sky and surface generators on the
 * wasm backend: a view of the start room's generated sky and floor, labelled, carrying the sky's provenance.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decode } from 'fast-png'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { atmosphereFromLatent, composeSky, roomSlotInput, SKY_FIELD_CELLS } from '../../../world-gen'
import { DIGITAL_SOURCE_TYPE_TRAINED, readPngText, readProvenance } from '../../../world-gen/provenance'
import { loadGenerator } from '../../../world-gen/gan'
import { renderSkyView } from '../../../components/server/sky-view'

vi.mock('server-only', () => ({}))
const { GROUND_CREDIT_KEY, SHARE_CARD_VIEW, lastShareCardTimings, shareCardPng } =
  await import('../../../components/server/share-card')

const REPO = fileURLToPath(new URL('../../..', import.meta.url))
const manifest = (name: string) => JSON.parse(readFileSync(`${REPO}public/models/${name}/model.json`, 'utf8'))
const model = (name: string) =>
  manifest(name).latentscape as { version: string; weightsSha256: string; licence: string }

describe('shareCardPng', () => {
  let png: Uint8Array
  let pixels: Uint8Array // RGB, 1200×630

  beforeAll(async () => {
    png = (await shareCardPng('Demo%20world', REPO))!
    const decoded = decode(png)
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([1200, 630, 3])
    pixels = decoded.data as Uint8Array
    console.info(`[share card] ${JSON.stringify(lastShareCardTimings())} ms, ${png.length} bytes`)
  }, 120_000)

  it("carries the sky generator's provenance for the start room, and credits the floor's generator", () => {
    const sky = model('sky')
    expect(readProvenance(png)).toMatchObject({
      model: 'sky',
      version: sky.version,
      weightsSha256: sky.weightsSha256,
      seed: 'Demo world',
      room: { x: 0, z: 0 },
      slot: 'sky',
      url: '/w/Demo%20world?r=0,0&h=0',
      // The licence of the sky weights in model.json, not a default (the card once always said CC-BY-SA-3.0).
      licence: sky.licence,
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
    expect(readPngText(png)[GROUND_CREDIT_KEY]).toContain(model('surface').version)
  })

  it("shows the world's own sky and floor: the card's upper part is the view of the room's generated panorama", async () => {
    // Paint the start room's sky (its 16×16-cell cloud layer under its atmosphere) and floor the way the world does.
    const seed = 'Demo world'
    const paint = async (name: 'sky' | 'surface', slot: 'sky' | 'floor', cellsW: number, cellsH: number) => {
      const gen = await loadGenerator({
        manifest: manifest(name),
        weights: new Uint8Array(readFileSync(`${REPO}public/models/${name}/weights.bin`)),
      })
      // The world's field: global latent (+ the room's material family for a family-conditioned model) + local noise.
      const families = slot === 'sky' ? undefined : gen.families
      const { global, field, noiseSeed } = roomSlotInput(seed, 0, 0, slot, cellsW, cellsH, { families })
      const data = await gen.generate(field, cellsH, cellsW, noiseSeed)
      const cellPx = gen.cellPx
      gen.dispose()
      if (slot !== 'sky') return { data, widthPx: cellsW * cellPx, heightPx: cellsH * cellPx }
      const panorama = composeSky(data, cellsW * cellPx, gen.cloudLayer!, atmosphereFromLatent(global))
      return { data: panorama, widthPx: 512, heightPx: 128 }
    }
    const sky = await paint('sky', 'sky', SKY_FIELD_CELLS.cellsW, SKY_FIELD_CELLS.cellsH)
    expect([sky.widthPx, sky.heightPx]).toEqual([512, 128])
    const view = renderSkyView(sky, await paint('surface', 'floor', 8, 8), SHARE_CARD_VIEW)
    // Above the label's scrim (the top 55 %) the card is that view. Within a tolerance: two wasm runs of
    // the generator can round a few bytes differently (multi-threaded summation order), and the bicubic magnification
    // spreads a ±1 over several pixels. A different sky would differ by tens of levels on average.
    let maxDiff = 0
    let sumDiff = 0
    let n = 0
    for (let y = 0; y < 0.55 * 630; y++)
      for (let x = 0; x < 1200; x++)
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(pixels[3 * (y * 1200 + x) + c]! - view[4 * (y * 1200 + x) + c]!)
          maxDiff = Math.max(maxDiff, d)
          sumDiff += d
          n++
        }
    console.info(`[share card] |card − view| in the sky: max ${maxDiff}, mean ${(sumDiff / n).toFixed(4)}`)
    expect(sumDiff / n).toBeLessThanOrEqual(0.25)
    expect(maxDiff).toBeLessThanOrEqual(8)
    // …and it is a generated image, not a flat fill (a loose bound: a clear generated sky is a smooth gradient).
    const colours = new Set<number>()
    for (let i = 0; i < 0.55 * 630 * 1200 * 3; i += 3)
      colours.add(((pixels[i]! >> 4) << 8) | ((pixels[i + 1]! >> 4) << 4) | (pixels[i + 2]! >> 4))
    expect(colours.size).toBeGreaterThan(8)
    // The label is drawn over the bottom: there the card differs from the bare view.
    let labelled = 0
    for (let y = Math.ceil(0.7 * 630); y < 630; y++)
      for (let x = 0; x < 600; x++) if (pixels[3 * (y * 1200 + x)] !== view[4 * (y * 1200 + x)]) labelled++
    expect(labelled).toBeGreaterThan(10_000)
  }, 120_000)

  it('is cached per canonical seed: raw and percent-encoded parameters give the same bytes', async () => {
    const again = await shareCardPng('Demo world', REPO)
    expect(again).toBe(png)
  })

  it.each([['<b>x</b>'], ['a%00b'], ['%20%20'], ['a'.repeat(300)]])('is null for %j (no such world)', async (seed) => {
    expect(await shareCardPng(seed, REPO)).toBeNull()
  })
})
