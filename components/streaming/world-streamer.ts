/**
 * The main-thread side of world streaming: one `WorldStreamer` per world view follows world-gen's streaming plan
 * (`planStreaming`, and `diffResidency` for what to send, cancel or reprioritise), keeps the resident rooms in a
 * zustand vanilla store (what decides mounting) and hands generated pixels to its upload queue, which the renderer
 * empties a few per frame. The worker itself is its `GenerationClient`'s. Skies: the sky of the room the player stands
 * in (high priority) and of its four neighbours is painted by the worker (the `sky` model's cloud layer composed under
 * the room's atmosphere, world-gen `composeSky`) and kept here (with the lighting measured from it) until the player
 * moves on; the renderer picks it up.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import {
  cellsForPx,
  diffResidency,
  planStreaming,
  room,
  roomKey,
  localSeed,
  roomLatent,
  roomStyleBlend,
  SKY_FIELD_CELLS,
  skyLatent,
  skyLight,
  skyPriority,
  surfaceFullPriority,
  surfacePriority,
  SURFACE_SLOTS,
  textureUvScale,
  type RoomKey,
  type RoomSpec,
  type SkyLight,
  type FamilyConditioning,
  type SurfaceSlot,
  type WorldStyle,
} from '../../world-gen'
import type {
  BackendName,
  FitDoneResponse,
  GenRequest,
  GenResponse,
  InitFailedResponse,
  ModelFailedResponse,
  ResultSky,
} from '../../world-gen/protocol'
import { GenerationClient, MAX_WORKER_RESTARTS } from './generation-client'
import { UploadQueue, type PendingUpload } from './upload-queue'

export { MAX_WORKER_RESTARTS, type PendingUpload }

/** A status change of the generator, as the loading screen and HUD show it. */
export type StreamerStatus = {
  phase?: 'model' | 'warmup' | 'generating' | 'failed'
  modelLoadedBytes?: number
  modelTotalBytes?: number
  backend?: BackendName
  refusals?: { backend: string; reason: string }[]
  warmupMs?: number
  threads?: number
  error?: string
}

/** Where the generators' manifests are served. */
export const SURFACE_MODEL_URL = '/models/surface/model.json'
export const SKY_MODEL_URL = '/models/sky/model.json'
/**
 * Seconds of sky drift passed to world-gen `skyLatent`: 0, so a room's sky depends on (seed, room) only (shared links
 * show the same sky, and worker caches hit on revisits).
 */
export const SKY_TIME_S = 0

/**
 * Side of the preview generated before the full texture, in pixels; its field is PREVIEW_PX / cellPx cells of the
 * surface model (`latent-layout.json`), like the full texture's.
 */
export const PREVIEW_PX = 64
/**
 * Names of the `performance` marks of a world's start (from navigation start, read by `bench:frames`): the worker
 * created, its backend started and its models loaded (placed back from the worker's own timings), the generator ready
 * (warmed up), the first surface result, and the room the player stands in with every surface painted (a preview or
 * the full size) and with every full-size texture on the GPU.
 */
export const START_MARKS = {
  workerStart: 'latentscape:worker-start',
  backendReady: 'latentscape:backend-ready',
  modelsLoaded: 'latentscape:models-loaded',
  generatorReady: 'latentscape:generator-ready',
  firstResult: 'latentscape:first-surface-result',
  roomPainted: 'latentscape:first-room-painted',
  roomTextured: 'latentscape:first-room-textured',
} as const

/** The start marks made on this page: a set lookup, since `markOnce` runs on every result and upload of the room. */
const marked = new Set<string>()

/** Mark `name` once per page (later worlds of the same page keep the first world's figures), now or at `startTime`. */
function markOnce(name: string, startTime?: number): void {
  if (marked.has(name) || typeof performance === 'undefined' || typeof performance.mark !== 'function') return
  marked.add(name)
  performance.mark(name, startTime === undefined ? undefined : { startTime: Math.max(0, startTime) })
}

/**
 * Pace of the rooms ahead (`GenerateRequest.pace`): their generation idles twice as long as it computes, so on a
 * machine with few cores it takes at most a third of one and the renderer keeps the rest (frames stay even while
 * streaming). The room the player stands in is generated at full speed.
 */
export const BACKGROUND_PACE = 2
const paceOf = (rank: number): number => (rank === 0 ? 0 : BACKGROUND_PACE)

/** The worker's tensor figures are asked for every this many `update()` calls (≈ 1 s at the 100 ms sync). */
const STATS_EVERY_UPDATES = 10

