/**
 * `npm run tour`: the texture CLI's surfaces of a few rooms laid out on one labelled sheet by Chromium. Run against the
 * tiny relief fixture (any model with families would do): the sheet is written with every room's three surfaces, and
 * a malformed room list is refused with one line before anything is painted.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { familyModel, writeFamilyModel } from '../support/family-model'
import { REPO_ROOT } from './support/server'

const dir = mkdtempSync(join(tmpdir(), 'latentscape-tour-test-'))
const modelDir = join(dir, 'model')
writeFamilyModel(modelDir, familyModel({ reliefPxPerUnit: 6 }))
const MODEL = ['--model-dir', modelDir, '--layout', join(modelDir, 'latent-layout.json')]

const tour = (args: string[]) =>
  promisify(execFile)(join(REPO_ROOT, 'node_modules/.bin/tsx'), ['scripts/tour.ts', ...args], {
    cwd: REPO_ROOT,
    timeout: 240_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('npm run tour', () => {
  it('lays out the walls, floor and trim of each room on one sheet', async () => {
    const out = join(dir, 'tour.png')
    const { code, stdout, stderr } = await tour([
      '--rooms',
      'demo@-3,0,red-dune@2,-1',
      '--size',
      '32',
      ...MODEL,
      '--out',
      out,
    ])
    expect(code, stderr).toBe(0)
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ out, rooms: 2, version: 'surface-v2-fixture00000' })
    const png = PNG.sync.read(readFileSync(out))
    // Two rooms side by side, three tiles of 1.25 × 32 px each: wider than six tiles, taller than one.
    expect(png.width).toBeGreaterThan(6 * 40)
    expect(png.height).toBeGreaterThan(40)
    // Painted textures, not an empty page: many distinct colours.
    const colours = new Set<number>()
    for (let i = 0; i < png.data.length; i += 4)
      colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!)
    expect(colours.size).toBeGreaterThan(200)
  })

  it.each([
    ['a room without coordinates', ['--rooms', 'demo'], /--rooms: expected seed@x,z, got "demo"/],
    ['a room with one coordinate', ['--rooms', 'demo@1'], /--rooms: expected seed@x,z, got "demo@1"/],
    ['a size out of range', ['--size', '4'], /--size must be an integer in \[16, 512\], got 4/],
  ])('refuses %s with one line (exit 2) and writes nothing', async (_, args, message) => {
    const out = join(dir, 'refused.png')
    const { code, stderr } = await tour([...args, ...MODEL, '--out', out])
    expect(code).toBe(2)
    expect(stderr.split('\n')[0]).toMatch(message)
    expect(existsSync(out)).toBe(false)
  })
})
