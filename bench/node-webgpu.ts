/**
 * WebGPU in Node for the CLI, the benchmark and tests: Dawn (npm `webgpu`) on Chromium's SwiftShader Vulkan driver
 * (CPU-emulated, so slow: it proves correctness, not speed). Dawn dlopens `libvulkan.so.1`, which this machine only has
 * in /usr/lib/chromium, and the loader reads LD_LIBRARY_PATH at process start, so the env must be set before Node starts:
 * `withWebgpuEnv()` re-runs the current command with it.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Where Chromium keeps its Vulkan loader and the SwiftShader ICD. */
export const CHROMIUM_DIR = '/usr/lib/chromium'

/** The environment Dawn needs here, or undefined when Chromium's SwiftShader is not installed. */
export function webgpuEnv(): NodeJS.ProcessEnv | undefined {
  const icd = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`
  if (!existsSync(icd)) return undefined
  const ld = process.env.LD_LIBRARY_PATH ?? ''
  return {
    ...process.env,
    VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? icd,
    LD_LIBRARY_PATH: ld.split(':').includes(CHROMIUM_DIR) ? ld : [CHROMIUM_DIR, ld].filter(Boolean).join(':'),
  }
}

/** True when this process already runs with the env `webgpuEnv()` adds (or SwiftShader is absent). */
export function hasWebgpuEnv(): boolean {
  return webgpuEnv() === undefined || (process.env.LD_LIBRARY_PATH ?? '').split(':').includes(CHROMIUM_DIR)
}

/** Re-run this very command (same node flags, e.g. tsx's loader) with the WebGPU env, and exit with its status. */
export function rerunWithWebgpuEnv(): never {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: webgpuEnv(),
    stdio: 'inherit',
  })
  process.exit(r.status ?? 1)
}

/**
 * Expose `navigator.gpu` (Dawn) before `@tensorflow/tfjs-backend-webgpu` is imported. Returns the adapter description,
 * or throws one line saying why no adapter is available.
 */
export async function installNodeWebgpu(): Promise<string> {
  const { create, globals } = await import('webgpu')
  Object.assign(globalThis, globals)
  const gpu = create([])
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true })
  const adapter = await gpu.requestAdapter()
  if (adapter === null)
    throw new Error(
      `no WebGPU adapter (Dawn found no Vulkan driver; run with LD_LIBRARY_PATH=${CHROMIUM_DIR} VK_ICD_FILENAMES=${CHROMIUM_DIR}/vk_swiftshader_icd.json)`,
    )
  return `${adapter.info.vendor} ${adapter.info.description}`.trim()
}
