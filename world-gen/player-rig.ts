/**
 * The walking player as plain data and plain functions, so React and three stay thin adapters over it and it is tested
 * in Node: position on the floor plane, heading and pitch, eye height, and one `step` of movement with collisions
 * against the rooms around the player. Mutated in place every frame; never stored in React state.
 */
import { room, type RoomSpec } from './layout'
import { floorHeightAt, PLAYER_RADIUS_M, resolveCollisions, roomColliders, type RoomColliders } from './room-geometry'
import { roomAt, roomCenter } from './streaming'

/** Walking speed, metres per second. */
export const WALK_SPEED_MPS = 1.4
/** Running speed (Shift), metres per second. */
export const RUN_SPEED_MPS = 3.5
/** Eye height above the floor under the player, metres. */
export const EYE_HEIGHT_M = 1.6
/** Keyboard turning speed (arrow left/right), radians per second. */
export const TURN_SPEED_RAD_S = Math.PI / 2
/** Longest frame step simulated at once, seconds (a stalled tab does not teleport the player). */
const MAX_STEP_S = 0.1
/** Longest move resolved against colliders at once, metres (thinner than a wall plus the player radius). */
const MAX_SUBSTEP_M = 0.12
const MAX_PITCH_RAD = Math.PI / 2 - 0.05

/** What the player wants this frame: axes in [-1, 1], forward is +1, right is +1. */
export type PlayerInput = {
  forward: number
  strafe: number
  /** Keyboard turn axis (right is +1), scaled by TURN_SPEED_RAD_S. */
  turn: number
  run: boolean
}

const _pos: [number, number] = [0, 0]

/** The player: where it is, where it looks, and the colliders of the 3 × 3 rooms around it. */
export class PlayerRig {
  /** World position on the floor plane, metres. */
  x = 0
  z = 0
  /** Heading in radians: 0 faces north (−z), π/2 east (+x). */
  headingRad = 0
  /** Look up (+) / down (−), radians. */
  pitchRad = 0
  /** Camera height, metres (eases towards floor + EYE_HEIGHT_M). */
  eyeY = EYE_HEIGHT_M
  /** Speed of the last step, metres per second. */
  speedMps = 0
  /** Grid room the colliders were built around. */
  roomX = 0
  roomZ = 0
  private colliders: RoomColliders[] = []
  private spec: RoomSpec
  private readonly seed: string

  constructor(seed: string, roomX: number, roomZ: number, headingDeg: number) {
    this.seed = seed
    this.spec = room(seed, roomX, roomZ)
    this.teleport(roomX, roomZ, headingDeg)
  }

  /** Stand at the centre of room (x, z), facing `headingDeg` (kept when omitted), level gaze. */
  teleport(x: number, z: number, headingDeg?: number): void {
    const [cx, cz] = roomCenter(x, z)
    this.x = cx
    this.z = cz
    if (headingDeg !== undefined) this.headingRad = (headingDeg * Math.PI) / 180
    this.pitchRad = 0
    this.speedMps = 0
    this.refresh(true)
    this.eyeY = this.floorY() + EYE_HEIGHT_M
  }

  /** Colliders of the 3 × 3 rooms around the player (rebuilt by `refresh`); read-only for callers (VR teleport). */
  get blockColliders(): readonly RoomColliders[] {
    return this.colliders
  }

  /** Heading in degrees, [0, 360). */
  get headingDeg(): number {
    const d = (this.headingRad * 180) / Math.PI
    return ((d % 360) + 360) % 360
  }

  /** Turn by mouse/touch deltas, radians. */
  look(dHeadingRad: number, dPitchRad: number): void {
    this.headingRad += dHeadingRad
    this.pitchRad = Math.min(MAX_PITCH_RAD, Math.max(-MAX_PITCH_RAD, this.pitchRad + dPitchRad))
  }

  /**
   * Rebuild the colliders when the player's grid room changed (or `force`); returns whether it did. Allocates, so
   * callers run it on room changes, not every frame.
   */
  refresh(force = false): boolean {
    const [rx, rz] = roomAt([this.x, this.z])
    if (!force && rx === this.roomX && rz === this.roomZ) return false
    this.roomX = rx
    this.roomZ = rz
    this.spec = room(this.seed, rx, rz)
    // Corridors belong to one of the two rooms they join, so the whole 3 × 3 block is needed around the player.
    const colliders: RoomColliders[] = []
    for (let dz = -1; dz <= 1; dz++)
      for (let dx = -1; dx <= 1; dx++) colliders.push(roomColliders(room(this.seed, rx + dx, rz + dz)))
    this.colliders = colliders
    return true
  }

  /** Advance by `deltaS` seconds of `input`: turn, walk with collisions, ease the eye height. */
  step(deltaS: number, input: PlayerInput): void {
    const dt = Math.min(Math.max(deltaS, 0), MAX_STEP_S)
    this.headingRad += input.turn * TURN_SPEED_RAD_S * dt
    let f = input.forward
    let s = input.strafe
    const len = Math.hypot(f, s)
    if (len > 1) {
      f /= len
      s /= len
    }
    const speed = input.run ? RUN_SPEED_MPS : WALK_SPEED_MPS
    const sin = Math.sin(this.headingRad)
    const cos = Math.cos(this.headingRad)
    // Forward = (sin h, −cos h); right = (cos h, sin h).
    const mx = (f * sin + s * cos) * speed * dt
    const mz = (-f * cos + s * sin) * speed * dt
    const distM = Math.hypot(mx, mz)
    const x0 = this.x
    const z0 = this.z
    if (distM > 0) {
      const n = Math.ceil(distM / MAX_SUBSTEP_M)
      for (let i = 0; i < n; i++) {
        _pos[0] = this.x + mx / n
        _pos[1] = this.z + mz / n
        resolveCollisions(_pos, this.colliders, PLAYER_RADIUS_M, _pos)
        this.x = _pos[0]
        this.z = _pos[1]
      }
      // Crossing into a new room mid-step: the 3 × 3 block moves with the player.
      this.refresh()
    }
    this.speedMps = dt > 0 ? Math.hypot(this.x - x0, this.z - z0) / dt : 0
    const target = this.floorY() + EYE_HEIGHT_M
    this.eyeY += (target - this.eyeY) * Math.min(1, dt * 12)
  }

  /** Height of the floor under the player (the dais top when on it), metres. */
  floorY(): number {
    return floorHeightAt(this.spec, this.x - this.spec.centerM[0], this.z - this.spec.centerM[1])
  }
}
