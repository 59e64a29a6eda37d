/**
 * The generation worker's logic, kept free of `self` so it is unit-tested in Node: a priority queue of
 * jobs run one at a time (so cancelling is cheap: at most the current size is wasted), superseding by target,
 * reprioritising, caches, and init with backend fallback, model loading and a warm-up generation.
 * `gen.worker.ts` only wires `self.onmessage` to `handle` and `post` to `self.postMessage`.
 */
import { Float16Array } from '@petamoriken/float16'
import { assertDistrictFamilies } from '../districts'
import { assertConditioning, FamilyError, familyKey, type FamilyErrorReason, type FamilyTable } from '../families'
import { encodeStyle, styledFamilyVector, styleFamilyLabel, type WorldStyle } from '../style'
import { LATENT_LAYOUT, localField, noiseSeed, slotField, type LatentLayout } from '../latent-walk'
import { baseRoughness, packSurfaceRelief, reliefCalibration, type ReliefSpec, type SurfaceRelief } from '../relief'
import {
  assertCloudTileSize,
  renderSkyShading,
  roomSkyShading,
  SKY_PANORAMA_PX,
  type CloudLayerSpec,
  type SkyShading,
} from '../sky-compose'
import type {
  BackendName,
  CellSize,
  FailureReason,
  FitStyleRequest,
  GenerateRequest,
  GenRequest,
  GenResponse,
  InitRequest,
  ReadyResponse,
  ResultSky,
} from '../protocol'
import type { TextureCache } from '../gan/cache'
import type { GenerateOptions } from '../gan/generator'
import { textureCacheKey } from '../gan/cache'

/** What the handler needs of a loaded generator (satisfied by `world-gen/gan` `Generator`; faked in tests). */
export interface GenEngine {
  readonly version: string
  readonly inputChannels: number
  readonly cellPx: number
  /** Set for the sky's cloud-layer generator: its tile is composed into the sky panorama (world-gen `sky-compose`). */
  readonly cloudLayer?: CloudLayerSpec
  /** Set for a family-conditioned surface generator: its families, embedding rows and texture scales. */
  readonly families?: FamilyTable
  /**
   * Set for a relief model (world-gen/gan `Generator.relief`): its surfaces come with a normal map, height and
   * roughness, painted by `generateMaps`.
   */
  readonly relief?: ReliefSpec
  /** RGBA8 [cellsH·cellPx, cellsW·cellPx, 4] from float32 field [cellsH, cellsW, inputChannels]. */
  generate(
    field: Float32Array,
    cellsH: number,
    cellsW: number,
    noiseSeed?: number,
    options?: GenerateOptions,
  ): Promise<Uint8Array>
  /**
   * Colour as `generate` and, for a relief model, the height float32 [cellsH·cellPx, cellsW·cellPx] in [-1, 1], from
   * one pass (world-gen/gan `Generator.generateMaps`). Required of a relief model.
   */
  generateMaps?(
    field: Float32Array,
    cellsH: number,
    cellsW: number,
    noiseSeed?: number,
    options?: GenerateOptions,
  ): Promise<{ rgba: Uint8Array; height?: Float32Array }>
  dispose(): void
}

