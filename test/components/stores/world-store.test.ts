import { describe, expect, it } from 'vitest'
import { createWorldStore } from '../../../components/stores/world-store'

describe('createWorldStore', () => {
  it('starts at the given place with no backend and not ready', () => {
    const store = createWorldStore({ seed: 'demo', room: { x: 2, z: -1 }, heading: 90 })
    expect(store.getState()).toMatchObject({ seed: 'demo', room: { x: 2, z: -1 }, heading: 90, backend: null })
    expect(store.getState().ready).toBe(false)
  })

  it.each([
    [360, 0, 'a full turn wraps to 0'],
    [-90, 270, 'negative headings wrap forwards'],
    [725, 5, 'several turns wrap'],
  ])('setHeading(%d) → %d (%s)', (input, expected) => {
    const store = createWorldStore({ seed: 'demo' })
    store.getState().setHeading(input)
    expect(store.getState().heading).toBe(expected)
  })
})
