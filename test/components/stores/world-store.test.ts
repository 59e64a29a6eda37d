import { describe, expect, it } from 'vitest'
import { createWorldStore, defaultWasmThreads, parseWasmThreads } from '../../../components/stores/world-store'

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

describe('wasm threads', () => {
  it('parses ?threads= as a whole number from 1 to 8, else null', () => {
    expect(parseWasmThreads('3')).toBe(3)
    expect(parseWasmThreads(['2', '5'])).toBe(2)
    for (const bad of ['0', '9', '2.5', 'two', '', null, undefined]) expect(parseWasmThreads(bad)).toBeNull()
  })

  it('defaults to every logical core but the page’s own, from 1 to 8', () => {
    expect(defaultWasmThreads(2)).toBe(1)
    expect(defaultWasmThreads(1)).toBe(1)
    expect(defaultWasmThreads(4)).toBe(3)
    expect(defaultWasmThreads(8)).toBe(7)
    expect(defaultWasmThreads(32)).toBe(8)
    expect(defaultWasmThreads(undefined)).toBe(1)
    expect(defaultWasmThreads(0)).toBe(1)
  })
})
