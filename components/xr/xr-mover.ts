/**
 * VR locomotion over the desktop player rig, as a plain class (so it is tested in Node; the R3F component in
 * components/canvas/xr-locomotion.tsx only feeds it XR frames and applies its output to three objects).
 *
 * The XR origin (where the local-floor reference space's origin sits in the world, and its yaw) is placed so that
 * the headset starts where the desktop player stood, facing the same way. Each frame the rig follows the head
 * (room-scale steps included); the left stick walks with the rig's speed and collisions in the direction the head
 * faces; the right stick snap- or smooth-turns about the head; pushing it forward (or holding the trigger) aims a
 * parabolic teleport arc that jumps on release, at the dark point of a short fade. Streaming, the store and the URL
 * read the rig, so they see VR movement exactly as desktop walking, and exiting VR leaves the player there.
 */
import { createTeleportArc, traceTeleportArc, type TeleportArc, type TeleportWorld, type Vec3 } from '../../world-gen'
import type { PlayerInput, PlayerRig } from '../../world-gen/player-rig'
import {
  easeVignette,
  stickAxes,
  TELEPORT_FADE_OUT_S,
  teleportFade,
  turnStep,
  vignetteTarget,
  type ComfortSettings,
  type SnapTurnState,
} from './xr-comfort'
import type { XRTelemetry } from './xr-telemetry'

/** Right stick pushed this far forward (Gamepad y is negative forward) aims a teleport; releasing it jumps. */
export const AIM_STICK_Y = -0.6
/** Trigger value that aims a teleport while held. */
export const AIM_TRIGGER = 0.5
/** How fast the origin's height follows the floor (dais steps), 1/seconds. */
const FLOOR_EASE_RATE_S = 12
/** Longest frame step simulated at once, seconds. */
const MAX_STEP_S = 0.1

// xr-standard gamepad mapping (WebXR Gamepads Module): buttons and the thumbstick's axes.
const BUTTON_TRIGGER = 0
const BUTTON_A_X = 4
const BUTTON_B_Y = 5
const AXIS_STICK_X = 2
const AXIS_STICK_Y = 3

/** A panel button pressed this frame: A and B on the right controller, X on the left. */
export type XRButton = 'a' | 'b' | 'x'

/** The origin transform: the reference space's floor origin in world metres, and its yaw (three.js, CCW). */
export type XROriginPose = { x: number; y: number; z: number; yaw: number }

type Pads = { left: Gamepad | null; right: Gamepad | null; rightRay: XRSpace | null }

const _pads: Pads = { left: null, right: null, rightRay: null }
const _stick: [number, number] = [0, 0]
const _input: PlayerInput = { forward: 0, strafe: 0, turn: 0, run: false }
const _aimOrigin: Vec3 = [0, 0, 0]
const _aimDir: Vec3 = [0, 0, 0]
const _player: [number, number] = [0, 0]
const _head: [number, number] = [0, 0]
const _tmp: [number, number] = [0, 0]

function readPads(session: XRSession, out: Pads): Pads {
  out.left = null
  out.right = null
  out.rightRay = null
  for (const source of session.inputSources) {
    if (source.gamepad === undefined || source.gamepad === null || source.hand) continue
    if (source.handedness === 'left') out.left = source.gamepad
    else if (source.handedness === 'right') {
      out.right = source.gamepad
      out.rightRay = source.targetRaySpace
    }
  }
  return out
}

const axis = (pad: Gamepad | null, i: number): number => pad?.axes[i] ?? 0
const pressed = (pad: Gamepad | null, i: number, threshold = 0.5): boolean => (pad?.buttons[i]?.value ?? 0) > threshold

/** Yaw about +y of the −z axis turned by quaternion q, three.js convention (counter-clockwise from −z). */
export function yawOf(q: { x: number; y: number; z: number; w: number }): number {
  const fx = -2 * (q.x * q.z + q.w * q.y)
  const fz = -(1 - 2 * (q.x * q.x + q.y * q.y))
  return Math.atan2(-fx, -fz)
}

/** A tracking-space x/z offset turned by `yaw` (three.js, about +y), written into `out`. */
function rotateXZ(yaw: number, lx: number, lz: number, out: [number, number]): [number, number] {
  const c = Math.cos(yaw)
  const s = Math.sin(yaw)
  out[0] = c * lx + s * lz
  out[1] = -s * lx + c * lz
  return out
}

