import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { REPO_ROOT } from './server'

/**
 * Where a browser test writes a figure or picture the repository keeps (`bench/results/soak.json`,
 * `docs/screenshots/vr.png`): under the ignored `test-results/` by default, so running the tests leaves the checkout
 * clean; at the committed path itself only when LATENTSCAPE_UPDATE_FIGURES=1 (`npm run bench:soak`,
 * `npm run screenshots:vr`). The folder is created.
 */
export function figurePath(repoPath: string): string {
  const path =
    process.env.LATENTSCAPE_UPDATE_FIGURES === '1'
      ? join(REPO_ROOT, repoPath)
      : join(REPO_ROOT, 'test-results', repoPath)
  mkdirSync(dirname(path), { recursive: true })
  return path
}
