/**
 * The main-thread side of world streaming (STYLE W4): one `WorldStreamer` owns the generation Worker, turns
 * `planStreaming` output into `generate` / `reprioritize` / `cancel` requests, keeps the resident rooms in a zustand
 * vanilla store (what decides mounting) and queues generated pixels for the renderer to upload a few per frame.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import {
  planStreaming,
  room,
  roomKey,
  roomLatent,
  SURFACE_SLOTS,
  type RoomKey,
  type RoomSpec,
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
  /** URL of the surface model. @default '/models/surface/model.json' */
  modelUrl?: string
  /** Creates the worker. @default the bundled `world-gen/worker/gen.worker.ts` */
  createWorker?: () => Worker
  /** Called with generator status changes (from `onmessage`, never from a frame loop). */
  onStatus?: (patch: StreamerStatus) => void
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
    this.post({ type: 'init', models: { surface: this.options.modelUrl ?? '/models/surface/model.json' } })
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
      queueLength: this.jobs.size + this.uploads.length,
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
        // Every byte is in: what remains is the backend's warm-up generation.
        const done = msg.totalBytes > 0 && msg.loadedBytes >= msg.totalBytes
        this.options.onStatus?.({
          phase: done ? 'warmup' : 'model',
          modelLoadedBytes: msg.loadedBytes,
          modelTotalBytes: msg.totalBytes,
        })
        return
      }
      case 'ready':
        this.options.onStatus?.({
          phase: 'generating',
          backend: msg.backend,
          refusals: msg.refusals,
          warmupMs: msg.warmupMs,
        })
        if (msg.scriptUrls !== undefined) cacheUrlsForOffline(msg.scriptUrls)
        return
      case 'result': {
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
          const job = this.jobs.get(msg.id)
          if (job !== undefined) {
            this.jobs.delete(msg.id)
            const slot = this.rooms.get(job.key)?.slots[job.slot]
            if (slot !== undefined) {
              slot.jobId = null
              slot.failed = true
            }
          }
          this.options.onStatus?.({
            error: `A surface could not be generated and stays untextured grey: ${msg.message}`,
          })
        } else {
          const fatal = msg.message.startsWith('init failed')
          this.options.onStatus?.(
            fatal
              ? { phase: 'failed', error: `The texture generator could not start: ${msg.message.slice(13)}` }
              : { error: msg.message },
          )
        }
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

  private post(msg: GenRequest): void {
    this.worker?.postMessage(msg)
  }
}

/** Worker priority of one surface of the room at plan `rank` (lower runs first): by room, then floor, walls, trim. */
function priority(rank: number, slot: SurfaceSlot): number {
  return rank * SURFACE_SLOTS.length + SURFACE_SLOTS.indexOf(slot)
}

/** GPU bytes of an RGBA8 texture with its mip chain (≈ 4/3 of the base level). */
function textureBytes(width: number, height: number): number {
  return Math.round((width * height * 4 * 4) / 3)
}
