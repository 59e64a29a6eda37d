import 'server-only'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encode } from 'fast-png'
import extractChunks from 'png-chunks-extract'
import encodeChunks from 'png-chunks-encode'
import * as pngText from 'png-chunk-text'
import {
  cellsForPx,
  composeRoomSky,
  decodeWorldParams,
  familyLabel,
  type FamilyConditioning,
  type LatentSlot,
  roomProvenance,
  roomSlotInput,
  SKY_FIELD_CELLS,
  SKY_PANORAMA_PX,
  textureRepeatM,
  withProvenance,
} from '../../world-gen'
import type { Generator } from '../../world-gen/gan'
import { renderLabelLayer } from './share-card-label'
import { compositeOver, renderSkyView, type SkyViewOptions } from './sky-view'

/**
 * The share card of a world (Open Graph image of `/w/<seed>`): a wide view from the start room, looking north (the
 * heading a bare world link opens with). Its sky is the room's sky panorama: the `sky` generator's cloud layer under the
 * room's atmosphere (world-gen `composeSky`), as the world paints it; the ground below
 * the horizon is the room's floor texture from the `surface` generator, fading into the sky's horizon colour. Both are
 * generated on the server with tf.js (wasm backend, cpu fallback) from `public/models/`, exactly as the world paints
 * them (same latent walk, local field and noise seed), then framed by `sky-view.ts`, labelled ("AI-generated sky") and
 * written as a 1200×630 PNG carrying the sky's provenance metadata. Server-only: tf.js stays out of client bundles.
 */

/** Size of the card, in pixels (the Open Graph recommendation). */
export const SHARE_CARD_SIZE = { width: 1200, height: 630 } as const

/**
 * Side of the floor swatch, in pixels: one repeat (2 m, or 128 px / the floor family's px per metre), small because
 * the ground is seen from afar.
 */
const FLOOR_SWATCH_PX = 128

/**
 * How the view is framed: 150° wide, centred on heading 0 (north), the horizon a little over three quarters down, and
 * the ground hazed within a few metres: a room's floor texture repeats every 2 m, which an open plane would show as a
 * checkerboard towards the horizon (the rooms' walls hide it in the world).
 */
export const SHARE_CARD_VIEW: SkyViewOptions = {
  widthPx: SHARE_CARD_SIZE.width,
  heightPx: SHARE_CARD_SIZE.height,
  headingDeg: 0,
  fovDeg: 150,
  horizonAt: 0.78,
  hazeM: 6,
}

/** Seeds whose cards are kept in memory (least recently used first out). */
const CACHE_MAX_ENTRIES = 32

/** The room the card shows (the start room a bare `/w/<seed>` link opens). */
const START_ROOM = { x: 0, z: 0 } as const

type Generators = { sky: Generator; surface: Generator }

let _generators: Promise<Generators> | null = null
let _queue: Promise<unknown> = Promise.resolve()
const _cache = new Map<string, Promise<Uint8Array>>()

/** Load the sky and surface generators once per server process, on the wasm backend (cpu when wasm cannot start). */
function generators(root: string): Promise<Generators> {
  _generators ??= (async () => {
    // Imported lazily so that merely importing this module (e.g. during `next build`) loads no tf.js.
    const { loadGenerator, selectBackend } = await import('../../world-gen/gan')
    await selectBackend({
      order: ['wasm', 'cpu'],
      wasmPath: join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'),
    })
    const load = async (model: 'sky' | 'surface') => {
      const dir = join(root, 'public/models', model) + '/'
      const [manifest, weights] = await Promise.all([
        readFile(dir + 'model.json', 'utf8'),
        readFile(dir + 'weights.bin'),
      ])
      return loadGenerator({ manifest: JSON.parse(manifest), weights: new Uint8Array(weights) })
    }
    const [sky, surface] = await Promise.all([load('sky'), load('surface')])
    return { sky, surface }
  })()
  _generators.catch(() => (_generators = null)) // a failed load is retried by the next request
  return _generators
}

/**
 * One slot of the start room, painted as the world paints it (a family-conditioned surface model paints the room's
 * material family): RGBA8 [cellsH·cellPx, cellsW·cellPx, 4], and the family painted, if any.
 */
async function paint(gen: Generator, seed: string, slot: LatentSlot, cellsW: number, cellsH: number) {
  const families = slot === 'sky' ? undefined : gen.families
  const input = roomSlotInput(seed, START_ROOM.x, START_ROOM.z, slot, cellsW, cellsH, { families })
  const data = await gen.generate(input.field, cellsH, cellsW, input.noiseSeed)
  return {
    data,
    widthPx: cellsW * gen.cellPx,
    heightPx: cellsH * gen.cellPx,
    global: input.global,
    family: input.family,
  }
}

