import { afterEach, describe, expect, it, vi } from 'vitest'
import { pickFrameRate, requestedXREmulator } from '../../../components/xr/xr-store'

describe('pickFrameRate', () => {
  it.each([
    [[72, 80, 90, 120], 90, 'Quest 3: 90 Hz'],
    [[60, 72], 72, 'no 90: 72 Hz'],
    [[60, 120], false, 'neither: leave the default'],
    [[], false, 'none listed'],
  ] as const)('%j → %s (%s)', (rates, expected, _) => {
    expect(pickFrameRate(rates)).toBe(expected)
  })
})

describe('requestedXREmulator', () => {
  afterEach(() => vi.unstubAllGlobals())
  const at = (href: string, flag?: string) =>
    vi.stubGlobal('window', { location: new URL(href), __LATENTSCAPE_XR_EMULATE__: flag })

  it.each([
    ['http://localhost:3000/w/a', undefined, null, 'no request: never for users'],
    ['http://localhost:3000/w/a?xr-emulate=metaQuest3', undefined, 'metaQuest3', 'URL parameter on localhost'],
    ['https://latentscape.example/w/a?xr-emulate=metaQuest3', undefined, null, 'URL parameter elsewhere: ignored'],
    ['https://latentscape.example/w/a', 'metaQuest2', 'metaQuest2', 'init-script flag'],
    ['http://localhost:3000/w/a?xr-emulate=hololens', undefined, null, 'unknown device'],
  ])('%s, flag %s → %s (%s)', (href, flag, expected, _) => {
    at(href, flag)
    expect(requestedXREmulator()).toBe(expected)
  })
})
