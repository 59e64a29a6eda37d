/**
 * The exported generator format (`training/export.py`): a `model.json` holding the layer list and a tfjs
 * `weightsManifest`, plus float16-quantized weight shards. Parsing and validation here are plain TypeScript (no
 * tensors), so a bad model fails before any GPU memory is allocated.
 */
import type { FamilyTable } from '../families'
import type { ReliefSpec } from '../relief'
import type { CloudLayerSpec } from '../sky-compose'

/** Why a model could not be loaded. */
export type ModelLoadReason =
  | 'not-found'
  | 'fetch-failed'
  | 'bad-manifest'
  | 'missing-weights'
  | 'truncated-weights'
  | 'oversized-weights'
  | 'bad-shape'
  | 'unsupported-dtype'
  | 'checksum-mismatch'
  | 'non-finite'

/** A model that is missing, corrupt or inconsistent; `reason` is machine-readable, `message` one line for people. */
export class ModelLoadError extends Error {
  /** Machine-readable cause. */
  readonly reason: ModelLoadReason
  constructor(reason: ModelLoadReason, message: string) {
    super(message)
    this.name = 'ModelLoadError'
    this.reason = reason
  }
}

/** One 3×3 convolution of the generator, in execution order. */
export interface LayerSpec {
  /** Weight name prefix: `<name>/kernel` [k, k, in, out] and `<name>/bias` [out]. */
  name: string
  /** Kernel size (always 3 in psgan-conv-v1). */
  kernel: number
  /** Input channels. */
  in: number
  /** Output channels. */
  out: number
  /** Nearest ×2 + wrap-aware [1,2,1]² blur before the conv. */
  upsample: boolean
  /**
   * Per-pixel noise input after the conv (StyleGAN-style): `<name>/noise` [out] scales one i.i.d. N(0, 1) map of the
   * layer's resolution, added before the activation.
   */
  noise: boolean
  /**
   * A family offset on the bias: `<name>/familyBias` [familyDim, out] times the field's family vector (the mean over
   * cells of its family channels) is added to the bias, so every layer, not only the first, takes the material family.
   */
  familyBias: boolean
  /** Activation after the conv. */
  activation: 'relu' | 'tanh'
}

/** One weight entry of the tfjs `weightsManifest`. */
export interface WeightSpec {
  name: string
  shape: number[]
  dtype: 'float32'
  quantization?: { dtype: 'float16' | 'float32'; original_dtype?: string }
}

