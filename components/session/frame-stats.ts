/**
 * A ring buffer of frame times with percentile summaries (for `getStats()` and the frame benchmark), and what the
 * main thread did in each frame (texture uploads, shader programs compiled, rooms mounted, the generator busy, the
 * shadow map redrawn), so the slow frames can be told apart from the rest.
 */

/** What a frame did, as bits of `FrameStats.note` (a frame can do several). */
export const FRAME_WORK = {
  /** Generated textures were uploaded to the GPU. */
  upload: 1,
  /** The renderer compiled a new shader program. */
  program: 2,
  /** Rooms were mounted or unmounted (React commit, geometry built). */
  mount: 4,
  /** The generation worker had a job in flight (it competes for the CPU). */
  generating: 8,
  /** The sun's shadow map was redrawn (the renderer drew the shadow casters into it). */
  shadow: 16,
} as const

export type FrameWork = keyof typeof FRAME_WORK

/** How many frames, and what share of them, did each kind of work. */
export type FrameWorkShare = { frames: number } & Record<FrameWork, number>

/** Percentiles of recorded frame times, in ms. */
export type FrameSummary = {
  median: number
  p95: number
  p99: number
  count: number
  /**
   * The frames slower than 1.5× the median and, for each kind of work, the share of them that did it; `all`: the same
   * shares over every frame, to compare with; `counts`: the frame counts behind `all`. Absent when no frame was
   * recorded.
   */
  work?: { slow: FrameWorkShare; all: FrameWorkShare; slowUploadMs: number; counts: FrameWorkShare }
}

const KINDS = Object.keys(FRAME_WORK) as FrameWork[]

/**
 * Frame times of the last `capacity` frames, each with the work noted since the frame before it (the work done in a
 * frame and its render shows in the time to the next frame). Recording allocates nothing; summarising does.
 */
export class FrameStats {
  private readonly samples: Float32Array
  private readonly work: Uint8Array
  private readonly uploadMs: Float32Array
  private count = 0
  private next = 0
  private pendingWork = 0
  private pendingUploadMs = 0

  /** @param capacity frames kept. @default 3600 (a minute at 60 Hz) */
  constructor(capacity = 3600) {
    this.samples = new Float32Array(capacity)
    this.work = new Uint8Array(capacity)
    this.uploadMs = new Float32Array(capacity)
  }

  /** Note work done in the frame now running (`ms`: time it took on the main thread, for uploads). */
  note(kind: FrameWork, ms = 0): void {
    this.pendingWork |= FRAME_WORK[kind]
    if (kind === 'upload') this.pendingUploadMs += ms
  }

  /** Record one frame time, in ms, with the work noted since the last call. */
  push(frameMs: number): void {
    this.samples[this.next] = frameMs
    this.work[this.next] = this.pendingWork
    this.uploadMs[this.next] = this.pendingUploadMs
    this.pendingWork = 0
    this.pendingUploadMs = 0
    this.next = (this.next + 1) % this.samples.length
    this.count = Math.min(this.count + 1, this.samples.length)
  }

  /** Forget every sample. */
  reset(): void {
    this.count = 0
    this.next = 0
    this.pendingWork = 0
    this.pendingUploadMs = 0
  }

  /** Median, p95 and p99 of the recorded frames (zeros when none), in ms, and the work of the slow frames. */
  summary(): FrameSummary {
    if (this.count === 0) return { median: 0, p95: 0, p99: 0, count: 0 }
    const times = this.samples.subarray(0, this.count)
    const sorted = Float32Array.from(times).sort()
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
    const round = (v: number) => Math.round(v * 100) / 100
    const median = at(0.5)
    const slow = emptyShare()
    const all = emptyShare()
    const slowUpload: number[] = []
    for (let i = 0; i < this.count; i++) {
      const bits = this.work[i]
      add(all, bits)
      if (times[i] > 1.5 * median) {
        add(slow, bits)
        if (bits & FRAME_WORK.upload) slowUpload.push(this.uploadMs[i])
      }
    }
    slowUpload.sort((a, b) => a - b)
    return {
      median: round(median),
      p95: round(at(0.95)),
      p99: round(at(0.99)),
      count: this.count,
      work: {
        slow: shares(slow),
        all: shares(all),
        slowUploadMs: round(slowUpload.length === 0 ? 0 : slowUpload[Math.floor(slowUpload.length / 2)]),
        counts: all,
      },
    }
  }
}

function emptyShare(): FrameWorkShare {
  return { frames: 0, upload: 0, program: 0, mount: 0, generating: 0, shadow: 0 }
}

function add(share: FrameWorkShare, bits: number): void {
  share.frames++
  for (const kind of KINDS) if (bits & FRAME_WORK[kind]) share[kind]++
}

/** Counts → shares of the frames (two decimals). */
function shares(counts: FrameWorkShare): FrameWorkShare {
  const out = { ...counts }
  for (const kind of KINDS) out[kind] = counts.frames === 0 ? 0 : Math.round((100 * counts[kind]) / counts.frames) / 100
  return out
}
