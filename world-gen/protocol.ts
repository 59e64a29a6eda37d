/**
 * The generation worker protocol: discriminated unions on a kebab-case `type`, imported by both the worker
 * (`world-gen/worker/`) and the main-thread streamer, so both sides switch over the same closed set of messages and an
 * exhaustive `switch` flags a forgotten case. Requests that concern a job carry its `id`; responses echo it.
 * Type-only module: importing it pulls in no tf.js.
 */
import type { FamilyConditioning, FamilyErrorReason } from './families'
import type { LatentSlot } from './latent-walk'
import type { SurfaceSlot } from './layout'
import type { StyleBlend } from './style'

/** A tf.js backend this app can run the generators on (defined here, not in `gan/`, so the main thread needs no tf). */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu'

/**
 * A field size in latent cells. One cell paints `cellPx` × `cellPx` output pixels, `cellPx` being the model's
 * (`latent-layout.json`, checked against the model manifest), so a texture of S px takes S / cellPx cells.
 */
export interface CellSize {
  cellsW: number
  cellsH: number
}

/**
 * The latent of a job. `field`: the full generator input, float32 [cellsH, cellsW, C] channels-last for the largest
 * size (for a family-conditioned model it already holds the family vector). `seeded`: the worker builds that field
 * itself with world-gen `slotField(slot, global, localField(roomSeed, slot, cellsW, cellsH), family vector of the
 * request's `family`)` — the same field the CLI and the world use. Smaller sizes use the top-left crop of that field,
 * so a preview shows (part of) the same material.
 */
export type GenLatent =
  | { kind: 'field'; field: Float32Array; cellsW: number; cellsH: number; noiseSeed?: number }
  | { kind: 'seeded'; global: Float32Array; roomSeed: number }

/** Load the models and pick a backend; answered by `progress`* then `ready` (after a warm-up generation) or `error`. */
export interface InitRequest {
  type: 'init'
  /** model.json URL per model name, e.g. `{ surface: '/models/surface/model.json' }`. */
  models: Record<string, string>
  /** Backends to try, in order. @default ['webgpu', 'webgl', 'wasm', 'cpu'] */
  backends?: BackendName[]
  /** URL prefix of the self-hosted wasm binaries. @default '/tfjs/' */
  wasmPath?: string
  /** Accept software GPU backends (SwiftShader): for tests of the GPU code paths. @default false */
  allowSoftwareGpu?: boolean
  /**
   * Threads asked of the wasm backend, its own included: more than 1 starts tfjs's threaded build, which needs a
   * cross-origin isolated page (the app asks for all logical cores but the page's own, or `?threads=`). @default 1
   */
  wasmThreads?: number
}

/**
 * Generate one texture, at one or more sizes (e.g. a 64 px preview then the full texture): one `result` per size,
 * smallest first, the last with `final: true`. A new `generate` for the same target (model, room, slot) supersedes
 * (cancels) a queued or running older one. What conditions the generator beyond the latent (e.g. a material family)
 * belongs in its own optional field here, beside `latent`, so older requests stay valid.
 */
export interface GenerateRequest {
  type: 'generate'
  /** Caller-chosen unique job id; echoed by every response about this job. */
  id: string
  /** Lower runs first (a rank from the streaming plan: 0 = needed now). */
  priority: number
  /**
   * Priority of the sizes after the first (world-gen `surfaceFullPriority`). With it, the job goes back to the queue
   * once its first size is posted, so other jobs' previews can run before its full size; without it every size runs
   * at once, at `priority`.
   */
  laterPriority?: number
  /**
   * Background work (a room ahead, not the one the player stands in): after each layer the worker idles for `pace` ×
   * the time the layer took, so the job takes at most 1 / (1 + pace) of a core and leaves the rest to the renderer;
   * it runs at full speed again while a job without pace waits. Absent or 0: full speed.
   */
  pace?: number
  /** Model name, a key of `InitRequest.models` (`surface`, `sky`). */
  model: string
  /** Slot in the room. */
  slot: LatentSlot
  /** Room key `"x,z"` (world-gen `roomKey`). */
  roomKey: string
  /** The latent. */
  latent: GenLatent
  /** Output sizes in cells, ascending; each must fit within the field. */
  sizes: CellSize[]
  /**
   * The material family to paint, for a family-conditioned model (its `ready.families`), by name: the worker puts its
   * embedding row (or the blend of two) into every cell of a `seeded` field. Required by such a model for the surface
   * slots; a model without families paints without it (its results name no family).
   */
  family?: FamilyConditioning
  /**
   * A photo style reaching this room slot (world-gen `roomStyleBlend`): the worker moves the family vector of a
   * `seeded` field towards the style's mixture by its weight (`styledFamilyVector`). The global latent already holds
   * the style (the walk centres on it).
   */
  style?: StyleBlend
  /** Extra cache-key salt (e.g. world seed); the key always includes model version, latent hash and size. */
  cacheKey?: string
}