/** Options of `WorldStreamer`. */
export type WorldStreamerOptions = {
  /** Canonical world seed. */
  seed: string
  /** Full texture size in pixels (a multiple of the surface model's `cellPx`). @default 256 */
  texSizePx?: number
  /** Threads asked of the wasm backend (see `InitRequest.wasmThreads`). @default 1 */
  wasmThreads?: number
  /** URL of the surface model. @default SURFACE_MODEL_URL */
  modelUrl?: string
  /** URL of the sky model. @default SKY_MODEL_URL */
  skyModelUrl?: string
  /** Creates the worker. @default the bundled `world-gen/worker/gen.worker.ts` */
  createWorker?: () => Worker
  /** Called with generator status changes (from `onmessage`, never from a frame loop). */
  onStatus?: (patch: StreamerStatus) => void
  /** Called when the sky generator's availability changes (from `onmessage`, never from a frame loop). */
  onSkyStatus?: (status: SkyGenStatus) => void
  /**
   * Called with the same-origin script URLs the worker loaded (once per worker start), for an offline cache: the page
   * cannot see a worker's own requests.
   */
  onWorkerScripts?: (urls: string[]) => void
  /** A style fitted to a photo (from the URL): its slot's latent walk centres on it around room 0,0. */
  style?: WorldStyle
}

/** A style fit in progress: `done` settles with the worker's answer; `cancel()` stops it (then `done` rejects). */
export type StyleFit = {
  done: Promise<FitDoneResponse>
  cancel(): void
}

/** Why a style fit ended without a style. */
export class StyleFitError extends Error {
  /** True when it was cancelled (by `cancel()`, a newer fit or the streamer's end) rather than failing. */
  readonly cancelled: boolean
  constructor(message: string, cancelled: boolean) {
    super(message)
    this.name = 'StyleFitError'
    this.cancelled = cancelled
  }
}

type FitRecord = {
  onProgress: (step: number, steps: number, loss: number) => void
  resolve: (done: FitDoneResponse) => void
  reject: (e: StyleFitError) => void
}

/** Whether the sky generator runs: `available` is null until the worker has loaded (or failed to load) it. */
export type SkyGenStatus = {
  available: boolean | null
  /** Sky model version (model.json `latentscape.version`), once loaded. */
  version: string | null
  /** Why the sky generator is unavailable, or why the last sky job failed; null when all is well. */
  error: string | null
}

/** A generated sky of one room: the RGBA8 hemisphere and the lighting measured from it. */
export type GeneratedSky = {
  key: RoomKey
  /** RGBA8 `[heightPx, widthPx, 4]`, sRGB, row 0 = zenith (world-gen `sky-panorama.ts`). Never modified. */
  pixels: Uint8Array
  widthPx: number
  heightPx: number
  /** Sky model version that painted it. */
  version: string
  /** world-gen `skyLight` of the pixels. */
  light: SkyLight
  /**
   * What the sky shader paints the clouds from per screen pixel (world-gen `SkyShading`), sharper than the panorama;
   * absent when the worker sent only the panorama, which is then shown as it is.
   */
  shading?: SkyShadingArrays
}

/** A sky's shading as the sky dome uploads it (world-gen `SkyShading`, protocol `ResultSky`). */
export type SkyShadingArrays = {
  /** RGBA8 `[tileSize, tileSize, 4]`, linear: R = cloud cover, G = cover × brightness. */
  layer: Uint8Array
  tileSize: number
  tilesPerUnit: number
  /** RGBA half floats (IEEE binary16 bits) `[3 × termsHeightPx, termsWidthPx, 4]`: the bands S, P, Q. */
  terms: Uint16Array
  termsWidthPx: number
  termsHeightPx: number
  sunDirection: [number, number, number]
  overcast: number
}

type SkyRecord = {
  key: RoomKey
  rank: number
  jobId: string | null
  sky: GeneratedSky | null
  failed: boolean
}

/**
 * Reactive state of the streamer: only what decides which rooms are mounted; textures and progress never re-render
 * React.
 */
export type StreamState = {
  /** Resident rooms, in plan order (current room first). */
  rooms: RoomKey[]
}

type SlotState = {
  /** Id of the generation job, or null once it has finished (or failed). */
  jobId: string | null
  /** Whether generation of this slot failed. */
  failed: boolean
}

type RoomRecord = {
  key: RoomKey
  spec: RoomSpec
  rank: number
  slots: Record<SurfaceSlot, SlotState>
}

/** The material families of a family-conditioned surface model, as its worker's `ready` lists them. */
export type SurfaceFamilies = { names: string[]; pxPerMetre: Record<string, number> }

