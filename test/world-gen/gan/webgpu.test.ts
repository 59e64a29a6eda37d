import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { webgpuEnv } from '../../../bench/node-webgpu'
import { GOLDEN_TOLERANCE } from './load'

// WebGPU in Node = Dawn (npm `webgpu`) on SwiftShader. The Vulkan loader path must be in the environment before the
// process starts, so the check runs in a child process (test/world-gen/gan/webgpu-golden.ts).
const env = webgpuEnv()

function runChild(): Record<string, unknown> {
  const script = fileURLToPath(new URL('./webgpu-golden.ts', import.meta.url))
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { env, encoding: 'utf8', timeout: 180_000 })
  const line = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1)
  if (line === undefined)
    throw new Error(`webgpu child failed (status ${r.status}): ${r.stderr.trim().split('\n').at(-1)}`)
  return JSON.parse(line)
}

describe.skipIf(env === undefined)('surface generator on webgpu (Dawn + SwiftShader in Node)', () => {
  it(
    `matches the PyTorch golden output within ${GOLDEN_TOLERANCE}, same bytes on repeat, no leak`,
    { timeout: 200_000 },
    (ctx) => {
      const r = runChild()
      if (typeof r.unavailable === 'string') ctx.skip(`no WebGPU adapter: ${r.unavailable}`)
      console.info(`[golden] webgpu (${r.adapter}): max abs error ${(r.maxAbsError as number).toExponential(2)}`)
      expect(r.maxAbsError).toBeLessThanOrEqual(GOLDEN_TOLERANCE)
      expect(r.identical).toBe(true)
      expect(r.leaked).toBe(0)
    },
  )
})
