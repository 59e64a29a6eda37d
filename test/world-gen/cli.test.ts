import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { room } from '../../world-gen'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(REPO, 'node_modules/.bin/tsx')
/** The real CLI in its own process, as `npm run --silent world -- …` runs it. */
const world = (args: string[]) =>
  promisify(execFile)(TSX, ['world-gen/cli.ts', ...args], { cwd: REPO, timeout: 60_000 }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

describe('world-gen/cli.ts', () => {
  it('takes negative coordinates as typed: room demo -80 -3', async () => {
    const { code, stdout } = await world(['room', 'demo', '-80', '-3'])
    expect(code).toBe(0)
    const printed = JSON.parse(stdout)
    expect(printed).toMatchObject({ x: -80, z: -3, roomSeed: room('demo', -80, -3).roomSeed })
    expect(printed.url).toBe('/w/demo?r=-80,-3&h=0')
  })

  it("shows the room's material families (one per slot, a blend near a district border)", async () => {
    const { code, stdout } = await world(['room', 'demo', '1', '2'])
    expect(code).toBe(0)
    const printed = JSON.parse(stdout)
    expect(printed.families).toEqual(room('demo', 1, 2).families)
    expect(Object.keys(printed.families)).toEqual(['floor', 'walls', 'trim'])
  })

  it('prints -0 as 0', async () => {
    const { code, stdout } = await world(['room', 'demo', '-0', '0'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ x: 0, url: '/w/demo?r=0,0&h=0' })
  })

  it.each([['--help'], ['-h'], ['help']])('%s prints the usage line on stdout and exits 0', async (arg) => {
    const { code, stdout, stderr } = await world([arg])
    expect(code).toBe(0)
    expect(stdout).toBe('usage: world room <seed> <x> <z> | world parse <url-or-path>\n')
    expect(stderr).toBe('')
  })

  it.each([
    [['room', 'demo', 'abc', '0'], 'x must be an integer within ±1000000, got "abc"'],
    [['room', 'demo', '-80', '-3.5'], 'z must be an integer within ±1000000, got "-3.5"'],
    [['room', 'demo', '-1000001', '0'], 'x must be an integer within ±1000000, got "-1000001"'],
    [['room', 'demo', '-80'], 'usage: world room <seed> <x> <z> | world parse <url-or-path>'],
  ])('refuses %j with one clear line on stderr (exit 1)', async (args, message) => {
    const { code, stdout, stderr } = await world(args)
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toBe(`${message}\n`)
  })
})