/** Input of `WorldStreamer.update`, from the player. */
export type StreamerUpdate = {
  position: [number, number]
  headingRad: number
  speedMps: number
}

/** Figures for `getStats()`. */
export type StreamerStats = {
  roomsLoaded: number
  roomsReady: number
  queueLength: number
  textureBytes: number
  /** Live tf.js tensors in the generation worker (last report, ≤ 1 s old), null before the first report. */
  workerTensors: number | null
  /** Bytes of those tensors, null before the first report. */
  workerTensorBytes: number | null
  /** How many times the generation worker crashed and was replaced. */
  workerRestarts: number
}

/** The streamer; create, `init()`, `update()` a few times a second, `destroy()`. */
export class WorldStreamer {
  /** Resident rooms (vanilla store; subscribe in effects, select in components). */
  readonly store: StoreApi<StreamState> = createStore<StreamState>()(() => ({ rooms: [] }))
  private readonly seed: string
  private readonly texSizePx: number
  private readonly options: WorldStreamerOptions
  private readonly client: GenerationClient
  private readonly rooms = new Map<RoomKey, RoomRecord>()
  /** Surface jobs by id; `styleWeight`: how much the photo style paints it (world-gen `roomStyleBlend`), 0 for none. */
  private readonly jobs = new Map<string, { key: RoomKey; slot: SurfaceSlot; styleWeight: number }>()
  private readonly skies = new Map<RoomKey, SkyRecord>()
  private readonly skyJobs = new Map<string, RoomKey>()
  private sky: SkyGenStatus = { available: null, version: null, error: null }
  /** Model load errors reported during init, by model name. */
  private readonly modelErrors = new Map<string, string>()
  /** Download progress per model name (summed for the loading screen). */
  private readonly modelBytes = new Map<string, { loaded: number; total: number }>()
  /** False once the worker came up without the surface model: surfaces then stay untextured. */
  private surfaceModel = true
  /** The surface model's material families (names, px per metre) once `ready` says it has them; null otherwise. */
  private families: SurfaceFamilies | null = null
  private readonly uploads = new UploadQueue()
  private readonly specs = new Map<RoomKey, RoomSpec>()
  private jobSeq = 0
  private updates = 0
  private destroyed = false
  private gaveUp = false
  private workerMemory: { numTensors: number; numBytes: number } | null = null
  private readonly fits = new Map<string, FitRecord>()

  constructor(options: WorldStreamerOptions) {
    this.options = options
    this.seed = options.seed
    this.texSizePx = options.texSizePx ?? 256
    this.client = new GenerationClient({
      createWorker: options.createWorker,
      onMessage: (msg) => this.receive(msg),
      onCrash: (reason) => this.recover(reason),
    })
  }

  /** Create the worker and send `init`. */
  init(): void {
    if (this.destroyed || !this.client.start()) return
    markOnce(START_MARKS.workerStart)
    this.sendInit()
  }

  /** Ask a fresh worker for its models; its `ready` says which it has. */
  private sendInit(): void {
    this.options.onStatus?.({ phase: 'model' })
    this.modelErrors.clear()
    this.modelBytes.clear()
    this.surfaceModel = true
    const threads = this.options.wasmThreads
    this.post({ type: 'init', models: this.models(), ...(threads !== undefined ? { wasmThreads: threads } : {}) })
  }

  /** The models the worker loads, by name. */
  private models(): Record<'surface' | 'sky', string> {
    return { surface: this.options.modelUrl ?? SURFACE_MODEL_URL, sky: this.options.skyModelUrl ?? SKY_MODEL_URL }
  }

  /**
   * The generation worker died (uncaught error, lost GPU device) or `simulateWorkerCrash` was called: replace it (the
   * fresh one picks its backend again) and re-request every resident surface that has no full-size texture yet. After
   * MAX_WORKER_RESTARTS crashes the streamer gives up: the loading state turns `failed` and the rooms stay untextured
   * (flat grey, labelled by the notice), never filled with anything that is not GAN output.
   */
  private recover(reason: string): void {
    if (!this.client.running || this.destroyed) return
    this.workerMemory = null
    this.jobs.clear()
    this.skyJobs.clear()
    for (const s of this.skies.values()) s.jobId = null
    if (!this.client.restart()) {
      this.gaveUp = true
      for (const r of this.rooms.values())
        for (const slot of SURFACE_SLOTS) {
          r.slots[slot].jobId = null
          if (!this.uploads.finalUploaded(r.key, slot)) r.slots[slot].failed = true
        }
      this.options.onStatus?.({
        phase: 'failed',
        error: `The texture generator stopped again (${reason}) after ${MAX_WORKER_RESTARTS} restarts; surfaces without a generated texture stay untextured grey.`,
      })
      return
    }
    this.sendInit()
    // Skies without pixels are requested again by the next `update()`, once the new worker says the sky model loaded.
    for (const [key, s] of this.skies) if (s.sky === null) this.skies.delete(key)
    let missing = 0
    for (const r of this.rooms.values())
      for (const slot of SURFACE_SLOTS) {
        if (this.uploads.finalUploaded(r.key, slot)) continue
        r.slots[slot].failed = false
        this.requestSlot(r.key, slot, r.rank, r.spec)
        missing++
      }
    this.options.onStatus?.({
      error: `The texture generator stopped (${reason}). Restarted it (${this.client.restarts} of ${MAX_WORKER_RESTARTS}); ${missing} missing textures are being generated again.`,
    })
  }

