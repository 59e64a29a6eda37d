import type { GenRequest, GenResponse } from '../../../world-gen/protocol'

/** A fake Worker that records requests, lets the test answer them, and can fail like a crashed worker. */
export class FakeWorker {
  sent: GenRequest[] = []
  terminated = false
  onmessage: ((e: MessageEvent<GenResponse>) => void) | null = null
  onerror: ((e: ErrorEvent) => void) | null = null
  onmessageerror: (() => void) | null = null
  postMessage(msg: GenRequest): void {
    this.sent.push(msg)
  }
  terminate(): void {
    this.terminated = true
  }
  reply(msg: GenResponse): void {
    this.onmessage?.({ data: msg } as MessageEvent<GenResponse>)
  }
  crash(message: string): void {
    this.onerror?.({ message, preventDefault: () => undefined } as ErrorEvent)
  }
}
