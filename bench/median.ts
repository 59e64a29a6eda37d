/** Median ms of `f` over `runs` calls, after `warmup` unmeasured ones (JIT, caches). */
export function medianMs(f: () => void, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) f()
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    f()
    t.push(performance.now() - t0)
  }
  t.sort((a, b) => a - b)
  return t[Math.floor(runs / 2)]!
}
