/**
 * VR comfort and thumbstick math as plain functions (tested in Node): dead zones, snap/smooth turning, and the strength
 * of the comfort vignette. Headings follow the rig's convention: radians, clockwise from north (right turn is +).
 */

/** Snap turn step, degrees. */
export const SNAP_TURN_DEG = 30
/** Smooth turn speed at full stick, degrees per second. */
export const SMOOTH_TURN_DEG_S = 90
/** Thumbstick travel ignored as noise/drift (radial, 0–1). */
export const STICK_DEAD_ZONE = 0.15
/** Stick x beyond which a snap turn fires. */
export const SNAP_FIRE = 0.6
/** Stick x under which the snap turn re-arms (hysteresis, so one push gives one turn). */
export const SNAP_REARM = 0.3
/** Strongest vignette (fraction of the view's edge darkened). */
export const VIGNETTE_MAX = 0.7
/** Speed at which the vignette reaches full strength, metres per second. */
export const VIGNETTE_FULL_SPEED_MPS = 1.4
/** Turn rate at which the vignette reaches full strength, radians per second. */
export const VIGNETTE_FULL_TURN_RAD_S = Math.PI / 2
/** How fast the vignette follows its target, 1/seconds (about 0.1 s to close in). */
const VIGNETTE_RATE_S = 10

/** How the right thumbstick turns. */
export type TurnMode = 'snap' | 'smooth'

/** The player's comfort settings (shown and toggled on the in-VR panel). */
export type ComfortSettings = {
  /** @default 'snap' */
  turn: TurnMode
  /** Darken the edges of the view while moving smoothly. @default true */
  vignette: boolean
}

/** Default comfort settings: snap turn, vignette on. */
export const DEFAULT_COMFORT: Readonly<ComfortSettings> = { turn: 'snap', vignette: true }

/** Snap turn state between frames: whether the stick returned to centre since the last turn. */
export type SnapTurnState = { armed: boolean }

/**
 * Apply a radial dead zone to stick axes (x right, y down as the Gamepad API reports) and rescale the rest to
 * [0, 1], writing `[strafe, forward]` (forward is +1 when pushed away) into `out`.
 */
export function stickAxes(axisX: number, axisY: number, out: [number, number]): [number, number] {
  const len = Math.hypot(axisX, axisY)
  if (len <= STICK_DEAD_ZONE) {
    out[0] = 0
    out[1] = 0
    return out
  }
  const scale = Math.min(1, (len - STICK_DEAD_ZONE) / (1 - STICK_DEAD_ZONE)) / len
  out[0] = axisX * scale
  out[1] = -axisY * scale
  return out
}

/**
 * Heading change this frame from the turn stick's x axis, radians (right is +). Snap: one SNAP_TURN_DEG step per
 * push past SNAP_FIRE, re-armed under SNAP_REARM. Smooth: SMOOTH_TURN_DEG_S scaled by the axis beyond the dead zone.
 */
export function turnStep(axisX: number, deltaS: number, mode: TurnMode, state: SnapTurnState): number {
  if (mode === 'smooth') {
    state.armed = true
    const mag = Math.abs(axisX)
    if (mag <= STICK_DEAD_ZONE) return 0
    const k = Math.min(1, (mag - STICK_DEAD_ZONE) / (1 - STICK_DEAD_ZONE))
    return Math.sign(axisX) * k * ((SMOOTH_TURN_DEG_S * Math.PI) / 180) * Math.max(0, deltaS)
  }
  const mag = Math.abs(axisX)
  if (mag < SNAP_REARM) {
    state.armed = true
    return 0
  }
  if (!state.armed || mag < SNAP_FIRE) return 0
  state.armed = false
  return (Math.sign(axisX) * SNAP_TURN_DEG * Math.PI) / 180
}

/**
 * The vignette's target strength in [0, VIGNETTE_MAX] for smooth movement at `speedMps` and smooth turning at
 * `turnRadS` (the larger of the two wins); 0 when disabled. Snap turns and teleports have their own fade instead.
 */
export function vignetteTarget(speedMps: number, turnRadS: number, enabled: boolean): number {
  if (!enabled) return 0
  const move = Math.min(1, Math.abs(speedMps) / VIGNETTE_FULL_SPEED_MPS)
  const turn = Math.min(1, Math.abs(turnRadS) / VIGNETTE_FULL_TURN_RAD_S)
  return VIGNETTE_MAX * Math.max(move, turn)
}

/** Ease the vignette from `current` towards `target` over `deltaS` seconds (frame-rate independent). */
export function easeVignette(current: number, target: number, deltaS: number): number {
  const k = 1 - Math.exp(-VIGNETTE_RATE_S * Math.max(0, deltaS))
  const next = current + (target - current) * k
  return Math.abs(next - target) < 1e-3 ? target : next
}

/** Teleport fade: seconds to black, then seconds back. */
export const TELEPORT_FADE_OUT_S = 0.12
export const TELEPORT_FADE_IN_S = 0.18

/**
 * Opacity of the teleport fade `elapsedS` after it started, in [0, 1]: up to black over TELEPORT_FADE_OUT_S, then
 * back over TELEPORT_FADE_IN_S. The move itself happens at the black point (`elapsedS ≥ TELEPORT_FADE_OUT_S`).
 */
export function teleportFade(elapsedS: number): number {
  if (elapsedS <= 0) return 0
  if (elapsedS < TELEPORT_FADE_OUT_S) return elapsedS / TELEPORT_FADE_OUT_S
  return Math.max(0, 1 - (elapsedS - TELEPORT_FADE_OUT_S) / TELEPORT_FADE_IN_S)
}
