import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeStyle } from '../../world-gen'
import { PHOTO_GUIDANCE, readProvenance } from '../../world-gen/provenance'
import { writeFamilyModel } from '../support/family-model'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(REPO, 'node_modules/.bin/tsx')
const dir = mkdtempSync(join(tmpdir(), 'latentscape-style-'))
const fixtureDir = join(dir, 'models')
writeFamilyModel(fixtureDir)
/** The tiny family-conditioned fixture model (2 px cells, so the fit's 8×8-cell field is a 16 px texture), on cpu. */
const FIXTURE = ['--model-dir', fixtureDir, '--layout', join(fixtureDir, 'latent-layout.json'), '--backend', 'cpu']
const SPOT = ['--seed', 'demo', '--x', '1', '--z', '0', '--slot', 'walls', '--size', '16']

const textures = (args: string[]) =>
  promisify(execFile)(TSX, ['scripts/textures.ts', ...args], { cwd: REPO, timeout: 240_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
const printed = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('scripts/textures.ts: style from a photo', () => {
  it('--style-from fits a JPEG, paints with it, and --style repaints the same pixels from the printed value', async () => {
    const fitted = join(dir, 'fitted.png')
    const a = await textures(
      [...SPOT, '--out', fitted, '--style-from', 'test/fixtures/style-photo.jpg', '--style-steps', '16'].concat(
        FIXTURE,
      ),
    )
    expect(a.code, a.stderr).toBe(0)
    const line = printed(a.stdout)
    // 3 header bytes, the families, 6 bits per latent channel (4 in the fixture), CRC-8: base64url.
    expect(line.style).toMatch(/^[A-Za-z0-9_-]{8,11}$/)
    expect(decodeStyle(line.style).slot).toBe('walls')
    expect(line.styleWeight).toBeCloseTo(0.84375, 6) // smoothstep(1 − 1/4): one room east of the start
    expect(line.fit.steps).toBe(20)
    expect(line.fit.quantisedLoss).toBeLessThan(line.fit.startLoss)
    expect(line.fit.improved).toBe(true)
    expect(line.guidance).toBe(PHOTO_GUIDANCE)
    expect(line.url).toContain(`&style=${line.style}`)
    const meta = readProvenance(new Uint8Array(readFileSync(fitted)))
    expect(meta.guidance).toBe(PHOTO_GUIDANCE)
    expect(meta.url).toContain('style=')

    const again = join(dir, 'again.png')
    const b = await textures([...SPOT, '--out', again, '--style', line.style].concat(FIXTURE))
    expect(b.code, b.stderr).toBe(0)
    expect(printed(b.stdout).style).toBe(line.style)
    expect(PNG.sync.read(readFileSync(again)).data.equals(PNG.sync.read(readFileSync(fitted)).data)).toBe(true)

    // Without the style the same spot paints differently, and its file claims no photo guidance.
    const plain = join(dir, 'plain.png')
    const c = await textures([...SPOT, '--out', plain].concat(FIXTURE))
    expect(c.code).toBe(0)
    expect(PNG.sync.read(readFileSync(plain)).data.equals(PNG.sync.read(readFileSync(fitted)).data)).toBe(false)
    expect(readProvenance(new Uint8Array(readFileSync(plain))).guidance).toBeUndefined()
  }, 300_000)

  it.each([
    [
      'a corrupt --style',
      ['--style', 'EUABT6kK6ZM6G4ZXY4KH3o2ILo155V42aW43IV4Im2tWqmJoKX8pXlTqW2XoHmY5F22VnOx'],
      /bad --style/,
    ],
    [
      'a --style for another slot',
      ['--style', 'EUABT6kK6ZM6G4ZXY4KH3o2ILo155V42aW43IV4Im2tWqmJoKX8pXlTqW2XoHmY5F22VnOw', '--slot', 'floor'],
      /paints walls, not floor/,
    ],
    ['a --style-from that is not an image', ['--style-from', 'package.json'], /not a PNG or JPEG/],
    ['a missing --style-from file', ['--style-from', 'no-such-photo.jpg'], /cannot read/],
  ])('refuses %s with one line on stderr and exit 2', async (_, extra, reason) => {
    const { code, stderr } = await textures([...SPOT, '--out', join(dir, 'x.png'), ...extra].concat(FIXTURE))
    expect(code).toBe(2)
    expect(stderr).toMatch(reason)
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })
})
