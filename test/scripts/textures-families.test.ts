import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { familyLabel, room, roomSlotInput, textureRepeatM } from '../../world-gen'
import { loadGenerator, parseManifest, selectBackend } from '../../world-gen/gan'
import { readProvenance } from '../../world-gen/provenance'
import { familyModel, writeFamilyModel } from '../support/family-model'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(REPO, 'node_modules/.bin/tsx')
const dir = mkdtempSync(join(tmpdir(), 'latentscape-families-'))
/** The tiny family-conditioned fixture model and its layout, as the CLI's --model-dir and --layout read them. */
const fixtureDir = join(dir, 'models')
const fixture = writeFamilyModel(fixtureDir)
const FIXTURE = ['--model-dir', fixtureDir, '--layout', join(fixtureDir, 'latent-layout.json'), '--backend', 'cpu']
const COMMITTED = parseManifest(JSON.parse(readFileSync(join(REPO, 'public/models/surface/model.json'), 'utf8')))

/** The real CLI in its own process: exit code, stdout, stderr. */
const textures = (args: string[]) =>
  promisify(execFile)(TSX, ['scripts/textures.ts', ...args], { cwd: REPO, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
const printed = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('scripts/textures.ts: material families', () => {
  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
  })

  it('--list-families prints the model’s family names as one JSON array and exits 0', async () => {
    const fromFixture = await textures(['--list-families', '--model-dir', fixtureDir])
    expect(fromFixture.code).toBe(0)
    expect(JSON.parse(fromFixture.stdout)).toEqual(fixture.names)
    // The committed model: its own names, or an empty array for a model without families.
    const committed = await textures(['--list-families'])
    expect(committed.code).toBe(0)
    expect(JSON.parse(committed.stdout)).toEqual(COMMITTED.families?.names ?? [])
  })

  it("paints the room's own family (a blend near a border), names it in the JSON line and the PNG", async () => {
    // Room (-3, 0) of "demo" lies near a district border: its walls blend brick towards plaster.
    const spec = room('demo', -3, 0)
    expect(spec.families.walls.b).toBeDefined()
    const out = join(dir, 'walls.png')
    const { code, stdout } = await textures(
      ['--seed', 'demo', '--x', '-3', '--z', '0', '--slot', 'walls', '--size', '16', '--out', out].concat(FIXTURE),
    )
    expect(code).toBe(0)
    const line = printed(stdout)
    const label = familyLabel(spec.families.walls)
    expect(line).toMatchObject({ x: -3, z: 0, slot: 'walls', family: label, familyConditioning: spec.families.walls })
    expect(line.repeatM).toBe(textureRepeatM(16, spec.families.walls, fixture.pxPerMetre))
    const bytes = new Uint8Array(readFileSync(out))
    expect(readProvenance(bytes)).toMatchObject({ slot: 'walls', family: label, room: { x: -3, z: 0 } })

    // The same pixels as the generator given the world's field for that room (global ++ family vector ++ local).
    const gen = await loadGenerator({ manifest: fixture.manifest, weights: fixture.weights })
    const input = roomSlotInput('demo', -3, 0, 'walls', 8, 8, { families: gen.families, layout: fixture.layout })
    const expected = await gen.generate(input.field, 8, 8, input.noiseSeed)
    gen.dispose()
    expect(Array.from(PNG.sync.read(Buffer.from(bytes)).data)).toEqual(Array.from(expected))
  })

  it('--family <name> overrides the room’s family', async () => {
    const out = join(dir, 'snow.png')
    const { code, stdout } = await textures(
      ['--seed', 'demo', '--x', '-3', '--z', '0', '--slot', 'floor', '--size', '16', '--family', 'snow'].concat(
        ['--out', out],
        FIXTURE,
      ),
    )
    expect(code).toBe(0)
    expect(printed(stdout)).toMatchObject({ family: 'snow', familyConditioning: { a: 'snow' } })
    expect(readProvenance(new Uint8Array(readFileSync(out)))).toMatchObject({ slot: 'floor', family: 'snow' })
  })

  it.each([
    [
      'an unknown family',
      ['--slot', 'walls', '--family', 'granite'],
      /^textures: --family: unknown material family "granite" \(this model has: brick, /,
    ],
    ['a family for the sky', ['--slot', 'sky', '--family', 'brick'], /^textures: --family .*the sky takes none/],
  ])('refuses %s with one clear line (exit 2)', async (_, args, message) => {
    const { code, stderr } = await textures(
      ['--seed', 'demo', '--x', '0', '--z', '0', '--out', join(dir, 'x.png')].concat(
        args,
        args.includes('sky') ? [] : ['--size', '16'],
        FIXTURE,
      ),
    )
    expect(code).toBe(2)
    expect(stderr.split('\n').filter((l) => l.startsWith('textures:'))[0]).toMatch(message)
  })

  it('refuses a model that lacks a family the districts use (exit 1), naming it', async () => {
    const partialDir = join(dir, 'partial')
    writeFamilyModel(partialDir, familyModel({ names: ['brick', 'plaster', 'metal'] }))
    const { code, stderr } = await textures(
      ['--seed', 'demo', '--x', '0', '--z', '0', '--slot', 'walls', '--size', '16', '--out', join(dir, 'x.png')].concat(
        ['--model-dir', partialDir, '--layout', join(partialDir, 'latent-layout.json')],
      ),
    )
    expect(code).toBe(1)
    expect(stderr).toMatch(/has no material families "stone_blocks", .*which world-gen's district styles use/)
  })

  it('the committed surface model: --family works when it has families, and is refused (exit 2) when not', async () => {
    const { code, stdout, stderr } = await textures(
      ['--seed', 'demo', '--x', '-3', '--z', '0', '--slot', 'walls', '--size', '64', '--family', 'brick'].concat([
        '--backend',
        'cpu',
        '--out',
        join(dir, 'committed.png'),
      ]),
    )
    if (COMMITTED.families === undefined) {
      expect(code).toBe(2)
      expect(stderr).toMatch(/--family: public\/models\/surface\/model\.json has no material families/)
    } else {
      expect(code).toBe(0)
      expect(printed(stdout)).toMatchObject({ family: 'brick', repeatM: 64 / COMMITTED.families.pxPerMetre.brick! })
    }
  })
})
