import 'server-only'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encode } from 'fast-png'
import {
  decodeWorldParams,
  latentField,
  localField,
  noiseSeed,
  room,
  roomLatent,
  roomProvenance,
  SURFACE_SLOTS,
  withProvenance,
} from '../../world-gen'
import type { Generator } from '../../world-gen/gan'

/**
 * The share card of a world (Open Graph image of `/w/<seed>`): the first room's three surface textures (floor, walls,
 * trim) generated on the server with tf.js (wasm backend, cpu fallback) from `public/models/surface/`, tiled side by
 * side into a 1200×630 PNG that carries provenance metadata. Server-only: tf.js stays out of client bundles.
 *
 * The issue asked for a sky preview; there is no trained sky model yet, and we never fake one, so the card shows the
 * surfaces instead.
 */

/** Size of the card, in pixels (the Open Graph recommendation). */
export const SHARE_CARD_SIZE = { width: 1200, height: 630 } as const

/** Latent cells per texture side: 8 cells × 16 px = 128 px swatches (~0.3 s each on wasm). */
const SWATCH_CELLS = 8

/** Seeds whose cards are kept in memory (least recently used first out). */
const CACHE_MAX_ENTRIES = 32

const MARGIN_PX = 40
const GAP_PX = 24
const CORNER_PX = 18
const BAR_HEIGHT_PX = 6
const BACKGROUND = [7, 8, 12] as const
const ACCENT_FROM = [157, 140, 255] as const
const ACCENT_TO = [95, 212, 196] as const

let _generator: Promise<Generator> | null = null
let _queue: Promise<unknown> = Promise.resolve()
const _cache = new Map<string, Promise<Uint8Array>>()

/** Load the surface generator once per server process, on the wasm backend (cpu when wasm cannot start). */
function generator(root: string): Promise<Generator> {
  _generator ??= (async () => {
    // Imported lazily so that merely importing this module (e.g. during `next build`) loads no tf.js.
    const { loadGenerator, selectBackend } = await import('../../world-gen/gan')
    await selectBackend({
      order: ['wasm', 'cpu'],
      wasmPath: join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'),
    })
    const dir = join(root, 'public/models/surface/')
    const [manifest, weights] = await Promise.all([readFile(dir + 'model.json', 'utf8'), readFile(dir + 'weights.bin')])
    return loadGenerator({ manifest: JSON.parse(manifest), weights: new Uint8Array(weights) })
  })()
  _generator.catch(() => (_generator = null)) // a failed load is retried by the next request
  return _generator
}

/**
 * Compose three square RGBA8 swatches (each `sizePx`², tileable) into the card: RGBA8 [height, width, 4].
 * Each swatch is tiled (with wrap-around) to fill a rounded panel, over the site's dark background and an accent bar.
 */
export function composeShareCard(swatches: Uint8Array[], sizePx: number): Uint8Array {
  const { width, height } = SHARE_CARD_SIZE
  const out = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    const shade = 1 + (0.6 * y) / height // a faint vertical gradient, as on the landing page
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x)
      out[o] = BACKGROUND[0] * shade
      out[o + 1] = BACKGROUND[1] * shade
      out[o + 2] = BACKGROUND[2] * shade * 1.4
      out[o + 3] = 255
    }
  }
  const n = swatches.length
  const panelW = Math.floor((width - 2 * MARGIN_PX - (n - 1) * GAP_PX) / n)
  const panelH = height - 2 * MARGIN_PX - BAR_HEIGHT_PX - GAP_PX
  swatches.forEach((swatch, i) => {
    const left = MARGIN_PX + i * (panelW + GAP_PX)
    for (let y = 0; y < panelH; y++) {
      for (let x = 0; x < panelW; x++) {
        // Rounded corners: skip pixels outside the corner circles.
        const cx = x < CORNER_PX ? CORNER_PX - x : x >= panelW - CORNER_PX ? x - (panelW - CORNER_PX - 1) : 0
        const cy = y < CORNER_PX ? CORNER_PX - y : y >= panelH - CORNER_PX ? y - (panelH - CORNER_PX - 1) : 0
        if (cx * cx + cy * cy > CORNER_PX * CORNER_PX) continue
        const s = 4 * ((y % sizePx) * sizePx + (x % sizePx))
        const o = 4 * ((MARGIN_PX + y) * width + left + x)
        out[o] = swatch[s]
        out[o + 1] = swatch[s + 1]
        out[o + 2] = swatch[s + 2]
      }
    }
  })
  const barTop = height - MARGIN_PX - BAR_HEIGHT_PX
  for (let y = barTop; y < barTop + BAR_HEIGHT_PX; y++) {
    for (let x = MARGIN_PX; x < width - MARGIN_PX; x++) {
      const t = (x - MARGIN_PX) / (width - 2 * MARGIN_PX)
      const o = 4 * (y * width + x)
      for (let c = 0; c < 3; c++) out[o + c] = ACCENT_FROM[c] + (ACCENT_TO[c] - ACCENT_FROM[c]) * t
    }
  }
  return out
}

async function renderCard(seed: string, root: string): Promise<Uint8Array> {
  const gen = await generator(root)
  const spec = room(seed, 0, 0)
  const swatches: Uint8Array[] = []
  for (const slot of SURFACE_SLOTS) {
    const field = latentField(
      roomLatent(seed, 0, 0, slot),
      localField(spec.roomSeed, slot, SWATCH_CELLS, SWATCH_CELLS),
      SWATCH_CELLS,
      SWATCH_CELLS,
    )
    swatches.push(await gen.generate(field, SWATCH_CELLS, SWATCH_CELLS, noiseSeed(spec.roomSeed, slot)))
  }
  const rgba = composeShareCard(swatches, SWATCH_CELLS * gen.cellPx)
  const png = encode({ ...SHARE_CARD_SIZE, data: rgba, depth: 8, channels: 4 })
  return withProvenance(png, roomProvenance(gen.manifest, { seed, x: 0, z: 0, slot: SURFACE_SLOTS.join(',') }))
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