/** Cancel queued or running jobs (a running job stops between sizes); answered by `cancelled` per job found. */
export interface CancelRequest {
  type: 'cancel'
  ids: string[]
}

/**
 * Change a queued job's priority (lower runs first), and that of its later sizes when it has them; `pace` (see
 * `GenerateRequest`) reaches a running job too.
 */
export interface ReprioritizeRequest {
  type: 'reprioritize'
  id: string
  priority: number
  laterPriority?: number
  pace?: number
}

/** Cancel everything, dispose every model (each worker loads its models once and owns them) and close caches; answered by `disposed`. */
export interface DisposeRequest {
  type: 'dispose'
}

/** Ask for the worker's live tf.js memory figures (soak tests, `getStats()`); answered by `stats` once ready. */
export interface StatsRequest {
  type: 'stats'
}

/**
 * Fit a style to a photo (world-gen/gan `fitStyle`) with a model of `init` on the worker's backend: answered by
 * `fit-progress` after every step, then `fit-done`, or `error` / `cancelled` (a `cancel` with this id stops it between
 * steps). Generation jobs wait while a fit runs. The photo is transferred, used for the fit and dropped: it is never
 * cached, stored or sent anywhere.
 */
export interface FitStyleRequest {
  type: 'fit-style'
  /** Caller-chosen unique id, echoed by every response about this fit. */
  id: string
  /** Model name, a key of `InitRequest.models` (a family-conditioned surface model). */
  model: string
  /** The surface slot the style is for. */
  slot: SurfaceSlot
  /** The photo: RGBA8 `[heightPx, widthPx, 4]`, transferred. */
  photo: { widthPx: number; heightPx: number; pixels: ArrayBuffer }
  /** Adam steps. @default 60 */
  steps?: number
  /** Seed of the fit's start latent, local field and noise (uint32). @default 1 */
  seed?: number
}

/** Any message to the worker. */
export type GenRequest =
  InitRequest | GenerateRequest | CancelRequest | ReprioritizeRequest | DisposeRequest | StatsRequest | FitStyleRequest

/** The worker is ready: backend chosen, models loaded, warm-up done. */
export interface ReadyResponse {
  type: 'ready'
  backend: BackendName
  /** Backends tried before `backend` and why each was refused. */
  refusals: { backend: BackendName; reason: string }[]
  /** Threads the backend computes on (more than 1 only for threaded wasm). @default 1 */
  threads?: number
  /** Version per loaded model name. */
  versions: Record<string, string>
  /** Warm-up time (ms). */
  warmupMs: number
  /** Time (ms) the worker took to choose and start its backend, then to load the models, before the warm-up. */
  initMs?: { backend: number; models: number }
  /**
   * The material families of each family-conditioned model, by model name (absent for models without families): their
   * names, for requests, and each family's texture pixels per metre, for the size of one texture repeat in the world.
   */
  families?: Record<string, { names: string[]; pxPerMetre: Record<string, number> }>
  /**
   * Same-origin URLs of the scripts the worker itself loaded (filled in by the worker glue), so the page can hand them
   * to the offline cache: the page cannot see a worker's own requests.
   */
  scriptUrls?: string[]
}

/** Model download progress. */
export interface ProgressResponse {
  type: 'progress'
  model: string
  loadedBytes: number
  /** 0 when unknown. */
  totalBytes: number
}

/**
 * The relief maps of a surface painted by a relief model (world-gen `relief.ts` `SurfaceRelief`), as buffers that are
 * transferred with the result.
 */
export interface ResultRelief {
  /** Tangent-space normal map, RG8 `[height, width, 2]` (x right, y to the image's top; z = sqrt(1 − x² − y²)). */
  normal: ArrayBuffer
  /** Height, R8 `[height, width]`, byte = round((h + 1)·127.5). */
  height: ArrayBuffer
}

/**
 * What the sky shader paints a room's clouds from (world-gen `SkyShading`), beside the sky's panorama; the two buffers
 * are transferred with the result.
 */
export interface ResultSky {
  /** RGBA8 `[tileSize, tileSize, 4]`, linear: R = cloud cover α, G = α·brightness. */
  layer: ArrayBuffer
  tileSize: number
  /** Tile repeats per unit of the cloud plane (at unit height above the viewer). */
  tilesPerUnit: number
  /** Half-float (IEEE binary16) RGBA `[3 × termsHeightPx, termsWidthPx, 4]`: the exposed terms S, P, Q, a band of rows each. */
  terms: ArrayBuffer
  termsWidthPx: number
  termsHeightPx: number
  /** Unit direction towards the sun (y up). */
  sunDirection: [number, number, number]
  /** How far the deck is closed to the horizon (0 … 1). */
  overcast: number
}

