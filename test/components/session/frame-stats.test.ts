import { describe, expect, it } from 'vitest'
import { FrameStats } from '../../../components/session/frame-stats'

describe('FrameStats', () => {
  it('summarises percentiles of the recorded frames and resets', () => {
    const stats = new FrameStats(1000)
    for (let i = 1; i <= 100; i++) stats.push(i)
    expect(stats.summary()).toMatchObject({ median: 51, p95: 96, p99: 100, count: 100 })
    stats.reset()
    expect(stats.summary()).toEqual({ median: 0, p95: 0, p99: 0, count: 0 })
  })

  it('attributes the work noted in a frame to the time until the next one, and says what the slow frames did', () => {
    const stats = new FrameStats(100)
    // 8 quick frames while generating, then one that uploaded twice and compiled a program: 40 ms.
    for (let i = 0; i < 8; i++) {
      stats.note('generating')
      stats.push(10)
    }
    stats.note('upload', 3)
    stats.note('upload', 4)
    stats.note('program')
    stats.push(40)
    stats.note('mount')
    stats.push(12)
    const { work, median } = stats.summary()
    expect(median).toBe(10)
    expect(work).toEqual({
      slow: { frames: 1, upload: 1, program: 1, mount: 0, generating: 0, shadow: 0 },
      all: { frames: 10, upload: 0.1, program: 0.1, mount: 0.1, generating: 0.8, shadow: 0 },
      slowUploadMs: 7,
      counts: { frames: 10, upload: 1, program: 1, mount: 1, generating: 8, shadow: 0 },
    })
  })

  it('keeps the last frames only, with their own work', () => {
    const stats = new FrameStats(4)
    stats.note('upload', 5)
    stats.push(100) // pushed out of the ring below
    for (let i = 0; i < 4; i++) stats.push(10)
    expect(stats.summary()).toMatchObject({ median: 10, p99: 10, count: 4, work: { all: { upload: 0 } } })
  })
})
