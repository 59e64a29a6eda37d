import 'server-only'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_LICENCE } from '../../world-gen'

/** The facts /about shows about one trained generator, from `public/models/<model>/`. */
export interface AboutModel {
  /** `card.md` (the model card), or null when it has not been written yet. */
  card: string | null
  /** `model.json` → `latentscape.version`. */
  version: string
  /** `model.json` → `latentscape.licence`. */
  licence: string
  /** `model.json` → `latentscape.training.trainImages`. */
  trainImages?: number
  /** `model.json` → `latentscape.training.steps`. */
  steps?: number
  /** `metrics.json` → `nn_ratio`, when the metrics have been computed. */
  nnRatio?: number
}

/** The repository documents the /about page shows, read from disk when the page is rendered (at build time). */
export interface AboutDocs {
  /** The surface generator (`public/models/surface/`). */
  surface: AboutModel
  /** The sky generator (`public/models/sky/`), or null while there is no trained sky model. */
  sky: AboutModel | null
  /** `training/SURFACE-DATA.md`: the surface training set (material families). */
  dataCard: string
  /** `training/SKY-DATA.md`: the sky training set (null when absent). */
  skyDataCard: string | null
  /** `training/CREDITS.md`. */
  credits: string
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8')
const readIfExists = (root: string, path: string) => (existsSync(join(root, path)) ? read(root, path) : null)

/** Read one model's facts; null when `public/models/<name>/model.json` does not exist. */
function readModel(root: string, name: 'surface' | 'sky'): AboutModel | null {
  const dir = `public/models/${name}`
  if (!existsSync(join(root, dir, 'model.json'))) return null
  const ls = JSON.parse(read(root, `${dir}/model.json`)).latentscape as Record<string, unknown>
  const training = (ls.training ?? {}) as Record<string, unknown>
  let nnRatio: number | undefined
  const metrics = readIfExists(root, `${dir}/metrics.json`)
  if (metrics !== null) {
    const m = JSON.parse(metrics) as Record<string, unknown>
    const v = (m.metrics as Record<string, unknown> | undefined)?.nn_ratio ?? m.nn_ratio
    if (typeof v === 'number') nnRatio = v
  }
  return {
    card: readIfExists(root, `${dir}/card.md`),
    version: String(ls.version),
    licence: typeof ls.licence === 'string' ? ls.licence : DEFAULT_LICENCE,
    ...(typeof training.trainImages === 'number' ? { trainImages: training.trainImages } : {}),
    ...(typeof training.steps === 'number' ? { steps: training.steps } : {}),
    ...(nnRatio !== undefined ? { nnRatio } : {}),
  }
}

/** Read the cards and model facts from the repository at `root` (the Next.js project directory). */
export function readAboutDocs(root = process.cwd()): AboutDocs {
  const surface = readModel(root, 'surface')
  if (surface === null) throw new Error('public/models/surface/model.json is missing')
  return {
    surface,
    sky: readModel(root, 'sky'),
    dataCard: read(root, 'training/SURFACE-DATA.md'),
    skyDataCard: readIfExists(root, 'training/SKY-DATA.md'),
    credits: read(root, 'training/CREDITS.md'),
  }
}
