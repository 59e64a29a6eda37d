/**
 * The PSGAN-style fully convolutional generator (Bergmann et al. 2017, https://arxiv.org/abs/1705.06566) rebuilt
 * from tf.js ops: the TypeScript twin of `training/models.py` `FoldedGenerator` (golden-tested in test/world-gen/gan/).
 * Per layer: [nearest ×2 → depthwise [1,2,1]⊗[1,2,1]/16 blur with wrap padding] → wrap pad 1 → 3×3 'valid' conv + bias
 * (+ the material family's offset on the bias, for a model whose layers take it)
 * → relu | tanh (computed as a wrap pad at the low resolution, one bilinear ×2 and a fused conv: see `forward`).
 * "Wrap" is circular in both axes, which is what makes the surface textures and the sky's cloud tiles tile.
 */
import * as tf from '@tensorflow/tfjs-core'
import { createRng, gaussian } from '../seed'
import type { FamilyTable } from '../families'
import type { ReliefSpec } from '../relief'
import type { CloudLayerSpec } from '../sky-compose'
import {
  decodeWeights,
  expectedWeightBytes,
  ModelLoadError,
  parseManifest,
  sha256Hex,
  type GeneratorManifest,
  type LayerSpec,
} from './manifest'

/** Where to load a generator from: a model.json URL (fetch), or the already-read manifest and shard bytes (Node). */
export type GeneratorSource =
  { url: string } | { manifest: unknown; weights: ArrayBuffer | Uint8Array | (ArrayBuffer | Uint8Array)[] }

/** Options of `loadGenerator`. */
export interface LoadGeneratorOptions {
  /** Called with bytes received so far and the total (0 when unknown) while shards download. */
  onProgress?: (loadedBytes: number, totalBytes: number) => void
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch
  /** Verify `weightsSha256` when WebCrypto is available. @default true */
  verifyChecksum?: boolean
}

interface LayerTensors {
  spec: LayerSpec
  kernel: tf.Tensor4D
  bias: tf.Tensor1D
  noise?: tf.Tensor1D
  /** [familyDim, out]: the layer's bias moves by the field's family vector times this. */
  familyBias?: tf.Tensor2D
}

/** What one forward pass shares across its layers. */
interface ForwardRun {
  maps: NoiseMaps
  shapes: [number, number][]
  /** The field's family vector [1, familyDim], for a model whose layers take it (`LayerSpec.familyBias`). */
  family?: tf.Tensor2D
}

/**
 * The per-pixel noise inputs of a generator: one float32 map [H, W] (i.i.d. N(0, 1)) per noise layer, in layer order,
 * at that layer's resolution. Build them with `noiseMaps` (seeded, deterministic) or pass recorded ones (golden tests).
 */
export type NoiseMaps = Float32Array[]

/**
 * Wrap-pad an NHWC tensor (batch 1) by 1 px, circular in both axes. The width step works on the [H, W·C] view, where
 * a column of pixels is one C-wide block per row, so backends copy H runs of C values rather than going pixel by pixel
 * through a 4-D slice.
 */
function wrapPad(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w, c] = x.shape
  const rows = tf.reshape(x, [h, w * c])
  const xw = tf.concat([tf.slice(rows, [0, (w - 1) * c], [h, c]), rows, tf.slice(rows, [0, 0], [h, c])], 1)
  const padded = tf.concat([tf.slice(xw, [h - 1, 0], [1, -1]), xw, tf.slice(xw, [0, 0], [1, -1])], 0)
  return tf.reshape(padded, [1, h + 2, w + 2, c])
}

/** Cut the outer 1 px ring off an NHWC tensor (batch 1), through the [H, W·C] view as in `wrapPad`. */
function cropRing(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w, c] = x.shape
  const inner = tf.slice(tf.reshape(x, [h, w * c]), [1, c], [h - 2, (w - 2) * c])
  return tf.reshape(inner, [1, h - 2, w - 2, c])
}

/** [H, W] of each noise map of a generator with `layers`, for a field of cellsH × cellsW cells, in layer order. */
export function noiseShapes(layers: readonly LayerSpec[], cellsH: number, cellsW: number): [number, number][] {
  const shapes: [number, number][] = []
  let f = 1
  for (const l of layers) {
    if (l.upsample) f *= 2
    if (l.noise) shapes.push([cellsH * f, cellsW * f])
  }
  return shapes
}

