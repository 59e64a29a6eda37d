/**
 * Relief maps benchmark (prints figures, never pass/fail): median ms the worker spends deriving a relief surface's
 * maps from its painted height (world-gen `packSurfaceRelief`: normal map, roughness in the colour's alpha, height
 * bytes), as painted and with a family's calibration (`calibrateHeight` first), and the calibration alone, per
 * texture size. The height is a tiling field of the same size as a generated one; the work does not depend on its
 * values.
 *   npm run bench:relief [-- --sizes 128,256,512 --runs 41]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { medianMs } from './median'
import { calibrateHeight, packSurfaceRelief, type ReliefCalibration } from '../world-gen/relief'

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '128,256,512' }, runs: { type: 'string', default: '41' } },
})
const sizes = values.sizes!.split(',').map(Number)
const runs = Number(values.runs)
if (!sizes.every((s) => Number.isInteger(s) && s >= 8) || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run bench:relief [-- --sizes 128,256,512 --runs 41]')
  process.exit(2)
}
// A calibration of the shipped kind: most of the pixel-scale relief taken away, the rest scaled.
const CALIBRATION: ReliefCalibration = { gain: 0.9, detail: 0.2 }

const median = (f: () => void): number => medianMs(f, runs, 5)

const rows = sizes.map((n) => {
  const height = new Float32Array(n * n)
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++)
      height[r * n + c] = 0.5 * Math.sin((2 * Math.PI * 3 * c) / n) * Math.cos((2 * Math.PI * 5 * r) / n)
  const rgba = new Uint8Array(n * n * 4)
  return {
    size: n,
    packMs: median(() => packSurfaceRelief(rgba, height, n, n, 10, 0.8)),
    packCalibratedMs: median(() => packSurfaceRelief(rgba, height, n, n, 10, 0.8, CALIBRATION)),
    calibrateMs: median(() => calibrateHeight(height, n, n, CALIBRATION)),
  }
})
console.log('size   pack (ms)  pack calibrated (ms)  calibration alone (ms)')
for (const r of rows)
  console.log(
    [`${r.size}²`.padEnd(6), r.packMs.toFixed(2).padStart(9), r.packCalibratedMs.toFixed(2).padStart(21)].join(' ') +
      r.calibrateMs.toFixed(2).padStart(24),
  )
const outDir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(outDir, { recursive: true })
writeFileSync(
  outDir + 'relief.json',
  JSON.stringify({ node: process.version, runs, calibration: CALIBRATION, rows }, null, 2) + '\n',
)
