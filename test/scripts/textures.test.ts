import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { DIGITAL_SOURCE_TYPE_TRAINED, readPngText, readProvenance } from '../../world-gen/provenance'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const TSX = join(REPO, 'node_modules/.bin/tsx')
const MODEL = JSON.parse(readFileSync(join(REPO, 'public/models/surface/model.json'), 'utf8')).latentscape as {
  version: string
  weightsSha256: string
}
const dir = mkdtempSync(join(tmpdir(), 'latentscape-textures-'))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('scripts/textures.ts', () => {
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
      licence: 'CC-BY-SA-3.0',
      digitalSourceType: DIGITAL_SOURCE_TYPE_TRAINED,
    })
    expect(readPngText(bytes)).toMatchObject({
      Software: 'Latentscape',
      Comment: 'AI-generated texture (trainedAlgorithmicMedia)',
    })
  })
})