/** The seeded noise maps of a generator with `layers` (see `Generator.noiseMaps`). */
export function noiseMaps(layers: readonly LayerSpec[], noiseSeed: number, cellsH: number, cellsW: number): NoiseMaps {
  const rng = createRng(noiseSeed >>> 0)
  return noiseShapes(layers, cellsH, cellsW).map(([h, w]) => {
    const m = new Float32Array(h * w)
    for (let i = 0; i < m.length; i++) m[i] = gaussian(rng)
    return m
  })
}

/** Options of `Generator.generate`, `generateMaps` and `generateFloat`. */
export type GenerateOptions = {
  /**
   * Run the layers one at a time and await this after each (a background generation's pacing, which times the layers
   * itself: see the worker's `pace`). The output is the same.
   */
  pause?: () => Promise<void>
}

/** Options of `Generator.forwardTensor`. */
export interface ForwardOptions {
  /**
   * Run the convolutions unfused (conv2d, then bias and activation as ops of their own), for a pass that is
   * differentiated: the same values, and a gradient every backend computes (see `forwardTensor`). @default false
   */
  differentiable?: boolean
}

/** A loaded generator: owns its weight tensors until `dispose()`. */
export class Generator {
  /** The validated manifest (model name, version, layers). */
  readonly manifest: GeneratorManifest
  private layers: LayerTensors[]
  private disposed = false

  /** Use `loadGenerator`; this takes ownership of the tensors. */
  constructor(manifest: GeneratorManifest, layers: LayerTensors[]) {
    this.manifest = manifest
    this.layers = layers
  }

  /** Model version, e.g. `surface-v1-0f249bb140bd` (part of every cache key). */
  get version(): string {
    return this.manifest.version
  }

  /** Input channels per latent cell. */
  get inputChannels(): number {
    return this.manifest.inputChannels
  }

  /** Output pixels per latent cell. */
  get cellPx(): number {
    return this.manifest.cellPx
  }

  /** Set for a cloud-layer generator (the sky): see `GeneratorManifest.cloudLayer`. */
  get cloudLayer(): CloudLayerSpec | undefined {
    return this.manifest.cloudLayer
  }

  /** Set for a family-conditioned surface generator: see `GeneratorManifest.families`. */
  get families(): FamilyTable | undefined {
    return this.manifest.families
  }

  /** Channels per output pixel: 3 (RGB), or 4 for a relief model (RGB + height). */
  get outputChannels(): 3 | 4 {
    return this.manifest.outputChannels
  }

  /** Set for a relief model: where its height is and how deep (see `GeneratorManifest.relief`). */
  get relief(): ReliefSpec | undefined {
    return this.manifest.relief
  }

  /** [H, W] of each noise map for a field of cellsH × cellsW cells, in layer order. */
  noiseShapes(cellsH: number, cellsW: number): [number, number][] {
    return noiseShapes(this.manifest.layers, cellsH, cellsW)
  }

  /**
   * Deterministic noise maps for `noiseSeed` (uint32): the same seed and size give the same maps everywhere (the
   * world-gen PRNG, no Math.random). Values i.i.d. N(0, 1); the maps tile because the generator wraps.
   */
  noiseMaps(noiseSeed: number, cellsH: number, cellsW: number): NoiseMaps {
    return noiseMaps(this.manifest.layers, noiseSeed, cellsH, cellsW)
  }

  private check(field: Float32Array, cellsH: number, cellsW: number): void {
    if (this.disposed) throw new Error(`generator ${this.manifest.version} is disposed`)
    if (!Number.isInteger(cellsH) || !Number.isInteger(cellsW) || cellsH < 1 || cellsW < 1)
      throw new RangeError(`cellsH and cellsW must be positive integers, got ${cellsH}×${cellsW}`)
    const want = cellsH * cellsW * this.manifest.inputChannels
    if (field.length !== want)
      throw new RangeError(
        `latent field has ${field.length} values, expected ${cellsH}×${cellsW}×${this.inputChannels}`,
      )
  }