/** Injected effects of the handler. */
export interface GenHandlerDeps {
  /** Send a response; `transfer` lists buffers to move rather than copy (a texture is not worth a second copy). */
  post(msg: GenResponse, transfer: ArrayBuffer[]): void
  /** Activate a tf backend (world-gen/gan `selectBackend`). */
  selectBackend(
    order: BackendName[] | undefined,
    wasmPath: string | undefined,
    allowSoftwareGpu?: boolean,
    wasmThreads?: number,
  ): Promise<{
    backend: BackendName
    refusals: { backend: BackendName; reason: string }[]
    /** Threads the backend computes on. @default 1 */
    threads?: number
  }>
  /**
   * Start downloading these model URLs (world-gen/gan `prefetchModels`), called as `init` starts, so the downloads
   * overlap the backend's start; `loadModel` then takes them. Absent: models download when loaded.
   */
  prefetchModels?(urls: string[]): void
  /** Load one model (world-gen/gan `loadGenerator`), reporting download bytes. */
  loadModel(url: string, onProgress: (loadedBytes: number, totalBytes: number) => void): Promise<GenEngine>
  /** A clock in ms, for the `ms` figures and the pacing of background jobs. @default () => 0 */
  now?: () => number
  /** Idle for `ms` (a background job's pacing, `GenerateRequest.pace`). Absent: no pacing, every job at full speed. */
  sleep?: (ms: number) => Promise<void>
  /** Caches tried in order (fast first); every hit or miss result is written to all of them. */
  caches?: TextureCache[]
  /** Live tf.js memory (`tf.memory()`), for `stats`. @default () => ({ numTensors: 0, numBytes: 0 }) */
  memory?: () => { numTensors: number; numBytes: number }
  /** The latent layout that models are checked against and `seeded` fields are built with. @default LATENT_LAYOUT */
  layout?: LatentLayout
  /**
   * Fit a style to a photo with the model served at `modelUrl` (world-gen/gan `fitStyle`), on the active backend.
   * Absent: `fit-style` requests are refused.
   */
  fitStyle?(
    request: {
      modelUrl: string
      slot: FitStyleRequest['slot']
      photo: FitStyleRequest['photo']
      steps: number
      seed: number
    },
    hooks: { onStep(step: number, steps: number, loss: number): Promise<void>; cancelled(): boolean },
  ): Promise<{ style: WorldStyle; startLoss: number; fittedLoss: number; quantisedLoss: number; improved: boolean }>
  /**
   * Let queued messages in (a macrotask): the fit calls it between steps so a `cancel` can arrive.
   * @default () => Promise.resolve()
   */
  yieldToMessages?: () => Promise<void>
}

interface Job {
  req: GenerateRequest
  seq: number
  target: string
  cancelled: boolean
  /** Index of the next size to run: above 0 once the job went back to the queue after its first size. */
  next: number
}

/** Longest single idle of a paced job, in ms: a slow layer never parks the worker for long. */
const MAX_PAUSE_MS = 250

/** The priority a queued job runs at: its later sizes' once its first is done (when the request gives one). */
const jobPriority = (job: Job): number =>
  job.next > 0 && job.req.laterPriority !== undefined ? job.req.laterPriority : job.req.priority

/** The handler returned by `createGenHandler`. */
export interface GenHandler {
  /** Accept one request; responses arrive through `deps.post`. */
  handle(msg: GenRequest): void
  /** Resolves once the queue is empty and nothing runs (for tests and shutdown). */
  idle(): Promise<void>
  /** Ids of queued (not running) jobs in the order they will run. */
  queuedIds(): string[]
}

const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]

/**
 * Errors that mean the GPU device or context is gone (WebGPU `device lost` / `GPUDevice … destroyed`, WebGL `context
 * lost`): tf.js reports them only as text, so they are recognised here, where they are raised, and travel typed.
 */
const DEVICE_LOST = /device (?:is |was )?lost|context (?:is |was )?lost|GPUDevice.*destroyed/i

/** The typed reason of a failure, when the main thread must act on it (see `FailureReason`). */
export function failureReason(e: unknown): FailureReason | undefined {
  if (e instanceof FamilyError) return e.reason satisfies FamilyErrorReason
  return DEVICE_LOST.test(e instanceof Error ? e.message : String(e)) ? 'device-lost' : undefined
}

/** `{ reason }` when the failure has one, else nothing (keeps messages free of `reason: undefined`). */
const withReason = (e: unknown): { reason?: FailureReason } => {
  const reason = failureReason(e)
  return reason === undefined ? {} : { reason }
}

