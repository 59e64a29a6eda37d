import { describe, expect, it } from 'vitest'
import { PlayerRig } from '../../../world-gen/player-rig'
import { DEFAULT_COMFORT } from '../../../components/xr/xr-comfort'
import { XRMover } from '../../../components/xr/xr-mover'
import { createXRTelemetry } from '../../../components/xr/xr-telemetry'
import { PLAYER_RADIUS_M, room, type Side, type TeleportWorld } from '../../../world-gen'

const SEED = 'amber-fern-drift'
const HEADING: Record<Side, number> = { north: 0, east: 90, south: 180, west: 270 }
const DEG = Math.PI / 180

/** A scripted headset: head pose, controller ray pose and both gamepads, as a fake XRFrame. */
function fakeHeadset() {
  const yawQuat = (yaw: number, pitch = 0) => {
    // q = yaw about +y, then pitch about +x (three's 'YXZ').
    const cy = Math.cos(yaw / 2)
    const sy = Math.sin(yaw / 2)
    const cp = Math.cos(pitch / 2)
    const sp = Math.sin(pitch / 2)
    return { x: cy * sp, y: sy * cp, z: -sy * sp, w: cy * cp }
  }
  const pad = () => ({ axes: [0, 0, 0, 0], buttons: Array.from({ length: 7 }, () => ({ value: 0 })) })
  const h = {
    head: { position: { x: 0.3, y: 1.7, z: -0.2 }, orientation: yawQuat(20 * DEG) },
    ray: { position: { x: 0.5, y: 1.3, z: -0.5 }, orientation: yawQuat(20 * DEG, -35 * DEG) },
    left: pad(),
    right: pad(),
    setHeadYaw(yaw: number) {
      h.head.orientation = yawQuat(yaw)
    },
    setRay(yaw: number, pitch: number) {
      h.ray.orientation = yawQuat(yaw, pitch)
    },
  }
  const raySpace = {}
  const frame = {
    getViewerPose: () => ({ transform: h.head }),
    getPose: (space: unknown) => (space === raySpace ? { transform: h.ray } : null),
    session: {
      inputSources: [
        { handedness: 'left', gamepad: h.left, targetRaySpace: {} },
        { handedness: 'right', gamepad: h.right, targetRaySpace: raySpace },
      ],
    },
  } as unknown as XRFrame
  return { h, frame }
}

function setup(x = 0, z = 0, heading = 90) {
  const rig = new PlayerRig(SEED, x, z, heading)
  const world: TeleportWorld = {
    roomSpec: (rx, rz) => room(SEED, rx, rz),
    get colliders() {
      return rig.blockColliders
    },
  }
  const telemetry = createXRTelemetry()
  const mover = new XRMover(rig, world, telemetry)
  mover.sessionChanged({} as XRSession)
  const { h, frame } = fakeHeadset()
  const space = {} as XRReferenceSpace
  const buttons: string[] = []
  const step = (seconds: number, hz = 72) => {
    for (let t = 0; t < seconds - 1e-9; t += 1 / hz)
      mover.update(frame, space, 1 / hz, DEFAULT_COMFORT, (b) => buttons.push(b))
  }
  return { rig, mover, telemetry, h, step, buttons }
}

/** World position of the head under the mover's origin. */
function headWorld(mover: XRMover, h: ReturnType<typeof fakeHeadset>['h']): [number, number] {
  const { x, z, yaw } = mover.origin
  const c = Math.cos(yaw)
  const s = Math.sin(yaw)
  return [x + c * h.head.position.x + s * h.head.position.z, z - s * h.head.position.x + c * h.head.position.z]
}

