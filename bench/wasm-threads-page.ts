/**
 * Browser entry of `bench/wasm-threads.ts` (bundled by esbuild): starts the wasm backend with the given number of
 * threads in a cross-origin isolated page and times the surface generator on one texture size.
 */
import { loadGenerator, selectBackend } from '../world-gen/gan'

/** What `window.timeWasm` reports. */
export type WasmTiming = { backend: string; threads: number; isolated: boolean; firstMs: number; medianMs: number }

async function timeWasm(threads: number, sizePx: number, runs: number): Promise<WasmTiming> {
  const choice = await selectBackend({ order: ['wasm'], wasmThreads: threads })
  const gen = await loadGenerator({ url: '/models/surface/model.json' })
  const cells = sizePx / gen.cellPx
  const field = new Float32Array(cells * cells * gen.inputChannels).map((_, i) => Math.sin(i * 12.9898) * 1.5)
  let t = performance.now()
  await gen.generate(field, cells, cells)
  const firstMs = performance.now() - t
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    t = performance.now()
    await gen.generate(field, cells, cells)
    times.push(performance.now() - t)
  }
  gen.dispose()
  times.sort((a, b) => a - b)
  return {
    backend: choice.backend,
    threads: choice.threads,
    isolated: crossOriginIsolated,
    firstMs,
    medianMs: times[Math.floor(times.length / 2)]!,
  }
}

;(globalThis as unknown as { timeWasm: typeof timeWasm }).timeWasm = timeWasm
