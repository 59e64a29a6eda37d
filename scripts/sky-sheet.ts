/**
 * The sky model's sample sheet, drawn by the app's own code (world-gen: latent walk, local field, `composeSky`) from the
 * committed weights, so it shows exactly what a user sees overhead:
 *   npm run --silent sky-sheet -- [--out docs/models/sky-samples.png]
 * Top: the start-room skies of 8 worlds (upper hemisphere, 512×128 each, longitude −180°…180° left to right, zenith at
 * the top), each with its generated cloud layer (256 px tile) beside it. Bottom: a walk through one world, every
 * second room along a straight line east (rooms 0, 2, 4 … 14): the cloud layer stays (one local field per world) while
 * the global latent and the atmosphere move along the seeded walk, so clouds and light change in place.
 * Prints one JSON line; tf.js wasm backend (no GPU needed).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { encode } from 'fast-png'
import { composeRoomSky, roomSlotInput, SKY_FIELD_CELLS, SKY_PANORAMA_PX } from '../world-gen'

const WORLDS = [
  'amber-fern-drift',
  'quiet-harbor-moss',
  'copper-dune-echo',
  'slate-willow-tide',
  'misty-orchid-vale',
  'ember-crest-glow',
  'north-pine-hollow',
  'velvet-rain-arch',
]
const WALK_SEED = 'quiet-harbor-moss'
const WALK_ROOMS = [0, 2, 4, 6, 8, 10, 12, 14]
const GAP = 8
const BG = 24

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/models/sky-samples.png' } } })
  const modelDir = fileURLToPath(new URL('../public/models/sky/', import.meta.url))
  const { loadGenerator, selectBackend } = await import('../world-gen/gan')
  const wasmPath = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url))
  await selectBackend({ order: ['wasm'], wasmPath })
  const gen = await loadGenerator({
    manifest: JSON.parse(readFileSync(modelDir + 'model.json', 'utf8')),
    weights: readFileSync(modelDir + 'weights.bin'),
  })
  const cloudLayer = gen.cloudLayer
  if (cloudLayer === undefined) throw new Error('public/models/sky is not a cloud-layer generator')
  const { cellsW, cellsH } = SKY_FIELD_CELLS
  const tilePx = cellsW * gen.cellPx

  async function sky(seed: string, x: number, z: number) {
    const { global, field, noiseSeed } = roomSlotInput(seed, x, z, 'sky', cellsW, cellsH)
    const tile = await gen.generate(field, cellsH, cellsW, noiseSeed)
    return { tile, panorama: composeRoomSky(tile, tilePx, cloudLayer!, global) }
  }

  const pw = SKY_PANORAMA_PX.width
  const ph = SKY_PANORAMA_PX.height
  const tileShown = ph // the tile, downscaled to the panorama's height
  const colW = pw + GAP + tileShown
  const width = 2 * colW + 3 * GAP
  const topRows = WORLDS.length / 2
  const walkRows = WALK_ROOMS.length / 2
  const height = GAP + topRows * (ph + GAP) + 2 * GAP + walkRows * (ph + GAP)
  const canvas = new Uint8Array(width * height * 4).fill(BG)
  for (let i = 3; i < canvas.length; i += 4) canvas[i] = 255

  const blit = (src: Uint8Array, sw: number, sh: number, x0: number, y0: number, scale = 1) => {
    for (let y = 0; y < sh / scale; y++)
      for (let x = 0; x < sw / scale; x++) {
        const s = (Math.floor(y * scale) * sw + Math.floor(x * scale)) * 4
        const d = ((y0 + y) * width + x0 + x) * 4
        canvas[d] = src[s]!
        canvas[d + 1] = src[s + 1]!
        canvas[d + 2] = src[s + 2]!
      }
  }
  const place = (k: number, yBase: number, s: { tile: Uint8Array; panorama: Uint8Array }) => {
    const x0 = GAP + (k % 2) * (colW + GAP)
    const y0 = yBase + Math.floor(k / 2) * (ph + GAP)
    blit(s.panorama, pw, ph, x0, y0)
    blit(s.tile, tilePx, tilePx, x0 + pw + GAP, y0, tilePx / tileShown)
  }

  const t0 = performance.now()
  for (let k = 0; k < WORLDS.length; k++) place(k, GAP, await sky(WORLDS[k]!, 0, 0))
  const walkTop = GAP + topRows * (ph + GAP) + 2 * GAP
  for (let k = 0; k < WALK_ROOMS.length; k++) place(k, walkTop, await sky(WALK_SEED, WALK_ROOMS[k]!, 0))
  gen.dispose()
  writeFileSync(values.out!, encode({ width, height, data: canvas, channels: 4 }))
  console.log(
    JSON.stringify({
      out: values.out,
      version: gen.version,
      worlds: WORLDS,
      walk: { seed: WALK_SEED, rooms: WALK_ROOMS.map((x) => [x, 0]) },
      ms: Math.round(performance.now() - t0),
    }),
  )
}

void main()
