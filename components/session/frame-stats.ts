/** A ring buffer of frame times with percentile summaries (for `getStats()` and the frame benchmark). */

/** Percentiles of recorded frame times, in ms. */
export type FrameSummary = { median: number; p95: number; p99: number; count: number }

/** Frame times of the last `capacity` frames. Recording allocates nothing; summarising does. */
export class FrameStats {
  private readonly samples: Float32Array
  private count = 0
  private next = 0

  /** @param capacity frames kept. @default 3600 (a minute at 60 Hz) */
  constructor(capacity = 3600) {
    this.samples = new Float32Array(capacity)
  }

  /** Record one frame time, in ms. */
  push(frameMs: number): void {
    this.samples[this.next] = frameMs
    this.next = (this.next + 1) % this.samples.length
    this.count = Math.min(this.count + 1, this.samples.length)
  }

  /** Forget every sample. */
  reset(): void {
    this.count = 0
    this.next = 0
  }

  /** Median, p95 and p99 of the recorded frames (zeros when none), in ms. */
  summary(): FrameSummary {
    if (this.count === 0) return { median: 0, p95: 0, p99: 0, count: 0 }
    const sorted = Float32Array.from(this.samples.subarray(0, this.count)).sort()
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100
    return { median: at(0.5), p95: at(0.95), p99: at(0.99), count: this.count }
  }
}
