import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { GoldenRun } from './fixtures/gan-golden-page'
import { openPage, browserForFile } from './support/browser'
import { REPO_ROOT } from './support/server'

/**
 * The generator's GPU code paths inside real Chromium: the page runs world-gen/gan on WebGPU and on WebGL (software
 * SwiftShader here, allowed explicitly — the app itself refuses software GPUs) and must reproduce the PyTorch golden
 * output. The test page is bundled on the fly and served on the app's origin; the model comes from the app.
 */
const baseUrl = inject('baseUrl')
const GOLDEN = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/surface-golden.json'), 'utf8'))
/** Same tolerance as the Node golden tests (test/world-gen/gan/load.ts): fp32 summation order differs per backend. */
const TOLERANCE = 2e-3
const browser = browserForFile()
let bundle: string

beforeAll(async () => {
  const out = await build({
    entryPoints: [join(REPO_ROOT, 'test/e2e/fixtures/gan-golden-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  })
  bundle = out.outputFiles[0]!.text
}, 120_000)

describe.each(['webgpu', 'webgl'] as const)('surface generator in Chromium on %s', (backend) => {
  it('matches the PyTorch golden output, gives identical bytes on repeat and leaks no tensors', async () => {
    const { page, context, record } = await openPage(browser(), baseUrl, '/about', {
      viewport: { width: 320, height: 200 },
    })
    try {
      await page.route('**/__golden/index.html', (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><meta charset="utf-8"><script type="module" src="/__golden/page.js"></script>',
        }),
      )
      await page.route('**/__golden/page.js', (route) =>
        route.fulfill({ contentType: 'text/javascript', body: bundle }),
      )
      await page.goto(`${baseUrl}/__golden/index.html`)
      await page.waitForFunction(() => 'runGolden' in globalThis, undefined, { timeout: 30_000 })
      const run = (await page.evaluate(
        ([b, g]) =>
          (globalThis as unknown as { runGolden: (b: string, g: unknown) => Promise<unknown> }).runGolden(b, g),
        [backend, GOLDEN] as const,
      )) as GoldenRun
      console.info(`[golden] chromium ${backend}: max abs error ${run.maxAbsError.toExponential(2)}`)
      expect(run.backend, `refusals: ${run.refusals.join('; ')}`).toBe(backend)
      expect(run.maxAbsError).toBeLessThanOrEqual(TOLERANCE)
      expect(run.identical).toBe(true)
      expect(run.leaked).toBe(0)
      expect(record.pageErrors).toEqual([])
      expect(record.blockedRequests).toEqual([])
    } finally {
      await context.close()
    }
  }, 240_000)
})
