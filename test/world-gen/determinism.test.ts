import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { describe, expect, it, vi } from 'vitest'
import { createRng } from '../../world-gen/index'
import { digests, windowCells, windowDigest } from './fingerprint'

const CELLS = [...windowCells(-4, -4, 8), [999_999, -1_000_000], [-1_000_000, 1_000_000]] as [number, number][]

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = createRng(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(rng() * (i + 1))
    ;[out[i], out[k]] = [out[k]!, out[i]!]
  }
  return out
}

describe('determinism', () => {
  it('same seed gives byte-identical output; a different seed differs', () => {
    const a = windowDigest('demo', CELLS)
    expect(windowDigest('demo', CELLS)).toBe(a)
    expect(windowDigest('demo2', CELLS)).not.toBe(a)
    expect(windowDigest('Demo', CELLS)).not.toBe(a)
  })

  it('every room differs from its neighbours and from the other seed', () => {
    const a = digests('demo', CELLS)
    const b = digests('demo2', CELLS)
    expect(new Set(Object.values(a)).size).toBe(CELLS.length)
    for (const key of Object.keys(a)) expect(a[key], key).not.toBe(b[key])
  })

  it('shuffled query order gives identical per-room output', () => {
    const inOrder = digests('demo', CELLS)
    for (const s of [1, 2, 3]) expect(digests('demo', shuffled(CELLS, s))).toEqual(inOrder)
  })

  it('a worker_threads Worker computes the same bytes', async () => {
    const expected = windowDigest('demo', CELLS)
    const worker = new Worker(new URL('./fixtures/digest.worker.mjs', import.meta.url), {
      workerData: { helper: fileURLToPath(new URL('./fingerprint.ts', import.meta.url)), seed: 'demo', cells: CELLS },
    })
    try {
      const got = await new Promise<string>((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
      })
      expect(got).toBe(expected)
    } finally {
      await worker.terminate()
    }
  })

  it('a fresh module instance computes the same bytes', async () => {
    const expected = windowDigest('demo', CELLS)
    vi.resetModules()
    const fresh = (await import('./fingerprint')) as typeof import('./fingerprint')
    expect(fresh.windowDigest).not.toBe(windowDigest)
    expect(fresh.windowDigest('demo', CELLS)).toBe(expected)
  })

  it('the CLI (a separate process) prints the same room and latents', async () => {
    const { room, roomLatents } = await import('../../world-gen/index')
    const stdout = execFileSync('npx', ['tsx', 'world-gen/cli.ts', 'room', 'demo', '3', '-7'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
    })
    const printed = JSON.parse(stdout)
    const { url, latents, ...spec } = printed
    expect(spec).toEqual(room('demo', 3, -7))
    expect(url).toBe('/w/demo?r=3,-7&h=0')
    const expected = roomLatents('demo', 3, -7)
    for (const slot of ['floor', 'walls', 'trim', 'sky'] as const) {
      expect(Float32Array.from(latents[slot])).toEqual(expected[slot])
    }
  })
})