  /**
   * The family whose texture scale one repeat takes: the photo style's heaviest family where the style outweighs the
   * district's (as a blend's heavier family decides), else the family painted.
   */
  private repeatFamily(styleWeight: number, painted: FamilyConditioning | undefined): FamilyConditioning | undefined {
    const top = this.options.style?.families[0]
    const name = top === undefined ? undefined : this.families?.names[top.index]
    return styleWeight > 0.5 && name !== undefined ? { a: name } : painted
  }

  /**
   * Fit a style for `slot` to a photo (RGBA8 `[heightPx, widthPx, 4]`, transferred to the worker and used only
   * there), with the surface model on the worker's backend; generation waits while it runs. `onProgress` gets each
   * step's loss.
   */
  fitStyle(
    photo: { widthPx: number; heightPx: number; pixels: ArrayBuffer },
    slot: SurfaceSlot,
    onProgress: (step: number, steps: number, loss: number) => void,
  ): StyleFit {
    const id = `fit/${this.jobSeq++}`
    const done = new Promise<FitDoneResponse>((resolve, reject) => {
      if (this.destroyed || !this.client.running) {
        reject(new StyleFitError('the texture generator is not running', false))
        return
      }
      this.fits.set(id, { onProgress, resolve, reject })
    })
    if (this.fits.has(id)) this.client.post({ type: 'fit-style', id, model: 'surface', slot, photo }, [photo.pixels])
    return { done, cancel: () => this.post({ type: 'cancel', ids: [id] }) }
  }

  /** Fault injection for tests: terminate the worker as if it had crashed, and recover as from a real crash. */
  simulateWorkerCrash(): void {
    this.recover('the generation worker was terminated')
  }

  /** Stop everything: the worker is told to dispose its models, then terminated. */
  destroy(): void {
    this.destroyed = true
    for (const f of this.fits.values()) f.reject(new StyleFitError('the world was closed', true))
    this.fits.clear()
    this.client.destroy()
    this.rooms.clear()
    this.jobs.clear()
    this.skies.clear()
    this.skyJobs.clear()
    this.uploads.clear()
    this.store.setState({ rooms: [] })
  }

  /** The layout of room (x, z) (cached; the same object every call). */
  spec(x: number, z: number): RoomSpec {
    const key = roomKey(x, z)
    let spec = this.specs.get(key)
    if (spec === undefined) {
      spec = room(this.seed, x, z)
      if (this.specs.size > 512) this.specs.clear()
      this.specs.set(key, spec)
    }
    return spec
  }

  /** The layout of a resident room, or undefined. */
  residentSpec(key: RoomKey): RoomSpec | undefined {
    return this.rooms.get(key)?.spec
  }

  /** Plan from the player's state and apply the plan: request, reprioritise, cancel, evict. Not per frame. */
  update({ position, headingRad, speedMps }: StreamerUpdate): void {
    if (this.updates++ % STATS_EVERY_UPDATES === 0) this.post({ type: 'stats' })
    const loaded: RoomKey[] = []
    const inFlight: RoomKey[] = []
    const ranks = new Map<RoomKey, number>()
    for (const r of this.rooms.values()) {
      ranks.set(r.key, r.rank)
      ;(SURFACE_SLOTS.some((s) => r.slots[s].jobId !== null) ? inFlight : loaded).push(r.key)
    }
    const plan = planStreaming({ position, headingRad, speedMps, loaded, inFlight })
    const diff = diffResidency(ranks, [...plan.ready, ...plan.prefetch], [...plan.cancel, ...plan.evict])
    for (const key of diff.drop) this.drop(key)
    for (const { key, rank } of diff.request) this.request(key, rank)
    for (const { key, rank } of diff.rerank) {
      const r = this.rooms.get(key)!
      r.rank = rank
      for (const slot of SURFACE_SLOTS) {
        const id = r.slots[slot].jobId
        if (id !== null)
          this.post({
            type: 'reprioritize',
            id,
            priority: surfacePriority(rank, slot),
            laterPriority: surfaceFullPriority(rank, slot),
            pace: paceOf(rank),
          })
      }
    }
    if (diff.drop.length + diff.request.length > 0) this.store.setState({ rooms: [...this.rooms.keys()] })
    this.planSkies(plan.ready)
  }

