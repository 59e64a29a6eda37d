/**
 * Threaded wasm in Chromium: ms per surface texture with 1 thread and with N, each in a fresh page that carries the
 * app's own headers (COOP/COEP, so it is cross-origin isolated, and the CSP). Rounds alternate 1 and N so that load
 * from other processes falls on both. Prints the figures and writes bench/results/wasm-threads.json; never passes or
 * fails.
 *
 * Usage: `npm run bench:threads -- [--threads 2] [--size 256] [--rounds 3] [--runs 5] [--base-url …]`. Without
 * --base-url it serves the existing production build (building first if there is none).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { launchBrowser, openPage } from '../test/e2e/support/browser'
import { REPO_ROOT, serveApp } from '../test/e2e/support/server'
import type { WasmTiming } from './wasm-threads-page'

const { values } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    threads: { type: 'string', default: '2' },
    size: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
  },
})
const threads = Number(values.threads)
const sizePx = Number(values.size)
const runs = Number(values.runs)

const bundle = (
  await build({
    entryPoints: [join(REPO_ROOT, 'bench/wasm-threads-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  })
).outputFiles[0]!.text
const { baseUrl, server } = await serveApp(values['base-url'])
// The page gets exactly the app's isolation and CSP headers, as a world page does.
const headers: Record<string, string> = {}
for (const [k, v] of (await fetch(`${baseUrl}/`)).headers)
  if (/^(content-security-policy|cross-origin-)/i.test(k)) headers[k] = v
const browser = await launchBrowser()
const results: Record<number, WasmTiming[]> = { 1: [], [threads]: [] }
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const n of [1, threads]) {
      const { page, context } = await openPage(browser, baseUrl, '/about')
      try {
        await page.route('**/__bench/index.html', (r) =>
          r.fulfill({
            contentType: 'text/html',
            headers,
            body: '<!doctype html><script type="module" src="/__bench/page.js"></script>',
          }),
        )
        await page.route('**/__bench/page.js', (r) =>
          r.fulfill({ contentType: 'text/javascript', headers, body: bundle }),
        )
        await page.goto(`${baseUrl}/__bench/index.html`)
        await page.waitForFunction(() => 'timeWasm' in globalThis)
        const timing = (await page.evaluate(
          ([t, s, r]) =>
            (globalThis as unknown as { timeWasm: (t: number, s: number, r: number) => Promise<unknown> }).timeWasm(
              t,
              s,
              r,
            ),
          [n, sizePx, runs] as const,
        )) as WasmTiming
        results[n]!.push(timing)
        console.log(
          `[bench:threads] ${n} thread(s) asked, tfjs reports ${timing.threads} (isolated ${timing.isolated}): ` +
            `${sizePx}² first ${timing.firstMs.toFixed(0)} ms, median ${timing.medianMs.toFixed(0)} ms`,
        )
      } finally {
        await context.close()
      }
    }
  }
} finally {
  await browser.close()
  await server?.stop()
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const one = median(results[1]!.map((r) => r.medianMs))
const many = median(results[threads]!.map((r) => r.medianMs))
console.log(
  `[bench:threads] ${sizePx}² on wasm: 1 thread ${one.toFixed(0)} ms, ${threads} threads ${many.toFixed(0)} ms ` +
    `(${(one / many).toFixed(2)}× faster) on ${cpus().length} cores`,
)
await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
await writeFile(
  join(REPO_ROOT, 'bench', 'results', 'wasm-threads.json'),
  JSON.stringify({ sizePx, cpus: cpus().length, threads, medianMs: { 1: one, [threads]: many }, results }, null, 2) +
    '\n',
)
process.exit(0)