/** Timings of the last card rendered in this process, in milliseconds (for logs and benchmarks). */
export interface ShareCardTimings {
  skyMs: number
  floorMs: number
  composeMs: number
  totalMs: number
}

let _lastTimings: ShareCardTimings | null = null

/** Timings of the most recently rendered card, or null before the first one. */
export function lastShareCardTimings(): ShareCardTimings | null {
  return _lastTimings
}

/** Text keyword naming the generator of the ground below the horizon (the provenance proper names the sky's). */
export const GROUND_CREDIT_KEY = 'latentscape:ground'

/**
 * Add a `latentscape:ground` text chunk naming the generator that painted the ground (the start room's floor
 * texture), next to the sky's provenance: the card shows the output of both models.
 */
function withGroundCredit(png: Uint8Array, surface: Generator, family: FamilyConditioning | undefined): Uint8Array {
  const m = surface.manifest
  const painted = family === undefined ? '' : ` (${familyLabel(family)})`
  const text = `floor of the start room${painted} by the ${m.model} generator (${m.version}${m.weightsSha256 !== undefined ? `, weights sha256 ${m.weightsSha256}` : ''})`
  const chunks = extractChunks(png)
  return encodeChunks([chunks[0]!, pngText.encode(GROUND_CREDIT_KEY, text), ...chunks.slice(1)])
}

async function renderCard(seed: string, root: string): Promise<Uint8Array> {
  const { sky: skyGen, surface } = await generators(root)
  const t0 = performance.now()
  const cloudLayer = skyGen.cloudLayer
  if (cloudLayer === undefined) throw new Error('the sky model is not a cloud-layer generator')
  const clouds = await paint(skyGen, seed, 'sky', SKY_FIELD_CELLS.cellsW, SKY_FIELD_CELLS.cellsH)
  const sky = {
    data: composeRoomSky(clouds.data, clouds.widthPx, cloudLayer, clouds.global),
    widthPx: SKY_PANORAMA_PX.width,
    heightPx: SKY_PANORAMA_PX.height,
  }
  const t1 = performance.now()
  const floorCells = cellsForPx('floor', FLOOR_SWATCH_PX)
  const floor = await paint(surface, seed, 'floor', floorCells.cellsW, floorCells.cellsH)
  const t2 = performance.now()
  // One floor repeat covers as many metres on the card's ground as in the world (the floor family's scale).
  const tileM = textureRepeatM(floor.widthPx, floor.family, surface.families?.pxPerMetre)
  const rgba = renderSkyView(sky, floor, { ...SHARE_CARD_VIEW, tileM })
  compositeOver(
    rgba,
    await renderLabelLayer({ seed, caption: 'AI-generated sky and floor · start room' }, SHARE_CARD_SIZE),
  )
  // The card is opaque: encode RGB (a quarter less to deflate and to download than RGBA).
  const rgb = new Uint8Array((rgba.length / 4) * 3)
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!
    rgb[j + 1] = rgba[i + 1]!
    rgb[j + 2] = rgba[i + 2]!
  }
  const png = encode({ ...SHARE_CARD_SIZE, data: rgb, depth: 8, channels: 3 })
  // The licence of the sky weights that painted the card (model.json), not a default: it changes with the weights.
  const skyLicence = skyGen.manifest.meta.licence
  const meta = roomProvenance(
    { ...skyGen.manifest, ...(typeof skyLicence === 'string' ? { licence: skyLicence } : {}) },
    { seed, ...START_ROOM, slot: 'sky' },
  )
  const card = withGroundCredit(withProvenance(png, meta), surface, floor.family)
  const t3 = performance.now()
  _lastTimings = { skyMs: t1 - t0, floorMs: t2 - t1, composeMs: t3 - t2, totalMs: t3 - t0 }
  return card
}

/**
 * The share card PNG of the world named by a `/w/[seed]` route parameter (raw or percent-encoded), or null when it
 * names no world. Cards are generated one at a time and cached per canonical seed (bounded, LRU). `root` is the
 * project directory holding `public/models/` and `node_modules/`.
 */
export async function shareCardPng(seedParam: string, root = process.cwd()): Promise<Uint8Array | null> {
  const decoded = decodeWorldParams(seedParam, {})
  if (!decoded.ok) return null
  const seed = decoded.value.seed
  let card = _cache.get(seed)
  if (card !== undefined) {
    _cache.delete(seed) // re-insert: Map order is the LRU order
  } else {
    // One generation at a time: tf.js runs one backend per process and the CPU is shared with page rendering.
    card = _queue.then(() => renderCard(seed, root))
    _queue = card.catch(() => undefined)
    card.catch(() => _cache.delete(seed)) // failures are not cached
    while (_cache.size >= CACHE_MAX_ENTRIES) _cache.delete(_cache.keys().next().value!)
  }
  _cache.set(seed, card)
  return card
}