/** World x/z of a tracking-space point under origin `o`, written into `out`. */
function toWorldXZ(o: XROriginPose, lx: number, lz: number, out: [number, number]): [number, number] {
  rotateXZ(o.yaw, lx, lz, out)
  out[0] += o.x
  out[1] += o.z
  return out
}

/** Moves the rig from XR frames; see the module comment. One per world view, reused across sessions. */
export class XRMover {
  /** Where the XR origin goes this frame (apply to the `<XROrigin>` group). */
  readonly origin: XROriginPose = { x: 0, y: 0, z: 0, yaw: 0 }
  /** The teleport arc as last traced (world metres); shown while `aiming`. */
  readonly arc: TeleportArc = createTeleportArc()
  /** Whether the player is aiming a teleport this frame. */
  aiming = false
  /** Comfort vignette strength, 0–VIGNETTE_MAX. */
  vignette = 0
  /** Teleport fade to black, 0–1. */
  fade = 0
  private aligned = false
  private readonly lastRig = { x: 0, z: 0, headingRad: 0 }
  private readonly snap: SnapTurnState = { armed: true }
  private fadeS = -1
  private moved = false
  private readonly target: Vec3 = [0, 0, 0]
  private readonly down = { a: false, b: false, x: false }

  constructor(
    private readonly rig: PlayerRig,
    private readonly world: TeleportWorld,
    private readonly telemetry: XRTelemetry,
  ) {}

  /** A session started (or ended, `undefined`): the next frame re-places the origin under the desktop player. */
  sessionChanged(session: XRSession | undefined): void {
    this.aligned = false
    this.fadeS = -1
    this.fade = 0
    this.vignette = 0
    this.aiming = false
    this.telemetry.presenting = session !== undefined
    this.telemetry.frameRateHz = session?.frameRate ?? null
  }

  /** The session's refresh rate changed (the store asks for 90/72 Hz after the session starts). */
  frameRateChanged(hz: number | undefined): void {
    this.telemetry.frameRateHz = hz ?? null
  }

  /**
   * Advance by one XR frame: read the headset and controllers in `space` (local-floor), move the rig, and update
   * `origin`, `arc`, `aiming`, `vignette` and `fade`. Calls `onButton` for panel buttons pressed this frame.
   * Returns false when the frame had no viewer pose (nothing changed).
   */
  update(
    frame: XRFrame,
    space: XRReferenceSpace,
    deltaS: number,
    comfort: ComfortSettings,
    onButton: (button: XRButton) => void,
  ): boolean {
    const pose = frame.getViewerPose(space)
    if (pose === undefined || pose === null) return false
    const { rig, origin: o, telemetry } = this
    telemetry.frames++
    const dt = Math.min(Math.max(deltaS, 0), MAX_STEP_S)
    const local = pose.transform.position
    const localYaw = yawOf(pose.transform.orientation)
    const pads = readPads(frame.session, _pads)

    if (!this.aligned) {
      // Desktop heading h is clockwise, three's yaw counter-clockwise: world yaw −h = origin yaw + head yaw.
      o.yaw = -rig.headingRad - localYaw
      rotateXZ(o.yaw, local.x, local.z, _tmp)
      o.x = rig.x - _tmp[0]
      o.z = rig.z - _tmp[1]
      o.y = rig.floorY()
      this.aligned = true
    } else {
      // Moved or turned from outside since the last frame (`window.latentscape.goTo` / `setHeading`): carry the
      // origin along so the head lands there, as it would on desktop.
      const last = this.lastRig
      if (rig.x !== last.x || rig.z !== last.z) {
        o.x += rig.x - last.x
        o.z += rig.z - last.z
        o.y = rig.floorY()
      }
      if (rig.headingRad !== last.headingRad) {
        toWorldXZ(o, local.x, local.z, _head)
        o.yaw -= rig.headingRad - last.headingRad
        rotateXZ(o.yaw, local.x, local.z, _tmp)
        o.x = _head[0] - _tmp[0]
        o.z = _head[1] - _tmp[1]
      }
    }

    // The rig follows the head, then moves on from there.
    toWorldXZ(o, local.x, local.z, _head)
    rig.x = _head[0]
    rig.z = _head[1]
    rig.refresh()
    rig.headingRad = -(o.yaw + localYaw)
    rig.pitchRad = 0

    this.aim(frame, space, pads)

    // Turning (not while aiming: the same stick aims), about the head so the view does not swing.
    const turnRad = this.aiming ? 0 : turnStep(axis(pads.right, AXIS_STICK_X), dt, comfort.turn, this.snap)
    if (turnRad !== 0) {
      o.yaw -= turnRad
      rig.headingRad += turnRad
      rotateXZ(o.yaw, local.x, local.z, _tmp)
      o.x = _head[0] - _tmp[0]
      o.z = _head[1] - _tmp[1]
    }

    // Smooth locomotion with the desktop rig's speed and collisions, in the direction the head faces.
    stickAxes(axis(pads.left, AXIS_STICK_X), axis(pads.left, AXIS_STICK_Y), _stick)
    _input.strafe = _stick[0]
    _input.forward = _stick[1]
    rig.step(dt, _input)
    o.x += rig.x - _head[0]
    o.z += rig.z - _head[1]

    this.advanceFade(dt)
    o.y += (rig.floorY() - o.y) * Math.min(1, dt * FLOOR_EASE_RATE_S)
    rig.eyeY = o.y + local.y

    const smoothTurnRadS = comfort.turn === 'smooth' && dt > 0 ? turnRad / dt : 0
    this.vignette = easeVignette(this.vignette, vignetteTarget(rig.speedMps, smoothTurnRadS, comfort.vignette), dt)

    this.buttons(pads, onButton)
    this.lastRig.x = rig.x
    this.lastRig.z = rig.z
    this.lastRig.headingRad = rig.headingRad
    return true
  }