  /**
   * The forward pass as a tensor (synchronous tf ops; call inside `tf.tidy`).
   * In: field float32 [cellsH, cellsW, inputChannels] channels-last. Out: float32 [1, cellsH·cellPx, cellsW·cellPx,
   * channels] in [-1, 1], the last layer's channels (RGB first). `noise`: the noise maps (`noiseMaps`), or a uint32
   * seed to build them from.
   */
  forward(field: Float32Array, cellsH: number, cellsW: number, noise: NoiseMaps | number = 0): tf.Tensor4D {
    this.check(field, cellsH, cellsW)
    return this.forwardTensor(tf.tensor4d(field, [1, cellsH, cellsW, this.manifest.inputChannels]), noise)
  }

  /**
   * The forward pass from a field tensor [1, cellsH, cellsW, inputChannels], so that gradients reach the field
   * (`tf.grad`, an optimizer's `minimize`): what `forward` runs, and what the photo-style fit differentiates. Out and
   * `noise` as `forward`. Synchronous tf ops: call inside `tf.tidy` or a gradient function.
   */
  forwardTensor(field: tf.Tensor4D, noise: NoiseMaps | number = 0, options: ForwardOptions = {}): tf.Tensor4D {
    const run = this.prepare(field, noise)
    let x = field
    for (let i = 0; i < this.layers.length; i++) x = this.layer(i, x, run, options.differentiable !== true)
    return x
  }

  /**
   * Check a field tensor and its noise; the noise maps and their shapes, for `layer`, and the field's family vector
   * when a layer takes it (a tensor the caller disposes: inside `tf.tidy`, or as `forwardPaced` does).
   */
  private prepare(field: tf.Tensor4D, noise: NoiseMaps | number): ForwardRun {
    if (this.disposed) throw new Error(`generator ${this.manifest.version} is disposed`)
    const [batch, cellsH, cellsW, channels] = field.shape
    if (batch !== 1 || channels !== this.manifest.inputChannels)
      throw new RangeError(`field tensor is ${field.shape.join('×')}, expected 1×H×W×${this.inputChannels}`)
    const maps = typeof noise === 'number' ? this.noiseMaps(noise, cellsH, cellsW) : noise
    const shapes = this.noiseShapes(cellsH, cellsW)
    if (maps.length !== shapes.length || maps.some((m, i) => m.length !== shapes[i]![0] * shapes[i]![1]))
      throw new RangeError(`expected ${shapes.length} noise maps of ${shapes.map((s) => s.join('×')).join(', ')}`)
    if (!this.layers.some((l) => l.familyBias !== undefined)) return { maps, shapes }
    // Every cell holds the same family vector (one family's row, or a blend), so the mean over the cells is that
    // vector: the same reading as training/models.py `family_of_field`.
    const { familyOffset, familyDim } = this.manifest
    const family = tf.tidy(() =>
      tf.reshape(tf.mean(tf.slice(field, [0, 0, 0, familyOffset], [1, -1, -1, familyDim]), [0, 1, 2]), [1, familyDim]),
    ) as tf.Tensor2D
    return { maps, shapes, family }
  }

