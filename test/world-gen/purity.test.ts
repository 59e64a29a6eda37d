import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'

// Importing world-gen must not pull in any view or tensor library: each mock throws if it is ever loaded.
vi.mock('react', () => {
  throw new Error('world-gen imported react')
})
vi.mock('three', () => {
  throw new Error('world-gen imported three')
})
vi.mock('@react-three/fiber', () => {
  throw new Error('world-gen imported @react-three/fiber')
})
vi.mock('@tensorflow/tfjs-core', () => {
  throw new Error('world-gen imported @tensorflow/tfjs-core')
})
vi.mock('next/navigation', () => {
  throw new Error('world-gen imported next')
})

const ROOT = fileURLToPath(new URL('../../world-gen', import.meta.url))

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Source without comments (block comments, and line comments not preceded by ':' as in 'https://'). */
const stripComments = (src: string): string => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1')

const FORBIDDEN_IMPORT =
  /(?:from|import)\s*\(?\s*['"](three|react|react-dom|next|@react-three\/[^'"]*|zustand)(?:\/[^'"]*)?['"]/
const TF_IMPORT = /(?:from|import)\s*\(?\s*['"]@tensorflow\//
const IMPURE = /\bMath\.random\b|\bDate\.now\b|\bnew Date\b|\bperformance\.now\b|\bwindow\b|\bdocument\b/

describe('world-gen purity', () => {
  const files = tsFiles(ROOT).filter((f) => relative(ROOT, f) !== 'cli.ts')

  it('scans the world-gen sources', () => {
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['seed.ts', 'layout.ts', 'url.ts']))
  })

  it.each(
    tsFiles(ROOT)
      .filter((f) => relative(ROOT, f) !== 'cli.ts')
      .map((f) => [relative(ROOT, f), f]),
  )('%s imports no view library, no clock, no Math.random, no DOM', (name, file) => {
    const src = stripComments(readFileSync(file, 'utf8'))
    expect(src).not.toMatch(FORBIDDEN_IMPORT)
    // The tf.js runtime is confined to world-gen/gan/, so the rest of world-gen loads without it.
    if (!name.startsWith('gan/')) expect(src).not.toMatch(TF_IMPORT)
    // The worker glue may read a clock, only to fill in the `ms` timing figures of its responses.
    const clockFree = name === 'worker/gen.worker.ts' ? src.replace(/\bscope\.performance\.now\(\)/g, '') : src
    const impure = IMPURE.exec(clockFree)
    expect(impure?.[0], `${name} uses ${impure?.[0]}`).toBeUndefined()
  })

  it('the scan itself catches violations', () => {
    expect(stripComments("import * as THREE from 'three'")).toMatch(FORBIDDEN_IMPORT)
    expect(stripComments("const m = await import('@react-three/fiber')")).toMatch(FORBIDDEN_IMPORT)
    expect(stripComments('const t = Date.now()')).toMatch(IMPURE)
    expect(stripComments('// uses Math.random in a comment')).not.toMatch(IMPURE)
    expect(stripComments("const u = 'https://x' + Math.random()")).toMatch(IMPURE)
  })

  it('the public barrel loads with react, three, r3f, tfjs and next mocked to throw', async () => {
    const wg = await import('../../world-gen/index')
    expect(wg.room('demo', 0, 0).size.width).toBeGreaterThan(0)
    expect(wg.decodeWorldUrl('/w/demo').ok).toBe(true)
  })
})
