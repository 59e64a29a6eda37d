/**
 * A world tour on one sheet, docs/models/world-tour.png: the walls, floor and trim textures of twelve rooms of six
 * worlds, each labelled with its world, room and the family it was painted as, exactly as the texture CLI paints
 * them (`scripts/textures.ts`, the world's own room latents, families and relief calibration). What a visitor meets
 * room by room, flat and unlit, to judge a generator by eye beside its per-family sample sheet.
 * Usage: `npm run tour [-- --rooms demo@0,0,red-dune@-3,5 --size 128 --model-dir <dir> --layout <json> --out <png>]`
 * `--rooms`: comma-separated `seed@x,z` (default: the twelve below); `--model-dir` and `--layout` as the texture CLI
 * takes them (a folder holding `surface/`). Each texture is shown tiled 2×2 at half size, so
 * a seam would show. Needs Chromium (it lays the sheet out as a page and screenshots it).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { launchBrowser } from '../test/e2e/support/browser'
import { REPO_ROOT } from '../test/e2e/support/server'

const SLOTS = ['walls', 'floor', 'trim'] as const
/** Six worlds, each at its opening room and at one farther off. */
const DEFAULT_ROOMS = [
  'demo@0,0',
  'amber-fern-drift@0,0',
  'red-dune@0,0',
  'north-wind@0,0',
  'lilac-moss@0,0',
  'quiet-harbor@0,0',
  'demo@7,-4',
  'amber-fern-drift@7,-4',
  'red-dune@-3,5',
  'north-wind@4,4',
  'lilac-moss@-6,2',
  'quiet-harbor@3,-7',
].join(',')
const ROOMS_PER_ROW = 3

type Room = { seed: string; x: number; z: number }
type Surface = { slot: (typeof SLOTS)[number]; family: string; png: Buffer; version: string }

const USAGE =
  'usage: npm run tour [-- --rooms seed@x,z[,seed@x,z…] --size <px> --model-dir <dir> --layout <json> --out <png>]'

function fail(message: string): never {
  console.error(`tour: ${message}\n${USAGE}`)
  process.exit(2)
}

/** `seed@x,z` pairs: the seed as typed (the CLI canonicalises it), integer room coordinates. */
function parseRooms(text: string): Room[] {
  const rooms: Room[] = []
  const parts = text.split(',')
  for (let i = 0; i < parts.length; i++) {
    const m = /^([^@]+)@(-?\d+)$/.exec(parts[i]!.trim())
    const z = parts[i + 1]?.trim()
    if (m === null || z === undefined || !/^-?\d+$/.test(z))
      fail(`--rooms: expected seed@x,z, got "${parts.slice(i, i + 2).join(',')}"`)
    rooms.push({ seed: m[1]!, x: Number(m[2]), z: Number(z) })
    i++
  }
  return rooms
}

const run = promisify(execFile)

/** One surface painted by the texture CLI in its own process; its JSON line names the family. */
async function paint(room: Room, slot: Surface['slot'], size: number, dir: string, model: string[]) {
  const out = join(dir, `${room.seed}_${room.x}_${room.z}_${slot}.png`)
  const args = ['scripts/textures.ts', '--seed', room.seed, '--x', `${room.x}`, '--z', `${room.z}`, '--slot', slot]
  args.push('--size', `${size}`, '--out', out, ...model)
  const { stdout } = await run(join(REPO_ROOT, 'node_modules/.bin/tsx'), args, { cwd: REPO_ROOT, timeout: 300_000 })
  const line = JSON.parse(stdout.trim().split('\n').pop()!) as { family?: string; version: string }
  return {
    slot,
    family: (line.family ?? 'no family').replaceAll('_', ' '),
    png: readFileSync(out),
    version: line.version,
  }
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

function page(rooms: Room[], surfaces: Surface[][], size: number, label: string): string {
  const tile = Math.round(size * 1.25)
  const blocks = rooms.map((room, i) => {
    const cells = surfaces[i]!.map(
      (s) =>
        `<figure><div class="t" style="background-image:url(data:image/png;base64,${s.png.toString('base64')})"></div>` +
        `<figcaption>${s.slot}: ${escape(s.family)}</figcaption></figure>`,
    )
    return `<section><h2>${escape(room.seed)} · room ${room.x},${room.z}</h2><div class="row">${cells.join('')}</div></section>`
  })
  return `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; padding: 12px; background: #141414; color: #eee; font: 13px system-ui, sans-serif; width: max-content }
    main { display: grid; grid-template-columns: repeat(${Math.min(ROOMS_PER_ROW, rooms.length)}, auto); gap: 14px 22px }
    h1 { font-size: 15px; margin: 0 0 10px } h2 { font-size: 13px; margin: 0 0 4px; font-weight: 600 }
    .row { display: flex; gap: 6px } figure { margin: 0; width: ${tile}px } figcaption { margin-top: 2px; color: #bbb }
    .t { width: ${tile}px; height: ${tile}px; background-size: ${tile / 2}px ${tile / 2}px; background-repeat: repeat }
  </style><h1>${escape(label)}</h1><main>${blocks.join('')}</main>`
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rooms: { type: 'string', default: DEFAULT_ROOMS },
      size: { type: 'string', default: '128' },
      'model-dir': { type: 'string' },
      layout: { type: 'string' },
      out: { type: 'string', default: join(REPO_ROOT, 'docs', 'models', 'world-tour.png') },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const size = Number(values.size)
  if (!Number.isInteger(size) || size < 16 || size > 512)
    fail(`--size must be an integer in [16, 512], got ${values.size}`)
  const rooms = parseRooms(values.rooms!)
  const dir = mkdtempSync(join(tmpdir(), 'latentscape-tour-'))
  try {
    const model = [
      ...(values['model-dir'] !== undefined ? ['--model-dir', values['model-dir']] : []),
      ...(values.layout !== undefined ? ['--layout', values.layout] : []),
    ]
    // Two CLI processes at a time: each loads the model once and paints one surface.
    const jobs = rooms.flatMap((room, i) => SLOTS.map((slot) => ({ room, slot, i })))
    const surfaces: Surface[][] = rooms.map(() => [])
    let next = 0
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!
        surfaces[job.i]!.push(await paint(job.room, job.slot, size, dir, model))
      }
    }
    await Promise.all([worker(), worker()])
    for (const s of surfaces) s.sort((a, b) => SLOTS.indexOf(a.slot) - SLOTS.indexOf(b.slot))
    const version = surfaces[0]![0]!.version
    const label = `${version}: walls, floor and trim of ${rooms.length} rooms (each texture tiled 2×2)`
    const browser = await launchBrowser()
    try {
      const p = await browser.newPage({ viewport: { width: 800, height: 600 } })
      await p.setContent(page(rooms, surfaces, size, label))
      await p.screenshot({ path: values.out!, fullPage: true })
    } finally {
      await browser.close()
    }
    console.log(JSON.stringify({ out: values.out, rooms: rooms.length, version }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(`tour: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
