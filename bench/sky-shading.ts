/**
 * Sky shading benchmark (prints figures, never pass/fail): median ms the worker spends on a room's sky once the
 * generator has painted its cloud layer: the shading (world-gen `skyShading`: the layer as cover and brightness, and
 * the per-direction terms on the 512×128 panorama grid), the panorama evaluated from it (`renderSkyShading`), and
 * the terms converted to the half floats it posts. The layer is a tiling field of the generated size; the work does
 * not depend on its values.
 *   npm run bench:sky [-- --tile 256 --runs 21]
 */
import { Float16Array } from '@petamoriken/float16'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { medianMs } from './median'
import { atmosphereFromLatent, renderSkyShading, skyLatent, skyShading, type CloudLayerSpec } from '../world-gen'

const { values } = parseArgs({
  options: { tile: { type: 'string', default: '256' }, runs: { type: 'string', default: '21' } },
})
const tile = Number(values.tile)
const runs = Number(values.runs)
if (!Number.isInteger(tile) || tile < 8 || (tile & (tile - 1)) !== 0 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run bench:sky [-- --tile 256 --runs 21]  (tile: a power of two)')
  process.exit(2)
}
// The shipped sky model's cloud layer: its scale and the clear colour it paints clouds over.
const SPEC: CloudLayerSpec = { pxPerUnit: 128 / 3, clearRgb: [0.1, 0.25, 0.75] }

const median = (f: () => void): number => medianMs(f, runs, 3)

const layer = new Uint8Array(tile * tile * 4)
for (let r = 0; r < tile; r++)
  for (let c = 0; c < tile; c++) {
    const a = 0.5 + 0.5 * Math.sin((2 * Math.PI * 3 * c) / tile) * Math.cos((2 * Math.PI * 2 * r) / tile)
    layer.set([Math.round(255 * (0.35 + 0.3 * a)), Math.round(255 * (0.5 + 0.2 * a)), 230, 255], (r * tile + c) * 4)
  }
const atmosphere = atmosphereFromLatent(skyLatent('bench', 0, 0, 0))
const shading = skyShading(layer, tile, SPEC, atmosphere)
const row = {
  tile,
  shadingMs: median(() => skyShading(layer, tile, SPEC, atmosphere)),
  panoramaMs: median(() => renderSkyShading(shading)),
  halfFloatMs: median(() => new Float16Array(shading.terms)),
}
console.log('tile   shading (ms)  panorama (ms)  half floats (ms)')
console.log(
  `${tile}²`.padEnd(6) +
    row.shadingMs.toFixed(1).padStart(13) +
    row.panoramaMs.toFixed(1).padStart(15) +
    row.halfFloatMs.toFixed(1).padStart(18),
)
const outDir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(outDir, { recursive: true })
writeFileSync(outDir + 'sky-shading.json', JSON.stringify({ node: process.version, runs, row }, null, 2) + '\n')
