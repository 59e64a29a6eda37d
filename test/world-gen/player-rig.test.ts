import { describe, expect, it } from 'vitest'
import { PlayerRig, RUN_SPEED_MPS, WALK_SPEED_MPS } from '../../world-gen/player-rig'
import { room, ROOM_PITCH_M, type Side } from '../../world-gen'

const SEED = 'amber-fern-drift'
const HEADING: Record<Side, number> = { north: 0, east: 90, south: 180, west: 270 }
const idle = { forward: 0, strafe: 0, turn: 0, run: false }

/** Step the rig at 60 Hz for `seconds` with `input`. */
function hold(rig: PlayerRig, seconds: number, input = { ...idle, forward: 1 }): void {
  for (let t = 0; t < seconds; t += 1 / 60) rig.step(1 / 60, input)
}

describe('PlayerRig', () => {
  it('spawns at the room centre facing the URL heading, at eye height', () => {
    const rig = new PlayerRig(SEED, 2, -1, 90)
    expect([rig.x, rig.z]).toEqual([2 * ROOM_PITCH_M, -ROOM_PITCH_M])
    expect(rig.headingDeg).toBeCloseTo(90)
    expect(rig.eyeY).toBeCloseTo(1.6 + rig.floorY())
  })

  it.each([
    [false, WALK_SPEED_MPS, 'walking'],
    [true, RUN_SPEED_MPS, 'running'],
  ])('moves at the set speed, scaled by delta (run=%s → %d m/s, %s)', (run, speed) => {
    const rig = new PlayerRig(SEED, 0, 0, 0)
    const z0 = rig.z
    rig.step(0.05, { ...idle, forward: 1, run })
    expect(z0 - rig.z).toBeCloseTo(speed * 0.05, 5)
    expect(rig.speedMps).toBeCloseTo(speed, 5)
  })

  it('is stopped by a wall without a door', () => {
    const spec = room(SEED, 0, 0)
    const wall = (['north', 'east', 'south', 'west'] as const).find((s) => !spec.doors[s])
    expect(wall, 'room 0,0 has a wall without a door').toBeDefined()
    const rig = new PlayerRig(SEED, 0, 0, HEADING[wall!])
    hold(rig, 12, { ...idle, forward: 1, run: true })
    expect([rig.roomX, rig.roomZ]).toEqual([0, 0])
    const half = (wall === 'north' || wall === 'south' ? spec.size.depth : spec.size.width) / 2
    const along = wall === 'north' || wall === 'south' ? Math.abs(rig.z) : Math.abs(rig.x)
    expect(along).toBeLessThanOrEqual(half - 0.29)
  })

  it('passes through a doorway into the neighbouring room', () => {
    const spec = room(SEED, 0, 0)
    const door = spec.openings[0]
    const rig = new PlayerRig(SEED, 0, 0, 0)
    // Stand on the door's axis first (the test walks straight through it).
    if (door.side === 'north' || door.side === 'south') rig.x = door.offsetM
    else rig.z = door.offsetM
    rig.headingRad = (HEADING[door.side] * Math.PI) / 180
    hold(rig, ROOM_PITCH_M / RUN_SPEED_MPS, { ...idle, forward: 1, run: true })
    const step = { north: [0, -1], east: [1, 0], south: [0, 1], west: [-1, 0] }[door.side]
    expect([rig.roomX, rig.roomZ]).toEqual(step)
  })

  it('turns with the keyboard axis and clamps pitch', () => {
    const rig = new PlayerRig(SEED, 0, 0, 0)
    rig.step(0.1, { ...idle, turn: 1 })
    expect(rig.headingDeg).toBeCloseTo(9)
    rig.look(0, 10)
    expect(rig.pitchRad).toBeLessThan(Math.PI / 2)
  })
})
