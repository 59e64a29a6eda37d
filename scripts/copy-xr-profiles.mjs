// Copy the WebXR input profiles the app uses (controller layouts + models, the generic hand) from
// @webxr-input-profiles/assets into public/xr/profiles/, with a profilesList.json naming only those, so that
// @react-three/xr loads them from the app itself instead of its CDN default. Runs on postinstall, predev and
// prebuild; the copies are git-ignored.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Quest controllers (current and older), their generic fallback, and the hand model. */
const PROFILES = [
  'meta-quest-touch-plus',
  'meta-quest-touch-pro',
  'oculus-touch-v3',
  'oculus-touch-v2',
  'oculus-touch',
  'generic-trigger-squeeze-thumbstick',
  'generic-hand',
]

const src = fileURLToPath(new URL('../node_modules/@webxr-input-profiles/assets/dist/profiles/', import.meta.url))
const dst = fileURLToPath(new URL('../public/xr/profiles/', import.meta.url))
if (!existsSync(src)) {
  console.warn('@webxr-input-profiles/assets is not installed: VR controllers will have no models')
  process.exit(0)
}
rmSync(dst, { recursive: true, force: true })
mkdirSync(dst, { recursive: true })
const all = JSON.parse(readFileSync(src + 'profilesList.json', 'utf8'))
const list = {}
for (const id of PROFILES) {
  if (all[id] === undefined) throw new Error(`profile ${id} is not in @webxr-input-profiles/assets`)
  cpSync(src + id, dst + id, { recursive: true })
  list[id] = all[id]
}
writeFileSync(dst + 'profilesList.json', JSON.stringify(list, null, 2) + '\n')
console.log(`copied ${PROFILES.length} WebXR input profiles to public/xr/profiles/`)
