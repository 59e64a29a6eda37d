import { describe, expect, it } from 'vitest'
import {
  easeVignette,
  SMOOTH_TURN_DEG_S,
  SNAP_TURN_DEG,
  stickAxes,
  STICK_DEAD_ZONE,
  TELEPORT_FADE_IN_S,
  TELEPORT_FADE_OUT_S,
  teleportFade,
  turnStep,
  VIGNETTE_MAX,
  vignetteTarget,
} from '../../../components/xr/xr-comfort'

const DEG = Math.PI / 180

describe('snap turn', () => {
  it('turns one 30° step per push, re-arming only after the stick returns towards the centre', () => {
    const state = { armed: true }
    const xs = [0, 0.5, 0.9, 1, 0.9, 0.4, 0.2, 0.8, 0, -0.7, -1, 0]
    const turns = xs.map((x) => Math.round(turnStep(x, 1 / 72, 'snap', state) / DEG))
    expect(turns.filter((t) => t !== 0)).toEqual([SNAP_TURN_DEG, SNAP_TURN_DEG, -SNAP_TURN_DEG])
    expect(SNAP_TURN_DEG).toBe(30)
    // Held hard right: exactly one turn, however long.
    const held = { armed: true }
    let total = 0
    for (let i = 0; i < 200; i++) total += turnStep(1, 1 / 72, 'snap', held)
    expect(total / DEG).toBeCloseTo(30)
  })

  it.each([
    [0.59, 0, 'under the fire threshold'],
    [0.6, SNAP_TURN_DEG, 'at the fire threshold'],
    [-0.6, -SNAP_TURN_DEG, 'left at the fire threshold'],
  ])('x = %d → %d° (%s)', (x, deg) => {
    expect(turnStep(x, 0.016, 'snap', { armed: true }) / DEG).toBeCloseTo(deg)
  })
})

describe('smooth turn', () => {
  it('turns at SMOOTH_TURN_DEG_S at full stick, scaled by delta, nothing inside the dead zone', () => {
    const state = { armed: true }
    expect(turnStep(1, 0.5, 'smooth', state) / DEG).toBeCloseTo(SMOOTH_TURN_DEG_S * 0.5)
    expect(turnStep(-1, 0.25, 'smooth', state) / DEG).toBeCloseTo(-SMOOTH_TURN_DEG_S * 0.25)
    expect(turnStep(STICK_DEAD_ZONE, 1, 'smooth', state)).toBe(0)
    // 60 Hz and 90 Hz reach the same heading over a second.
    let a = 0
    let b = 0
    for (let i = 0; i < 60; i++) a += turnStep(0.7, 1 / 60, 'smooth', state)
    for (let i = 0; i < 90; i++) b += turnStep(0.7, 1 / 90, 'smooth', state)
    expect(a).toBeCloseTo(b, 10)
  })
})

describe('stickAxes', () => {
  it.each([
    [0, 0, [0, 0], 'centre'],
    [0.1, -0.1, [0, 0], 'inside the dead zone'],
    [0, -1, [0, 1], 'full forward (gamepad y is negative forward)'],
    [1, 0, [1, 0], 'full right'],
    [0, 1, [0, -1], 'full back'],
  ] as const)('(%d, %d) → %j (%s)', (x, y, expected, _) => {
    const out = stickAxes(x, y, [9, 9])
    expect(out[0]).toBeCloseTo(expected[0])
    expect(out[1]).toBeCloseTo(expected[1])
  })

  it('rescales smoothly from the dead zone edge and never exceeds 1', () => {
    const just = stickAxes(0, -(STICK_DEAD_ZONE + 0.01), [0, 0])
    expect(just[1]).toBeGreaterThan(0)
    expect(just[1]).toBeLessThan(0.02)
    const diag = stickAxes(1, -1, [0, 0])
    expect(Math.hypot(diag[0], diag[1])).toBeCloseTo(1)
  })
})

describe('vignette strength', () => {
  it.each([
    [0, 0, true, 0, 'standing still'],
    [0.7, 0, true, VIGNETTE_MAX / 2, 'half walking speed'],
    [1.4, 0, true, VIGNETTE_MAX, 'walking speed'],
    [5, 0, true, VIGNETTE_MAX, 'faster than walking: capped'],
    [0, Math.PI / 4, true, VIGNETTE_MAX / 2, 'smooth turning at 45°/s'],
    [1.4, Math.PI, false, 0, 'disabled'],
  ])('speed %d m/s, turn %d rad/s, enabled %s → %d (%s)', (speed, turn, enabled, expected) => {
    expect(vignetteTarget(speed, turn, enabled)).toBeCloseTo(expected)
  })

  it('eases towards its target independent of frame rate and settles exactly', () => {
    let a = 0
    let b = 0
    for (let i = 0; i < 6; i++) a = easeVignette(a, 0.7, 1 / 60)
    for (let i = 0; i < 9; i++) b = easeVignette(b, 0.7, 1 / 90)
    expect(a).toBeCloseTo(b, 6)
    let c = 0.7
    for (let i = 0; i < 120; i++) c = easeVignette(c, 0, 1 / 60)
    expect(c).toBe(0)
  })
})

describe('teleport fade', () => {
  it('goes to black, then back, over the fade times', () => {
    expect(teleportFade(0)).toBe(0)
    expect(teleportFade(TELEPORT_FADE_OUT_S / 2)).toBeCloseTo(0.5)
    expect(teleportFade(TELEPORT_FADE_OUT_S)).toBeCloseTo(1)
    expect(teleportFade(TELEPORT_FADE_OUT_S + TELEPORT_FADE_IN_S / 2)).toBeCloseTo(0.5)
    expect(teleportFade(TELEPORT_FADE_OUT_S + TELEPORT_FADE_IN_S)).toBe(0)
  })
})
