/**
 * The main-thread side of world streaming (STYLE W4): one `WorldStreamer` owns the generation Worker, turns
 * `planStreaming` output into `generate` / `reprioritize` / `cancel` requests, keeps the resident rooms in a zustand
 * vanilla store (what decides mounting) and queues generated pixels for the renderer to upload a few per frame.
 * Skies: the sky of the room the player stands in (high priority) and of its four neighbours is painted by the worker
 * (the `sky` model's cloud layer composed under the room's atmosphere, world-gen `composeSky`) and kept here (with the
 * lighting measured from it) until the player moves on; the renderer picks it up.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import {
  planStreaming,
  room,
  roomKey,
  localSeed,
  roomLatent,
  SKY_FIELD_CELLS,
  skyLatent,
  skyLight,
  SURFACE_SLOTS,
  type RoomKey,
  type RoomSpec,
  type SkyLight,
  type SurfaceSlot,
} from '../world-gen'
import type { GenBackend, GenRequest, GenResponse } from '../world-gen/protocol'
import { cacheUrlsForOffline } from './service-worker'

/** A status change of the generator, as the loading screen and HUD show it. */
export type StreamerStatus = {
  phase?: 'model' | 'warmup' | 'generating' | 'failed'
  modelLoadedBytes?: number
  modelTotalBytes?: number
  backend?: GenBackend
  refusals?: { backend: string; reason: string }[]
  warmupMs?: number
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

/** Pixels of one cell of the surface generator's latent field. */
export const CELL_PX = 16
/** Preview size in cells (4 × 4 cells = 64 px), generated before the full texture. */
export const PREVIEW_CELLS = 4
/** How many times a crashed generation worker is replaced before the streamer gives up (rooms then stay grey). */
export const MAX_WORKER_RESTARTS = 3
/** The worker's tensor figures are asked for every this many `update()` calls (≈ 1 s at the 100 ms sync). */
const STATS_EVERY_UPDATES = 10
/** Job errors that mean the worker's GPU device or context is gone: only a fresh worker (and backend) recovers. */
const DEVICE_LOST = /device (?:is |was )?lost|context (?:is |was )?lost|GPUDevice.*destroyed/i

/** Options of `WorldStreamer`. */
export type WorldStreamerOptions = {
  /** Canonical world seed. */
  seed: string
  /** Full texture size in pixels (a multiple of CELL_PX). @default 256 */
  texSizePx?: number
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
}

type SkyRecord = {
  key: RoomKey
  rank: number
  jobId: string | null
  sky: GeneratedSky | null
  failed: boolean
}

/** Reactive state of the streamer: only what decides which rooms are mounted (W6). */
export type StreamState = {
  /** Resident rooms, in plan order (current room first). */
  rooms: RoomKey[]
}

/** A generated texture waiting to be uploaded to the GPU. */
export type PendingUpload = {
  key: RoomKey
  slot: SurfaceSlot
  width: number
  height: number
  pixels: ArrayBuffer
  final: boolean
}

type SlotState = {
  /** Id of the generation job, or null once it has finished (or failed). */
  jobId: string | null
  /** Size of the texture on the GPU: 0 none, else its width in px. */
  uploadedPx: number
  /** Whether the full-size texture is on the GPU. */
  finalUploaded: boolean
  /** Whether generation of this slot failed. */
  failed: boolean
}

type RoomRecord = {
  key: RoomKey
  spec: RoomSpec
  rank: number
  slots: Record<SurfaceSlot, SlotState>
}

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
  private worker: Worker | null = null
  private readonly rooms = new Map<RoomKey, RoomRecord>()
  private readonly jobs = new Map<string, { key: RoomKey; slot: SurfaceSlot }>()
  private readonly skies = new Map<RoomKey, SkyRecord>()
  private readonly skyJobs = new Map<string, RoomKey>()
  private sky: SkyGenStatus = { available: null, version: null, error: null }
  /** Model load errors reported during init, by model name. */
  private readonly modelErrors = new Map<string, string>()
  /** Download progress per model name (summed for the loading screen). */
  private readonly modelBytes = new Map<string, { loaded: number; total: number }>()
  /** False once the worker came up without the surface model: surfaces then stay untextured. */
  private surfaceModel = true
  private uploads: PendingUpload[] = []
  private readonly specs = new Map<RoomKey, RoomSpec>()
  private jobSeq = 0
  private textureBytes = 0
  private restarts = 0
  private updates = 0
  private destroyed = false
  private gaveUp = false
  private workerMemory: { numTensors: number; numBytes: number } | null = null

  constructor(options: WorldStreamerOptions) {
    this.options = options
    this.seed = options.seed
    this.texSizePx = options.texSizePx ?? 256
  }

  /** Create the worker, attach its handler (once) and send `init`. */
  init(): void {
    if (this.worker !== null || this.destroyed) return
    const worker =
      this.options.createWorker?.() ??
      new Worker(new URL('../world-gen/worker/gen.worker.ts', import.meta.url), { type: 'module' })
    worker.onmessage = (e: MessageEvent<GenResponse>) => this.receive(e.data)
    // An uncaught error leaves the worker in an unknown state (a tf backend mid-kernel, a lost device): replace it.
    worker.onerror = (e) => {
      e.preventDefault()
      this.recover(e.message || 'uncaught error in the generation worker')
    }
    worker.onmessageerror = () => this.recover('a worker message could not be deserialised')
    this.worker = worker
    this.options.onStatus?.({ phase: 'model' })
    this.modelErrors.clear()
    this.modelBytes.clear()
    // A fresh worker loads the models again; its `ready` says which it has.
    this.surfaceModel = true
    this.post({ type: 'init', models: this.models() })
  }

  /** The models the worker loads, by name. */
  private models(): Record<'surface' | 'sky', string> {
    return { surface: this.options.modelUrl ?? SURFACE_MODEL_URL, sky: this.options.skyModelUrl ?? SKY_MODEL_URL }
  }

  /**
   * The generation worker died (uncaught error, lost GPU device) or `simulateWorkerCrash` was called: terminate it,
   * start a fresh one (which picks its backend again) and re-request every resident surface that has no full-size
   * texture yet. After MAX_WORKER_RESTARTS crashes the streamer gives up: the loading state turns `failed` and the
   * rooms stay untextured (flat grey, labelled by the notice), never filled with anything that is not GAN output.
   */
  private recover(reason: string): void {
    const old = this.worker
    if (old === null || this.destroyed) return
    old.onmessage = null
    old.onerror = null
    old.onmessageerror = null
    old.terminate()
    this.worker = null
    this.workerMemory = null
    this.jobs.clear()
    this.skyJobs.clear()
    for (const s of this.skies.values()) s.jobId = null
    if (this.restarts >= MAX_WORKER_RESTARTS) {
      this.gaveUp = true
      for (const r of this.rooms.values())
        for (const slot of SURFACE_SLOTS) {
          r.slots[slot].jobId = null
          if (!r.slots[slot].finalUploaded) r.slots[slot].failed = true
        }
      this.options.onStatus?.({
        phase: 'failed',
        error: `The texture generator stopped again (${reason}) after ${MAX_WORKER_RESTARTS} restarts; surfaces without a generated texture stay untextured grey.`,
      })
      return
    }
    this.restarts++
    this.init()
    // Skies without pixels are requested again by the next `update()`, once the new worker says the sky model loaded.
    for (const [key, s] of this.skies) if (s.sky === null) this.skies.delete(key)
    let missing = 0
    for (const r of this.rooms.values())
      for (const slot of SURFACE_SLOTS) {
        const s = r.slots[slot]
        if (s.finalUploaded) continue
        s.failed = false
        this.requestSlot(r.key, slot, r.rank, r.spec)
        missing++
      }
    this.options.onStatus?.({
      error: `The texture generator stopped (${reason}). Restarted it (${this.restarts} of ${MAX_WORKER_RESTARTS}); ${missing} missing textures are being generated again.`,
    })
  }

  /** Fault injection for tests: terminate the worker as if it had crashed, and recover as from a real crash. */
  simulateWorkerCrash(): void {
    this.recover('the generation worker was terminated')
  }

  /** Stop everything: the worker is told to dispose its models, then terminated. */
  destroy(): void {
    this.destroyed = true
    const worker = this.worker
    this.worker = null
    if (worker !== null) {
      worker.onmessage = null
      worker.postMessage({ type: 'dispose' } satisfies GenRequest)
      worker.terminate()
    }
    this.rooms.clear()
    this.jobs.clear()
    this.skies.clear()
    this.skyJobs.clear()
    this.uploads = []
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
    for (const r of this.rooms.values())
      (SURFACE_SLOTS.some((s) => r.slots[s].jobId !== null) ? inFlight : loaded).push(r.key)
    const plan = planStreaming({ position, headingRad, speedMps, loaded, inFlight })
    for (const key of [...plan.cancel, ...plan.evict]) this.drop(key)
    const wanted = [...plan.ready, ...plan.prefetch]
    let changed = plan.cancel.length + plan.evict.length > 0
    wanted.forEach((key, rank) => {
      const r = this.rooms.get(key)
      if (r === undefined) {
        this.request(key, rank)
        changed = true
      } else if (r.rank !== rank) {
        r.rank = rank
        for (const slot of SURFACE_SLOTS) {
          const id = r.slots[slot].jobId
          if (id !== null) this.post({ type: 'reprioritize', id, priority: priority(rank, slot) })
        }
      }
    })
    if (changed) this.store.setState({ rooms: [...this.rooms.keys()] })
    this.planSkies(plan.ready)
  }

  /**
   * Keep the skies of `keys` (the current room first, then its neighbours: where the player can be next) requested or
   * resident, drop the others (cancelling their jobs). Revisited skies come back from the worker's caches.
   */
  private planSkies(keys: readonly RoomKey[]): void {
    const wanted = new Set(keys)
    for (const [key, s] of this.skies) {
      if (wanted.has(key)) continue
      if (s.jobId !== null) {
        this.post({ type: 'cancel', ids: [s.jobId] })
        this.skyJobs.delete(s.jobId)
      }
      this.skies.delete(key)
    }
    if (this.sky.available !== true || this.worker === null) return
    keys.forEach((key, rank) => {
      const s = this.skies.get(key)
      if (s === undefined) this.requestSky(key, rank)
      else if (s.rank !== rank) {
        s.rank = rank
        if (s.jobId !== null) this.post({ type: 'reprioritize', id: s.jobId, priority: skyPriority(rank) })
      }
    })
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
    for (let i = 0; i < this.uploads.length; i++) {
      const u = this.uploads[i]
      if (!this.rooms.has(u.key)) {
        this.uploads.splice(i--, 1)
        continue
      }
      if (canUpload(u.key)) {
        this.uploads.splice(i, 1)
        return u
      }
    }
    return undefined
  }

  /** Record that a texture of `widthPx` square-ish pixels is now on the GPU for (key, slot). */
  markUploaded(u: PendingUpload): void {
    const r = this.rooms.get(u.key)
    if (r === undefined) return
    const s = r.slots[u.slot]
    this.textureBytes += textureBytes(u.width, u.height) - textureBytes(s.uploadedPx, s.uploadedPx)
    s.uploadedPx = u.width
    if (u.final) s.finalUploaded = true
  }

  /** Forget the GPU bytes of a room's textures (the renderer disposed them). */
  private forgetBytes(r: RoomRecord): void {
    for (const slot of SURFACE_SLOTS)
      this.textureBytes -= textureBytes(r.slots[slot].uploadedPx, r.slots[slot].uploadedPx)
  }

  /** Whether room (x, z) is resident with every surface's full-size texture uploaded (or failed). */
  roomReady(x: number, z: number): boolean {
    const r = this.rooms.get(roomKey(x, z))
    return r !== undefined && SURFACE_SLOTS.every((s) => r.slots[s].finalUploaded || r.slots[s].failed)
  }

  /** Streaming figures. */
  stats(): StreamerStats {
    let ready = 0
    for (const r of this.rooms.values()) if (SURFACE_SLOTS.every((s) => r.slots[s].finalUploaded)) ready++
    return {
      roomsLoaded: this.rooms.size,
      roomsReady: ready,
      queueLength: this.jobs.size + this.skyJobs.size + this.uploads.length,
      textureBytes: this.textureBytes,
      workerTensors: this.workerMemory?.numTensors ?? null,
      workerTensorBytes: this.workerMemory?.numBytes ?? null,
      workerRestarts: this.restarts,
    }
  }

  private request(key: RoomKey, rank: number): void {
    const [x, z] = key.split(',').map(Number)
    const spec = this.spec(x, z)
    const slots = {} as Record<SurfaceSlot, SlotState>
    for (const slot of SURFACE_SLOTS) slots[slot] = { jobId: null, uploadedPx: 0, finalUploaded: false, failed: false }
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
    const full = Math.max(1, Math.round(this.texSizePx / CELL_PX))
    const sizes =
      full > PREVIEW_CELLS
        ? [
            { cellsW: PREVIEW_CELLS, cellsH: PREVIEW_CELLS },
            { cellsW: full, cellsH: full },
          ]
        : [{ cellsW: full, cellsH: full }]
    const id = `${key}/${slot}/${this.jobSeq++}`
    r.slots[slot].jobId = id
    this.jobs.set(id, { key, slot })
    this.post({
      type: 'generate',
      id,
      priority: priority(rank, slot),
      model: 'surface',
      slot,
      roomKey: key,
      latent: { kind: 'seeded', global: roomLatent(this.seed, x, z, slot), roomSeed: spec.roomSeed },
      sizes,
      cacheKey: this.seed,
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
    this.forgetBytes(r)
    this.rooms.delete(key)
    this.uploads = this.uploads.filter((u) => u.key !== key)
  }

  private receive(msg: GenResponse): void {
    switch (msg.type) {
      case 'progress': {
        this.modelBytes.set(msg.model, { loaded: msg.loadedBytes, total: msg.totalBytes })
        this.reportModelBytes()
        return
      }
      case 'ready': {
        if (msg.scriptUrls !== undefined) cacheUrlsForOffline(msg.scriptUrls)
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
        this.options.onStatus?.({
          phase: 'generating',
          backend: msg.backend,
          refusals: msg.refusals,
          warmupMs: msg.warmupMs,
        })
        return
      }
      case 'result': {
        const skyKey = this.skyJobs.get(msg.id)
        if (skyKey !== undefined) {
          this.receiveSky(skyKey, msg.id, msg.pixels, msg.width, msg.height, msg.version)
          return
        }
        const job = this.jobs.get(msg.id)
        if (job === undefined) return
        const r = this.rooms.get(job.key)
        if (r === undefined) return
        if (msg.final) {
          this.jobs.delete(msg.id)
          r.slots[job.slot].jobId = null
          // The full texture makes a still-queued preview of the same surface pointless.
          this.uploads = this.uploads.filter((u) => u.key !== job.key || u.slot !== job.slot)
        }
        this.uploads.push({
          key: job.key,
          slot: job.slot,
          width: msg.width,
          height: msg.height,
          pixels: msg.pixels,
          final: msg.final,
        })
        return
      }
      case 'cancelled': {
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
        if (DEVICE_LOST.test(msg.message)) {
          this.recover(msg.message)
          return
        }
        if (msg.id !== undefined) {
          const skyKey = this.skyJobs.get(msg.id)
          if (skyKey !== undefined) {
            this.skyJobs.delete(msg.id)
            const s = this.skies.get(skyKey)
            if (s !== undefined) {
              s.jobId = null
              s.failed = true
            }
            this.setSkyStatus({ error: `The sky of room ${skyKey} could not be generated: ${msg.message}` })
            return
          }
          const job = this.jobs.get(msg.id)
          // A job already forgotten (its room dropped, or no surface model) has nothing left to report.
          if (job === undefined) return
          this.jobs.delete(msg.id)
          const slot = this.rooms.get(job.key)?.slots[job.slot]
          if (slot !== undefined) {
            slot.jobId = null
            slot.failed = true
          }
          this.options.onStatus?.({
            error: `A surface could not be generated and stays untextured grey: ${msg.message}`,
          })
          return
        }
        const load = /^model "([^"]+)" failed to load: (.*)$/s.exec(msg.message)
        if (load !== null) {
          // One model failed; the worker goes on with the others and says which loaded in `ready`.
          this.modelErrors.set(load[1], load[2])
          this.modelBytes.delete(load[1])
          this.reportModelBytes()
          if (load[1] === 'sky')
            this.setSkyStatus({
              available: false,
              version: null,
              error: `the sky model could not be loaded: ${load[2]}`,
            })
          return
        }
        if (msg.message.startsWith('init failed')) {
          this.setSkyStatus({ available: false, version: null, error: 'the generation worker could not start' })
          this.options.onStatus?.({
            phase: 'failed',
            error: `The texture generator could not start: ${msg.message.slice(13)}`,
          })
        } else this.options.onStatus?.({ error: msg.message })
        return
      }
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
  ): void {
    this.skyJobs.delete(id)
    const s = this.skies.get(key)
    if (s === undefined || s.jobId !== id) return
    s.jobId = null
    const rgba = new Uint8Array(pixels)
    // Measured once per sky, here in onmessage (≈ 1–3 ms for 512 × 128 px), never in the frame loop.
    s.sky = { key, pixels: rgba, widthPx, heightPx, version, light: skyLight(rgba, widthPx, heightPx) }
    if (this.sky.error !== null && this.sky.available === true) this.setSkyStatus({ error: null })
  }

  private post(msg: GenRequest): void {
    this.worker?.postMessage(msg)
  }
}

/** Worker priority of one surface of the room at plan `rank` (lower runs first): by room, then floor, walls, trim. */
function priority(rank: number, slot: SurfaceSlot): number {
  return rank * SURFACE_SLOTS.length + SURFACE_SLOTS.indexOf(slot)
}

/**
 * Worker priority of the sky of the room at ready-list `rank`: the current room's sky right after its floor (it fills
 * half the view), a neighbour's right after that neighbour's surfaces.
 */
function skyPriority(rank: number): number {
  return rank === 0 ? 0.5 : priority(rank, 'trim') + 0.5
}

/** GPU bytes of an RGBA8 texture with its mip chain (≈ 4/3 of the base level). */
function textureBytes(width: number, height: number): number {
  return Math.round((width * height * 4 * 4) / 3)
}
