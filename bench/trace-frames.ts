/**
 * What the browser did in the slow frames of a Chrome trace (`bench:frames --trace`): frames are the gaps between the
 * page's animation-frame callbacks (`FireAnimationFrame` on the renderer's main thread); for the frames slower than
 * 1.5× the median, and for the others, the time per frame spent in each kind of top-level task on the renderer's main
 * thread and on the GPU process's threads (where SwiftShader draws), so the two can be compared.
 */

type TraceEvent = {
  name: string
  ph: string
  ts: number
  dur?: number
  pid: number
  tid: number
  args?: { name?: string }
}

/** Milliseconds per frame in each (thread, task) bucket, over the slow and the other frames. */
export type FrameTraceSummary = {
  frames: number
  slowFrames: number
  medianMs: number
  /** `thread: task` → mean ms per slow frame and per other frame, the largest differences first. */
  buckets: { bucket: string; slowMs: number; otherMs: number }[]
}

/** Summarise a Chrome trace (`{ traceEvents }` or an event array) of a page walking through the world. */
export function summariseFrameTrace(trace: unknown, top = 12): FrameTraceSummary {
  const events: TraceEvent[] = Array.isArray(trace)
    ? trace
    : ((trace as { traceEvents: TraceEvent[] }).traceEvents ?? [])
  const threadNames = new Map<string, string>()
  const processNames = new Map<number, string>()
  for (const e of events) {
    if (e.ph !== 'M') continue
    if (e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?')
    if (e.name === 'process_name') processNames.set(e.pid, e.args?.name ?? '?')
  }
  const raf = events
    .filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X')
    .filter((e) => threadNames.get(`${e.pid}:${e.tid}`) === 'CrRendererMain')
    .sort((a, b) => a.ts - b.ts)
  if (raf.length < 3) return { frames: 0, slowFrames: 0, medianMs: 0, buckets: [] }
  // The page with the most animation frames is the world (other renderers: about:blank and the like).
  const pid = mode(raf.map((e) => e.pid))
  const starts = raf.filter((e) => e.pid === pid).map((e) => e.ts)
  const gaps = starts.slice(1).map((t, i) => (t - starts[i]!) / 1000)
  const medianMs = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!
  const slow = gaps.map((g) => g > 1.5 * medianMs)
  const gpuPid = [...processNames].find(([, n]) => n === 'GPU Process')?.[0]
  // Top-level tasks only (the scheduler's RunTask and its kin), on the world's main thread and the GPU process.
  const tasks = events.filter(
    (e) =>
      e.ph === 'X' &&
      e.dur !== undefined &&
      (e.pid === pid || e.pid === gpuPid) &&
      (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask' || e.name === 'ThreadPool_RunTask'),
  )
  const sums = new Map<string, { slow: number; other: number }>()
  for (const t of tasks) {
    const frame = upperBound(starts, t.ts) - 1
    if (frame < 0 || frame >= gaps.length) continue
    const thread = threadNames.get(`${t.pid}:${t.tid}`) ?? `tid ${t.tid}`
    // Name the task by its first child on the same thread (what the task ran), when one starts with it.
    const bucket = `${t.pid === gpuPid ? 'gpu' : 'page'} ${thread.replace(/\d+$/, '')}: ${childName(events, t)}`
    const s = sums.get(bucket) ?? { slow: 0, other: 0 }
    if (slow[frame]) s.slow += t.dur! / 1000
    else s.other += t.dur! / 1000
    sums.set(bucket, s)
  }
  const nSlow = slow.filter(Boolean).length
  const nOther = gaps.length - nSlow
  const buckets = [...sums]
    .map(([bucket, s]) => ({
      bucket,
      slowMs: round(nSlow === 0 ? 0 : s.slow / nSlow),
      otherMs: round(nOther === 0 ? 0 : s.other / nOther),
    }))
    .sort((a, b) => b.slowMs - b.otherMs - (a.slowMs - a.otherMs))
    .slice(0, top)
  return { frames: gaps.length, slowFrames: nSlow, medianMs: round(medianMs), buckets }
}

const round = (v: number) => Math.round(v * 10) / 10

function mode(values: number[]): number {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0]
}

/** Index of the first element of sorted `xs` greater than `x`. */
function upperBound(xs: number[], x: number): number {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

const childIndex = new WeakMap<TraceEvent[], Map<string, { list: TraceEvent[]; ts: number[] }>>()

/** The longest event that starts inside `task` on its thread (not the task itself), by name; the task's own name if none. */
function childName(events: TraceEvent[], task: TraceEvent): string {
  let byThread = childIndex.get(events)
  if (byThread === undefined) {
    const lists = new Map<string, TraceEvent[]>()
    for (const e of events) {
      if (e.ph !== 'X' || e.dur === undefined) continue
      const key = `${e.pid}:${e.tid}`
      const list = lists.get(key) ?? []
      list.push(e)
      lists.set(key, list)
    }
    byThread = new Map()
    for (const [key, list] of lists) {
      list.sort((a, b) => a.ts - b.ts)
      byThread.set(key, { list, ts: list.map((e) => e.ts) })
    }
    childIndex.set(events, byThread)
  }
  const thread = byThread.get(`${task.pid}:${task.tid}`)
  if (thread === undefined) return task.name
  let best: TraceEvent | undefined
  for (let i = upperBound(thread.ts, task.ts - 1); i < thread.list.length && thread.ts[i]! < task.ts + task.dur!; i++) {
    const e = thread.list[i]!
    if (e === task || e.name === task.name) continue
    if (best === undefined || e.dur! > best.dur!) best = e
  }
  return best?.name ?? task.name
}