/** Copy a top-left crop of a channels-last field: [cellsH, cellsW, c] → float32 [h, w, c]. */
export function cropField(field: Float32Array, cellsW: number, c: number, w: number, h: number): Float32Array {
  if (w === cellsW && h * w * c === field.length) return field
  const out = new Float32Array(h * w * c)
  for (let y = 0; y < h; y++) out.set(field.subarray(y * cellsW * c, (y * cellsW + w) * c), y * w * c)
  return out
}

/**
 * Refuse a model whose cell size differs from the one `latent-layout.json` gives its name: the main thread sizes its
 * requests in cells from that file (a texture of S px = S / cellPx cells), so a mismatch would paint every texture at
 * the wrong size. Models not named in the layout are taken as they are.
 */
function assertLayoutCellPx(name: string, engine: GenEngine, layouts: LatentLayout): void {
  const layout = name === 'surface' || name === 'sky' ? layouts[name] : undefined
  if (layout !== undefined && layout.cellPx !== engine.cellPx)
    throw new Error(
      `${engine.version} paints ${engine.cellPx} px per latent cell, latent-layout.json says ${layout.cellPx} for "${name}"`,
    )
}

/**
 * Refuse a model whose family vector differs in length from the layout's `familyDim` (fields are built with the
 * layout, so the weights and latent-layout.json must change together), and a surface model that lacks a family the
 * world's district styles use: better one clear error at load than a failure in the first room of that district.
 */
function assertLayoutFamilies(name: string, engine: GenEngine, layouts: LatentLayout): void {
  const layout = name === 'surface' || name === 'sky' ? layouts[name] : undefined
  const dim = engine.families?.dim ?? 0
  if (layout !== undefined && layout.familyDim !== dim)
    throw new Error(
      `${engine.version} takes a material-family vector of ${dim}, latent-layout.json says ${layout.familyDim} for "${name}"`,
    )
  if (name === 'surface' && engine.families !== undefined) assertDistrictFamilies(engine.families.names, engine.version)
}

/**
 * The family vector of a surface request: the embedding row (or blend) its `family` names, for a family-conditioned
 * model. A model without families paints without one: the world plans a family for every room whatever model it
 * runs (requests go out before `ready` says what the model is), and the result then names no family. Throws
 * `FamilyError` when a conditioned model and the request do not fit.
 */
function requestFamily(req: GenerateRequest, engine: GenEngine): Float32Array | undefined {
  const families = engine.families
  if (families === undefined) return undefined
  if (req.slot === 'sky') throw new FamilyError('not-conditioned', 'the sky takes no material family')
  if (req.family === undefined)
    throw new FamilyError(
      'missing-family',
      `${engine.version} paints material families: the request for ${req.slot} of room ${req.roomKey} names none`,
    )
  return styledFamilyVector(families, req.family, req.style)
}

/**
 * Version of what a relief surface's cache entry holds (colour with roughness in its alpha, normal map, height) and
 * of the functions that derive it: part of the cache key, so IndexedDB entries written by older code are not read
 * back as if current.
 */
const RELIEF_CACHE_TAG = 'r2'
/** Marks a sky's cache entries, which hold the generated cloud layer (entries without it held the panorama). */
const SKY_CACHE_TAG = 'layer'

/** A sky's shading as posted: its arrays as buffers of their own (transferred). */
function skyShadingOut(s: SkyShading): ResultSky {
  return {
    layer: ownBuffer(s.layer),
    tileSize: s.tileSize,
    tilesPerUnit: s.tilesPerUnit,
    // Half floats: what the GPU filters them as, and half the bytes to send and keep.
    terms: new Float16Array(s.terms).buffer as ArrayBuffer,
    termsWidthPx: s.widthPx,
    termsHeightPx: s.heightPx,
    sunDirection: s.sunDirection,
    overcast: s.overcast,
  }
}

/**
 * One cache entry for a relief surface: RGBA8 (roughness in alpha) ++ RG8 normal ++ R8 height, 7 bytes a pixel (the
 * caches hold one byte array per key).
 */
