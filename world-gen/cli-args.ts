/**
 * Command-line argument helpers shared by the CLIs (`npm run world`, `npm run textures`). Pure string functions, so
 * they are unit-tested without spawning a process; the CLIs themselves own process.argv, stderr and exit codes.
 */

/** A negative number as typed on a command line: -80, -3, -0.5, -.5, -1e3. */
const NEGATIVE_NUMBER = /^-(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i

/** A strict integer as typed: optional minus sign, digits only (no '+', spaces, decimals or exponents). */
const INTEGER = /^-?\d+$/

/** The part of a node `util.parseArgs` option config that decides whether an option takes a value. */
export type CliOptionTypes = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>

/**
 * `argv` with each `--name <negative number>` joined into `--name=<negative number>`, for every option of `options`
 * that takes a value. node's `util.parseArgs` (strict) reads a value starting with '-' as a forgotten argument and
 * throws "argument is ambiguous"; the `=` form is the one it accepts, and half of all rooms have a negative
 * coordinate, so `--x -80` must work as typed. Only negative numbers are joined: `--out --x` still fails loudly, and
 * nothing after a bare `--` (the end of options) is touched.
 */
export function joinNegativeOptionValues(argv: readonly string[], options: CliOptionTypes): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (token === '--') return out.concat(argv.slice(i))
    const name = token.startsWith('--') && !token.includes('=') ? token.slice(2) : undefined
    const next = argv[i + 1]
    if (name !== undefined && Object.hasOwn(options, name) && options[name]!.type === 'string') {
      if (next !== undefined && NEGATIVE_NUMBER.test(next)) {
        out.push(`${token}=${next}`)
        i++
        continue
      }
    }
    out.push(token)
  }
  return out
}

/** Result of {@link parseIntegerArg}: the value, or a one-line error that names the argument. */
export type IntegerArgResult = { ok: true; value: number } | { ok: false; error: string }

/**
 * A strict integer command-line value within ±`limit` ("-80" → -80; "-0" → 0, so a room is never printed as -0).
 * Anything else ("abc", "1.5", "1e3", "", a missing value) is an error naming `name` and the text given.
 */
export function parseIntegerArg(text: string | undefined, name: string, limit: number): IntegerArgResult {
  const error = `${name} must be an integer within ±${limit}, got ${text === undefined ? 'nothing' : JSON.stringify(text)}`
  if (text === undefined || !INTEGER.test(text)) return { ok: false, error }
  const value = Number(text) + 0
  return Math.abs(value) <= limit ? { ok: true, value } : { ok: false, error }
}
