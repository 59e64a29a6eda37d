/**
 * Generate the texture the world shows for one room slot and write it as a PNG.
 *   npm run --silent textures -- --seed demo --x 0 --z 0 --slot floor --size 256 --out floor.png [--backend cpu|wasm|webgpu]
 *   npm run --silent textures -- --seed demo --x 0 --z 0 --slot walls --family brick --out brick.png
 *   npm run --silent textures -- --seed demo --x 0 --z 0 --slot sky --out sky.png   (512x128, the only sky size)
 *   npm run --silent textures -- --list-families   → the surface model's family names as a JSON array
 *   npm run --silent textures -- --seed demo --x 0 --z 0 --slot walls --out walls.png --style-from photo.jpg
 *   npm run --silent textures -- --seed demo --x 0 --z 0 --slot walls --out walls.png --style <style= value>
 * Coordinates may be negative, as typed: `--x -80 --z -3` (world-gen `joinNegativeOptionValues`).
 * Same latent field as the world: world-gen `slotField(slot, roomLatent(…), localField(localSeed(…), slot, …), family)`
 * (global latent + the family vector of the room's material family, for a family-conditioned surface model + local
 * noise); `--family <name>` paints another family instead. `--model-dir` (a folder of `<model>/model.json` +
 * `weights.bin`, default public/models) and `--layout` (a latent-layout.json) paint with a model from elsewhere.
 * Surfaces take any size (they tile). The sky is the world's sky panorama: the sky
 * generator's cloud layer (SKY_FIELD_CELLS) composed under the room's atmosphere (world-gen `composeSky`) into the
 * upper hemisphere in equirectangular projection, SKY_PANORAMA_PX, so another size is refused.
 * The PNG carries provenance metadata (world-gen `withProvenance`: XMP with IPTC `trainedAlgorithmicMedia`, model,
 * version, weights sha256, seed, room, slot, family, world link, licence).
 * `--style-from <photo.png|jpg>` fits a style to the photo first (world-gen/gan `fitPhoto`, `--style-steps` Adam steps,
 * default 60; on the --backend, wasm or cpu) and paints with it, as the app's "Style from a photo" does; `--style`
 * paints with a style from a link. The style paints `--slot` (its walk centres on room 0,0 and fades with distance);
 * the JSON line then has `style` (the link's `style=` value), the fit's distances, and the PNG's provenance says the
 * texture was guided by a user photo (nothing of the photo goes into it). A fit whose style paints no closer to the
 * photo than its start (`fit.improved: false`) is not applied: one line on stderr, and the texture is painted without.
 * `--maps color,height,normal,roughness` writes those maps of the surface, each as a tileable PNG `<out>-<map>.png`
 * (`walls.png` → `walls-normal.png` …) with the same provenance plus `latentscape:map`: the maps a relief model paints
 * (world-gen `relief.ts`: its height, the normal map derived from it with wrap-around differences, the roughness of its
 * family modulated by the height), the same pixels the app's Share · Export writes. A colour-only model has only
 * `color`; asking it for another map is refused.
 * Prints one JSON line ({ backend, ms, width, height, model, version, family, … }); bad arguments (an unknown family
 * or map among them) → one line on stderr, exit 2.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { PNG } from 'pngjs'
import {
  assertDistrictFamilies,
  assertStyleFamilies,
  assertFamily,
  baseRoughness,
  canonicalSeed,
  composeRoomSky,
  familyLabel,
  type FamilyConditioning,
  LATENT_LAYOUT,
  LATENT_SLOTS,
  packSurfaceRelief,
  parseSurfaceMaps,
  reliefCalibration,
  type LatentLayout,
  type LatentSlot,
  type SurfaceSlot,
  parseLatentLayout,
  room,
  roomProvenance,
  roomSlotInput,
  SKY_FIELD_CELLS,
  SKY_PANORAMA_PX,
  slotLayout,
  surfaceMapRgba,
  type SurfaceMap,
  type SurfaceRelief,
  textureRepeatM,
  withProvenance,
  WORLD_LIMIT,
} from '../world-gen'
import { parseManifest, type GeneratorManifest } from '../world-gen/gan/manifest'
import { joinNegativeOptionValues, parseIntegerArg } from '../world-gen/cli-args'
import { hasWebgpuEnv, installNodeWebgpu, rerunWithWebgpuEnv } from '../bench/node-webgpu'
import { decodeStyle, encodeStyle, styleFamilyLabel, type WorldStyle } from '../world-gen/style'
import { readPhoto, type PhotoFile } from './photo-file'

const USAGE =
  'usage: textures --seed <s> --x <int> --z <int> --slot <floor|walls|trim|sky> --size <N|WxH> --out <file.png> [--maps color,height,normal,roughness] [--family <name>] [--style-from <photo.png|jpg> [--style-steps N] | --style <style>] [--backend cpu|wasm|webgpu] [--model-dir <dir>] [--layout <latent-layout.json>] (--size is optional for sky: 512x128) | textures --list-families [--model-dir <dir>]'
const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const

class UsageError extends Error {}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4

function fail(message: string, code: number): never {
  process.stderr.write(`textures: ${message.split('\n')[0]}\n`)
  process.exit(code)
}

/** The options of {@link parse}: all take a value (numbers are checked after parsing). */
const OPTIONS = {
  seed: { type: 'string' },
  x: { type: 'string' },
  z: { type: 'string' },
  slot: { type: 'string' },
  size: { type: 'string' },
  out: { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  family: { type: 'string' },
  'model-dir': { type: 'string' },
  layout: { type: 'string' },
  'list-families': { type: 'boolean' },
  'style-from': { type: 'string' },
  'style-steps': { type: 'string' },
  style: { type: 'string' },
  maps: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The folder of the committed models (`<model>/model.json` + `weights.bin`). */
const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../public/models/', import.meta.url))

/** `<dir>/<model>/`, and how to name its model.json in messages (repository-relative for the committed models). */
function modelPaths(dir: string | undefined, model: string): { dir: string; label: string } {
  const root = dir === undefined ? DEFAULT_MODEL_DIR : dir.endsWith('/') ? dir : `${dir}/`
  return {
    dir: `${root}${model}/`,
    label: dir === undefined ? `public/models/${model}/model.json` : `${root}${model}/model.json`,
  }
}

/** The validated manifest of a model (no weights, no tf.js): enough to list and check its families. */
function readManifest(dir: string | undefined, model: string): GeneratorManifest {
  const { dir: modelDir, label } = modelPaths(dir, model)
  // Never fake a texture: without the trained generator's weights there is nothing to paint with.
  if (!existsSync(modelDir + 'model.json')) fail(`no trained "${model}" model: ${label} is missing`, 1)
  try {
    return parseManifest(JSON.parse(readFileSync(modelDir + 'model.json', 'utf8')))
  } catch (e) {
    return fail(`${label}: ${(e as Error).message}`, 1)
  }
}

function parse() {
  let values
  try {
    values = parseArgs({
      // `--x -80` as typed: parseArgs alone refuses a value starting with '-' ("argument is ambiguous").
      args: joinNegativeOptionValues(process.argv.slice(2), OPTIONS),
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (${USAGE})`)
  }
  let layout: LatentLayout = LATENT_LAYOUT
  if (values.layout !== undefined) {
    try {
      layout = parseLatentLayout(JSON.parse(readFileSync(values.layout, 'utf8')))
    } catch (e) {
      throw new UsageError(`bad --layout ${values.layout}: ${(e as Error).message}`)
    }
  }
  if (values.help === true) return { help: true as const }
  if (values['list-families'] === true) return { listFamilies: true as const, modelDir: values['model-dir'] }
  if (values.slot === 'sky') values.size ??= `${SKY_PANORAMA_PX.width}x${SKY_PANORAMA_PX.height}`
  for (const k of ['seed', 'x', 'z', 'slot', 'size', 'out'] as const)
    if (values[k] === undefined) throw new UsageError(`missing --${k} (${USAGE})`)
  const seed = canonicalSeed(values.seed!)
  if (!seed.ok) throw new UsageError(`bad --seed: ${seed.error}`)
  const int = (name: string, v: string) => {
    const parsed = parseIntegerArg(v, `--${name}`, WORLD_LIMIT)
    if (!parsed.ok) throw new UsageError(parsed.error)
    return parsed.value
  }
  const x = int('x', values.x!)
  const z = int('z', values.z!)
  if (!(LATENT_SLOTS as readonly string[]).includes(values.slot!))
    throw new UsageError(`--slot must be one of ${LATENT_SLOTS.join('|')}, got "${values.slot}"`)
  const m = /^(\d+)(?:x(\d+))?$/.exec(values.size!)
  if (m === null) throw new UsageError(`--size must be N or WxH in pixels, got "${values.size}"`)
  const widthPx = Number(m[1])
  const heightPx = Number(m[2] ?? m[1])
  // One latent cell paints cellPx × cellPx pixels of the slot's model (latent-layout.json), so sizes come in cells.
  const { cellPx } = slotLayout(values.slot as LatentSlot, layout)
  const fits = (px: number) => px >= cellPx && px <= 4096 && px % cellPx === 0
  if (!fits(widthPx) || !fits(heightPx))
    throw new UsageError(
      `--size must be a multiple of ${cellPx} px between ${cellPx} and 4096, got ${widthPx}x${heightPx}`,
    )
  if (values.slot === 'sky' && (widthPx !== SKY_PANORAMA_PX.width || heightPx !== SKY_PANORAMA_PX.height))
    throw new UsageError(
      `--slot sky paints the world's sky panorama of the whole upper hemisphere, ` +
        `so --size must be ${SKY_PANORAMA_PX.width}x${SKY_PANORAMA_PX.height}, got ${widthPx}x${heightPx}`,
    )
  if (!(BACKENDS as readonly string[]).includes(values.backend!))
    throw new UsageError(`--backend must be one of ${BACKENDS.join('|')}, got "${values.backend}"`)
  if (!values.out!.toLowerCase().endsWith('.png')) throw new UsageError(`--out must be a .png file`)
  let maps: SurfaceMap[] | undefined
  if (values.maps !== undefined) {
    try {
      maps = parseSurfaceMaps(values.maps)
    } catch (e) {
      throw new UsageError(`--maps: ${(e as Error).message}`)
    }
    const relief = maps.filter((m) => m !== 'color')
    if (values.slot === 'sky' && relief.length > 0)
      throw new UsageError(`--maps ${relief.join(',')}: the sky is one colour panorama, with no relief maps`)
  }
  if (values.family !== undefined && values.slot === 'sky')
    throw new UsageError(`--family paints a surface as a material family; the sky takes none`)
  if ((values['style-from'] !== undefined || values.style !== undefined) && values.slot === 'sky')
    throw new UsageError(`a photo style paints floor, walls or trim; the sky takes none`)
  if (values['style-from'] !== undefined && values.style !== undefined)
    throw new UsageError(`--style-from fits a new style; --style paints with a given one: pass one of them`)
  if (values['style-from'] !== undefined && values.backend === 'webgpu')
    throw new UsageError(`--style-from fits on wasm or cpu in Node (--backend wasm|cpu)`)
  let style: WorldStyle | undefined
  if (values.style !== undefined) {
    try {
      style = decodeStyle(values.style)
    } catch (e) {
      throw new UsageError(`bad --style: ${(e as Error).message}`)
    }
    if (style.slot !== values.slot)
      throw new UsageError(`--style paints ${style.slot}, not ${values.slot}: pass --slot ${style.slot}`)
  }
  const styleSteps = values['style-steps'] === undefined ? 60 : Number(values['style-steps'])
  if (!Number.isInteger(styleSteps) || styleSteps < 1 || styleSteps > 2000)
    throw new UsageError(`--style-steps must be an integer 1–2000, got "${values['style-steps']}"`)
  let photo: PhotoFile | undefined
  if (values['style-from'] !== undefined) {
    try {
      photo = readPhoto(values['style-from'])
    } catch (e) {
      throw new UsageError(`--style-from: ${(e as Error).message}`)
    }
  }
  return {
    help: false as const,
    listFamilies: false as const,
    modelDir: values['model-dir'],
    layout,
    family: values.family,
    seed: seed.seed,
    x,
    z,
    slot: values.slot as LatentSlot,
    widthPx,
    heightPx,
    out: values.out!,
    backend: values.backend as (typeof BACKENDS)[number],
    style,
    photo,
    styleSteps,
    maps,
  }
}

/** Where `--maps` writes `map`: `<out without .png>-<map>.png`. */
const mapPath = (out: string, map: SurfaceMap) => `${out.replace(/\.png$/i, '')}-${map}.png`

async function main(): Promise<void> {
  let args
  try {
    args = parse()
    if (!args.help && !args.listFamilies) room(args.seed, args.x, args.z) // validates coordinates with world-gen's own message
  } catch (e) {
    fail((e as Error).message, 2)
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (args.listFamilies) {
    console.log(JSON.stringify(readManifest(args.modelDir, 'surface').families?.names ?? []))
    return
  }

  const modelName = args.slot === 'sky' ? 'sky' : 'surface'
  const { dir: modelDir, label } = modelPaths(args.modelDir, modelName)
  const manifest = readManifest(args.modelDir, modelName)
  const families = args.slot === 'sky' ? undefined : manifest.families
  // Refused before any weights load: only a relief model paints height, and so normal and roughness maps.
  const wantRelief = (args.maps ?? []).filter((m) => m !== 'color')
  if (wantRelief.length > 0 && manifest.relief === undefined)
    fail(
      `--maps ${wantRelief.join(',')}: ${label} paints no relief (${manifest.outputChannels} output channels: ` +
        `colour only), so it has no height, normal or roughness map; ask for --maps color`,
      2,
    )
  let override: FamilyConditioning | undefined
  if (args.family !== undefined) {
    if (families === undefined)
      fail(`--family: ${label} has no material families (a model without family conditioning)`, 2)
    try {
      assertFamily(families, args.family)
    } catch (e) {
      fail(`--family: ${(e as Error).message}`, 2)
    }
    override = { a: args.family }
  }
  // Every family the world's districts paint must exist, or the model cannot paint the world.
  if (families !== undefined) {
    try {
      assertDistrictFamilies(families.names, label)
    } catch (e) {
      fail((e as Error).message, 1)
    }
  }
  if (args.backend === 'webgpu' && !hasWebgpuEnv()) rerunWithWebgpuEnv()

  if (args.backend === 'webgpu') await installNodeWebgpu()
  // Imported after navigator.gpu exists (the webgpu backend probes it when loaded).
  const { fitPhoto, loadGenerator, selectBackend } = await import('../world-gen/gan')
  const wasmPath = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url))
  const choice = await selectBackend({ order: [args.backend], wasmPath, allowSoftwareGpu: true })
  const gen = await loadGenerator({
    manifest: JSON.parse(readFileSync(modelDir + 'model.json', 'utf8')),
    weights: readFileSync(modelDir + 'weights.bin'),
  })
  let style = args.style
  let fit: Record<string, unknown> | undefined
  if (style !== undefined && families === undefined)
    fail(`--style: ${label} has no material families, so it cannot paint a photo style`, 2)
  if (args.photo !== undefined) {
    if (families === undefined) fail(`--style-from: ${label} has no material families, so it cannot fit a style`, 2)
    const tf0 = performance.now()
    const result = await fitPhoto(gen, args.photo, { slot: args.slot as SurfaceSlot, steps: args.styleSteps })
    // As in the app: a style that paints no closer to the photo than the fit's start is not applied.
    style = result.improved ? result.style : undefined
    if (!result.improved)
      process.stderr.write(
        `--style-from: no style came closer to the photo than the start (distance ${result.startLoss.toFixed(4)} → ` +
          `${result.quantisedLoss.toFixed(4)}); painting without it\n`,
      )
    fit = {
      steps: result.steps,
      ms: Math.round(performance.now() - tf0),
      startFamily: families.names[result.startFamily],
      startLoss: round4(result.startLoss),
      fittedLoss: round4(result.fittedLoss),
      quantisedLoss: round4(result.quantisedLoss),
      drop: round4(1 - result.quantisedLoss / result.startLoss),
      improved: result.improved,
      photoTurned: result.photoTurned,
    }
  }
  if (style !== undefined) {
    const globalDim = (args.layout ?? LATENT_LAYOUT).surface.globalDim
    if (style.global.length !== globalDim)
      fail(
        `--style: its latent has ${style.global.length} values, ${label} takes ${globalDim} (another model's link?)`,
        2,
      )
    try {
      assertStyleFamilies(families!, style.families)
    } catch (e) {
      fail(`--style: ${(e as Error).message}`, 2)
    }
  }
  const sky = args.slot === 'sky'
  const cloudLayer = gen.cloudLayer
  if (sky && cloudLayer === undefined) fail(`${label} is not a cloud-layer generator`, 1)
  const cellsW = sky ? SKY_FIELD_CELLS.cellsW : args.widthPx / gen.cellPx
  const cellsH = sky ? SKY_FIELD_CELLS.cellsH : args.heightPx / gen.cellPx
  const spec = room(args.seed, args.x, args.z)
  const {
    global,
    field,
    noiseSeed,
    family,
    style: blend,
  } = roomSlotInput(args.seed, args.x, args.z, args.slot, cellsW, cellsH, {
    families,
    family: override,
    layout: args.layout,
    ...(style !== undefined ? { style } : {}),
  })

  const t0 = performance.now()
  // A relief model's surface: colour and height from one pass, then the maps the world derives from them (the
  // roughness packed into the colour's alpha, as the worker sends it).
  const relief = sky ? undefined : gen.relief
  const generated = await gen.generateMaps(field, cellsH, cellsW, noiseSeed)
  let reliefMaps: SurfaceRelief | undefined
  const calibration = relief === undefined ? undefined : reliefCalibration(relief, family)
  if (relief !== undefined && generated.height !== undefined)
    reliefMaps = packSurfaceRelief(
      generated.rgba,
      generated.height,
      args.widthPx,
      args.heightPx,
      relief.pxPerUnit,
      baseRoughness(args.slot as SurfaceSlot, family),
      calibration,
    )
  const rgba =
    sky && cloudLayer !== undefined
      ? composeRoomSky(generated.rgba, cellsW * gen.cellPx, cloudLayer, global)
      : generated.rgba
  const ms = performance.now() - t0
  gen.dispose()

  const familyName = family === undefined ? undefined : familyLabel(family)
  const licence = typeof gen.manifest.meta.licence === 'string' ? gen.manifest.meta.licence : undefined
  const provenance = {
    ...roomProvenance(gen.manifest, {
      seed: args.seed,
      x: args.x,
      z: args.z,
      slot: args.slot,
      ...(familyName !== undefined ? { family: familyName } : {}),
      ...(style !== undefined ? { style, styled: blend !== undefined } : {}),
    }),
    // The weights' own licence (model.json), which their outputs carry.
    ...(licence !== undefined ? { licence } : {}),
  }
  /** One map as a PNG with the provenance, naming the map for a relief surface (whose exports come as a set). */
  const writeMap = (path: string, map: SurfaceMap) => {
    const pixels =
      reliefMaps === undefined && map === 'color'
        ? rgba
        : surfaceMapRgba(map, rgba, args.widthPx, args.heightPx, reliefMaps)
    const png = new PNG({ width: args.widthPx, height: args.heightPx })
    png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)
    const meta = reliefMaps === undefined ? provenance : { ...provenance, map }
    writeFileSync(path, withProvenance(new Uint8Array(PNG.sync.write(png)), meta))
  }
  const written: Partial<Record<SurfaceMap, string>> = {}
  if (args.maps === undefined) writeMap(args.out, 'color')
  else
    for (const map of args.maps) {
      written[map] = mapPath(args.out, map)
      writeMap(written[map], map)
    }
  console.log(
    JSON.stringify({
      backend: choice.backend,
      ms: Math.round(ms * 10) / 10,
      width: args.widthPx,
      height: args.heightPx,
      model: modelName,
      version: gen.version,
      weightsSha256: gen.manifest.weightsSha256 ?? null,
      url: provenance.url,
      seed: args.seed,
      x: args.x,
      z: args.z,
      slot: args.slot,
      // The material painted (a blend near a district border) and how many metres one repeat covers in the world.
      family: familyName ?? null,
      familyConditioning: family ?? null,
      repeatM: sky ? null : textureRepeatM(args.widthPx, family, families?.pxPerMetre),
      roomSeed: spec.roomSeed,
      out: args.out,
      // The relief a relief model paints (texture pixels per unit of height), and with --maps the file of each map.
      reliefPxPerUnit: reliefMaps === undefined ? null : relief!.pxPerUnit,
      // How the world calibrates this surface's painted height (its family's gain and detail; 1 and 1: as painted).
      reliefCalibration: reliefMaps === undefined ? null : calibration,
      ...(args.maps !== undefined ? { maps: written } : {}),
      // The photo style: the link's `style=` value, its families, its weight in this room and the fit's figures.
      ...(style !== undefined
        ? {
            style: encodeStyle(style),
            styleFamilies: styleFamilyLabel(families?.names, style.families),
            styleWeight: blend?.weight ?? 0,
            guidance: provenance.guidance ?? null,
          }
        : {}),
      ...(fit !== undefined ? { fit } : {}),
    }),
  )
}

main().then(
  () => process.exit(0),
  (e: unknown) => fail(e instanceof UsageError ? e.message : (e as Error).message, e instanceof UsageError ? 2 : 1),
)
