import { describe, expect, it } from 'vitest'
import { fitOutcome } from '../../../components/dom/style-photo'
import type { FitDoneResponse } from '../../../world-gen/protocol'

const done = (patch: Partial<FitDoneResponse>): FitDoneResponse => ({
  type: 'fit-done',
  id: 'fit/0',
  style: 'EUABT6kK',
  families: 'floor_tiles 75% + plaster 25%',
  startLoss: 1.7288,
  fittedLoss: 0.8579,
  quantisedLoss: 0.7926,
  improved: true,
  backend: 'wasm',
  ms: 29_031,
  ...patch,
})

describe('fitOutcome', () => {
  it('opens the styled link of a fit that beat its start, naming the mixture and the distances', () => {
    expect(fitOutcome(done({}), 'walls')).toEqual({
      apply: true,
      message:
        'Fitted walls to floor tiles 75% + plaster 25% in 29.0 s on wasm (distance 1.73 → 0.79); opening the styled world…',
    })
  })

  it('applies nothing when no style beat the start, and says so with the distances', () => {
    const outcome = fitOutcome(done({ quantisedLoss: 2.053, improved: false }), 'floor')
    expect(outcome.apply).toBe(false)
    expect(outcome.message).toBe(
      "No floor style came closer to this photo than the world's own closest material (distance 1.73 → 2.05 in 29.0 " +
        's on wasm), so none was applied. A close, evenly lit photo of one material fits best.',
    )
  })
})
