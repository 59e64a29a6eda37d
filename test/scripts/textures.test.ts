import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { DIGITAL_SOURCE_TYPE_TRAINED, readPngText, readProvenance } from '../../world-gen/provenance'
import {
  atmosphereFromLatent,
  composeSky,
  localField,
  localSeed,
  noiseSeed,
  room,
  roomLatent,
  slotField,
} from '../../world-gen'
import { loadGenerator, selectBackend } from '../../world-gen/gan'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(REPO, 'node_modules/.bin/tsx')
const manifest = (name: string) => JSON.parse(readFileSync(join(REPO, `public/models/${name}/model.json`), 'utf8'))
const MODEL = manifest('surface').latentscape as { version: string; weightsSha256: string; licence?: string }
const SKY_MODEL = manifest('sky').latentscape as { version: string; weightsSha256: string }
const run = (args: string[]) =>
  promisify(execFile)(TSX, ['scripts/textures.ts', ...args], { cwd: REPO, timeout: 120_000 })
const dir = mkdtempSync(join(tmpdir(), 'latentscape-textures-'))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('scripts/textures.ts', () => {
  it.each([['--help'], ['-h'], ['--seed', 'demo', '--help']])(
    '%j prints the usage line on stdout, paints nothing and exits 0',
    async (...args) => {
      const { stdout, stderr } = await run(args)
      expect(stdout).toMatch(/^usage: textures --seed <s> --x <int> --z <int> --slot <floor\|walls\|trim\|sky> /)
      expect(stdout).toContain('textures --list-families')
      expect(stdout.trim().split('\n')).toHaveLength(1)
      expect(stderr).toBe('')
    },
  )

  it('writes a PNG whose provenance names the model, weights, seed, room, slot and world link', async () => {
    const out = join(dir, 'walls.png')
    const { stdout } = await promisify(execFile)(
      TSX,
      ['scripts/textures.ts', '--seed', 'Demo world', '--x', '2', '--z=-1', '--slot', 'walls', '--size', '64'].concat([
        '--backend',
        'wasm',
        '--out',
        out,
      ]),
      { cwd: REPO, timeout: 120_000 },
    )
    const printed = JSON.parse(stdout.trim().split('\n').pop()!)
    expect(printed).toMatchObject({ width: 64, height: 64, model: 'surface', url: '/w/Demo%20world?r=2,-1&h=0' })

    const bytes = new Uint8Array(readFileSync(out))
    const png = PNG.sync.read(Buffer.from(bytes))
    expect([png.width, png.height]).toEqual([64, 64])
    const read = readProvenance(bytes)
    expect(read).toMatchObject({
      model: 'surface',
      version: MODEL.version,
      weightsSha256: MODEL.weightsSha256,
      seed: 'Demo world',
      room: { x: 2, z: -1 },
      slot: 'walls',
      url: '/w/Demo%20world?r=2,-1&h=0',
      licence: MODEL.licence ?? 'CC-BY-SA-3.0',
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
    expect(readPngText(bytes)).toMatchObject({
      Software: 'Latentscape',
      Comment: 'AI-generated texture (trainedAlgorithmicMedia)',
    })
  })

  it('paints the sky as the whole upper-hemisphere panorama, 512×128, the same pixels the world generates', async () => {
    const out = join(dir, 'sky.png')
    const { stdout } = await run(['--seed', 'Demo world', '--x', '0', '--z', '0', '--slot', 'sky', '--out', out])
    const printed = JSON.parse(stdout.trim().split('\n').pop()!)
    expect(printed).toMatchObject({ width: 512, height: 128, model: 'sky', slot: 'sky', version: SKY_MODEL.version })

    const bytes = new Uint8Array(readFileSync(out))
    expect(readProvenance(bytes)).toMatchObject({
      model: 'sky',
      version: SKY_MODEL.version,
      weightsSha256: SKY_MODEL.weightsSha256,
      seed: 'Demo world',
      room: { x: 0, z: 0 },
      slot: 'sky',
      url: '/w/Demo%20world?r=0,0&h=0',
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
    const png = PNG.sync.read(Buffer.from(bytes))
    expect([png.width, png.height]).toEqual([512, 128])

    // The world's sky for that room: the 16×16-cell cloud layer (world-gen slotField) composed under the room's
    // atmosphere, as the worker does.
    await selectBackend({ order: ['wasm'], wasmPath: join(REPO, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/') })
    const gen = await loadGenerator({
      manifest: manifest('sky'),
      weights: new Uint8Array(readFileSync(join(REPO, 'public/models/sky/weights.bin'))),
    })
    const spec = room('Demo world', 0, 0)
    const field = slotField(
      'sky',
      roomLatent('Demo world', 0, 0, 'sky'),
      localField(localSeed('Demo world', spec.roomSeed, 'sky'), 'sky', 16, 16),
      16,
      16,
    )
    const tile = await gen.generate(field, 16, 16, noiseSeed(localSeed('Demo world', spec.roomSeed, 'sky'), 'sky'))
    const expected = composeSky(tile, 256, gen.cloudLayer!, atmosphereFromLatent(roomLatent('Demo world', 0, 0, 'sky')))
    gen.dispose()
    let maxDiff = 0
    let sum = 0
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(expected[i]! - png.data[i]!)
      maxDiff = Math.max(maxDiff, d)
      sum += d
    }
    // Two wasm runs can round a few tile bytes differently (multi-threaded summation order); composing spreads that
    // over a few panorama pixels: a few levels at most, a tiny mean.
    expect(maxDiff).toBeLessThanOrEqual(4)
    expect(sum / expected.length).toBeLessThan(0.05)
  })

  it('takes negative coordinates as typed (`--x -80 --z -3`), as half of all rooms have one', async () => {
    const out = join(dir, 'negative.png')
    const { stdout } = await run(
      ['--seed', 'demo', '--x', '-80', '--z', '-3', '--slot', 'floor', '--size', '16'].concat([
        '--backend',
        'cpu',
        '--out',
        out,
      ]),
    )
    const printed = JSON.parse(stdout.trim().split('\n').pop()!)
    expect(printed).toMatchObject({
      x: -80,
      z: -3,
      roomSeed: room('demo', -80, -3).roomSeed,
      url: '/w/demo?r=-80,-3&h=0',
    })
    expect(readProvenance(new Uint8Array(readFileSync(out)))).toMatchObject({ room: { x: -80, z: -3 } })
  })

  it.each([
    ['--x', 'abc', 'textures: --x must be an integer within ±1000000, got "abc"'],
    ['--z', '1.5', 'textures: --z must be an integer within ±1000000, got "1.5"'],
    ['--x', '-2000000', 'textures: --x must be an integer within ±1000000, got "-2000000"'],
    ['--x', '-abc', "textures: Option '--x' argument is ambiguous."],
  ])('refuses %s %s with a clear message (exit 2)', async (option, value, message) => {
    const args = [
      '--seed',
      'demo',
      '--x',
      '0',
      '--z',
      '0',
      '--slot',
      'floor',
      '--size',
      '16',
      '--out',
      join(dir, 'x.png'),
    ]
    args[args.indexOf(option) + 1] = value
    const err = await run(args).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    )
    expect(err?.code).toBe(2)
    expect(err?.stderr.split('\n')[0]).toContain(message)
  })

  it.each([
    ['a crop in longitude', '256x128'],
    ['a square', '256'],
    ['a larger panorama', '1024x256'],
  ])('refuses %s of the sky with a clear message (exit 2)', async (_, size) => {
    const err = await run([
      '--seed',
      'a',
      '--x',
      '0',
      '--z',
      '0',
      '--slot',
      'sky',
      '--size',
      size,
      '--out',
      join(dir, 'x.png'),
    ]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    )
    expect(err?.code).toBe(2)
    expect(err?.stderr).toMatch(
      /--slot sky paints the world's sky panorama of the whole upper hemisphere, so --size must be 512x128, got \d+x\d+/,
    )
  })
})
