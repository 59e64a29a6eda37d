import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Paths of the committed models and their golden fixtures. */
export const MODEL_DIR = fileURLToPath(new URL('../../../public/models/surface/', import.meta.url))
const modelDir = (model: string) => fileURLToPath(new URL(`../../../public/models/${model}/`, import.meta.url))
export const WASM_DIR = fileURLToPath(
  new URL('../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url),
)

/** model.json (parsed) and weights.bin bytes of a committed model (default `surface`). */
export function surfaceFiles(model = 'surface'): { manifest: Record<string, unknown>; weights: Uint8Array } {
  return {
    manifest: JSON.parse(readFileSync(modelDir(model) + 'model.json', 'utf8')),
    weights: new Uint8Array(readFileSync(modelDir(model) + 'weights.bin')),
  }
}

/**
 * The golden fixture written by training/export.py: field [2, 3, inputChannels] and the recorded noise maps (one [H, W] per noise
 * layer) → output [2·cellPx, 3·cellPx, 3] in [-1, 1].
 */
export function golden(model = 'surface'): {
  field: Float32Array
  noise: Float32Array[]
  cellsH: number
  cellsW: number
  output: Float32Array
} {
  const g = JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../fixtures/${model}-golden.json`, import.meta.url)), 'utf8'),
  )
  return {
    field: new Float32Array(g.field),
    noise: (g.noise as number[][]).map((n) => new Float32Array(n)),
    cellsH: g.fieldShape[0],
    cellsW: g.fieldShape[1],
    output: new Float32Array(g.output),
  }
}

/** Max |a - b| over two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** Golden tolerance in [-1, 1] units: fp32 summation order differs between PyTorch and each tf backend. */
export const GOLDEN_TOLERANCE = 2e-3
