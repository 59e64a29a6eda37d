/**
 * Generator benchmark (prints figures, never pass/fail): first-call and median ms per image on each Node backend,
 * FLOPs per image from the layer list, GFLOP/s, and for cpu/wasm the fraction of this CPU's fp32 peak.
 *   npm run bench:generate [-- --backends cpu,wasm,webgpu --sizes 128,256,512 --budget-s 20]
 * webgpu here is Dawn on SwiftShader (a CPU Vulkan emulator): a correctness path, not a GPU figure. Browser backends
 * (webgpu/webgl in headless Chromium) are measured by the e2e suite, not here.
 */
import { execSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { hasWebgpuEnv, installNodeWebgpu, rerunWithWebgpuEnv, webgpuEnv } from './node-webgpu'

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'cpu,wasm,webgpu' },
    sizes: { type: 'string', default: '128,256,512' },
    'budget-s': { type: 'string', default: '20' },
    'skip-over-s': { type: 'string', default: '60' },
  },
})
const backends = values.backends!.split(',') as ('cpu' | 'wasm' | 'webgpu')[]
const sizes = values.sizes!.split(',').map(Number)
const budgetMs = Number(values['budget-s']) * 1000
const skipOverMs = Number(values['skip-over-s']) * 1000
if (backends.includes('webgpu') && webgpuEnv() !== undefined && !hasWebgpuEnv()) rerunWithWebgpuEnv()

/** fp32 peak of this machine: cores × GHz × FLOPs/cycle (AVX2+FMA: 2 FMA units × 8 lanes × 2 = 32). */
function cpuPeak(): { gflops: number; assumption: string } {
  let flags = ''
  let mhz = 0
  try {
    const l = execSync('lscpu', { encoding: 'utf8' })
    flags = /Flags:\s*(.*)/.exec(l)?.[1] ?? ''
    mhz = Number(/CPU max MHz:\s*([\d.]+)/.exec(l)?.[1] ?? /CPU MHz:\s*([\d.]+)/.exec(l)?.[1] ?? 0)
  } catch {
    // lscpu missing: fall back to os.cpus()
  }
  if (!mhz) mhz = cpus()[0]?.speed ?? 0
  const ghz = mhz > 0 ? mhz / 1000 : 2.0
  const has = (f: string) => flags.split(/\s+/).includes(f)
  const perCycle = has('avx2') && has('fma') ? 32 : has('avx') ? 16 : 8
  const cores = cpus().length
  return {
    gflops: cores * ghz * perCycle,
    assumption: `${cores} cores × ${ghz.toFixed(2)} GHz${mhz > 0 ? '' : ' (guessed)'} × ${perCycle} FLOP/cycle (${perCycle === 32 ? 'AVX2+FMA' : 'no FMA'}; AVX-512 and turbo ignored)`,
  }
}

interface Row {
  backend: string
  sizePx: number
  firstMs?: number
  medianMs?: number
  runs: number
  gflopPerImage: number
  gflops?: number
  peakFraction?: number
  skipped?: string
}

const modelDir = fileURLToPath(new URL('../public/models/surface/', import.meta.url))
const files = {
  manifest: JSON.parse(readFileSync(modelDir + 'model.json', 'utf8')),
  weights: readFileSync(modelDir + 'weights.bin'),
}
const peak = cpuPeak()
const rows: Row[] = []
const refusals: Record<string, string> = {}
let webgpuAdapter: string | undefined

for (const backend of backends) {
  if (backend === 'webgpu') {
    try {
      webgpuAdapter = await installNodeWebgpu()
    } catch (e) {
      refusals.webgpu = (e as Error).message
      continue
    }
  }
  const gan = await import('../world-gen/gan')
  const wasmPath = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url))
  try {
    await gan.selectBackend({ order: [backend], wasmPath, allowSoftwareGpu: true })
  } catch (e) {
    refusals[backend] = (e as Error).message
    continue
  }
  const gen = await gan.loadGenerator(files)
  let prevFirst = 0
  for (const sizePx of sizes) {
    const cells = sizePx / gen.cellPx
    const flops = gen.flops(cells, cells)
    const row: Row = { backend, sizePx, runs: 0, gflopPerImage: flops / 1e9 }
    rows.push(row)
    // Output is quadratic in size: skip when the projected first call exceeds the limit.
    const projected = prevFirst * (sizePx / (sizes[sizes.indexOf(sizePx) - 1] ?? sizePx)) ** 2
    if (projected > skipOverMs) {
      row.skipped = `projected ${(projected / 1000).toFixed(0)} s > ${skipOverMs / 1000} s`
      continue
    }
    const field = new Float32Array(cells * cells * gen.inputChannels).map((_, i) => Math.sin(i * 12.9898) * 1.5)
    const times: number[] = []
    let t = performance.now()
    await gen.generate(field, cells, cells)
    row.firstMs = performance.now() - t
    prevFirst = row.firstMs
    let spent = row.firstMs
    while (times.length < 5 && (times.length < 2 || spent < budgetMs) && spent + row.firstMs < budgetMs * 3) {
      t = performance.now()
      await gen.generate(field, cells, cells)
      const dt = performance.now() - t
      times.push(dt)
      spent += dt
    }
    row.runs = 1 + times.length
    if (times.length > 0) {
      times.sort((a, b) => a - b)
      row.medianMs = times[Math.floor(times.length / 2)]
      row.gflops = flops / 1e9 / (row.medianMs / 1000)
      if (backend !== 'webgpu') row.peakFraction = row.gflops / peak.gflops
    }
  }
  gen.dispose()
}

const fmt = (v: number | undefined, d = 1) => (v === undefined ? '—' : v.toFixed(d))
console.log(`CPU fp32 peak ≈ ${peak.gflops.toFixed(0)} GFLOP/s: ${peak.assumption}`)
if (webgpuAdapter !== undefined) console.log(`webgpu adapter: ${webgpuAdapter} (CPU-emulated Vulkan)`)
for (const [b, r] of Object.entries(refusals)) console.log(`${b}: not measured: ${r}`)
console.log('backend  size   first ms   median ms  runs  GFLOP/img  GFLOP/s  %peak  note')
for (const r of rows)
  console.log(
    [
      r.backend.padEnd(7),
      `${r.sizePx}²`.padEnd(5),
      fmt(r.firstMs).padStart(10),
      fmt(r.medianMs).padStart(10),
      String(r.runs).padStart(5),
      fmt(r.gflopPerImage, 2).padStart(10),
      fmt(r.gflops, 2).padStart(8),
      (r.peakFraction === undefined ? '—' : (100 * r.peakFraction).toFixed(1) + '%').padStart(6),
      r.skipped ?? '',
    ].join(' '),
  )
const outDir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(outDir, { recursive: true })
writeFileSync(
  outDir + 'generate.json',
  JSON.stringify({ model: files.manifest.latentscape.version, cpuPeak: peak, webgpuAdapter, refusals, rows }, null, 2) +
    '\n',
)
process.exit(0)
