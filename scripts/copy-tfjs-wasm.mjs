// Copy the tf.js wasm backend into public/tfjs/ so the app serves it itself (no CDN request); the worker calls
// setWasmPaths('/tfjs/'). Runs on postinstall, predev and prebuild; the copies are git-ignored.
//
// Besides the .wasm binaries, the threaded build needs two scripts that tfjs would otherwise start from blob: URLs,
// which the page's CSP (script-src without blob:) rightly blocks: the pthread worker script, and the module script
// each pthread worker imports. Both are written here from the installed package, so they always match its binaries;
// the worker script is changed in one place, to import the module script from its own origin instead of a blob.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const pkg = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/', import.meta.url))
const src = pkg + 'dist/'
const dst = fileURLToPath(new URL('../public/tfjs/', import.meta.url))
mkdirSync(dst, { recursive: true })
const files = readdirSync(src).filter((f) => f.endsWith('.wasm'))
for (const f of files) copyFileSync(src + f, dst + f)

const MODULE_SCRIPT = 'tfjs-backend-wasm-threaded-simd.js'
const WORKER_SCRIPT = 'tfjs-backend-wasm-threaded-simd.worker.js'
const { wasmWorkerContents } = createRequire(import.meta.url)(pkg + 'wasm-out/' + WORKER_SCRIPT)
const BLOB_IMPORT =
  'var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)'
if (typeof wasmWorkerContents !== 'string' || !wasmWorkerContents.includes(BLOB_IMPORT))
  throw new Error(
    `@tensorflow/tfjs-backend-wasm's pthread worker no longer imports its module script as shown here; ` +
      `update scripts/copy-tfjs-wasm.mjs for the installed version`,
  )
// The worker lives beside the module script, so a path relative to its own location finds it.
const sameOrigin = `importScripts(new URL(${JSON.stringify(MODULE_SCRIPT)},self.location.href).href)`
// As tfjs does before making its blob: the string's newlines stand inside string literals, so they are escaped.
writeFileSync(dst + WORKER_SCRIPT, wasmWorkerContents.replace(BLOB_IMPORT, sameOrigin).replace(/\n/g, '\\n'))
copyFileSync(pkg + 'wasm-out/' + MODULE_SCRIPT, dst + MODULE_SCRIPT)
console.log(`copied ${files.length} tfjs wasm binaries and the threaded build's 2 scripts to public/tfjs/`)