  /**
   * Keep the skies of `keys` (the current room first, then its neighbours: where the player can be next) requested or
   * resident, drop the others (cancelling their jobs). Revisited skies come back from the worker's caches.
   */
  private planSkies(keys: readonly RoomKey[]): void {
    const ranks = new Map<RoomKey, number>()
    for (const [key, s] of this.skies) ranks.set(key, s.rank)
    const diff = diffResidency(ranks, keys)
    for (const key of diff.drop) {
      const s = this.skies.get(key)!
      if (s.jobId !== null) {
        this.post({ type: 'cancel', ids: [s.jobId] })
        this.skyJobs.delete(s.jobId)
      }
      this.skies.delete(key)
    }
    if (this.sky.available !== true || !this.client.running) return
    for (const { key, rank } of diff.request) this.requestSky(key, rank)
    for (const { key, rank } of diff.rerank) {
      const s = this.skies.get(key)!
      s.rank = rank
      if (s.jobId !== null)
        this.post({ type: 'reprioritize', id: s.jobId, priority: skyPriority(rank), pace: paceOf(rank) })
    }
  }

  private requestSky(key: RoomKey, rank: number): void {
    const [x, z] = key.split(',').map(Number)
    const spec = this.spec(x, z)
    const id = `${key}/sky/${this.jobSeq++}`
    this.skies.set(key, { key, rank, jobId: id, sky: null, failed: false })
    this.skyJobs.set(id, key)
    this.post({
      type: 'generate',
      id,
      priority: skyPriority(rank),
      pace: paceOf(rank),
      model: 'sky',
      slot: 'sky',
      roomKey: key,
      latent: {
        kind: 'seeded',
        global: skyLatent(this.seed, x, z, SKY_TIME_S),
        roomSeed: localSeed(this.seed, spec.roomSeed, 'sky'),
      },
      sizes: [{ ...SKY_FIELD_CELLS }],
      cacheKey: this.seed,
    })
  }

  /** The generated sky of room `key`, if it is resident. */
  skyOf(key: RoomKey): GeneratedSky | undefined {
    return this.skies.get(key)?.sky ?? undefined
  }

  /**
   * The surface model's material families, once its worker is ready; null before, and for a model without families
   * (its textures are then painted without the rooms' families, which the HUD must not name).
   */
  surfaceFamilies(): SurfaceFamilies | null {
    return this.families
  }

  /** Whether the sky generator runs (null until the worker has tried to load it), its version and last error. */
  skyStatus(): SkyGenStatus {
    return this.sky
  }

  private setSkyStatus(patch: Partial<SkyGenStatus>): void {
    this.sky = { ...this.sky, ...patch }
    this.options.onSkyStatus?.(this.sky)
  }

  /**
   * The next upload whose room `canUpload` accepts (mounted), removed from the queue; uploads of rooms that are gone
   * are dropped on the way.
   */
  takeUpload(canUpload: (key: RoomKey) => boolean): PendingUpload | undefined {
    return this.uploads.take(canUpload, this.isResident)
  }

  private readonly isResident = (key: RoomKey): boolean => this.rooms.has(key)

  /** Record that `u` is now on the GPU (ignored once its room is gone: the renderer disposes its textures). */
  markUploaded(u: PendingUpload): void {
    const r = this.rooms.get(u.key)
    if (r === undefined) return
    this.uploads.markUploaded(u)
    // The room the player stands in (rank 0): the first time it is painted, and the first time at full size. Once
    // both are marked this frame-loop path does nothing more.
    if (r.rank !== 0 || marked.has(START_MARKS.roomTextured)) return
    if (this.settled(r, (s) => this.uploads.hasTexture(u.key, s))) markOnce(START_MARKS.roomPainted)
    if (u.final && this.settled(r, (s) => this.uploads.finalUploaded(u.key, s))) markOnce(START_MARKS.roomTextured)
  }

