// Child process of webgpu.test.ts: needs LD_LIBRARY_PATH/VK_ICD_FILENAMES set before Node starts (see bench/node-webgpu.ts).
// Prints one JSON line: { adapter, maxAbsError, leaked } or { unavailable: reason }.
import { installNodeWebgpu } from '../../../bench/node-webgpu'
import { golden, maxAbsDiff, surfaceFiles } from './load'

let adapter: string
try {
  adapter = await installNodeWebgpu()
} catch (e) {
  console.log(JSON.stringify({ unavailable: (e as Error).message }))
  process.exit(0)
}
const tf = await import('@tensorflow/tfjs-core')
const { loadGenerator, selectBackend } = await import('../../../world-gen/gan')
const choice = await selectBackend({ order: ['webgpu'], allowSoftwareGpu: true })
if (choice.backend !== 'webgpu') throw new Error('webgpu refused')
const gen = await loadGenerator(surfaceFiles())
const fx = golden()
const out = await gen.generateFloat(fx.field, fx.cellsH, fx.cellsW, fx.noise)
const before = tf.memory().numTensors
const a = await gen.generate(fx.field.subarray(0, gen.inputChannels).slice(), 1, 1)
const b = await gen.generate(fx.field.subarray(0, gen.inputChannels).slice(), 1, 1)
const leaked = tf.memory().numTensors - before
gen.dispose()
console.log(
  JSON.stringify({
    adapter,
    maxAbsError: maxAbsDiff(out, fx.output),
    identical: Buffer.from(a).equals(Buffer.from(b)),
    leaked,
  }),
)
process.exit(0)
