import { describe, expect, it } from 'vitest'
import { GenerationClient } from '../../../components/streaming/generation-client'
import type { GenResponse } from '../../../world-gen/protocol'
import { FakeWorker } from './fake-worker'

function setup(maxRestarts = 2) {
  const workers: FakeWorker[] = []
  const messages: GenResponse[] = []
  const crashes: string[] = []
  const client = new GenerationClient({
    createWorker: () => {
      const w = new FakeWorker()
      workers.push(w)
      return w as unknown as Worker
    },
    onMessage: (msg) => messages.push(msg),
    onCrash: (reason) => crashes.push(reason),
    maxRestarts,
  })
  return { client, workers, messages, crashes }
}

describe('GenerationClient', () => {
  it('starts one worker, relays its messages and crashes, and ignores a replaced worker', () => {
    const { client, workers, messages, crashes } = setup()
    expect(client.start()).toBe(true)
    expect(client.start()).toBe(false)
    client.post({ type: 'stats' })
    workers[0].reply({ type: 'disposed' })
    workers[0].crash('boom')
    expect([workers[0].sent, messages, crashes]).toEqual([[{ type: 'stats' }], [{ type: 'disposed' }], ['boom']])
    expect(client.restart()).toBe(true)
    expect([workers[0].terminated, workers[0].onmessage, client.restarts, workers.length]).toEqual([true, null, 1, 2])
  })

  it('stops replacing after maxRestarts, and destroy disposes the worker for good', () => {
    const { client, workers } = setup(1)
    client.start()
    expect(client.restart()).toBe(true)
    expect(client.restart()).toBe(false)
    expect([client.running, workers.length]).toEqual([false, 2])
    const other = setup()
    other.client.start()
    other.client.destroy()
    expect(other.workers[0].sent).toEqual([{ type: 'dispose' }])
    expect([other.workers[0].terminated, other.client.start(), other.client.restart()]).toEqual([true, false, false])
  })
})