/** The validated `latentscape` block of a model.json. */
export interface GeneratorManifest {
  /** Model name, e.g. `surface` or `sky`. */
  model: string
  /** Version string (`<model>-v1-<sha12>`); part of every cache key. */
  version: string
  /** Channels of the input latent field (globalDim + familyDim + localDim). */
  inputChannels: number
  /** Channels of the material-family vector in every cell, after the global latent (0 without families). */
  familyDim: number
  /** The field channel where the family vector starts (latent.globalDim; 0 without families). */
  familyOffset: number
  /** Output pixels per latent cell along each axis (2^upsample layers). */
  cellPx: number
  /** Axes with circular padding: both (`xy`), so every output tiles. */
  wrap: 'xy'
  /** Channels per output pixel: 3 (RGB), or 4 for a relief model (RGB + height, see `relief`). */
  outputChannels: 3 | 4
  /** Convolutions in order. */
  layers: LayerSpec[]
  /** Shard paths relative to model.json, concatenated in order. */
  paths: string[]
  /** Weight entries in byte order. */
  weights: WeightSpec[]
  /** Hex sha256 of the concatenated shards, when the export recorded one. */
  weightsSha256?: string
  /**
   * For a cloud-layer generator (the sky): how its texture maps onto the cloud plane and the clear-sky colour it paints
   * clouds over (world-gen `sky-compose.ts`). Absent for surface generators.
   */
  cloudLayer?: CloudLayerSpec
  /**
   * For a family-conditioned surface generator: its material families, their embedding rows (the family vector of
   * every cell is one row, or a blend of two) and their texture scale. Absent for a model without families.
   */
  families?: FamilyTable
  /**
   * For a relief model (4 output channels): the channel holding the height (3) and its scale, h·pxPerUnit texture
   * pixels of relief (world-gen `relief.ts`). Absent for a model that paints colour only.
   */
  relief?: ReliefSpec
  /** The raw `latentscape` metadata (licence, training info…), for provenance. */
  meta: Record<string, unknown>
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0

function bad(message: string): never {
  throw new ModelLoadError('bad-manifest', `model.json: ${message}`)
}

/** Validate a parsed model.json; throws `ModelLoadError` ('bad-manifest', 'bad-shape', 'unsupported-dtype'…). */
export function parseManifest(json: unknown): GeneratorManifest {
  if (!isObj(json)) bad('not a JSON object')
  const ls = json.latentscape
  if (!isObj(ls)) bad('missing "latentscape" block')
  if (typeof ls.model !== 'string' || ls.model === '') bad('latentscape.model must be a string')
  if (typeof ls.version !== 'string' || ls.version === '') bad('latentscape.version must be a string')
  const latent = ls.latent
  if (!isObj(latent)) bad('missing latentscape.latent')
  if (!isPosInt(latent.inputChannels)) bad('latent.inputChannels must be a positive integer')
  if (latent.wrap !== 'xy') bad(`latent.wrap must be "xy" (circular in both axes), got ${String(latent.wrap)}`)
  const familyDim = latent.familyDim ?? 0
  if (!(Number.isInteger(familyDim) && (familyDim as number) >= 0))
    bad(`latent.familyDim must be a non-negative integer, got ${String(latent.familyDim)}`)
  const families = ls.families === undefined ? undefined : parseFamilies(ls.families)
  if (families !== undefined && families.dim !== familyDim)
    bad(`latent.familyDim is ${String(familyDim)} but families.dim is ${families.dim}`)
  if (families === undefined && (familyDim as number) > 0)
    bad(`latent.familyDim is ${String(familyDim)} but there is no latentscape.families table`)
  const dimsGiven = latent.globalDim !== undefined || latent.localDim !== undefined
  if (dimsGiven || (familyDim as number) > 0) {
    if (!isPosInt(latent.globalDim) || !isPosInt(latent.localDim))
      bad('latent.globalDim and latent.localDim must be positive integers')
    const sum = latent.globalDim + (familyDim as number) + latent.localDim
    if (latent.inputChannels !== sum)
      bad(
        `latent.inputChannels is ${latent.inputChannels}, but globalDim ${latent.globalDim} + familyDim ` +
          `${String(familyDim)} + localDim ${latent.localDim} = ${sum}`,
      )
  }
  if (!Array.isArray(ls.layers) || ls.layers.length === 0) bad('latentscape.layers must be a non-empty array')
  const layers: LayerSpec[] = ls.layers.map((l: unknown, i: number) => {
    if (!isObj(l) || typeof l.name !== 'string') bad(`layers[${i}] has no name`)
    if (l.kernel !== 3) bad(`layers[${i}].kernel must be 3`)
    if (!isPosInt(l.in) || !isPosInt(l.out)) bad(`layers[${i}] in/out must be positive integers`)
    if (typeof l.upsample !== 'boolean') bad(`layers[${i}].upsample must be boolean`)
    if (l.activation !== 'relu' && l.activation !== 'tanh') bad(`layers[${i}].activation must be relu or tanh`)
    if (l.noise !== undefined && typeof l.noise !== 'boolean') bad(`layers[${i}].noise must be boolean`)
    if (l.familyBias !== undefined && typeof l.familyBias !== 'boolean') bad(`layers[${i}].familyBias must be boolean`)
    const noise = l.noise === true
    const familyBias = l.familyBias === true
    if (familyBias && !((familyDim as number) > 0))
      bad(`layers[${i}] has a familyBias, but the model has no material families`)
    return {
      name: l.name,
      kernel: 3,
      in: l.in,
      out: l.out,
      upsample: l.upsample,
      noise,
      familyBias,
      activation: l.activation,
    }
  })
  for (let i = 0; i < layers.length; i++) {
    const expectIn = i === 0 ? latent.inputChannels : layers[i - 1].out
    if (layers[i].in !== expectIn)
      throw new ModelLoadError(
        'bad-shape',
        `model.json: layer ${layers[i].name} has in=${layers[i].in}, expected ${expectIn}`,
      )
  }
  const outputChannels = layers[layers.length - 1].out
  if (outputChannels !== 3 && outputChannels !== 4)
    throw new ModelLoadError(
      'bad-shape',
      `model.json: the last layer must output 3 (RGB) or 4 (RGB + height) channels, got ${outputChannels}`,
    )
  const relief = parseRelief(ls.relief, outputChannels, families?.names)
  const cellPx = 2 ** layers.filter((l) => l.upsample).length
  if (latent.cellPx !== undefined && latent.cellPx !== cellPx)
    throw new ModelLoadError(
      'bad-shape',
      `model.json: latent.cellPx=${String(latent.cellPx)} but layers upsample ×${cellPx}`,
    )

  const groups = json.weightsManifest
  if (!Array.isArray(groups) || groups.length === 0) bad('missing weightsManifest')
  const paths: string[] = []
  const weights: WeightSpec[] = []
  for (const g of groups) {
    if (!isObj(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) bad('malformed weightsManifest group')
    for (const p of g.paths) {
      if (typeof p !== 'string' || p === '' || p.includes('..')) bad(`bad shard path ${String(p)}`)
      paths.push(p)
    }
    for (const w of g.weights) {
      if (!isObj(w) || typeof w.name !== 'string') bad('weight entry without a name')
      if (!Array.isArray(w.shape) || !w.shape.every(isPosInt)) bad(`weight ${w.name} has a bad shape`)
      if (w.dtype !== 'float32')
        throw new ModelLoadError(
          'unsupported-dtype',
          `model.json: weight ${w.name} dtype ${String(w.dtype)} (want float32)`,
        )
      const q = w.quantization
      if (q !== undefined && (!isObj(q) || (q.dtype !== 'float16' && q.dtype !== 'float32')))
        throw new ModelLoadError('unsupported-dtype', `model.json: weight ${w.name} quantization must be float16`)
      weights.push(w as unknown as WeightSpec)
    }
  }
  const byName = new Map(weights.map((w) => [w.name, w]))
  for (const l of layers) {
    const want: [string, number[]][] = [
      [`${l.name}/kernel`, [3, 3, l.in, l.out]],
      [`${l.name}/bias`, [l.out]],
    ]
    if (l.noise) want.push([`${l.name}/noise`, [l.out]])
    if (l.familyBias) want.push([`${l.name}/familyBias`, [familyDim as number, l.out]])
    for (const [name, shape] of want) {
      const w = byName.get(name)
      if (w === undefined)
        throw new ModelLoadError('missing-weights', `model.json: no weight "${name}" in weightsManifest`)
      if (w.shape.join(',') !== shape.join(','))
        throw new ModelLoadError('bad-shape', `model.json: ${name} has shape [${w.shape}], expected [${shape}]`)
    }
  }
  let cloudLayer: CloudLayerSpec | undefined
  if (ls.cloudLayer !== undefined) {
    const cl = ls.cloudLayer
    const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
    if (!isObj(cl) || !num(cl.pxPerUnit) || cl.pxPerUnit <= 0) bad('latentscape.cloudLayer.pxPerUnit must be > 0')
    const rgb = cl.clearRgb
    if (!Array.isArray(rgb) || rgb.length !== 3 || !rgb.every((v) => num(v) && v >= 0 && v <= 1) || !(rgb[2] > rgb[0]))
      bad('latentscape.cloudLayer.clearRgb must be 3 numbers in [0, 1], bluer than grey')
    cloudLayer = { pxPerUnit: cl.pxPerUnit, clearRgb: [rgb[0], rgb[1], rgb[2]] }
  }
  const sha =
    typeof ls.weightsSha256 === 'string' && /^[0-9a-f]{64}$/.test(ls.weightsSha256) ? ls.weightsSha256 : undefined
  return {
    model: ls.model,
    version: ls.version,
    inputChannels: latent.inputChannels,
    familyDim: familyDim as number,
    familyOffset: (familyDim as number) > 0 ? (latent.globalDim as number) : 0,
    cellPx,
    wrap: latent.wrap,
    outputChannels,
    layers,
    paths,
    weights,
    weightsSha256: sha,
    cloudLayer,
    families,
    ...(relief !== undefined ? { relief } : {}),
    meta: ls,
  }
}

/** A family's relief gain must lie in (0, MAX_RELIEF_GAIN]: beyond it the height would be mostly clipped. */
const MAX_RELIEF_GAIN = 4

/**
 * Validate `latentscape.relief` against the output channels: a 4-channel model must say where its height is and how
 * deep it is (`{ channel: 3, pxPerUnit: > 0 }`), and a 3-channel one has no height to describe. Its optional
 * `familyGain` and `familyDetail` map families of the model's table (`familyNames`) to factors in
 * (0, MAX_RELIEF_GAIN] and [0, 1] (world-gen `relief.ts`). Throws
 * `ModelLoadError('bad-manifest')` naming what is wrong.
 */
function parseRelief(r: unknown, outputChannels: number, familyNames?: string[]): ReliefSpec | undefined {
  if (outputChannels === 3) {
    if (r !== undefined) bad('latentscape.relief describes a height channel, but the last layer outputs only RGB (3)')
    return undefined
  }
  if (r === undefined)
    bad('the last layer outputs 4 channels but there is no latentscape.relief block saying the 4th is height')
  if (!isObj(r)) bad('latentscape.relief must be an object { channel: 3, pxPerUnit }')
  if (r.channel !== 3) bad(`latentscape.relief.channel must be 3 (after RGB), got ${String(r.channel)}`)
  if (!isFiniteNum(r.pxPerUnit) || r.pxPerUnit <= 0)
    bad(`latentscape.relief.pxPerUnit must be a number > 0, got ${String(r.pxPerUnit)}`)
  const spec: ReliefSpec = { channel: 3, pxPerUnit: r.pxPerUnit }
  const gain = parseFamilyFactors(
    r,
    'familyGain',
    familyNames,
    (v) => v > 0 && v <= MAX_RELIEF_GAIN,
    `(0, ${MAX_RELIEF_GAIN}]`,
  )
  const detail = parseFamilyFactors(r, 'familyDetail', familyNames, (v) => v >= 0 && v <= 1, '[0, 1]')
  return { ...spec, ...(gain ? { familyGain: gain } : {}), ...(detail ? { familyDetail: detail } : {}) }
}

/**
 * One of the relief block's per-family tables (`familyGain`, `familyDetail`): absent, or an object mapping families
 * of the model's table to numbers `ok` accepts (`range` says which, in the error).
 */
function parseFamilyFactors(
  r: Record<string, unknown>,
  key: 'familyGain' | 'familyDetail',
  familyNames: string[] | undefined,
  ok: (v: number) => boolean,
  range: string,
): Record<string, number> | undefined {
  const table = r[key]
  if (table === undefined) return undefined
  if (!isObj(table)) bad(`latentscape.relief.${key} must map family names to numbers`)
  if (familyNames === undefined) bad(`latentscape.relief.${key} is given but the model has no families table`)
  const out: Record<string, number> = {}
  for (const [name, v] of Object.entries(table)) {
    if (!familyNames.includes(name))
      bad(`latentscape.relief.${key} names "${name}", which is not one of families.names (${familyNames.join(', ')})`)
    if (!isFiniteNum(v) || !ok(v))
      bad(`latentscape.relief.${key}.${name} must be a number in ${range}, got ${String(v)}`)
    out[name] = v
  }
  return out
}

const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/**
 * Validate `latentscape.families`: `{ names: string[], dim, embedding: number[names.length][dim], pxPerMetre:
 * { [name]: number > 0 } }`. Throws `ModelLoadError('bad-manifest')` naming the first bad field.
 */
function parseFamilies(f: unknown): FamilyTable {
  if (!isObj(f)) bad('latentscape.families must be an object')
  const names = f.names
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== ''))
    bad('families.names must be a non-empty array of names')
  if (new Set(names).size !== names.length) bad(`families.names has a name twice (${names.join(', ')})`)
  if (!isPosInt(f.dim)) bad('families.dim must be a positive integer')
  const dim = f.dim
  const rows = f.embedding
  if (!Array.isArray(rows) || rows.length !== names.length)
    bad(
      `families.embedding must have one row per family (${names.length}), got ${Array.isArray(rows) ? rows.length : 'none'}`,
    )
  const embedding = rows.map((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== dim)
      bad(
        `families.embedding[${i}] (${String(names[i])}) must have ${dim} values, got ${Array.isArray(row) ? row.length : 'none'}`,
      )
    const k = row.findIndex((v) => !isFiniteNum(v))
    if (k >= 0) bad(`families.embedding[${i}][${k}] (${String(names[i])}) is not a finite number`)
    return Float32Array.from(row as number[])
  })
  const ppm = f.pxPerMetre
  if (!isObj(ppm)) bad('families.pxPerMetre must map each family to its texture pixels per metre')
  const pxPerMetre: Record<string, number> = {}
  for (const name of names as string[]) {
    const v = ppm[name]
    if (!isFiniteNum(v) || v <= 0) bad(`families.pxPerMetre.${name} must be a number > 0, got ${String(v)}`)
    pxPerMetre[name] = v
  }
  return { names: [...(names as string[])], dim, embedding, pxPerMetre }
}