  /** Whether room (x, z) is resident with every surface's full-size texture uploaded (or failed). */
  roomReady(x: number, z: number): boolean {
    const key = roomKey(x, z)
    const r = this.rooms.get(key)
    return r !== undefined && this.settled(r, (s) => this.uploads.finalUploaded(key, s))
  }

  /** Whether every surface of `r` has what `done` asks for, or failed. */
  private settled(r: RoomRecord, done: (slot: SurfaceSlot) => boolean): boolean {
    return SURFACE_SLOTS.every((s) => done(s) || r.slots[s].failed)
  }

  /** Whether the generation worker has surface or sky jobs of this streamer queued or running. */
  busy(): boolean {
    return this.jobs.size + this.skyJobs.size > 0
  }

  /** Whether room (x, z) is resident with a generated texture (preview or full size) on every surface, or failed. */
  roomPainted(x: number, z: number): boolean {
    const key = roomKey(x, z)
    const r = this.rooms.get(key)
    return r !== undefined && this.settled(r, (s) => this.uploads.hasTexture(key, s))
  }

  /** Streaming figures. */
  stats(): StreamerStats {
    let ready = 0
    for (const r of this.rooms.values()) if (SURFACE_SLOTS.every((s) => this.uploads.finalUploaded(r.key, s))) ready++
    return {
      roomsLoaded: this.rooms.size,
      roomsReady: ready,
      queueLength: this.jobs.size + this.skyJobs.size + this.uploads.length,
      textureBytes: this.uploads.textureBytes,
      workerTensors: this.workerMemory?.numTensors ?? null,
      workerTensorBytes: this.workerMemory?.numBytes ?? null,
      workerRestarts: this.client.restarts,
    }
  }

  private request(key: RoomKey, rank: number): void {
    const [x, z] = key.split(',').map(Number)
    const spec = this.spec(x, z)
    const slots = {} as Record<SurfaceSlot, SlotState>
    for (const slot of SURFACE_SLOTS) slots[slot] = { jobId: null, failed: false }
    this.rooms.set(key, { key, spec, rank, slots })
    for (const slot of SURFACE_SLOTS) this.requestSlot(key, slot, rank, spec)
  }

  /** Send one surface's generation job (preview + full size) and record its id on the room's slot. */
  private requestSlot(key: RoomKey, slot: SurfaceSlot, rank: number, spec: RoomSpec): void {
    const r = this.rooms.get(key)
    if (r === undefined) return
    // No surface model: nothing to ask for (see `ready`); the surface stays untextured grey.
    if (!this.surfaceModel) return
    if (this.gaveUp) {
      // No generator any more: the surface stays untextured (grey), and counts as settled.
      r.slots[slot].failed = true
      return
    }
    const [x, z] = key.split(',').map(Number)
    const full = cellsForPx(slot, this.texSizePx)
    const sizes = this.texSizePx > PREVIEW_PX ? [cellsForPx(slot, PREVIEW_PX), full] : [full]
    const id = `${key}/${slot}/${this.jobSeq++}`
    const style = this.options.style
    const blend = roomStyleBlend(x, z, slot, style)
    r.slots[slot].jobId = id
    this.jobs.set(id, { key, slot, styleWeight: blend?.weight ?? 0 })
    this.post({
      type: 'generate',
      id,
      priority: surfacePriority(rank, slot),
      // The preview of every surface of a room before any full size (the room is painted whole first).
      ...(sizes.length > 1 ? { laterPriority: surfaceFullPriority(rank, slot) } : {}),
      pace: paceOf(rank),
      model: 'surface',
      slot,
      roomKey: key,
      latent: {
        kind: 'seeded',
        global: roomLatent(this.seed, x, z, slot, style === undefined ? {} : { style }),
        roomSeed: spec.roomSeed,
      },
      sizes,
      cacheKey: this.seed,
      // The room's district family; a model without families paints without it (its result then names none).
      family: spec.families[slot],
      ...(blend === undefined ? {} : { style: blend }),
    })
  }

  private drop(key: RoomKey): void {
    const r = this.rooms.get(key)
    if (r === undefined) return
    const ids: string[] = []
    for (const slot of SURFACE_SLOTS) {
      const id = r.slots[slot].jobId
      if (id !== null) {
        ids.push(id)
        this.jobs.delete(id)
      }
    }
    if (ids.length > 0) this.post({ type: 'cancel', ids })
    this.uploads.forget(key)
    this.rooms.delete(key)
  }