function joinRelief(rgba: Uint8Array, relief: SurfaceRelief): Uint8Array {
  const out = new Uint8Array(rgba.length + relief.normal.length + relief.height.length)
  out.set(rgba, 0)
  out.set(relief.normal, rgba.length)
  out.set(relief.height, rgba.length + relief.normal.length)
  return out
}

/** Copies of the parts of a `joinRelief` entry of `pixels` pixels; undefined when its length is not 7 bytes a pixel. */
function splitRelief(entry: Uint8Array, pixels: number): { rgba: Uint8Array; relief: SurfaceRelief } | undefined {
  if (entry.length !== 7 * pixels) return undefined
  return {
    rgba: entry.slice(0, 4 * pixels),
    relief: { normal: entry.slice(4 * pixels, 6 * pixels), height: entry.slice(6 * pixels) },
  }
}

/** The whole ArrayBuffer of `bytes`, copied only when `bytes` is a view on part of a larger one. */
const ownBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer)

/** Adam steps of a style fit unless the request says otherwise. */
export const DEFAULT_FIT_STEPS = 60

/** Create the worker logic over injected effects (see `GenHandlerDeps`). */
export function createGenHandler(deps: GenHandlerDeps): GenHandler {
  const now = deps.now ?? (() => 0)
  const caches = deps.caches ?? []
  const layout = deps.layout ?? LATENT_LAYOUT
  const models = new Map<string, GenEngine>()
  const modelErrors = new Map<string, string>()
  const queue: Job[] = []
  let running: Job | undefined
  let ready = false
  let disposed = false
  let seq = 0
  let pumping: Promise<void> = Promise.resolve()
  let idleWaiters: (() => void)[] = []
  let backend: BackendName | undefined
  const modelUrls = new Map<string, string>()
  /** The style fit running (or waiting for the current generation to finish): generation waits meanwhile. */
  let fit: { id: string; cancelled: boolean } | undefined

  const post = (msg: GenResponse, transfer: ArrayBuffer[] = []) => deps.post(msg, transfer)

  function notifyIdle(): void {
    if (running !== undefined || fit !== undefined || (ready && queue.length > 0)) return
    const w = idleWaiters
    idleWaiters = []
    for (const f of w) f()
  }

  function nextJob(): Job | undefined {
    if (queue.length === 0) return undefined
    let best = 0
    for (let i = 1; i < queue.length; i++) {
      const pa = jobPriority(queue[i])
      const pb = jobPriority(queue[best])
      if (pa < pb || (pa === pb && queue[i].seq < queue[best].seq)) best = i
    }
    return queue.splice(best, 1)[0]
  }

  /**
   * The pacing of a background job (`pace` > 0, see `GenerateRequest`): after each layer, idle for `pace` × the time
   * since the last pause, unless a job without pace is waiting (then finish at full speed).
   */
  function pacing(job: Job): GenerateOptions {
    const sleep = deps.sleep
    if (sleep === undefined || !((job.req.pace ?? 0) > 0)) return {}
    let last = now()
    return {
      pause: async () => {
        const worked = now() - last
        const pace = job.req.pace ?? 0
        if (pace > 0 && !job.cancelled && !queue.some((j) => !((j.req.pace ?? 0) > 0)))
          await sleep(Math.min(worked * pace, MAX_PAUSE_MS))
        last = now()
      },
    }
  }

  function schedule(): void {
    if (!ready || disposed || running !== undefined || fit !== undefined) return notifyIdle()
    const job = nextJob()
    if (job === undefined) return notifyIdle()
    running = job
    pumping = run(job)
      .catch((e: unknown) => {
        if (!job.cancelled) post({ type: 'error', id: job.req.id, message: oneLine(e), ...withReason(e) })
      })
      .finally(() => {
        running = undefined
        // Yield a macrotask-free tick so cancel/reprioritize messages that arrived meanwhile are applied first.
        schedule()
      })
  }

  function fieldFor(req: GenerateRequest, engine: GenEngine, max: CellSize): Float32Array {
    const latent = req.latent
    if (latent.kind === 'field') {
      if (latent.field.length !== latent.cellsW * latent.cellsH * engine.inputChannels)
        throw new RangeError(
          `latent field has ${latent.field.length} values, expected ${latent.cellsH}×${latent.cellsW}×${engine.inputChannels}`,
        )
      if (max.cellsW > latent.cellsW || max.cellsH > latent.cellsH)
        throw new RangeError(
          `size ${max.cellsW}×${max.cellsH} cells exceeds the ${latent.cellsW}×${latent.cellsH} field`,
        )
      // The caller built the field (family vector included): the family only has to be one the model has.
      if (req.family !== undefined && engine.families !== undefined) assertConditioning(engine.families, req.family)
      return latent.field
    }
    const family = requestFamily(req, engine)
    const local = localField(latent.roomSeed, req.slot, max.cellsW, max.cellsH, layout)
    const field = slotField(req.slot, latent.global, local, max.cellsW, max.cellsH, layout, family)
    const c = field.length / (max.cellsW * max.cellsH)
    if (c !== engine.inputChannels)
      throw new RangeError(
        `global latent (${latent.global.length}) + family (${family?.length ?? 0}) + local channels give ${c}, model wants ${engine.inputChannels}`,
      )
    return field
  }

  async function run(job: Job): Promise<void> {
    const { req } = job
    const engine = models.get(req.model)
    if (engine === undefined) {
      const why = modelErrors.get(req.model) ?? 'it is not listed in init.models'
      throw new Error(`no "${req.model}" model loaded for slot ${req.slot}: ${why}`)
    }
    if (req.sizes.length === 0) throw new RangeError('sizes is empty')
    for (const s of req.sizes)
      if (!Number.isInteger(s.cellsW) || !Number.isInteger(s.cellsH) || s.cellsW < 1 || s.cellsH < 1)
        throw new RangeError(`bad size ${s.cellsW}×${s.cellsH} cells`)
    if (req.slot === 'sky' && req.sizes.length > 1)
      throw new RangeError('sky jobs take one size: one cloud layer makes one panorama')
    if (req.slot === 'sky' && engine.cloudLayer === undefined)
      throw new Error(`model "${req.model}" is not a cloud-layer generator, so it cannot paint a sky`)
    const max = {
      cellsW: Math.max(...req.sizes.map((s) => s.cellsW)),
      cellsH: Math.max(...req.sizes.map((s) => s.cellsH)),
    }
    const field = fieldFor(req, engine, max)
    const fieldW = req.latent.kind === 'field' ? req.latent.cellsW : max.cellsW
    for (let i = job.next; i < req.sizes.length; i++) {
      if (job.cancelled) return
      const { cellsW, cellsH } = req.sizes[i]
      const crop = cropField(field, fieldW, engine.inputChannels, cellsW, cellsH)
      const sky = req.slot === 'sky' ? engine.cloudLayer : undefined
      // Refused before generating: composeSky would refuse the tile only after the work.
      if (sky !== undefined) assertCloudTileSize(cellsW * engine.cellPx, cellsH * engine.cellPx)
      const width = sky !== undefined ? SKY_PANORAMA_PX.width : cellsW * engine.cellPx
      const height = sky !== undefined ? SKY_PANORAMA_PX.height : cellsH * engine.cellPx
      const nSeed = req.latent.kind === 'field' ? (req.latent.noiseSeed ?? 0) : noiseSeed(req.latent.roomSeed, req.slot)
      // The field's hash already covers the family vector; the family's name keeps keys readable and distinct even so.
      const painted = engine.families === undefined ? undefined : req.family
      const fam = painted === undefined ? '' : `|f${familyKey(painted)}`
      // A relief model's surfaces carry their normal map, height and roughness (the sky has no relief).
      const surface = req.slot === 'sky' ? undefined : req.slot
      const relief = surface === undefined ? undefined : engine.relief
      // The calibration the maps are derived with is part of the key: model.json carries it beside weights whose
      // version it does not change, so maps derived under another calibration are never read back as these.
      const calibration = relief === undefined ? undefined : reliefCalibration(relief, painted)
      // A sky's entry is the generated cloud layer (not the panorama): its shading is computed again on a hit.
      const tag =
        calibration !== undefined
          ? `|${RELIEF_CACHE_TAG}:g${calibration.gain}:d${calibration.detail}`
          : sky !== undefined
            ? `|${SKY_CACHE_TAG}`
            : ''
      const key = `${req.cacheKey ?? ''}|n${nSeed}${fam}${tag}|${textureCacheKey(engine.version, crop, width, height)}`
      const t0 = now()
      let pixels: Uint8Array | undefined
      let maps: SurfaceRelief | undefined
      let hitAt = -1
      for (let c = 0; c < caches.length && pixels === undefined; c++) {
        const entry = await caches[c].get(key)
        if (entry === undefined) continue
        // A cache hit returns the cache's own array: copy what is posted, so the transfer does not detach the cache.
        if (sky !== undefined) {
          if (entry.length !== cellsW * cellsH * engine.cellPx * engine.cellPx * 4) continue // another shape: a miss
          pixels = entry.slice()
        } else if (relief === undefined) pixels = entry.slice()
        else {
          const parts = splitRelief(entry, width * height)
          if (parts === undefined) continue // not an entry of this shape: read as a miss
          pixels = parts.rgba
          maps = parts.relief
        }
        hitAt = c
      }
      const fromCache = pixels !== undefined
      if (pixels === undefined) {
        if (relief !== undefined && surface !== undefined) {
          if (engine.generateMaps === undefined) throw new Error(`${engine.version} has relief but no generateMaps`)
          const out = await engine.generateMaps(crop, cellsH, cellsW, nSeed, pacing(job))
          if (out.height === undefined) throw new Error(`${engine.version} has relief but painted no height`)
          pixels = out.rgba
          const base = baseRoughness(surface, painted)
          maps = packSurfaceRelief(pixels, out.height, width, height, relief.pxPerUnit, base, calibration)
        } else {
          pixels = await engine.generate(crop, cellsH, cellsW, nSeed, pacing(job))
        }
      }
      if (job.cancelled) return
      // Faster caches missed: fill them. Each cache keeps its own copy since the arrays are transferred below.
      const fill = fromCache ? caches.slice(0, hitAt) : caches
      for (const c of fill) await c.set(key, maps === undefined ? pixels.slice() : joinRelief(pixels, maps))
      // The sky: the cloud layer under the atmosphere of the field's global latent (every cell starts with it), as the
      // panorama and as the shading the sky shader paints per screen pixel.
      let shading: SkyShading | undefined
      if (sky !== undefined) {
        shading = roomSkyShading(pixels, cellsW * engine.cellPx, sky, crop.subarray(0, layout.sky.globalDim))
        pixels = renderSkyShading(shading)
      }
      const buffer = ownBuffer(pixels)
      const skyOut = shading === undefined ? undefined : skyShadingOut(shading)
      const reliefOut =
        maps === undefined ? undefined : { normal: ownBuffer(maps.normal), height: ownBuffer(maps.height) }
      post(
        {
          type: 'result',
          id: req.id,
          sizeIndex: i,
          final: i === req.sizes.length - 1,
          width,
          height,
          pixels: buffer,
          ms: now() - t0,
          fromCache,
          version: engine.version,
          ...(painted !== undefined ? { family: painted } : {}),
          ...(reliefOut !== undefined ? { relief: reliefOut } : {}),
          ...(skyOut !== undefined ? { sky: skyOut } : {}),
        },
        reliefOut !== undefined
          ? [buffer, reliefOut.normal, reliefOut.height]
          : skyOut !== undefined
            ? [buffer, skyOut.layer, skyOut.terms]
            : [buffer],
      )
      if (i === 0 && req.sizes.length > 1 && req.laterPriority !== undefined) {
        // Back to the queue at the later sizes' priority: other jobs' previews may go first.
        job.next = 1
        queue.push(job)
        return
      }
    }
  }

  async function init(msg: InitRequest): Promise<void> {
    try {
      const tInit = now()
      deps.prefetchModels?.(Object.values(msg.models))
      const choice = await deps.selectBackend(msg.backends, msg.wasmPath, msg.allowSoftwareGpu, msg.wasmThreads)
      const tBackend = now()
      backend = choice.backend
      for (const [name, url] of Object.entries(msg.models)) {
        modelUrls.set(name, url)
        try {
          const engine = await deps.loadModel(url, (loadedBytes, totalBytes) =>
            post({ type: 'progress', model: name, loadedBytes, totalBytes }),
          )
          assertLayoutCellPx(name, engine, layout)
          assertLayoutFamilies(name, engine, layout)
          models.get(name)?.dispose()
          models.set(name, engine)
          modelErrors.delete(name)
        } catch (e) {
          modelErrors.set(name, oneLine(e))
          post({ type: 'model-failed', model: name, message: oneLine(e), ...withReason(e) })
        }
      }
      if (models.size === 0)
        throw new Error(`no model could be loaded (${[...modelErrors].map(([n, m]) => `${n}: ${m}`).join('; ')})`)
      // Warm-up: compile shaders / allocate once on a 1×1-cell field, before the first real request.
      const t0 = now()
      const initMs = { backend: tBackend - tInit, models: t0 - tBackend }
      for (const engine of models.values()) await engine.generate(new Float32Array(engine.inputChannels), 1, 1)
      const versions: Record<string, string> = {}
      const families: NonNullable<ReadyResponse['families']> = {}
      for (const [name, engine] of models) {
        versions[name] = engine.version
        if (engine.families !== undefined)
          families[name] = { names: [...engine.families.names], pxPerMetre: { ...engine.families.pxPerMetre } }
      }
      ready = true
      post({
        type: 'ready',
        backend: choice.backend,
        refusals: choice.refusals,
        threads: choice.threads ?? 1,
        versions,
        warmupMs: now() - t0,
        initMs,
        ...(Object.keys(families).length > 0 ? { families } : {}),
      })
    } catch (e) {
      post({ type: 'init-failed', message: oneLine(e), ...withReason(e) })
    }
    schedule()
  }

  async function runFit(msg: FitStyleRequest, state: { id: string; cancelled: boolean }): Promise<void> {
    // The generation in progress (if any) finishes first; the queue then waits until the fit is over.
    await pumping
    const engine = models.get(msg.model)
    const url = modelUrls.get(msg.model)
    if (!ready || engine === undefined || url === undefined)
      throw new Error(`no "${msg.model}" model is loaded to fit a style with`)
    if (engine.families === undefined)
      throw new FamilyError('not-conditioned', `${engine.version} has no material families: it cannot fit a style`)
    if (deps.fitStyle === undefined) throw new Error('this worker cannot fit styles')
    const names = engine.families.names
    const yieldNow = deps.yieldToMessages ?? (() => Promise.resolve())
    const t0 = now()
    const result = await deps.fitStyle(
      { modelUrl: url, slot: msg.slot, photo: msg.photo, steps: msg.steps ?? DEFAULT_FIT_STEPS, seed: msg.seed ?? 1 },
      {
        onStep: async (step, steps, loss) => {
          if (!state.cancelled) post({ type: 'fit-progress', id: msg.id, step, steps, loss })
          await yieldNow()
        },
        cancelled: () => state.cancelled,
      },
    )
    if (state.cancelled) return
    post({
      type: 'fit-done',
      id: msg.id,
      style: encodeStyle(result.style),
      families: styleFamilyLabel(names, result.style.families),
      startLoss: result.startLoss,
      fittedLoss: result.fittedLoss,
      quantisedLoss: result.quantisedLoss,
      improved: result.improved,
      backend: backend ?? 'cpu',
      ms: now() - t0,
    })
  }

  function startFit(msg: FitStyleRequest): void {
    if (disposed) return post({ type: 'error', id: msg.id, message: 'worker is disposed' })
    if (fit !== undefined && !fit.cancelled) {
      fit.cancelled = true
      post({ type: 'cancelled', id: fit.id, reason: 'superseded' })
    }
    const state = { id: msg.id, cancelled: false }
    fit = state
    void runFit(msg, state)
      .catch((e: unknown) => {
        if (!state.cancelled) post({ type: 'error', id: msg.id, message: oneLine(e), ...withReason(e) })
      })
      .finally(() => {
        if (fit === state) fit = undefined
        schedule()
      })
  }

  function cancelJob(job: Job, reason: 'cancelled' | 'superseded' | 'disposed'): void {
    if (job.cancelled) return
    job.cancelled = true
    post({ type: 'cancelled', id: job.req.id, reason })
  }

  function handle(msg: GenRequest): void {
    switch (msg.type) {
      case 'init':
        void init(msg)
        return
      case 'generate': {
        if (disposed) {
          post({ type: 'error', id: msg.id, message: 'worker is disposed' })
          return
        }
        const target = `${msg.model}|${msg.roomKey}|${msg.slot}`
        for (let i = queue.length - 1; i >= 0; i--) {
          if (queue[i].target === target) {
            cancelJob(queue[i], 'superseded')
            queue.splice(i, 1)
          }
        }
        if (running !== undefined && running.target === target) cancelJob(running, 'superseded')
        queue.push({ req: msg, seq: seq++, target, cancelled: false, next: 0 })
        schedule()
        return
      }
      case 'cancel': {
        const ids = new Set(msg.ids)
        for (let i = queue.length - 1; i >= 0; i--) {
          if (ids.has(queue[i].req.id)) {
            cancelJob(queue[i], 'cancelled')
            queue.splice(i, 1)
          }
        }
        if (running !== undefined && ids.has(running.req.id)) cancelJob(running, 'cancelled')
        if (fit !== undefined && ids.has(fit.id) && !fit.cancelled) {
          fit.cancelled = true
          post({ type: 'cancelled', id: fit.id, reason: 'cancelled' })
        }
        notifyIdle()
        return
      }
      case 'reprioritize': {
        const job = queue.find((j) => j.req.id === msg.id) ?? (running?.req.id === msg.id ? running : undefined)
        if (job !== undefined)
          job.req = {
            ...job.req,
            priority: msg.priority,
            ...(msg.laterPriority !== undefined ? { laterPriority: msg.laterPriority } : {}),
            ...(msg.pace !== undefined ? { pace: msg.pace } : {}),
          }
        return
      }
      case 'dispose': {
        disposed = true
        for (const job of queue.splice(0)) cancelJob(job, 'disposed')
        if (running !== undefined) cancelJob(running, 'disposed')
        if (fit !== undefined && !fit.cancelled) {
          fit.cancelled = true
          post({ type: 'cancelled', id: fit.id, reason: 'disposed' })
        }
        // Release the weights only after the running generation returns: it still reads them.
        void pumping.then(() => {
          for (const m of models.values()) m.dispose()
          models.clear()
          post({ type: 'disposed' })
          notifyIdle()
        })
        return
      }
      case 'fit-style':
        startFit(msg)
        return
      case 'stats': {
        // tf.memory() throws while no backend is initialised: report only once ready (an uncaught error here would
        // read as a worker crash on the main side).
        if (!ready || disposed || deps.memory === undefined) return
        try {
          const { numTensors, numBytes } = deps.memory()
          post({ type: 'stats', numTensors, numBytes })
        } catch {
          // A backend mid-switch: skip this report; the streamer asks again.
        }
        return
      }
      default: {
        const never: never = msg
        post({ type: 'error', message: `unknown request ${JSON.stringify(never)}` })
      }
    }
  }

  return {
    handle,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        notifyIdle()
      }),
    queuedIds: () => [...queue].sort((a, b) => jobPriority(a) - jobPriority(b) || a.seq - b.seq).map((j) => j.req.id),
  }
}