  // Trace the arc while aiming; on release over a valid landing, start the fade that carries the teleport.
  private aim(frame: XRFrame, space: XRReferenceSpace, pads: Pads): void {
    const wasAiming = this.aiming
    const o = this.origin
    this.aiming =
      pads.right !== null &&
      pads.rightRay !== null &&
      (axis(pads.right, AXIS_STICK_Y) < AIM_STICK_Y || pressed(pads.right, BUTTON_TRIGGER, AIM_TRIGGER))
    if (!this.aiming) {
      if (wasAiming && this.arc.valid && this.fadeS < 0) {
        this.target[0] = this.arc.landing[0]
        this.target[1] = this.arc.landing[1]
        this.target[2] = this.arc.landing[2]
        this.fadeS = 0
        this.moved = false
      }
      return
    }
    const rayPose = frame.getPose(pads.rightRay!, space)
    if (rayPose === undefined || rayPose === null) return
    const p = rayPose.transform.position
    const q = rayPose.transform.orientation
    toWorldXZ(o, p.x, p.z, _tmp)
    _aimOrigin[0] = _tmp[0]
    _aimOrigin[1] = o.y + p.y
    _aimOrigin[2] = _tmp[1]
    // Ray direction = q · (0, 0, −1), then turned by the origin's yaw.
    const dx = -2 * (q.x * q.z + q.w * q.y)
    const dy = -2 * (q.y * q.z - q.w * q.x)
    const dz = -(1 - 2 * (q.x * q.x + q.y * q.y))
    rotateXZ(o.yaw, dx, dz, _tmp)
    _aimDir[0] = _tmp[0]
    _aimDir[1] = dy
    _aimDir[2] = _tmp[1]
    _player[0] = this.rig.x
    _player[1] = this.rig.z
    traceTeleportArc(_aimOrigin, _aimDir, _player, this.world, this.arc)
  }

  // The teleport happens at the darkest point of the fade.
  private advanceFade(dt: number): void {
    if (this.fadeS < 0) {
      this.fade = 0
      return
    }
    const { rig, origin: o } = this
    this.fadeS += dt
    if (!this.moved && this.fadeS >= TELEPORT_FADE_OUT_S) {
      o.x += this.target[0] - rig.x
      o.z += this.target[2] - rig.z
      o.y = this.target[1]
      rig.x = this.target[0]
      rig.z = this.target[2]
      rig.refresh()
      rig.speedMps = 0
      this.moved = true
      this.telemetry.teleports++
    }
    this.fade = teleportFade(this.fadeS)
    if (this.moved && this.fade === 0) this.fadeS = -1
  }

  private buttons(pads: Pads, onButton: (button: XRButton) => void): void {
    const d = this.down
    const a = pressed(pads.right, BUTTON_A_X)
    const b = pressed(pads.right, BUTTON_B_Y)
    const x = pressed(pads.left, BUTTON_A_X)
    if (a && !d.a) onButton('a')
    if (b && !d.b) onButton('b')
    if (x && !d.x) onButton('x')
    d.a = a
    d.b = b
    d.x = x
  }
}
