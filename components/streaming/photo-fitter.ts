/**
 * A style fit without a world: the landing page's "a world from a photo". There is no world (and no world streamer)
 * yet to fit with, so this starts a generation worker of its own on the first fit, loads only the surface model into
 * it, fits the photo there, and answers as `WorldStreamer.fitStyle` does; the page then opens a new world with the
 * fitted style. The photo goes to that worker only, as in the world.
 */
import type { SurfaceSlot } from '../../world-gen'
import type { FitDoneResponse, GenRequest, GenResponse } from '../../world-gen/protocol'
import { GenerationClient } from './generation-client'
import { StyleFitError, SURFACE_MODEL_URL, type StyleFit } from './world-streamer'

/** Options of `PhotoFitter`. */
export type PhotoFitterOptions = {
  /** Creates the worker. @default the bundled `world-gen/worker/gen.worker.ts` */
  createWorker?: () => Worker
  /** URL of the surface model. @default SURFACE_MODEL_URL */
  modelUrl?: string
  /** Threads asked of the wasm backend (see `InitRequest.wasmThreads`): a fit is all convolutions. @default 1 */
  wasmThreads?: number
}

type Pending = {
  id: string
  photo: { widthPx: number; heightPx: number; pixels: ArrayBuffer }
  slot: SurfaceSlot
  onProgress: (step: number, steps: number, loss: number) => void
  resolve: (done: FitDoneResponse) => void
  reject: (e: StyleFitError) => void
  /** Posted to the worker (after `ready`). */
  sent: boolean
}

/** Fits photos in a worker of its own; one fit at a time (a new one cancels the last). `destroy()` ends it. */
export class PhotoFitter {
  private readonly options: PhotoFitterOptions
  private client: GenerationClient | null = null
  /** True once the worker said `ready` with the surface model. */
  private ready = false
  /** Why the surface model could not be loaded (from `model-failed`), for the answer to the fit. */
  private modelError: string | null = null
  private fit: Pending | null = null
  private seq = 0
  private destroyed = false

  constructor(options: PhotoFitterOptions = {}) {
    this.options = options
  }

  /**
   * Fit a style for `slot` to a photo (RGBA8 `[heightPx, widthPx, 4]`, transferred to the worker and used only there).
   * The first fit starts the worker and loads the model; `onProgress` gets each step's loss.
   */
  fitStyle(
    photo: { widthPx: number; heightPx: number; pixels: ArrayBuffer },
    slot: SurfaceSlot,
    onProgress: (step: number, steps: number, loss: number) => void,
  ): StyleFit {
    if (this.destroyed)
      return { done: Promise.reject(new StyleFitError('the photo fitter was closed', true)), cancel: () => undefined }
    const id = `photo-fit/${this.seq++}`
    const last = this.fit
    if (last !== null) {
      this.fit = null
      if (last.sent) this.post({ type: 'cancel', ids: [last.id] })
      last.reject(new StyleFitError('the style fit was superseded', true))
    }
    let fit: Pending | undefined
    const done = new Promise<FitDoneResponse>((resolve, reject) => {
      fit = { id, photo, slot, onProgress, resolve, reject, sent: false }
    })
    this.fit = fit!
    if (this.client === null) this.startWorker()
    else this.send()
    return {
      done,
      cancel: () => {
        const fit = this.fit
        if (fit === null || fit.id !== id) return
        if (fit.sent) this.client?.post({ type: 'cancel', ids: [id] })
        else {
          this.fit = null
          fit.reject(new StyleFitError('the style fit was cancelled', true))
        }
      },
    }
  }

  /** Stop for good: a fit in progress is cancelled and the worker terminated. */
  destroy(): void {
    this.destroyed = true
    const fit = this.fit
    this.fit = null
    fit?.reject(new StyleFitError('the photo fitter was closed', true))
    this.client?.destroy()
    this.client = null
  }

  private startWorker(): void {
    this.ready = false
    this.modelError = null
    this.client = new GenerationClient({
      createWorker: this.options.createWorker,
      onMessage: (msg) => this.receive(msg),
      onCrash: (reason) => this.crashed(reason),
      // No restarts: the fit in progress fails and the next one starts a fresh worker.
      maxRestarts: 0,
    })
    this.client.start()
    // The sky model is not needed to fit a surface style.
    const threads = this.options.wasmThreads
    this.post({
      type: 'init',
      models: { surface: this.options.modelUrl ?? SURFACE_MODEL_URL },
      ...(threads !== undefined ? { wasmThreads: threads } : {}),
    })
  }

  private post(msg: GenRequest, transfer: Transferable[] = []): void {
    this.client?.post(msg, transfer)
  }

  /** Post the waiting fit once the worker is ready. */
  private send(): void {
    const fit = this.fit
    if (!this.ready || fit === null || fit.sent) return
    fit.sent = true
    this.post({ type: 'fit-style', id: fit.id, model: 'surface', slot: fit.slot, photo: fit.photo }, [fit.photo.pixels])
  }

  /** End the fit in progress with an error, and drop the worker: the next fit starts a fresh one. */
  private fail(message: string): void {
    const fit = this.fit
    this.fit = null
    fit?.reject(new StyleFitError(message, false))
    this.client?.destroy()
    this.client = null
    this.ready = false
  }

  private crashed(reason: string): void {
    this.fail(`the texture generator stopped (${reason})`)
  }

  private receive(msg: GenResponse): void {
    const fit = this.fit
    switch (msg.type) {
      case 'model-failed':
        if (msg.model === 'surface') this.modelError = msg.message
        return
      case 'init-failed':
        this.fail(`the texture generator could not start: ${msg.message}`)
        return
      case 'ready':
        if (msg.versions.surface === undefined) {
          this.fail(`the surface model could not be loaded (${this.modelError ?? 'it was not loaded'})`)
          return
        }
        this.ready = true
        this.send()
        return
      case 'fit-progress':
        if (fit?.id === msg.id) fit.onProgress(msg.step, msg.steps, msg.loss)
        return
      case 'fit-done':
        if (fit?.id !== msg.id) return
        this.fit = null
        fit.resolve(msg)
        return
      case 'cancelled':
        if (fit?.id !== msg.id) return
        this.fit = null
        fit.reject(new StyleFitError('the style fit was cancelled', true))
        return
      case 'error':
        if (msg.reason === 'device-lost') {
          this.fail(msg.message)
          return
        }
        if (fit === null || msg.id !== fit.id) return
        this.fit = null
        fit.reject(new StyleFitError(msg.message, false))
        return
      default:
        // Download progress, tensor stats and `disposed` say nothing about the fit.
        return
    }
  }
}