  private receive(msg: GenResponse): void {
    // Whatever failed, a lost GPU device or context leaves only a fresh worker (and backend) able to go on.
    if ('reason' in msg && msg.reason === 'device-lost') {
      this.recover(msg.message)
      return
    }
    switch (msg.type) {
      case 'progress': {
        this.modelBytes.set(msg.model, { loaded: msg.loadedBytes, total: msg.totalBytes })
        this.reportModelBytes()
        return
      }
      case 'ready': {
        if (msg.scriptUrls !== undefined) this.options.onWorkerScripts?.(msg.scriptUrls)
        this.families = msg.families?.surface ?? null
        const skyVersion = msg.versions.sky
        this.setSkyStatus(
          skyVersion !== undefined
            ? { available: true, version: skyVersion, error: null }
            : { available: false, version: null, error: this.modelErrors.get('sky') ?? 'the sky model was not loaded' },
        )
        if (msg.versions.surface === undefined) {
          // The worker runs (the sky model loaded) but without the surface model: rooms stay untextured grey, and
          // the loading screen stays up with the error and its "Continue with untextured rooms" button (as when no
          // model loads at all), so the slots are left unsettled rather than failed.
          this.surfaceModel = false
          this.jobs.clear()
          for (const r of this.rooms.values()) for (const slot of SURFACE_SLOTS) r.slots[slot].jobId = null
          const why = this.modelErrors.get('surface') ?? 'it was not loaded'
          this.options.onStatus?.({
            phase: 'failed',
            backend: msg.backend,
            refusals: msg.refusals,
            error: `The texture generator could not start: the surface model could not be loaded (surface: ${why})`,
          })
          return
        }
        if (msg.initMs !== undefined && typeof performance !== 'undefined') {
          // The worker's steps, placed back from its timings (message latency aside).
          const modelsEnd = performance.now() - msg.warmupMs
          markOnce(START_MARKS.backendReady, modelsEnd - msg.initMs.models)
          markOnce(START_MARKS.modelsLoaded, modelsEnd)
        }
        markOnce(START_MARKS.generatorReady)
        this.options.onStatus?.({
          phase: 'generating',
          backend: msg.backend,
          refusals: msg.refusals,
          warmupMs: msg.warmupMs,
          threads: msg.threads ?? 1,
        })
        return
      }
      case 'result': {
        const skyKey = this.skyJobs.get(msg.id)
        if (skyKey !== undefined) {
          this.receiveSky(skyKey, msg.id, msg.pixels, msg.width, msg.height, msg.version, msg.sky)
          return
        }
        const job = this.jobs.get(msg.id)
        if (job === undefined) return
        const r = this.rooms.get(job.key)
        if (r === undefined) return
        markOnce(START_MARKS.firstResult)
        if (msg.final) {
          this.jobs.delete(msg.id)
          r.slots[job.slot].jobId = null
        }
        this.uploads.push({
          key: job.key,
          slot: job.slot,
          width: msg.width,
          height: msg.height,
          pixels: msg.pixels,
          final: msg.final,
          ...(msg.family !== undefined ? { family: msg.family } : {}),
          ...(msg.relief !== undefined ? { relief: msg.relief } : {}),
          // One repeat covers width / pxPerMetre metres of the family painted (2 m without families).
          uvScale: textureUvScale(msg.width, this.repeatFamily(job.styleWeight, msg.family), this.families?.pxPerMetre),
        })
        return
      }
      case 'fit-progress':
        this.fits.get(msg.id)?.onProgress(msg.step, msg.steps, msg.loss)
        return
      case 'fit-done': {
        const fit = this.fits.get(msg.id)
        this.fits.delete(msg.id)
        fit?.resolve(msg)
        return
      }
      case 'cancelled': {
        const fit = this.fits.get(msg.id)
        if (fit !== undefined) {
          this.fits.delete(msg.id)
          fit.reject(new StyleFitError('the style fit was cancelled', true))
          return
        }
        // Superseded or cancelled jobs were already forgotten by `drop`; nothing else supersedes ours.
        const skyKey = this.skyJobs.get(msg.id)
        if (skyKey !== undefined) {
          this.skyJobs.delete(msg.id)
          this.skies.delete(skyKey)
          return
        }
        const job = this.jobs.get(msg.id)
        if (job !== undefined) {
          this.jobs.delete(msg.id)
          const r = this.rooms.get(job.key)
          if (r !== undefined) r.slots[job.slot].jobId = null
        }
        return
      }
      case 'error': {
        const fit = msg.id === undefined ? undefined : this.fits.get(msg.id)
        if (fit !== undefined) {
          this.fits.delete(msg.id!)
          fit.reject(new StyleFitError(msg.message, false))
          return
        }
        this.jobFailed(msg.id, msg.message)
        return
      }
      case 'model-failed':
        this.modelFailed(msg)
        return
      case 'init-failed':
        this.initFailed(msg)
        return
      case 'stats':
        this.workerMemory = { numTensors: msg.numTensors, numBytes: msg.numBytes }
        return
      case 'disposed':
        return
      default: {
        const never: never = msg
        console.warn('unknown worker message', never)
      }
    }
  }