  /** Layer `i` of the forward pass on `x` (synchronous tf ops); `fused`: bias and relu ride in the conv kernel. */
  private layer(i: number, x: tf.Tensor4D, run: ForwardRun, fused: boolean): tf.Tensor4D {
    const { spec, kernel, noise: noiseWeight, familyBias } = this.layers[i]!
    const bias =
      familyBias === undefined
        ? this.layers[i]!.bias
        : (tf.add(this.layers[i]!.bias, tf.reshape(tf.matMul(run.family!, familyBias), [spec.out])) as tf.Tensor1D)
    const tanh = spec.activation === 'tanh'
    // Bias and relu ride in the conv kernel (one pass over the output instead of three); noise goes in before the
    // activation, so a noise layer fuses the bias only.
    const activation = noiseWeight === undefined && !tanh ? 'relu' : 'linear'
    const conv = (input: tf.Tensor4D): tf.Tensor4D => {
      if (fused) return tf.fused.conv2d({ x: input, filter: kernel, strides: 1, pad: 'valid', bias, activation })
      // The gradient of a fused conv computes the filter's too (wasted here, and wasm has no Conv2DBackpropFilter);
      // that of conv2d computes only what the tape asks for, the input's.
      const z = tf.add(tf.conv2d(input, kernel, 1, 'valid'), bias) as tf.Tensor4D
      return activation === 'relu' ? tf.relu(z) : z
    }
    let y: tf.Tensor4D
    if (spec.upsample) {
      // Nearest ×2 then the [1,2,1]⊗[1,2,1]/16 blur is exactly bilinear ×2 with half-pixel centres (each output
      // pixel is ¾ of its own source and ¼ of the neighbour). Wrap-padding by 1 at the low resolution first makes
      // that bilinear step produce the image wrap-padded by 2, whose inner ring is the conv's padding: the full
      // resolution is never padded. The conv runs 'valid' over that 1 px larger frame, so its output has a 1 px
      // ring (computed from the bilinear step's clamped border), which is cut off.
      const [, h, w] = x.shape
      y = cropRing(conv(tf.image.resizeBilinear(wrapPad(x), [2 * h + 4, 2 * w + 4], false, true)))
    } else {
      y = conv(wrapPad(x))
    }
    if (noiseWeight !== undefined) {
      // The k-th noise layer takes the k-th map: count the noise layers before this one.
      let k = 0
      for (let j = 0; j < i; j++) if (this.layers[j]!.noise !== undefined) k++
      const [hk, wk] = run.shapes[k]!
      // [1, H, W, 1] noise × [out] per-channel strength, broadcast over channels.
      y = tf.add(y, tf.mul(tf.tensor4d(run.maps[k]!, [1, hk, wk, 1]), noiseWeight)) as tf.Tensor4D
      if (!tanh) y = tf.relu(y)
    }
    return tanh ? tf.tanh(y) : y
  }

  /**
   * The forward pass of `forward`, one layer at a time with `pause()` awaited after each, so a background generation
   * can leave the CPU to others between layers. The same values as `forward`.
   */
  private async forwardPaced(
    field: Float32Array,
    cellsH: number,
    cellsW: number,
    noise: NoiseMaps | number,
    pause: () => Promise<void>,
  ): Promise<tf.Tensor4D> {
    let x = tf.tensor4d(field, [1, cellsH, cellsW, this.manifest.inputChannels])
    let run: ForwardRun | undefined
    try {
      run = this.prepare(x, noise)
      for (let i = 0; i < this.layers.length; i++) {
        const input = x
        const r = run
        x = tf.tidy(() => this.layer(i, input, r, true))
        input.dispose()
        // Synchronous backends (wasm, cpu) have done the layer's work here; a GPU backend has only queued it.
        await pause()
      }
      return x
    } catch (e) {
      x.dispose()
      throw e
    } finally {
      run?.family?.dispose()
    }
  }

  /**
   * Generate float pixels: float32 [cellsH·cellPx, cellsW·cellPx, outputChannels] channels-last in [-1, 1] (RGB, then
   * the height of a relief model). Throws RangeError on a field of the wrong length (before allocating any tensor).
   */
  async generateFloat(
    field: Float32Array,
    cellsH: number,
    cellsW: number,
    noise: NoiseMaps | number = 0,
    options: GenerateOptions = {},
  ): Promise<Float32Array> {
    this.check(field, cellsH, cellsW)
    // Synchronous math inside tidy (never async), keep only the output; async readback after; then dispose it.
    const out =
      options.pause === undefined
        ? tf.tidy(() => this.forward(field, cellsH, cellsW, noise))
        : await this.forwardPaced(field, cellsH, cellsW, noise, options.pause)
    try {
      return (await out.data()) as Float32Array
    } finally {
      out.dispose()
    }
  }

  /**
   * Generate a texture: RGBA8 bytes [cellsH·cellPx, cellsW·cellPx, 4], rgb = round((v + 1)·127.5) clamped to 0..255,
   * alpha 255. `field`: float32 [cellsH, cellsW, inputChannels] channels-last; `noise`: maps or a uint32 seed.
   */
  async generate(
    field: Float32Array,
    cellsH: number,
    cellsW: number,
    noise: NoiseMaps | number = 0,
    options: GenerateOptions = {},
  ): Promise<Uint8Array> {
    return toRgba8(await this.generateFloat(field, cellsH, cellsW, noise, options), this.outputChannels)
  }