describe('XRMover', () => {
  it('places the headset where the desktop player stood, facing the same heading, on the floor', () => {
    const { rig, mover, telemetry, h, step } = setup(1, -2, 135)
    const [x0, z0] = [rig.x, rig.z]
    step(1 / 72)
    expect(rig.x).toBeCloseTo(x0, 9)
    expect(rig.z).toBeCloseTo(z0, 9)
    expect(rig.headingDeg).toBeCloseTo(135, 6)
    expect(headWorld(mover, h)[0]).toBeCloseTo(x0, 9)
    expect(mover.origin.y).toBeCloseTo(rig.floorY(), 6)
    expect(rig.eyeY).toBeCloseTo(rig.floorY() + 1.7, 6)
    expect(telemetry.frames).toBe(1)
  })

  it('walks head-relative at 1.4 m/s with the left stick', () => {
    const { rig, step, h } = setup(0, 0, 90)
    step(1 / 72)
    const [x0, z0] = [rig.x, rig.z]
    h.left.axes[3] = -1
    step(0.5)
    // Heading 90 (east, +x): 0.7 m in half a second.
    expect(rig.x - x0).toBeCloseTo(0.7, 2)
    expect(Math.abs(rig.z - z0)).toBeLessThan(1e-6)
    // Turn the head 90° left (three yaw +): now walking north (−z).
    h.setHeadYaw(20 * DEG + Math.PI / 2)
    const [x1, z1] = [rig.x, rig.z]
    step(0.5)
    expect(z1 - rig.z).toBeCloseTo(0.7, 2)
    expect(Math.abs(rig.x - x1)).toBeLessThan(1e-6)
  })

  it('keeps the desktop collisions: walking into a wall without a door stops at the player radius', () => {
    let found: { x: number; z: number; side: Side } | null = null
    for (let x = 0; x < 6 && found === null; x++)
      for (let z = 0; z < 6 && found === null; z++) {
        const side = (['north', 'east', 'south', 'west'] as Side[]).find((s) => !room(SEED, x, z).doors[s])
        if (side !== undefined) found = { x, z, side }
      }
    const { x, z, side } = found!
    const spec = room(SEED, x, z)
    const { rig, step, h } = setup(x, z, HEADING[side])
    step(1 / 72)
    h.left.axes[3] = -1
    step(12, 30)
    const half = (side === 'north' || side === 'south' ? spec.size.depth : spec.size.width) / 2
    const off =
      side === 'north' || side === 'south' ? Math.abs(rig.z - spec.centerM[1]) : Math.abs(rig.x - spec.centerM[0])
    expect(off).toBeLessThanOrEqual(half - PLAYER_RADIUS_M + 1e-3)
    expect(off).toBeGreaterThan(half - PLAYER_RADIUS_M - 0.05)
  })

  it('snap-turns 30° per push about the head (the head does not move)', () => {
    const { rig, mover, h, step } = setup(0, 0, 0)
    step(1 / 72)
    const head = headWorld(mover, h)
    h.right.axes[2] = 1
    step(0.5)
    expect(rig.headingDeg).toBeCloseTo(30, 6)
    const after = headWorld(mover, h)
    expect(after[0]).toBeCloseTo(head[0], 9)
    expect(after[1]).toBeCloseTo(head[1], 9)
    h.right.axes[2] = 0
    step(0.1)
    h.right.axes[2] = -1
    step(0.1)
    expect(rig.headingDeg).toBeCloseTo(0, 6)
  })

  it('teleports on releasing the aimed stick, at the dark point of the fade, and reports it', () => {
    const { rig, mover, telemetry, h, step } = setup(0, 0, 0)
    step(1 / 72)
    const [x0, z0] = [rig.x, rig.z]
    h.setRay(20 * DEG, -30 * DEG)
    h.right.axes[3] = -1
    step(0.1)
    expect(mover.aiming).toBe(true)
    expect(mover.arc.valid).toBe(true)
    const landing = [...mover.arc.landing]
    h.right.axes[3] = 0
    step(1 / 72)
    expect(telemetry.teleports).toBe(0)
    expect(mover.fade).toBeGreaterThan(0)
    step(0.5)
    expect(telemetry.teleports).toBe(1)
    expect(mover.fade).toBe(0)
    expect(rig.x).toBeCloseTo(landing[0], 6)
    expect(rig.z).toBeCloseTo(landing[2], 6)
    expect(Math.hypot(rig.x - x0, rig.z - z0)).toBeGreaterThan(0.5)
  })

  it('reports panel buttons once per press', () => {
    const { h, step, buttons } = setup()
    h.right.buttons[4].value = 1
    h.left.buttons[4].value = 1
    step(0.2)
    h.right.buttons[4].value = 0
    step(0.1)
    h.right.buttons[4].value = 1
    step(0.1)
    expect(buttons).toEqual(['a', 'x', 'a'])
  })
})
