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
  /** Threads it computes on: more than 1 only for a threaded wasm backend. */
  threads: number
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
  /**
   * Threads of the wasm backend (its own thread included). More than 1 takes effect only where the scope is
   * cross-origin isolated (SharedArrayBuffer); elsewhere, and in Node, wasm runs single-threaded. The threaded build's
   * scripts are loaded from `wasmPath` (see `scripts/copy-tfjs-wasm.mjs`). @default 1
   */
  wasmThreads?: number
}

/** Name of the threaded build's pthread worker script, served beside the wasm binaries. */
const PTHREAD_WORKER_SCRIPT = 'tfjs-backend-wasm-threaded-simd.worker.js'

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

/**
 * tfjs starts each pthread worker from a blob: URL of its worker script (`locateFile` → `URL.createObjectURL`), which
 * a CSP without blob: in script-src blocks inside the worker. Route exactly that object URL — a Blob of the worker
 * script's type, asked for while the wasm backend starts — to the same-origin copy instead. Returns the undo.
 */
function routePthreadWorkers(workerUrl: string): () => void {
  const original = URL.createObjectURL
  URL.createObjectURL = (obj: Blob | MediaSource) =>
    obj instanceof Blob && obj.type === 'application/javascript' ? workerUrl : original.call(URL, obj)
  return () => {
    URL.createObjectURL = original
  }
}

/**
 * tfjs's wasm build sizes its thread pool from `navigator.hardwareConcurrency` halved (it assumes two hardware threads
 * per core) and caps what `setThreadsCount` asks at that: on a machine reporting 2 logical cores it computes on one
 * thread whatever it is asked. The count is read once, while the module starts; report twice the threads asked until
 * then, so the pool gets exactly them. Returns the undo (the scope's own count shows again).
 */
function reportCoresFor(threads: number): () => void {
  const nav = (globalThis as { navigator?: object }).navigator
  if (nav === undefined) return () => {}
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => threads * 2 })
  return () => {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency
  }
}

/**
 * Whether the wasm backend may start threads here: a cross-origin isolated scope (shared wasm memory), and the
 * same-origin worker script present (a missing one would hang the backend's start waiting for its workers).
 */
async function canThread(workerUrl: string): Promise<boolean> {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) return false
  try {
    return (await fetch(workerUrl, { method: 'HEAD' })).ok
  } catch {
    return false
  }
}

/** What `register` set up: the threads asked of the backend, and what to undo once it has started. */
type Registered = { threads: number; undo?: () => void }

async function register(
  name: BackendName,
  wasmPath: string,
  allowSoftware: boolean,
  wasmThreads: number,
): Promise<Registered> {
  switch (name) {
    case 'webgpu':
      await checkWebgpuAdapter(allowSoftware)
      await import('@tensorflow/tfjs-backend-webgpu')
      return { threads: 1 }
    case 'webgl':
      // The generator runs in a worker, off the render thread, where WebGL needs an OffscreenCanvas.
      if (typeof OffscreenCanvas === 'undefined') throw new Error('no OffscreenCanvas to create a WebGL context')
      checkWebglRenderer(allowSoftware)
      await import('@tensorflow/tfjs-backend-webgl')
      return { threads: 1 }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm')
      // Self-hosted binaries: the app makes no third-party request.
      wasm.setWasmPaths(wasmPath)
      const workerUrl = new URL(
        wasmPath + PTHREAD_WORKER_SCRIPT,
        (globalThis as { location?: { href: string } }).location?.href ?? 'file:///',
      ).href
      // At most the 8 pthread workers tfjs's build starts with its module: more would be started later, from blob:.
      const threads = wasmThreads > 1 && (await canThread(workerUrl)) ? Math.min(8, Math.floor(wasmThreads)) : 1
      // tfjs would otherwise pick its threaded build on its own wherever SharedArrayBuffer exists.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1)
      if (threads === 1) return { threads }
      wasm.setThreadsCount(threads)
      const unroute = routePthreadWorkers(workerUrl)
      const unreport = reportCoresFor(threads)
      return {
        threads,
        undo: () => {
          unreport()
          unroute()
        },
      }
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu')
      return { threads: 1 }
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
    let registered: Registered | undefined
    try {
      registered = await register(backend, wasmPath, options.allowSoftwareGpu ?? false, options.wasmThreads ?? 1)
      if (!(await tf.setBackend(backend))) throw new Error('tf.setBackend returned false (initialisation failed)')
      await tf.ready()
      await smokeTest()
      // What the library reports, not what was asked: the threaded build can start and still compute on one thread.
      const threads =
        registered.threads > 1 ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : registered.threads
      return { backend, refusals, threads }
    } catch (e) {
      refusals.push({ backend, reason: oneLine(e) })
    } finally {
      // The pthread workers are all started during the backend's start (a fixed pool), so the routing can go.
      registered?.undo?.()
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