  /**
   * Generate a surface: its colour as RGBA8 [cellsH·cellPx, cellsW·cellPx, 4] (as `generate`) and, for a relief model,
   * its height, float32 [cellsH·cellPx, cellsW·cellPx] in [-1, 1]; one forward pass for both.
   */
  async generateMaps(
    field: Float32Array,
    cellsH: number,
    cellsW: number,
    noise: NoiseMaps | number = 0,
    options: GenerateOptions = {},
  ): Promise<GeneratedMaps> {
    const values = await this.generateFloat(field, cellsH, cellsW, noise, options)
    const rgba = toRgba8(values, this.outputChannels)
    const relief = this.relief
    return relief === undefined ? { rgba } : { rgba, height: channelOf(values, this.outputChannels, relief.channel) }
  }

  /** Multiply-adds ×2 of one image of cellsH×cellsW cells: 2·k²·in·out·H·W per conv, 2·9·C·H·W per blur. */
  flops(cellsH: number, cellsW: number): number {
    let h = cellsH
    let w = cellsW
    let total = 0
    for (const l of this.manifest.layers) {
      if (l.upsample) {
        h *= 2
        w *= 2
        total += 2 * 9 * l.in * h * w
      }
      total += 2 * l.kernel * l.kernel * l.in * l.out * h * w
    }
    return total
  }

  /** Release every weight tensor. Idempotent. */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    for (const l of this.layers) tf.dispose([l.kernel, l.bias, l.noise, l.familyBias].filter((t) => t !== undefined))
    this.layers = []
  }
}

/** What `Generator.generateMaps` returns. */
export interface GeneratedMaps {
  /** Colour, RGBA8 [H, W, 4], alpha 255. */
  rgba: Uint8Array
  /** Height of a relief model, float32 [H, W] in [-1, 1]; absent for a colour-only model. */
  height?: Float32Array
}

/**
 * Float pixels in [-1, 1] with `channels` values each (RGB first: 3, or 4 with a relief model's height) → RGBA8 of
 * their RGB (length 4·n), alpha 255; byte = round((v + 1)·127.5) clamped to 0..255.
 */
export function toRgba8(values: Float32Array, channels = 3, out?: Uint8Array): Uint8Array {
  if (!Number.isInteger(channels) || channels < 3 || values.length % channels !== 0)
    throw new RangeError(
      `expected pixels of at least 3 channels (RGB first), got ${values.length} values of ${channels}`,
    )
  const n = values.length / channels
  const bytes = out ?? new Uint8Array(n * 4)
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.round((values[channels * i + c] + 1) * 127.5)
      bytes[4 * i + c] = v < 0 ? 0 : v > 255 ? 255 : v
    }
    bytes[4 * i + 3] = 255
  }
  return bytes
}

/** One channel of channels-last float pixels: float32 [n] from [n, channels]. */
export function channelOf(values: Float32Array, channels: number, channel: number): Float32Array {
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels)
    throw new RangeError(`channel ${channel} is not one of ${channels}`)
  const n = values.length / channels
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = values[channels * i + channel]!
  return out
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.byteLength
  }
  return out
}

async function fetchOk(f: typeof fetch, url: string): Promise<Response> {
  let res: Response
  try {
    res = await f(url)
  } catch (e) {
    throw new ModelLoadError('fetch-failed', `cannot fetch ${url}: ${(e as Error).message}`)
  }
  if (res.status === 404) throw new ModelLoadError('not-found', `model file not found: ${url} (HTTP 404)`)
  if (!res.ok) throw new ModelLoadError('fetch-failed', `cannot fetch ${url}: HTTP ${res.status}`)
  return res
}

async function readWithProgress(res: Response, onChunk: (n: number) => void): Promise<Uint8Array> {
  if (res.body === null) {
    const b = new Uint8Array(await res.arrayBuffer())
    onChunk(b.byteLength)
    return b
  }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    onChunk(value.byteLength)
  }
  return concatBytes(chunks)
}

