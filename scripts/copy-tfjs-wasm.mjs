// Copy the tf.js wasm backend binaries into public/tfjs/ so the app serves them itself (no CDN request);
// the worker calls setWasmPaths('/tfjs/'). Runs on postinstall, predev and prebuild; the copies are git-ignored.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const src = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url))
const dst = fileURLToPath(new URL('../public/tfjs/', import.meta.url))
mkdirSync(dst, { recursive: true })
const files = readdirSync(src).filter((f) => f.endsWith('.wasm'))
for (const f of files) copyFileSync(src + f, dst + f)
console.log(`copied ${files.length} tfjs wasm binaries to public/tfjs/`)
