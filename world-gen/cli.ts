/**
 * world-gen CLI (the only world-gen file that touches process/console).
 *   npm run --silent world -- room <seed> <x> <z>   → JSON room spec (with each slot's material family, a blend near a
 *                                                     district border) and its latents (slot → number[])
 *   npm run --silent world -- parse <url-or-path>   → JSON {seed, x, z, heading}; exit 1 with a one-line error otherwise
 *   npm run --silent world -- --help                → the usage line on stdout, exit 0
 */
import { parseIntegerArg } from './cli-args'
import { canonicalSeed, decodeWorldUrl, encodeWorldUrl, LATENT_SLOTS, room, roomLatents, WORLD_LIMIT } from './index'

const USAGE = 'usage: world room <seed> <x> <z> | world parse <url-or-path>'

/** Print one line to stderr and exit with status 1. */
function fail(message: string): never {
  process.stderr.write(`${message.replace(/[\r\n]+/g, ' ')}\n`)
  process.exit(1)
}

/** A strict integer argument within ±WORLD_LIMIT (negative as typed: `room demo -80 -3`). */
function intArg(text: string | undefined, name: string): number {
  const parsed = parseIntegerArg(text, name, WORLD_LIMIT)
  if (!parsed.ok) fail(parsed.error)
  return parsed.value
}

/** JSON with 2-space indentation, but arrays of numbers kept on one line. */
function stringify(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g,
    (_, body: string) => `[${body.split(/,\s+/).join(', ')}]`,
  )
}

function main(argv: string[]): void {
  const [command, ...args] = argv
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`)
  } else if (command === 'room') {
    if (args.length !== 3) fail(USAGE)
    const seed = canonicalSeed(args[0]!)
    if (!seed.ok) fail(seed.error)
    const x = intArg(args[1], 'x')
    const z = intArg(args[2], 'z')
    const spec = room(seed.seed, x, z)
    const latents = roomLatents(seed.seed, x, z)
    const out = {
      ...spec,
      url: encodeWorldUrl({ seed: seed.seed, x, z, heading: 0 }),
      latents: Object.fromEntries(LATENT_SLOTS.map((slot) => [slot, Array.from(latents[slot])])),
    }
    process.stdout.write(`${stringify(out)}\n`)
  } else if (command === 'parse') {
    if (args.length !== 1) fail(USAGE)
    const result = decodeWorldUrl(args[0]!)
    if (!result.ok) fail(result.error)
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`)
    process.stdout.write(`${JSON.stringify(result.value)}\n`)
  } else {
    fail(USAGE)
  }
}

main(process.argv.slice(2))
