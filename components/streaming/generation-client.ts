/**
 * The generation Worker's lifecycle on the main thread: create it, attach its handlers once, post requests, replace it
 * after a crash (at most `maxRestarts` times) and dispose of it. It knows nothing of rooms or skies: the streamer that
 * owns it decides what a crash costs and what to ask for again.
 */
import type { GenRequest, GenResponse } from '../../world-gen/protocol'

/** How many times a crashed generation worker is replaced before the streamer gives up (rooms then stay grey). */
export const MAX_WORKER_RESTARTS = 3

/** Options of `GenerationClient`. */
export type GenerationClientOptions = {
  /** Creates the worker. @default the bundled `world-gen/worker/gen.worker.ts` */
  createWorker?: () => Worker
  /** Every message of the current worker (never of a replaced one). */
  onMessage: (msg: GenResponse) => void
  /** The current worker died (uncaught error, unreadable message), with a one-line reason. */
  onCrash: (reason: string) => void
  /** @default MAX_WORKER_RESTARTS */
  maxRestarts?: number
}

/** One generation worker at a time; `start()`, `post()`, `restart()` after a crash, `destroy()`. */
export class GenerationClient {
  private worker: Worker | null = null
  private restartCount = 0
  private destroyed = false
  private readonly options: GenerationClientOptions

  constructor(options: GenerationClientOptions) {
    this.options = options
  }

  /** Whether a worker is running. */
  get running(): boolean {
    return this.worker !== null
  }

  /** How many times a crashed worker was replaced. */
  get restarts(): number {
    return this.restartCount
  }

  /** Create the worker and attach its handlers (once per worker); false if one runs already or after `destroy`. */
  start(): boolean {
    if (this.worker !== null || this.destroyed) return false
    const worker =
      this.options.createWorker?.() ??
      new Worker(new URL('../../world-gen/worker/gen.worker.ts', import.meta.url), { type: 'module' })
    worker.onmessage = (e: MessageEvent<GenResponse>) => this.options.onMessage(e.data)
    // An uncaught error leaves the worker in an unknown state (a tf backend mid-kernel, a lost device): replace it.
    worker.onerror = (e) => {
      e.preventDefault()
      this.options.onCrash(e.message || 'uncaught error in the generation worker')
    }
    worker.onmessageerror = () => this.options.onCrash('a worker message could not be deserialised')
    this.worker = worker
    return true
  }

  /** Send a request to the current worker (dropped when none runs); `transfer` lists buffers to move, not copy. */
  post(msg: GenRequest, transfer: Transferable[] = []): void {
    this.worker?.postMessage(msg, transfer)
  }

  /**
   * Terminate the current worker, whose late messages are then ignored, and start a fresh one (which picks its backend
   * again), unless `maxRestarts` replacements were made already: then false, and no worker runs any more.
   */
  restart(): boolean {
    const old = this.worker
    if (old === null || this.destroyed) return false
    old.onmessage = null
    old.onerror = null
    old.onmessageerror = null
    old.terminate()
    this.worker = null
    if (this.restartCount >= (this.options.maxRestarts ?? MAX_WORKER_RESTARTS)) return false
    this.restartCount++
    return this.start()
  }

  /** Stop for good: the worker is told to dispose its models, then terminated. */
  destroy(): void {
    this.destroyed = true
    const worker = this.worker
    this.worker = null
    if (worker === null) return
    worker.onmessage = null
    worker.postMessage({ type: 'dispose' } satisfies GenRequest)
    worker.terminate()
  }
}
