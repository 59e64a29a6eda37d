import { parseArgs } from 'node:util'
import { describe, expect, it } from 'vitest'
import { joinNegativeOptionValues, parseIntegerArg } from '../../world-gen/cli-args'

/** The same shape of option config as scripts/textures.ts. */
const OPTIONS = {
  seed: { type: 'string' },
  x: { type: 'string' },
  z: { type: 'string' },
  verbose: { type: 'boolean' },
} as const

/** node's own parser, strict, on argv as the CLI passes it. */
const parse = (argv: string[]) =>
  parseArgs({ args: joinNegativeOptionValues(argv, OPTIONS), options: OPTIONS, strict: true, allowPositionals: true })

describe('joinNegativeOptionValues', () => {
  it('node util.parseArgs alone refuses `--x -80` (the bug this helper exists for)', () => {
    expect(() => parseArgs({ args: ['--x', '-80'], options: OPTIONS, strict: true })).toThrow(/ambiguous/)
  })

  it('lets parseArgs read negative values as typed', () => {
    expect(parse(['--seed', 'demo', '--x', '-80', '--z', '-3']).values).toEqual({ seed: 'demo', x: '-80', z: '-3' })
    expect(parse(['--x', '-0.5', '--z', '-1e3']).values).toEqual({ x: '-0.5', z: '-1e3' })
    expect(parse(['--x', '-.5', '--z', '-7']).values).toEqual({ x: '-.5', z: '-7' })
  })

  it('leaves positive values, `=` forms, boolean options and other tokens alone', () => {
    expect(joinNegativeOptionValues(['--x', '80', '--z=-3', '--verbose', '-5'], OPTIONS)).toEqual([
      '--x',
      '80',
      '--z=-3',
      '--verbose',
      '-5',
    ])
    expect(joinNegativeOptionValues(['--unknown', '-5'], OPTIONS)).toEqual(['--unknown', '-5'])
    expect(joinNegativeOptionValues(['--toString', '-5'], OPTIONS)).toEqual(['--toString', '-5'])
  })

  it('stops at a bare `--` (everything after it is a positional)', () => {
    expect(joinNegativeOptionValues(['--x', '-1', '--', '--z', '-3'], OPTIONS)).toEqual(['--x=-1', '--', '--z', '-3'])
    expect(parse(['--x', '-1', '--', '--z', '-3'])).toMatchObject({ values: { x: '-1' }, positionals: ['--z', '-3'] })
  })

  it('still refuses a forgotten value and a value that is not a number', () => {
    // `--x --z -3`: --x has no value; parseArgs must keep saying so, not swallow --z.
    expect(() => parse(['--x', '--z', '-3'])).toThrow(/Option '--x' argument is ambiguous/)
    expect(() => parse(['--x', '-abc'])).toThrow(/Option '--x' argument is ambiguous/)
    expect(() => parse(['--x', '-80abc'])).toThrow(/Option '--x' argument is ambiguous/)
    expect(() => parse(['--x'])).toThrow(/argument missing/)
  })

  it('does not mutate its input', () => {
    const argv = Object.freeze(['--x', '-80'])
    expect(joinNegativeOptionValues(argv, OPTIONS)).toEqual(['--x=-80'])
    expect(argv).toEqual(['--x', '-80'])
  })
})

describe('parseIntegerArg', () => {
  it.each([
    ['-80', -80],
    ['-3', -3],
    ['0', 0],
    ['42', 42],
    ['-1000000', -1_000_000],
    ['1000000', 1_000_000],
  ])('reads %j as %d', (text, value) => {
    expect(parseIntegerArg(text, '--x', 1_000_000)).toEqual({ ok: true, value })
  })

  it('reads -0 as 0 (a room is never -0)', () => {
    const parsed = parseIntegerArg('-0', 'x', 10)
    expect(parsed.ok && Object.is(parsed.value, 0)).toBe(true)
  })

  it.each(['abc', '1.5', '1e3', '+3', ' 3', '3 ', '', '-', '--3', '0x10', '-80abc', '1000001', '-1000001'])(
    'refuses %j with a message naming the argument and the text',
    (text) => {
      expect(parseIntegerArg(text, '--x', 1_000_000)).toEqual({
        ok: false,
        error: `--x must be an integer within ±1000000, got ${JSON.stringify(text)}`,
      })
    },
  )

  it('refuses a missing value', () => {
    expect(parseIntegerArg(undefined, 'z', 5)).toEqual({
      ok: false,
      error: 'z must be an integer within ±5, got nothing',
    })
  })
})
