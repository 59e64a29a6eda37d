import 'server-only'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The repository documents the /about page shows, read from disk when the page is rendered (at build time). */
export interface AboutDocs {
  /** `public/models/surface/card.md`. */
  modelCard: string
  /** `training/DATA.md`. */
  dataCard: string
  /** `training/CREDITS.md`. */
  credits: string
  /** `public/models/surface/model.json` → `latentscape` fields shown on the page. */
  model: { version: string; licence: string; trainImages?: number; steps?: number }
  /** `public/models/surface/metrics.json` → `nn_ratio`, when the metrics have been computed. */
  nnRatio?: number
  /** Whether a trained sky model exists (`public/models/sky/model.json`). */
  hasSkyModel: boolean
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8')

/** Read the cards and model facts from the repository at `root` (the Next.js project directory). */
export function readAboutDocs(root = process.cwd()): AboutDocs {
  const ls = JSON.parse(read(root, 'public/models/surface/model.json')).latentscape as Record<string, unknown>
  const training = (ls.training ?? {}) as Record<string, unknown>
  const metricsPath = join(root, 'public/models/surface/metrics.json')
  let nnRatio: number | undefined
  if (existsSync(metricsPath)) {
    const m = JSON.parse(readFileSync(metricsPath, 'utf8')) as Record<string, unknown>
    const v = (m.metrics as Record<string, unknown> | undefined)?.nn_ratio ?? m.nn_ratio
    if (typeof v === 'number') nnRatio = v
  }
  return {
    modelCard: read(root, 'public/models/surface/card.md'),
    dataCard: read(root, 'training/DATA.md'),
    credits: read(root, 'training/CREDITS.md'),
    model: {
      version: String(ls.version),
      licence: String(ls.licence ?? 'CC-BY-SA-3.0'),
      ...(typeof training.trainImages === 'number' ? { trainImages: training.trainImages } : {}),
      ...(typeof training.steps === 'number' ? { steps: training.steps } : {}),
    },
    ...(nnRatio !== undefined ? { nnRatio } : {}),
    hasSkyModel: existsSync(join(root, 'public/models/sky/model.json')),
  }
}
