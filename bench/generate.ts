/**
 * Generator benchmark (prints figures, never pass/fail): first-call and median ms per image on each Node backend,
 * FLOPs per image from the layer list, GFLOP/s, and for wasm the fraction of the wasm SIMD ceiling of this machine.
 * Each backend first runs the worker's warm-up (one 1×1-cell image right after loading), so "first" is the first
 * texture a visitor waits for, and "warm-up" is paid while the model loads.
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

/**
 * This machine's clock in GHz and where it was read: the cpufreq maximum, lscpu's "CPU max MHz", then /proc/cpuinfo's
 * "cpu MHz" (virtual machines often expose only the last). Undefined when none is readable: the ceiling is then not
 * printed rather than guessed.
 */
function cpuClock(): { ghz: number; source: string } | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8')
    } catch {
      return ''
    }
  }
  const khz = Number(read('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq').trim())
  if (khz > 0) return { ghz: khz / 1e6, source: 'cpufreq max' }
  let lscpu = ''
  try {
    lscpu = execSync('lscpu', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch {
    // no lscpu: try /proc/cpuinfo
  }
  const max = Number(/CPU max MHz:\s*([\d.]+)/.exec(lscpu)?.[1] ?? 0)
  if (max > 0) return { ghz: max / 1000, source: 'lscpu max' }
  const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(read('/proc/cpuinfo'))?.[1] ?? 0)
  if (mhz > 0) return { ghz: mhz / 1000, source: '/proc/cpuinfo' }
  const speed = cpus()[0]?.speed ?? 0
  return speed > 0 ? { ghz: speed / 1000, source: 'os.cpus()' } : undefined
}

/**
 * The most fp32 arithmetic the wasm backend can do here: 128-bit wasm SIMD is 4 lanes, and an x86 core issues two
 * vector multiply-adds a cycle (2 FMA units × 4 lanes × 2 FLOP = 16 FLOP/cycle), times the threads it runs on. Wider
 * native vectors (AVX2, AVX-512) do not help wasm, so they are not counted.
 */
function wasmCeiling(threads: number): { gflops?: number; assumption: string } {
  const clock = cpuClock()
  if (clock === undefined) return { assumption: 'clock unknown: no ceiling' }
  return {
    gflops: threads * clock.ghz * 16,
    assumption: `${threads} thread${threads === 1 ? '' : 's'} × ${clock.ghz.toFixed(2)} GHz (${clock.source}) × 16 FLOP/cycle (128-bit SIMD, 2 FMA/cycle)`,
  }
}

interface Row {
  backend: string
  sizePx: number
  warmupMs?: number
  firstMs?: number
  medianMs?: number
  runs: number
  gflopPerImage: number
  gflops?: number
  ceilingFraction?: number
  skipped?: string
}

const modelDir = fileURLToPath(new URL('../public/models/surface/', import.meta.url))
const files = {
  manifest: JSON.parse(readFileSync(modelDir + 'model.json', 'utf8')),
  weights: readFileSync(modelDir + 'weights.bin'),
}
const ceilings: Record<string, ReturnType<typeof wasmCeiling>> = {}
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
  if (backend === 'wasm') {
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm')
    ceilings.wasm = wasmCeiling(getThreadsCount())
  }
  // The worker's warm-up: one 1×1-cell image while the model loads packs every conv's weights for the backend.
  const w0 = performance.now()
  await gen.generate(new Float32Array(gen.inputChannels), 1, 1)
  const warmupMs = performance.now() - w0
  let prevFirst = 0
  for (const sizePx of sizes) {
    const cells = sizePx / gen.cellPx
    const flops = gen.flops(cells, cells)
    const row: Row = { backend, sizePx, warmupMs, runs: 0, gflopPerImage: flops / 1e9 }
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
      const ceiling = ceilings[backend]?.gflops
      if (ceiling !== undefined) row.ceilingFraction = row.gflops / ceiling
    }
  }
  gen.dispose()
}

const fmt = (v: number | undefined, d = 1) => (v === undefined ? '—' : v.toFixed(d))
for (const [b, c] of Object.entries(ceilings))
  console.log(`${b} ceiling ≈ ${c.gflops === undefined ? '—' : c.gflops.toFixed(1)} GFLOP/s: ${c.assumption}`)
if (webgpuAdapter !== undefined) console.log(`webgpu adapter: ${webgpuAdapter} (CPU-emulated Vulkan)`)
for (const [b, r] of Object.entries(refusals)) console.log(`${b}: not measured: ${r}`)
console.log('backend  size   warm-up ms  first ms  median ms  runs  GFLOP/img  GFLOP/s  %ceiling  note')
for (const r of rows)
  console.log(
    [
      r.backend.padEnd(7),
      `${r.sizePx}²`.padEnd(5),
      fmt(r.warmupMs).padStart(11),
      fmt(r.firstMs).padStart(9),
      fmt(r.medianMs).padStart(10),
      String(r.runs).padStart(5),
      fmt(r.gflopPerImage, 2).padStart(10),
      fmt(r.gflops, 2).padStart(8),
      (r.ceilingFraction === undefined ? '—' : (100 * r.ceilingFraction).toFixed(1) + '%').padStart(9),
      r.skipped ?? '',
    ].join(' '),
  )
const outDir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(outDir, { recursive: true })
writeFileSync(
  outDir + 'generate.json',
  JSON.stringify({ model: files.manifest.latentscape.version, ceilings, webgpuAdapter, refusals, rows }, null, 2) +
    '\n',
)
process.exit(0)