  /** A job failed: its surface stays untextured grey (or the sky keeps the previous one); `id` absent: say so. */
  private jobFailed(id: string | undefined, message: string): void {
    if (id === undefined) {
      this.options.onStatus?.({ error: message })
      return
    }
    const skyKey = this.skyJobs.get(id)
    if (skyKey !== undefined) {
      this.skyJobs.delete(id)
      const s = this.skies.get(skyKey)
      if (s !== undefined) {
        s.jobId = null
        s.failed = true
      }
      this.setSkyStatus({ error: `The sky of room ${skyKey} could not be generated: ${message}` })
      return
    }
    const job = this.jobs.get(id)
    // A job already forgotten (its room dropped, or no surface model) has nothing left to report.
    if (job === undefined) return
    this.jobs.delete(id)
    const slot = this.rooms.get(job.key)?.slots[job.slot]
    if (slot !== undefined) {
      slot.jobId = null
      slot.failed = true
    }
    this.options.onStatus?.({ error: `A surface could not be generated and stays untextured grey: ${message}` })
  }

  /** One model failed; the worker goes on with the others and says which loaded in `ready`. */
  private modelFailed({ model, message }: ModelFailedResponse): void {
    this.modelErrors.set(model, message)
    this.modelBytes.delete(model)
    this.reportModelBytes()
    if (model === 'sky')
      this.setSkyStatus({ available: false, version: null, error: `the sky model could not be loaded: ${message}` })
  }

  /** The worker could not start at all (no backend, no model): rooms stay untextured grey, the sky a gradient. */
  private initFailed({ message }: InitFailedResponse): void {
    this.setSkyStatus({ available: false, version: null, error: 'the generation worker could not start' })
    this.options.onStatus?.({ phase: 'failed', error: `The texture generator could not start: ${message}` })
  }

  /** Sum the download progress of every model still loading; `warmup` once every listed model is in or failed. */
  private reportModelBytes(): void {
    let loaded = 0
    let total = 0
    for (const b of this.modelBytes.values()) {
      loaded += b.loaded
      total += b.total
    }
    const settled = Object.keys(this.models()).every((name) => {
      const b = this.modelBytes.get(name)
      return this.modelErrors.has(name) || (b !== undefined && b.total > 0 && b.loaded >= b.total)
    })
    // Every byte is in: what remains is the backend's warm-up generation.
    this.options.onStatus?.({ phase: settled ? 'warmup' : 'model', modelLoadedBytes: loaded, modelTotalBytes: total })
  }

  private receiveSky(
    key: RoomKey,
    id: string,
    pixels: ArrayBuffer,
    widthPx: number,
    heightPx: number,
    version: string,
    shading: ResultSky | undefined,
  ): void {
    this.skyJobs.delete(id)
    const s = this.skies.get(key)
    if (s === undefined || s.jobId !== id) return
    s.jobId = null
    const rgba = new Uint8Array(pixels)
    // Measured once per sky, here in onmessage (≈ 1–3 ms for 512 × 128 px), never in the frame loop.
    s.sky = { key, pixels: rgba, widthPx, heightPx, version, light: skyLight(rgba, widthPx, heightPx) }
    if (shading !== undefined) s.sky.shading = skyShadingArrays(shading)
    if (this.sky.error !== null && this.sky.available === true) this.setSkyStatus({ error: null })
  }

  private post(msg: GenRequest): void {
    this.client.post(msg)
  }
}

/** A posted sky shading as typed arrays; refused (the panorama alone is shown) when its sizes do not match. */
function skyShadingArrays(sky: ResultSky): SkyShadingArrays | undefined {
  const layer = new Uint8Array(sky.layer)
  const terms = new Uint16Array(sky.terms)
  if (layer.length !== sky.tileSize * sky.tileSize * 4) return undefined
  if (terms.length !== 3 * sky.termsWidthPx * sky.termsHeightPx * 4) return undefined
  const { tileSize, tilesPerUnit, termsWidthPx, termsHeightPx, sunDirection, overcast } = sky
  return { layer, tileSize, tilesPerUnit, terms, termsWidthPx, termsHeightPx, sunDirection, overcast }
}
