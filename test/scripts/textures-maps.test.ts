import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  baseRoughness,
  DISTRICT_FAMILIES,
  familyLabel,
  packSurfaceRelief,
  reliefCalibration,
  roomSlotInput,
  surfaceMapRgba,
} from '../../world-gen'
import { loadGenerator, selectBackend } from '../../world-gen/gan'
import { DIGITAL_SOURCE_TYPE_TRAINED, readProvenance } from '../../world-gen/provenance'
import { familyModel, writeFamilyModel } from '../support/family-model'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(REPO, 'node_modules/.bin/tsx')
const dir = mkdtempSync(join(tmpdir(), 'latentscape-maps-'))
/** The tiny fixture models as the CLI's --model-dir and --layout read them: one with relief, one colour-only. */
const reliefDir = join(dir, 'relief')
// Calibrated like shipped weights: every family's painted height scaled and its pixel-scale grain partly taken away.
const relief = writeFamilyModel(
  reliefDir,
  familyModel({
    reliefPxPerUnit: 6,
    reliefFamilyGain: Object.fromEntries(DISTRICT_FAMILIES.map((f, i) => [f, 0.5 + 0.1 * i])),
    reliefFamilyDetail: Object.fromEntries(DISTRICT_FAMILIES.map((f) => [f, 0.3])),
  }),
)
const plainDir = join(dir, 'plain')
writeFamilyModel(plainDir)
const fixture = (modelDir: string) => ['--model-dir', modelDir, '--layout', join(modelDir, 'latent-layout.json')]
const ROOM = ['--seed', 'demo', '--x', '-3', '--z', '0', '--slot', 'walls', '--size', '16', '--backend', 'cpu']

/** The real CLI in its own process: exit code, stdout, stderr. */
const textures = (args: string[]) =>
  promisify(execFile)(TSX, ['scripts/textures.ts', ...args], { cwd: REPO, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
const printed = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!)
const firstError = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('textures:'))[0]

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('scripts/textures.ts --maps', () => {
  beforeAll(async () => {
    await selectBackend({ order: ['cpu'] })
  })

  it('writes colour, height, normal and roughness of a relief model as <out>-<map>.png, each with the provenance', async () => {
    const out = join(dir, 'walls.png')
    const { code, stdout } = await textures(
      [...ROOM, '--out', out, '--maps', 'color,height,normal,roughness'].concat(fixture(reliefDir)),
    )
    expect(code).toBe(0)
    const line = printed(stdout)
    const maps = { color: '', height: '', normal: '', roughness: '' }
    for (const map of Object.keys(maps) as (keyof typeof maps)[]) maps[map] = join(dir, `walls-${map}.png`)
    expect(line).toMatchObject({ width: 16, height: 16, slot: 'walls', reliefPxPerUnit: 6, maps })
    expect(existsSync(out)).toBe(false)

    // The pixels the world derives from the generator's colour and height for that room (as the worker does).
    const gen = await loadGenerator({ manifest: relief.manifest, weights: relief.weights })
    const input = roomSlotInput('demo', -3, 0, 'walls', 8, 8, { families: gen.families, layout: relief.layout })
    const { rgba, height } = await gen.generateMaps(input.field, 8, 8, input.noiseSeed)
    const calibration = reliefCalibration(gen.relief!, input.family)
    gen.dispose()
    expect(calibration.detail).toBeCloseTo(0.3, 12) // the room's family (or blend) is calibrated, and the line says how
    expect(line.reliefCalibration).toEqual(calibration)
    const reliefMaps = packSurfaceRelief(rgba, height!, 16, 16, 6, baseRoughness('walls', input.family), calibration)
    for (const [map, path] of Object.entries(maps) as [keyof typeof maps, string][]) {
      const bytes = new Uint8Array(readFileSync(path))
      const png = PNG.sync.read(Buffer.from(bytes))
      expect(Array.from(png.data), map).toEqual(Array.from(surfaceMapRgba(map, rgba, 16, 16, reliefMaps)))
      expect(readProvenance(bytes), map).toMatchObject({
        model: 'surface',
        version: 'surface-v2-fixture00000',
        seed: 'demo',
        room: { x: -3, z: 0 },
        slot: 'walls',
        family: familyLabel(input.family!),
        licence: 'CC-BY-SA-4.0',
        map,
        url: '/w/demo?r=-3,0&h=0',
        digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
      })
    }
    // Relief, not a flat fill: the normal map leans, the roughness varies.
    const normal = PNG.sync.read(readFileSync(maps.normal)).data
    expect(new Set(normal.filter((_, i) => i % 4 === 0)).size).toBeGreaterThan(3)
  })

  it('without --maps a relief model writes its colour to --out (alpha 255, the packed roughness dropped)', async () => {
    const out = join(dir, 'colour.png')
    const { code } = await textures([...ROOM, '--out', out].concat(fixture(reliefDir)))
    expect(code).toBe(0)
    const bytes = new Uint8Array(readFileSync(out))
    expect(PNG.sync.read(Buffer.from(bytes)).data.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true)
    expect(readProvenance(bytes).map).toBe('color')
  })

  it('a colour-only model writes --maps color, and names no map', async () => {
    const out = join(dir, 'plain.png')
    const { code, stdout } = await textures([...ROOM, '--out', out, '--maps', 'color'].concat(fixture(plainDir)))
    expect(code).toBe(0)
    expect(printed(stdout)).toMatchObject({ reliefPxPerUnit: null, maps: { color: join(dir, 'plain-color.png') } })
    expect(readProvenance(new Uint8Array(readFileSync(join(dir, 'plain-color.png')))).map).toBeUndefined()
  })

  it.each([
    [
      'an unknown map',
      ['--maps', 'color,albedo'],
      reliefDir,
      /^textures: --maps: unknown map "albedo" \(maps: color, height, normal, roughness\)$/,
    ],
    ['a map named twice', ['--maps', 'normal,normal'], reliefDir, /^textures: --maps: map "normal" is named twice$/],
    ['an empty list', ['--maps', ''], reliefDir, /^textures: --maps: no map named/],
    [
      'height of a colour-only model',
      ['--maps', 'color,height'],
      plainDir,
      /^textures: --maps height: .*plain\/surface\/model\.json paints no relief \(3 output channels: colour only\), so it has no height, normal or roughness map; ask for --maps color$/,
    ],
    [
      'normal and roughness of a colour-only model',
      ['--maps', 'normal,roughness'],
      plainDir,
      /^textures: --maps normal,roughness: .* paints no relief/,
    ],
  ])('refuses %s with one clear line (exit 2)', async (_, args, modelDir, message) => {
    const { code, stderr } = await textures([...ROOM, '--out', join(dir, 'x.png'), ...args].concat(fixture(modelDir)))
    expect(code).toBe(2)
    expect(firstError(stderr)).toMatch(message)
  })

  it('refuses relief maps of the sky (exit 2)', async () => {
    const { code, stderr } = await textures([
      '--seed',
      'demo',
      '--x',
      '0',
      '--z',
      '0',
      '--slot',
      'sky',
      '--out',
      join(dir, 's.png'),
      '--maps',
      'normal',
    ])
    expect(code).toBe(2)
    expect(firstError(stderr)).toMatch(/^textures: --maps normal: the sky is one colour panorama, with no relief maps$/)
  })
})
