/**
 * tf.js backend selection: try webgpu → webgl → wasm → cpu in order, remember why each one was refused.
 * Backends are imported lazily so a worker only loads the code of the backends it tries.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { BackendName } from '../protocol'

export type { BackendName }

/** Fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu']

/** A backend that was tried and refused, with a one-line reason. */
export interface BackendRefusal {
  backend: BackendName
  reason: string
}

/** The outcome of `selectBackend`. */
export interface BackendChoice {
  /** The backend now active in tf. */
  backend: BackendName
  /** Backends tried before it, in order, and why each failed. */
  refusals: BackendRefusal[]
}

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** Candidates in order of preference. @default BACKEND_ORDER */
  order?: readonly BackendName[]
  /**
   * Where the wasm backend loads its `.wasm` binaries from: a URL prefix served by the app (the copies under
   * `public/tfjs/`), or a local folder / file:// prefix in Node. @default '/tfjs/'
   */
  wasmPath?: string
  /**
   * Accept software GPU implementations (SwiftShader, llvmpipe). On a machine without a GPU they are far slower than
   * wasm (a 256² texture: ~100 s on SwiftShader WebGPU vs ~1 s on wasm, 2 cores), so they are refused by default.
   * @default false
   */
  allowSoftwareGpu?: boolean
}

const SOFTWARE_GPU = /swiftshader|llvmpipe|softpipe|software|basic render/i

/** Throw when the WebGPU adapter is a software fallback, unless allowed. */
async function checkWebgpuAdapter(allowSoftware: boolean): Promise<void> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu
  if (gpu === undefined) throw new Error('navigator.gpu is not available')
  const adapter = (await gpu.requestAdapter()) as {
    isFallbackAdapter?: boolean
    info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean }
  } | null
  if (adapter === null) throw new Error('no WebGPU adapter')
  const info = adapter.info
  const label = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`.trim()
  if (!allowSoftware && (adapter.isFallbackAdapter || info?.isFallbackAdapter || SOFTWARE_GPU.test(label))) {
    throw new Error(`software WebGPU adapter (${label || 'fallback'}): slower than wasm on this device`)
  }
}

/** Throw when WebGL in this worker would run on a software rasteriser, unless allowed. */
function checkWebglRenderer(allowSoftware: boolean): void {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null
  if (gl === null) throw new Error('WebGL2 is not available in this worker')
  const ext = gl.getExtension('WEBGL_debug_renderer_info')
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER))
  gl.getExtension('WEBGL_lose_context')?.loseContext()
  if (!allowSoftware && SOFTWARE_GPU.test(renderer)) {
    throw new Error(`software WebGL renderer (${renderer.slice(0, 80)}): slower than wasm on this device`)
  }
}

/** Live tf.js tensor count and bytes of the active backend (`tf.memory()`): the soak test's leak gauge. */
export function tensorMemory(): { numTensors: number; numBytes: number } {
  const { numTensors, numBytes } = tf.memory()
  return { numTensors, numBytes }
}

/** The app's URL prefix of the wasm binaries copied by `scripts/copy-tfjs-wasm.mjs` into `public/tfjs/`. */
export const DEFAULT_WASM_PATH = '/tfjs/'

async function register(name: BackendName, wasmPath: string, allowSoftware: boolean): Promise<void> {
  switch (name) {
    case 'webgpu':
      await checkWebgpuAdapter(allowSoftware)
      await import('@tensorflow/tfjs-backend-webgpu')
      return
    case 'webgl':
      // The generator runs in a worker, off the render thread, where WebGL needs an OffscreenCanvas.
      if (typeof OffscreenCanvas === 'undefined') throw new Error('no OffscreenCanvas to create a WebGL context')
      checkWebglRenderer(allowSoftware)
      await import('@tensorflow/tfjs-backend-webgl')
      return
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm')
      // Self-hosted binaries: the app makes no third-party request.
      wasm.setWasmPaths(wasmPath)
      // The pages are cross-origin isolated (COOP/COEP in next.config.ts), so tfjs would pick its threaded build, whose
      // pthread workers `importScripts` a blob: URL that our CSP (`script-src 'self'`) blocks. Single-threaded SIMD
      // wasm is kept: threads would need `blob:` in script-src and gain little on the 2–4 cores this mostly runs on.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
      return
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu')
      return
    default: {
      const never: never = name
      throw new Error(`unknown backend ${String(never)}`)
    }
  }
}

/**
 * Activate the first backend of `order` that initialises and can run a conv; returns it with the refusals.
 * Throws when none works (cannot happen while 'cpu' is in the order).
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const order = options.order ?? BACKEND_ORDER
  const wasmPath = options.wasmPath ?? DEFAULT_WASM_PATH
  const refusals: BackendRefusal[] = []
  for (const backend of order) {
    try {
      await register(backend, wasmPath, options.allowSoftwareGpu ?? false)
      if (!(await tf.setBackend(backend))) throw new Error('tf.setBackend returned false (initialisation failed)')
      await tf.ready()
      await smokeTest()
      return { backend, refusals }
    } catch (e) {
      refusals.push({ backend, reason: oneLine(e) })
    }
  }
  throw new Error(`no tf.js backend works: ${refusals.map((r) => `${r.backend}: ${r.reason}`).join('; ')}`)
}

/** One tiny conv with readback: catches backends that register but cannot compile or execute kernels. */
async function smokeTest(): Promise<void> {
  const y = tf.tidy(() =>
    tf.conv2d(tf.ones([1, 3, 3, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid'),
  )
  try {
    const v = await y.data()
    if (v[0] !== 18) throw new Error(`smoke conv gave ${v[0]}, expected 18`)
  } finally {
    y.dispose()
  }
}

function oneLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e)
  return s.split('\n')[0].slice(0, 200)
}
