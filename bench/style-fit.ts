/**
 * Style-fit benchmark: held-out real textures of the surface model's test split as "photos". For each, the style fit
 * (world-gen/gan `fitPhoto`, as the app and the texture CLI run it) starts from the best single family at the start
 * latent and runs Adam; reported per family: the texture-statistics distance between photo and generated texture at
 * that start, after the joint steps (unrounded), and for the style the fit returns as a link paints it (encoded,
 * decoded, painted), and the drop from the start to that link. Figures, never pass/fail.
 *   python3 bench/export-heldout.py          # once: the held-out PNGs (CC BY / BY-SA, never committed)
 *   npm run --silent bench:style -- [--backend wasm|cpu] [--steps 60] [--per-family 2] [--model-dir dir/]
 *     [--families metal,wood_planks]
 * `--model-dir`: a folder with the surface model's model.json + weights.bin (default public/models/surface/), to
 * measure other weights than the working tree's.
 * Writes bench/results/style-fit.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { readPhoto } from '../scripts/photo-file'

const HELDOUT = fileURLToPath(new URL('../training/.cache/style-heldout/', import.meta.url))
const MODEL_DIR = fileURLToPath(new URL('../public/models/surface/', import.meta.url))
const WASM = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url))
const OUT = fileURLToPath(new URL('./results/style-fit.json', import.meta.url))

const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      steps: { type: 'string', default: '60' },
      'per-family': { type: 'string', default: '2' },
      'model-dir': { type: 'string', default: MODEL_DIR },
      families: { type: 'string' },
    },
  })
  if (!existsSync(HELDOUT + 'index.json')) {
    process.stderr.write('bench:style: no held-out PNGs; run `python3 bench/export-heldout.py` first\n')
    process.exit(1)
  }
  const steps = Number(values.steps)
  const perFamily = Number(values['per-family'])
  const only = values.families?.split(',')
  const { fitPhoto, loadGenerator, selectBackend } = await import('../world-gen/gan')
  const choice = await selectBackend({ order: [values.backend as 'wasm' | 'cpu'], wasmPath: WASM })
  const modelDir = values['model-dir'].endsWith('/') ? values['model-dir'] : values['model-dir'] + '/'
  const gen = await loadGenerator({
    manifest: JSON.parse(readFileSync(modelDir + 'model.json', 'utf8')),
    weights: readFileSync(modelDir + 'weights.bin'),
  })
  const manifest = gen.manifest
  const index = JSON.parse(readFileSync(HELDOUT + 'index.json', 'utf8')) as {
    file: string
    family: string
    width: number
    height: number
  }[]
  const taken = new Map<string, number>()
  const rows: Record<string, unknown>[] = []
  for (const item of index) {
    if (only !== undefined && !only.includes(item.family)) continue
    const n = taken.get(item.family) ?? 0
    if (n >= perFamily) continue
    taken.set(item.family, n + 1)
    const photo = readPhoto(HELDOUT + item.file)
    const t0 = performance.now()
    // Held-out textures are at the training scale already (the family's px per metre): cut the 64 px centre square
    // without rescaling (those under 64 px are enlarged to it).
    const r = await fitPhoto(gen, photo, {
      slot: 'walls',
      steps,
      scalePx: Math.max(64, Math.min(photo.widthPx, photo.heightPx)),
    })
    const row = {
      file: item.file,
      family: item.family,
      startFamily: manifest.families!.names[r.startFamily],
      fittedFamilies: r.style.families.map(
        (f) => `${manifest.families!.names[f.index]} ${Math.round(f.weight * 100)}%`,
      ),
      startLoss: round(r.startLoss),
      fittedLoss: round(r.fittedLoss),
      quantisedLoss: round(r.quantisedLoss),
      improved: r.improved,
      photoTurned: r.photoTurned,
      drop: round(1 - r.quantisedLoss / r.startLoss, 3),
      ms: Math.round(performance.now() - t0),
    }
    rows.push(row)
    console.log(JSON.stringify(row))
  }
  gen.dispose()
  const families = [...new Set(rows.map((r) => r.family as string))]
  const perFam = families.map((family) => {
    const rs = rows.filter((r) => r.family === family)
    const mean = (k: string) => rs.reduce((s, r) => s + (r[k] as number), 0) / rs.length
    return {
      family,
      images: rs.length,
      startLoss: round(mean('startLoss')),
      unroundedLoss: round(mean('fittedLoss')),
      linkLoss: round(mean('quantisedLoss')),
      drop: round(1 - mean('quantisedLoss') / mean('startLoss'), 3),
      msPerFit: Math.round(mean('ms')),
    }
  })
  const result = {
    backend: choice.backend,
    steps,
    fieldCells: 8,
    version: manifest.version,
    perFamily: perFam,
    overallDrop: round(
      1 -
        rows.reduce((s, r) => s + (r.quantisedLoss as number), 0) /
          rows.reduce((s, r) => s + (r.startLoss as number), 0),
      3,
    ),
    images: rows,
  }
  writeFileSync(OUT, JSON.stringify(result, null, 1) + '\n')
  console.table(perFam)
  console.log(`overall drop ${(result.overallDrop * 100).toFixed(1)}% → ${OUT}`)
}

void main()