/**
 * Start downloading models before they are loaded (while the backend is still being chosen): each model.json at once,
 * and its weight shards as soon as it is read. Returns the fetch to hand `loadGenerator` (`options.fetch`): it serves
 * each prefetched URL once, from the download already under way, and fetches anything else as usual. A failed
 * prefetch fails the same way for `loadGenerator` (the same response or error). `base` resolves relative URLs.
 */
export function prefetchModels(
  urls: readonly string[],
  base: string,
  f: typeof fetch = globalThis.fetch,
): typeof fetch {
  const pending = new Map<string, Promise<Response>>()
  const start = (url: string): Promise<Response> => {
    const p = f(url)
    // Consumed (or not) by `loadGenerator` later: never an unhandled rejection here.
    p.catch(() => undefined)
    pending.set(url, p)
    return p
  }
  for (const url of urls) {
    const manifestUrl = new URL(url, base).href
    start(manifestUrl)
      .then(async (res) => {
        if (!res.ok) return
        const manifest = parseManifest(await res.clone().json())
        for (const path of manifest.paths) {
          const shard = new URL(path, manifestUrl).href
          if (!pending.has(shard)) start(shard)
        }
      })
      .catch(() => undefined) // a bad manifest: `loadGenerator` reports it when it reads the same response
  }
  return (input, init) => {
    const url = typeof input === 'string' ? new URL(input, base).href : undefined
    const p = url === undefined || init !== undefined ? undefined : pending.get(url)
    if (p === undefined) return f(input, init)
    pending.delete(url!)
    return p
  }
}

/**
 * Load, validate and upload a generator on the current tf backend. Throws `ModelLoadError` (with `reason`) when the
 * manifest or weights are missing, corrupt, truncated or inconsistent; on error no tensor is left allocated.
 */
export async function loadGenerator(source: GeneratorSource, options: LoadGeneratorOptions = {}): Promise<Generator> {
  let json: unknown
  let parts: Uint8Array[]
  if ('url' in source) {
    const f = options.fetch ?? globalThis.fetch
    const res = await fetchOk(f, source.url)
    try {
      json = await res.json()
    } catch {
      throw new ModelLoadError('bad-manifest', `${source.url} is not valid JSON`)
    }
    const manifest = parseManifest(json)
    const base = new URL('.', new URL(source.url, 'file:///')).href
    const isAbs = /^[a-z]+:/i.test(source.url)
    const shardUrl = (p: string) => {
      const u = new URL(p, base).href
      return isAbs ? u : u.replace(/^file:\/\//, '')
    }
    const total = expectedWeightBytes(manifest)
    let loaded = 0
    parts = []
    for (const p of manifest.paths) {
      const r = await fetchOk(f, shardUrl(p))
      parts.push(
        await readWithProgress(r, (n) => {
          loaded += n
          options.onProgress?.(loaded, total)
        }),
      )
    }
  } else {
    json = source.manifest
    const w = Array.isArray(source.weights) ? source.weights : [source.weights]
    parts = w.map((b) => (b instanceof Uint8Array ? b : new Uint8Array(b)))
  }
  const manifest = parseManifest(json)
  const bytes = concatBytes(parts)
  const values = decodeWeights(manifest, bytes)
  if (options.verifyChecksum !== false && manifest.weightsSha256 !== undefined) {
    const sha = await sha256Hex(bytes)
    if (sha !== undefined && sha !== manifest.weightsSha256)
      throw new ModelLoadError(
        'checksum-mismatch',
        `weights sha256 ${sha.slice(0, 12)}… does not match model.json ${manifest.weightsSha256.slice(0, 12)}… (corrupt download?)`,
      )
  }
  // All validation is done: from here on, tensor creation cannot fail for model reasons.
  const layers: LayerTensors[] = manifest.layers.map((spec) => ({
    spec,
    kernel: tf.tensor4d(values.get(`${spec.name}/kernel`)!, [3, 3, spec.in, spec.out]),
    bias: tf.tensor1d(values.get(`${spec.name}/bias`)!),
    ...(spec.noise ? { noise: tf.tensor1d(values.get(`${spec.name}/noise`)!) } : {}),
    ...(spec.familyBias
      ? { familyBias: tf.tensor2d(values.get(`${spec.name}/familyBias`)!, [manifest.familyDim, spec.out]) }
      : {}),
  }))
  return new Generator(manifest, layers)
}