/**
 * One generated texture: RGBA8 [height, width, 4]; `pixels` is transferred, not copied (no second copy in memory). With
 * `relief`, the alpha of `pixels` is the surface's roughness (byte = round(r·255)) rather than 255.
 */
export interface ResultResponse {
  type: 'result'
  id: string
  /** Index into the request's `sizes`. */
  sizeIndex: number
  /** True for the last size of the job. */
  final: boolean
  width: number
  height: number
  pixels: ArrayBuffer
  /** Generation time in ms (0-ish for cache hits). */
  ms: number
  fromCache: boolean
  /** Model version that painted it. */
  version: string
  /** The material family it was painted as (the request's), for a family-conditioned model; absent otherwise. */
  family?: FamilyConditioning
  /**
   * The normal map and height of a surface painted by a relief model (its roughness is the alpha of `pixels`); absent
   * for a colour-only model and for the sky.
   */
  relief?: ResultRelief
  /** A sky's shading (`pixels` is then its panorama); absent for a surface. */
  sky?: ResultSky
}

/**
 * Why a failure happened, where the main thread must act on it: `device-lost` means the worker's GPU device or context
 * is gone, so only a fresh worker (which picks its backend again) can recover. The family reasons (world-gen
 * `FamilyError`: `unknown-family`, `bad-blend`, `missing-family`, `not-conditioned`) mean the request's `family` does
 * not fit the model: asking again cannot help, the request (or the model) must change.
 */
export type FailureReason = 'device-lost' | FamilyErrorReason

/** A job failed (or, without `id`, a request the worker could not read). */
export interface ErrorResponse {
  type: 'error'
  id?: string
  /** One line for people. */
  message: string
  reason?: FailureReason
}

/** One model of `init` could not be loaded; the worker goes on with the others and lists those it has in `ready`. */
export interface ModelFailedResponse {
  type: 'model-failed'
  /** Model name, a key of `InitRequest.models`. */
  model: string
  /** One line for people (e.g. `model file not found: … (HTTP 404)`). */
  message: string
  reason?: FailureReason
}

/** `init` failed as a whole (no backend, or no model at all): the worker will not generate. */
export interface InitFailedResponse {
  type: 'init-failed'
  /** One line for people. */
  message: string
  reason?: FailureReason
}

/** A job was cancelled (on request, superseded by a newer request for the same target, or by dispose). */
export interface CancelledResponse {
  type: 'cancelled'
  id: string
  reason: 'cancelled' | 'superseded' | 'disposed'
}

/** The worker released its models. */
export interface DisposedResponse {
  type: 'disposed'
}

/** Live tf.js memory of the worker (`tf.memory()`): flat after warm-up however far one walks. */
export interface StatsResponse {
  type: 'stats'
  /** Live tensors (weights + anything leaked). */
  numTensors: number
  /** Bytes held by live tensors. */
  numBytes: number
}

/** One step of a style fit. */
export interface FitProgressResponse {
  type: 'fit-progress'
  id: string
  /** Steps done (1-based) and in all. */
  step: number
  steps: number
  /** Texture-statistics distance after this step. */
  loss: number
}

/** A style fit finished. */
export interface FitDoneResponse {
  type: 'fit-done'
  id: string
  /** The fitted style as the URL carries it (`style=` value, world-gen `encodeStyle`). */
  style: string
  /** Its family mixture for people (`brick 75% + plaster 25%`). */
  families: string
  /**
   * Distance at the start (best single family), after the joint steps (unrounded), and of the style the link paints
   * (rounded as the URL carries it, the closest the fit found).
   */
  startLoss: number
  fittedLoss: number
  quantisedLoss: number
  /**
   * The link's style is closer to the photo than the start. False: nothing the link can carry beat the world's own
   * closest material, and the page says so instead of applying `style`.
   */
  improved: boolean
  /** Backend the fit ran on, and how long it took (ms). */
  backend: BackendName
  ms: number
}

/** Any message from the worker. */
export type GenResponse =
  | FitProgressResponse
  | FitDoneResponse
  | ReadyResponse
  | ProgressResponse
  | ResultResponse
  | ErrorResponse
  | ModelFailedResponse
  | InitFailedResponse
  | CancelledResponse
  | DisposedResponse
  | StatsResponse

/** Buffers to transfer with a response, rather than copy. */
export function transferables(msg: GenResponse): ArrayBuffer[] {
  if (msg.type !== 'result') return []
  if (msg.relief !== undefined) return [msg.pixels, msg.relief.normal, msg.relief.height]
  return msg.sky === undefined ? [msg.pixels] : [msg.pixels, msg.sky.layer, msg.sky.terms]
}
