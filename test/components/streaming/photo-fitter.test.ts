import { describe, expect, it } from 'vitest'
import { PhotoFitter } from '../../../components/streaming/photo-fitter'
import { StyleFitError } from '../../../components/streaming/world-streamer'
import type { FitDoneResponse, FitStyleRequest } from '../../../world-gen/protocol'
import { FakeWorker } from './fake-worker'

const photo = () => ({ widthPx: 2, heightPx: 2, pixels: new Uint8Array(16).buffer })

/** A fitter over fake workers (one per start), with what each was sent. */
function setup(wasmThreads?: number) {
  const workers: FakeWorker[] = []
  const fitter = new PhotoFitter({
    ...(wasmThreads !== undefined ? { wasmThreads } : {}),
    createWorker: () => {
      const w = new FakeWorker()
      workers.push(w)
      return w as unknown as Worker
    },
  })
  const ready = (w: FakeWorker, surface = true) =>
    w.reply({
      type: 'ready',
      backend: 'wasm',
      refusals: [],
      versions: surface ? { surface: 'surface-v2-test' } : {},
      warmupMs: 1,
    })
  return { fitter, workers, ready }
}

const doneFor = (id: string): FitDoneResponse => ({
  type: 'fit-done',
  id,
  style: 'EUABT6kK',
  families: 'brick',
  startLoss: 2,
  fittedLoss: 1,
  quantisedLoss: 1.1,
  improved: true,
  backend: 'wasm',
  ms: 10,
})

describe('PhotoFitter (a fit without a world)', () => {
  it('starts a worker with the surface model only, sends the photo once it is ready, and settles with the answer', async () => {
    const { fitter, workers, ready } = setup()
    const steps: number[] = []
    const p = photo()
    const fit = fitter.fitStyle(p, 'floor', (step) => steps.push(step))
    expect(workers).toHaveLength(1)
    expect(workers[0]!.sent).toEqual([{ type: 'init', models: { surface: '/models/surface/model.json' } }])
    ready(workers[0]!)
    const req = workers[0]!.sent[1] as FitStyleRequest
    expect(req).toMatchObject({ type: 'fit-style', model: 'surface', slot: 'floor', photo: p })
    workers[0]!.reply({ type: 'fit-progress', id: req.id, step: 1, steps: 2, loss: 1.5 })
    workers[0]!.reply({ type: 'fit-progress', id: 'someone-else', step: 9, steps: 9, loss: 0 })
    workers[0]!.reply(doneFor(req.id))
    await expect(fit.done).resolves.toMatchObject({ id: req.id, improved: true })
    expect(steps).toEqual([1])
    // A second fit reuses the loaded worker.
    const next = fitter.fitStyle(photo(), 'walls', () => undefined)
    expect(workers).toHaveLength(1)
    expect(workers[0]!.sent.at(-1)).toMatchObject({ type: 'fit-style', slot: 'walls' })
    // Leaving the page ends the fit in progress and the worker.
    fitter.destroy()
    await expect(next.done).rejects.toMatchObject({ cancelled: true })
    expect(workers[0]!.terminated).toBe(true)
  })

  it('asks the worker for the wasm threads it was given', async () => {
    const { fitter, workers } = setup(3)
    const fit = fitter.fitStyle(photo(), 'floor', () => undefined)
    expect(workers[0]!.sent[0]).toEqual({
      type: 'init',
      models: { surface: '/models/surface/model.json' },
      wasmThreads: 3,
    })
    fitter.destroy()
    await expect(fit.done).rejects.toMatchObject({ cancelled: true })
  })

  it('cancel before the worker is ready rejects at once and sends nothing; after, it asks the worker', async () => {
    const { fitter, workers, ready } = setup()
    const early = fitter.fitStyle(photo(), 'walls', () => undefined)
    early.cancel()
    await expect(early.done).rejects.toMatchObject({ cancelled: true })
    ready(workers[0]!)
    expect(workers[0]!.sent.map((m) => m.type)).toEqual(['init'])
    const late = fitter.fitStyle(photo(), 'walls', () => undefined)
    const id = (workers[0]!.sent[1] as FitStyleRequest).id
    late.cancel()
    expect(workers[0]!.sent[2]).toEqual({ type: 'cancel', ids: [id] })
    workers[0]!.reply({ type: 'cancelled', id, reason: 'cancelled' })
    await expect(late.done).rejects.toBeInstanceOf(StyleFitError)
  })

  it('a newer fit supersedes the one in progress', async () => {
    const { fitter, workers, ready } = setup()
    const first = fitter.fitStyle(photo(), 'walls', () => undefined)
    ready(workers[0]!)
    const firstId = (workers[0]!.sent[1] as FitStyleRequest).id
    const second = fitter.fitStyle(photo(), 'trim', () => undefined)
    await expect(first.done).rejects.toMatchObject({ cancelled: true })
    expect(workers[0]!.sent[2]).toEqual({ type: 'cancel', ids: [firstId] })
    const secondId = (workers[0]!.sent[3] as FitStyleRequest).id
    workers[0]!.reply(doneFor(firstId)) // a late answer for the first is not the second's
    workers[0]!.reply(doneFor(secondId))
    await expect(second.done).resolves.toMatchObject({ id: secondId })
  })

  it.each([
    [
      'the surface model fails to load',
      (w: FakeWorker, ready: (w: FakeWorker, surface?: boolean) => void) => {
        w.reply({ type: 'model-failed', model: 'surface', message: 'model file not found (HTTP 404)' })
        ready(w, false)
      },
      'the surface model could not be loaded (model file not found (HTTP 404))',
    ],
    [
      'init fails',
      (w: FakeWorker) => w.reply({ type: 'init-failed', message: 'no backend could start' }),
      'the texture generator could not start: no backend could start',
    ],
    [
      'the worker crashes',
      (w: FakeWorker) => w.crash('out of memory'),
      'the texture generator stopped (out of memory)',
    ],
  ])('fails the fit with one line when %s, and the next fit starts a fresh worker', async (_, fault, message) => {
    const { fitter, workers, ready } = setup()
    const fit = fitter.fitStyle(photo(), 'walls', () => undefined)
    fault(workers[0]!, ready)
    await expect(fit.done).rejects.toMatchObject({ message, cancelled: false })
    expect(workers[0]!.terminated).toBe(true)
    const again = fitter.fitStyle(photo(), 'walls', () => undefined)
    expect(workers).toHaveLength(2)
    expect(workers[1]!.sent[0]).toMatchObject({ type: 'init' })
    fitter.destroy()
    await expect(again.done).rejects.toMatchObject({ cancelled: true })
  })

  it('an error about the fit rejects it; after destroy a fit is refused', async () => {
    const { fitter, workers, ready } = setup()
    const fit = fitter.fitStyle(photo(), 'walls', () => undefined)
    ready(workers[0]!)
    const id = (workers[0]!.sent[1] as FitStyleRequest).id
    workers[0]!.reply({ type: 'error', id, message: 'this model has no material families' })
    await expect(fit.done).rejects.toMatchObject({ message: 'this model has no material families', cancelled: false })
    fitter.destroy()
    await expect(fitter.fitStyle(photo(), 'walls', () => undefined).done).rejects.toMatchObject({ cancelled: true })
    expect(workers).toHaveLength(1)
  })
})