/** Bytes per element of a weight as stored (2 for float16-quantized, 4 for float32). */
function storedBytes(w: WeightSpec): number {
  return w.quantization?.dtype === 'float16' ? 2 : 4
}

/** Total byte length the shards must have for this manifest. */
export function expectedWeightBytes(m: GeneratorManifest): number {
  return m.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * storedBytes(w), 0)
}

// IEEE 754 half → float table-free decode (exact: every fp16 value is representable in fp32).
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1
  const e = (h >> 10) & 0x1f
  const f = h & 0x3ff
  if (e === 0) return s * f * 2 ** -24
  if (e === 31) return f === 0 ? s * Infinity : NaN
  return s * (1 + f / 1024) * 2 ** (e - 15)
}

/**
 * Decode the concatenated shards into float32 arrays by weight name. Throws `ModelLoadError` with
 * 'truncated-weights' / 'oversized-weights' on a size mismatch and 'non-finite' on NaN/Inf values.
 */
export function decodeWeights(m: GeneratorManifest, bytes: Uint8Array): Map<string, Float32Array> {
  const expected = expectedWeightBytes(m)
  if (bytes.byteLength < expected)
    throw new ModelLoadError(
      'truncated-weights',
      `weights: ${bytes.byteLength} bytes, manifest needs ${expected} (truncated)`,
    )
  if (bytes.byteLength > expected)
    throw new ModelLoadError('oversized-weights', `weights: ${bytes.byteLength} bytes, manifest needs ${expected}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Map<string, Float32Array>()
  let offset = 0
  for (const w of m.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1)
    const arr = new Float32Array(n)
    const half = storedBytes(w) === 2
    for (let i = 0; i < n; i++) {
      const v = half ? halfToFloat(view.getUint16(offset + 2 * i, true)) : view.getFloat32(offset + 4 * i, true)
      if (!Number.isFinite(v))
        throw new ModelLoadError('non-finite', `weights: ${w.name}[${i}] is not finite (corrupt)`)
      arr[i] = v
    }
    offset += n * storedBytes(w)
    out.set(w.name, arr)
  }
  return out
}

/** Hex sha256 of bytes via WebCrypto (browser, worker, Node ≥ 20); undefined where WebCrypto is unavailable. */
export async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle
  if (subtle === undefined) return undefined
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
