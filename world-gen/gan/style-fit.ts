/**
 * Style from a photo: fit the surface generator's inputs (the global latent and a softmax mixture over the model's
 * family vectors) to a photo by gradient descent (Adam) through the generator, on the device.
 *
 * The distance is texture statistics that need no pretrained network: on each level of a Gaussian pyramid (2×2
 * average pooling), the colour mean and 3×3 colour covariance, the log energy of the Laplacian band (the level minus
 * its upsampled coarser level) and the log energies of the horizontal and vertical differences, per channel. Colour
 * moments carry the palette, band energies the contrast at each scale (grain vs blocks), the directional energies the
 * orientation (planks, courses of brick). They are translation invariant, so a texture matches a photo without being
 * aligned to it, cheap (pooling and means: a fraction of the generator's own cost), deterministic (no random
 * projections, unlike a sliced Wasserstein distance), and differentiable with kernels every tf.js backend has.
 * In the spirit of Portilla & Simoncelli 2000 (https://doi.org/10.1023/A:1026553619983), much reduced.
 *
 * The fit differentiates through the generator itself (`Generator.forwardTensor`, the pass every texture is painted
 * with), from a field tensor built inside the gradient function.
 *
 * What a link carries is rounded (the latent to 6 bits per channel, the mixture to sixteenths), and rounding can undo
 * a fit: a latent polished to 0.78 painted 2.05 once rounded, worse than its start (1.73). So the last steps optimise
 * through the rounding and the fit returns the closest rounded style it painted, measured as a link paints it.
 */
import * as tf from '@tensorflow/tfjs-core'
import { ensureGradients } from './gradients'
import { createRng, gaussian } from '../seed'
import type { FamilyTable } from '../families'
import {
  decodeStyle,
  encodeStyle,
  photoTarget,
  quantiseLatent,
  quantiseStyle,
  toLatentSphere,
  type StyleFamily,
  type WorldStyle,
} from '../style'
import type { SurfaceSlot } from '../layout'
import type { GeneratorManifest } from './manifest'
import type { Generator } from './generator'

/** Pyramid levels of the statistics: 64 → 32 → 16 → 8 px for the default 64² fit. */
export const STYLE_LEVELS = 4

/** Energies are compared as logs; this floor keeps flat regions from dominating. */
const ENERGY_EPS = 1e-4

/**
 * Weight of each statistic in the distance: colour means and covariances are in [-1, 1]² units, log energies are
 * ratios, so they are scaled to contribute comparably for real textures (about 1/3 of the start distance each).
 */
const W_MEAN = 4
const W_COV = 40
const W_LOG_ENERGY = 0.25

/**
 * Kernels the fit's backward pass needs beyond the forward pass's: the gradients of conv (input only), nearest resize
 * and pooling, pad and split for slice and concat, step for relu, and the products of the bilinear resize's gradient
 * (world-gen/gan/gradients.ts). Every backend the worker uses (webgpu, webgl, wasm, cpu) registers them all.
 */
export const FIT_GRADIENT_KERNELS = [
  'Conv2DBackpropInput',
  'ResizeNearestNeighborGrad',
  'AvgPoolGrad',
  'PadV2',
  'SplitV',
  'Step',
  'Softmax',
  'BatchMatMul',
  'Transpose',
] as const

/** The gradient kernels `backend` does not register (empty: it can run the fit). */
export function missingGradientKernels(backend: string): string[] {
  return FIT_GRADIENT_KERNELS.filter((k) => tf.getKernel(k, backend) === undefined)
}

/**
 * The texture statistics of an image: float32 [STYLE_LEVELS · 21]. In: [1, H, W, 3] in [-1, 1], H and W divisible by
 * 2^(STYLE_LEVELS − 1). Per level: colour mean (3), colour covariance (9), then log(ε + energy) of the Laplacian band,
 * of horizontal and of vertical differences (3 channels each). Synchronous: call inside `tf.tidy`.
 */
export function textureStats(image: tf.Tensor4D, levels = STYLE_LEVELS): tf.Tensor1D {
  const parts: tf.Tensor[] = []
  let g: tf.Tensor4D = image
  for (let l = 0; l < levels; l++) {
    const [, h, w] = g.shape
    const flat = tf.reshape(g, [h * w, 3])
    const mean = tf.mean(flat, 0)
    const centred = tf.sub(flat, mean)
    const cov = tf.div(tf.matMul(centred, centred, true, false), h * w)
    const coarse = tf.avgPool(g, 2, 2, 'valid') as tf.Tensor4D
    const band = tf.sub(g, tf.image.resizeNearestNeighbor(coarse, [h, w], false, false))
    const dx = tf.sub(tf.slice(g, [0, 0, 1, 0], [-1, -1, w - 1, -1]), tf.slice(g, [0, 0, 0, 0], [-1, -1, w - 1, -1]))
    const dy = tf.sub(tf.slice(g, [0, 1, 0, 0], [-1, h - 1, -1, -1]), tf.slice(g, [0, 0, 0, 0], [-1, h - 1, -1, -1]))
    const logEnergy = (t: tf.Tensor) => tf.log(tf.add(tf.mean(tf.square(t), [0, 1, 2]), ENERGY_EPS))
    parts.push(
      tf.mul(mean, Math.sqrt(W_MEAN)),
      tf.mul(tf.reshape(cov, [9]), Math.sqrt(W_COV)),
      tf.mul(logEnergy(band), Math.sqrt(W_LOG_ENERGY)),
      tf.mul(logEnergy(dx), Math.sqrt(W_LOG_ENERGY)),
      tf.mul(logEnergy(dy), Math.sqrt(W_LOG_ENERGY)),
    )
    g = coarse
  }
  return tf.concat(parts) as tf.Tensor1D
}

/** Statistics per pyramid level in `textureStats`: the colour moments (mean 3, covariance 9), then 9 log energies. */
const STATS_PER_LEVEL = 21
const COLOUR_STATS = 12

/**
 * 1 on the structure statistics of `textureStats` (the log energies of the bands and of the horizontal and vertical
 * differences: contrast per scale and orientation), 0 on the colour moments.
 */
export function structureMask(levels = STYLE_LEVELS): Float32Array {
  const mask = new Float32Array(levels * STATS_PER_LEVEL)
  for (let l = 0; l < levels; l++) mask.fill(1, l * STATS_PER_LEVEL + COLOUR_STATS, (l + 1) * STATS_PER_LEVEL)
  return mask
}

/** Squared distance between two statistics vectors (`textureStats`): a scalar, 0 for identical textures. */
export function statsDistance(a: tf.Tensor1D, b: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.squaredDifference(a, b)) as tf.Scalar
}

/** The texture-statistics distance between two images [1, H, W, 3] in [-1, 1] (synchronous; call inside `tf.tidy`). */
export function styleDistance(a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar {
  return statsDistance(textureStats(a), textureStats(b))
}

/** Statistics of one target image, float32 [STYLE_LEVELS · 21], from float32 [S, S, 3] in [-1, 1]. */
export function targetStats(target: Float32Array, sizePx: number): Float32Array {
  return tf.tidy(() => textureStats(tf.tensor4d(target, [1, sizePx, sizePx, 3])).dataSync() as Float32Array)
}

/** Options of `fitStyle`. */
export interface FitStyleOptions {
  /** The slot the style will paint. */
  slot: SurfaceSlot
  /** Field size of the fit, in cells (square). @default 8 (a 64² texture with 8 px cells) */
  cells?: number
  /**
   * Adam steps on latent and mixture together (then `polishSteps(steps)` more on the latent alone), from each of the
   * fit's (at most two) starts. @default 60
   */
  steps?: number
  /** Adam learning rate. @default 0.1 */
  learningRate?: number
  /** Seed of the start latent, the local field and the noise maps (uint32): same seed + photo → same style. @default 1 */
  seed?: number
  /** Called after each step with the loss (after awaiting it, the fit goes on: yield here to let messages in). */
  onStep?: (step: number, steps: number, loss: number) => void | Promise<void>
  /** Polled between steps: true stops the fit (it then throws `FitCancelledError`). */
  cancelled?: () => boolean
}

/** The outcome of `fitStyle`. */
export interface FitStyleResult {
  /**
   * The style for the link: the closest to the photo of the rounded styles the fit painted (the rounded start, the
   * rounded latent of every polish step and of the end), quantised exactly as the URL carries it.
   */
  style: WorldStyle
  /**
   * Index of the family the link's fit started from: the closest single family over FIT_START_LATENTS start latents,
   * in all the statistics or in structure alone.
   */
  startFamily: number
  /**
   * Distance at the start: the closer of the two starts (family and start latent, as the softmax mixture each fit
   * begins with, unrounded).
   */
  startLoss: number
  /** Distance after the joint steps: the fit's own latent and mixture, before anything is rounded. */
  fittedLoss: number
  /** Distance of `style` as a link paints it: encoded, decoded, painted in the fit's setting. */
  quantisedLoss: number
  /**
   * `quantisedLoss < startLoss`: the link is closer to the photo than the fit's start. When it is not, the fit found
   * nothing better than the world's own closest material, and the app says so instead of applying the style.
   */
  improved: boolean
  /**
   * Whether the fit matched the photo turned a quarter (its grain across the model's rather than along it).
   * `fittedLoss` is to the photo in that orientation; `startLoss` and `quantisedLoss` either way round (to whichever
   * orientation is closer: which way the grain runs on a surface is the world's choice).
   */
  photoTurned: boolean
  /** Steps run (joint + polish, over both starts). */
  steps: number
}

/** Steps that polish the latent under the quantised mixture after `steps` joint steps: a quarter, at least 1. */
export function polishSteps(steps: number): number {
  return Math.max(1, Math.round(steps / 4))
}

/** The fit was stopped through `cancelled`. */
export class FitCancelledError extends Error {
  constructor() {
    super('style fit cancelled')
    this.name = 'FitCancelledError'
  }
}

/** The local field [cells, cells, localDim] of a fit: i.i.d. N(0, 1) from the fit's seed. */
function fitLocal(seed: number, cells: number, localDim: number): Float32Array {
  const rng = createRng((seed ^ 0x5354594c) >>> 0) // 'STYL'
  const local = new Float32Array(cells * cells * localDim)
  for (let i = 0; i < local.length; i++) local[i] = gaussian(rng)
  return local
}

/** Start latents tried per family: the fit starts from the closest (family, latent, orientation). */
export const FIT_START_LATENTS = 4

/** Start latent `k`: N(0, I) from the fit's seed, on the √dim sphere (where the walk's keyframes lie). */
export function fitStartLatent(seed: number, dim: number, k: number): Float32Array {
  const rng = createRng((seed ^ 0x5a535452 ^ Math.imul(k, 0x9e3779b1)) >>> 0) // 'ZSTR'
  const z = new Float32Array(dim)
  for (let i = 0; i < dim; i++) z[i] = gaussian(rng)
  return toLatentSphere(z)
}

/**
 * Fit a style to `target` (float32 [S, S, 3] in [-1, 1], S = cells · cellPx; world-gen `photoTarget`). Starts from the
 * (family, start latent, photo orientation) that paints the closest texture (a softmax mixture with logit 4 on it),
 * closest in all the statistics and, where that is another, closest in structure alone; from each, runs Adam on the
 * latent (kept on the √dim sphere by normalisation inside the graph) and the mixture logits together, against the
 * photo in that orientation, and returns the closer link.
 * Synchronous tf math per step inside tidy; leaves no tensor behind, also when cancelled or failing.
 */
export async function fitStyle(
  gen: Generator,
  families: FamilyTable,
  target: Float32Array,
  options: FitStyleOptions,
): Promise<FitStyleResult> {
  await ensureGradients()
  const m = gen.manifest
  const cells = options.cells ?? 8
  const steps = options.steps ?? 60
  const seed = options.seed ?? 1
  const size = cells * m.cellPx
  if (target.length !== size * size * 3)
    throw new RangeError(`target has ${target.length} values, expected ${size}×${size}×3 for ${cells}² cells`)
  const familyDim = families.dim
  const gDim = fitGlobalDim(m)
  const localDim = m.inputChannels - familyDim - gDim
  const noise = gen.noiseMaps(seed, cells, cells)
  const n = cells * cells
  const starts = Array.from({ length: FIT_START_LATENTS }, (_, k) => fitStartLatent(seed, gDim, k))

  const keep: tf.Tensor[] = []
  const own = <T extends tf.Tensor>(t: T): T => {
    keep.push(t)
    return t
  }
  let optimizer: tf.Optimizer | undefined
  try {
    // The photo as taken and turned a quarter (transposed: for these statistics, mirror images are the same texture).
    // Which way a surface's grain runs is the world's choice, not the photo's: vertical planks in a photo are the
    // model's horizontal ones, and judged only as taken, their swapped horizontal and vertical energies would steer
    // the fit away from wood altogether. The start picks the orientation, and the fit keeps it.
    const orientations = tf.tidy(() => {
      const photo = tf.tensor4d(target, [1, size, size, 3])
      return [textureStats(photo), textureStats(tf.transpose(photo, [0, 2, 1, 3]) as tf.Tensor4D)]
    })
    keep.push(...orientations)
    const embedding = own(tf.tensor2d(concatRows(families.embedding, familyDim), [families.names.length, familyDim]))
    const local = own(tf.tensor2d(fitLocal(seed, cells, localDim), [n, localDim]))
    const sphere = (z: tf.Tensor) => tf.mul(z, tf.div(Math.sqrt(gDim), tf.norm(z)))
    const image = (z: tf.Tensor, mix: tf.Tensor): tf.Tensor4D => {
      const onSphere = sphere(z)
      const fam = tf.matMul(tf.reshape(mix, [1, -1]), embedding)
      const shared = tf.tile(tf.concat([tf.reshape(onSphere, [1, gDim]), fam], 1), [n, 1])
      const field = tf.reshape(tf.concat([shared, local], 1), [1, cells, cells, m.inputChannels]) as tf.Tensor4D
      return rgbOf(gen.forwardTensor(field, noise, { differentiable: true }))
    }
    /** Distances [2] of what (z, mix) paints to the photo as taken and turned. */
    const toOrientations = (z: tf.Tensor, mix: tf.Tensor) => {
      const stats = textureStats(image(z, mix))
      return tf.stack(orientations.map((o) => statsDistance(stats, o)))
    }
    const structure = own(tf.tensor1d(structureMask()))
    // Two starts, each the single family, start latent and orientation closest to the photo (one forward pass per
    // pair: cheap next to the fit): closest in all the statistics, and closest in structure alone (`structureMask`).
    // The fit moves the palette readily but seldom leaves the family it starts from, so judged by colour alone, planks
    // started from a ground of their brown, or from stone blocks, and stayed there; judged by structure alone, metal
    // sheets started from a worse basin than their colour's. Each start is fitted in full (with half the steps each,
    // metal fell short); the closer link wins.
    type Start = { family: number; z0: Float32Array; turned: number; score: number }
    const byColour: Start = { family: 0, z0: starts[0]!, turned: 0, score: Infinity }
    const byStructure: Start = { ...byColour }
    for (const start of starts) {
      for (let f = 0; f < families.names.length; f++) {
        const d = tf.tidy(() => {
          const stats = textureStats(
            image(tf.tensor1d(start), tf.oneHot(tf.tensor1d([f], 'int32'), families.names.length)),
          )
          const diffs = orientations.map((o) => tf.squaredDifference(stats, o))
          return tf.stack([...diffs.map((d) => tf.sum(d)), ...diffs.map((d) => tf.sum(tf.mul(d, structure)))])
        })
        const v = (await d.data()) as Float32Array
        d.dispose()
        for (let o = 0; o < orientations.length; o++) {
          const full = v[o]!
          const shape = v[orientations.length + o]!
          if (full < byColour.score) Object.assign(byColour, { family: f, z0: start, turned: o, score: full })
          if (shape < byStructure.score) Object.assign(byStructure, { family: f, z0: start, turned: o, score: shape })
        }
      }
    }
    const same = byStructure.family === byColour.family && byStructure.z0 === byColour.z0
    const runs = same ? [byColour] : [byColour, byStructure]
    const polish = polishSteps(steps)
    const totalSteps = runs.length * (steps + polish)
    /** The distance to the photo either way round: to whichever of its two orientations is closer. */
    const eitherWay = (z: tf.Tensor, mix: tf.Tensor) => tf.min(toOrientations(z, mix))
    const startMix = (family: number) => {
      const logits0 = new Float32Array(families.names.length)
      logits0[family] = 4
      return logits0
    }
    // The start the drop is measured from: the closer of the two, as the softmax mixture each fit begins with. Starts
    // and links are measured either way round; the steps in between, against the orientation each fit keeps (its
    // start's).
    const startLoss = Math.min(
      ...runs.map((r) =>
        tf.tidy(() => eitherWay(tf.tensor1d(r.z0), tf.softmax(tf.tensor1d(startMix(r.family)))).dataSync()[0]!),
      ),
    )
    /** Distance of a rounded style, as the link paints it (the latent as `decodeStyle` gives it back). */
    const linkDistance = (style: WorldStyle): number => {
      const decoded = decodeStyle(encodeStyle(style))
      const mix = new Float32Array(families.names.length)
      for (const f of decoded.families) mix[f.index] = f.weight
      return tf.tidy(() => eitherWay(tf.tensor1d(decoded.global), tf.tensor1d(mix)).dataSync()[0]!)
    }
    // The rounded starts are the first candidates: the link of the closest material alone, before any step.
    let link: { style: WorldStyle; loss: number; run: number } = { style: undefined as never, loss: Infinity, run: 0 }
    const consider = (run: number, global: Float32Array, fams: StyleFamily[], loss: number) => {
      if (loss < link.loss) link = { style: { slot: options.slot, global, families: fams }, loss, run }
    }
    const fitted: number[] = []
    let done = 0
    for (let r = 0; r < runs.length; r++) {
      const { family, z0, turned } = runs[r]!
      const startStyle: WorldStyle = {
        slot: options.slot,
        global: quantiseLatent(z0),
        families: [{ index: family, weight: 1 }],
      }
      consider(r, startStyle.global, startStyle.families, linkDistance(startStyle))
      const targetStatsT = orientations[turned]!
      const distance = (z: tf.Tensor, mix: tf.Tensor) => statsDistance(textureStats(image(z, mix)), targetStatsT)
      // tf.variable keeps its initial tensor's data alive as a separate tensor: create both inside tidy.
      const z = own(tf.tidy(() => tf.variable(tf.tensor1d(z0))))
      const logits = own(tf.tidy(() => tf.variable(tf.tensor1d(startMix(family)))))
      optimizer?.dispose()
      optimizer = tf.train.adam(options.learningRate ?? 0.1)
      let fittedLoss = Infinity
      for (let step = 1; step <= steps; step++) {
        if (options.cancelled?.() === true) throw new FitCancelledError()
        const loss = optimizer.minimize(() => distance(z, tf.softmax(logits)), true, [z, logits])!
        fittedLoss = (await loss.data())[0]!
        loss.dispose()
        await options.onStep?.(++done, totalSteps, fittedLoss)
      }
      fitted.push(fittedLoss)
      if (options.cancelled?.() === true) throw new FitCancelledError()
      // The URL keeps the mixture's three heaviest families in sixteenths: fix that mixture, then polish the latent
      // under it, so the style a link carries is fitted as it will be painted.
      const mixFit = tf.tidy(() => tf.softmax(logits).dataSync() as Float32Array)
      const families0 = quantiseStyle(options.slot, (await z.data()) as Float32Array, mixFit).families
      const mixQ = new Float32Array(families.names.length)
      for (const f of families0) mixQ[f.index] = f.weight
      const mixQT = own(tf.tensor1d(mixQ))
      // Polish through the rounding (a straight-through estimator): each step paints the latent rounded as the link
      // rounds it (the continuous latent plus a constant offset to its rounded value) and passes the gradient on to
      // the continuous latent, so the polish sees what the link will paint; its loss is that rounded latent's
      // distance, so every step also weighs one candidate at no extra cost.
      for (let step = 1; step <= polish; step++) {
        if (options.cancelled?.() === true) throw new FitCancelledError()
        const zNow = (await z.data()) as Float32Array
        const q = quantiseLatent(zNow)
        const onSphere = toLatentSphere(zNow)
        const offset = tf.tensor1d(q.map((v, i) => v - onSphere[i]!))
        const loss = optimizer.minimize(() => distance(tf.add(sphere(z), offset), mixQT), true, [z])!
        offset.dispose()
        const v = (await loss.data())[0]!
        loss.dispose()
        consider(r, q, families0, v)
        await options.onStep?.(++done, totalSteps, v)
      }
      if (options.cancelled?.() === true) throw new FitCancelledError()
      const end = quantiseStyle(options.slot, (await z.data()) as Float32Array, mixQ)
      consider(r, end.global, end.families, linkDistance(end))
    }
    // Measured again exactly as the link paints it (the polish's losses differ from it by float rounding at most).
    const quantisedLoss = linkDistance(link.style)
    const winner = runs[link.run]!
    return {
      style: link.style,
      startFamily: winner.family,
      startLoss,
      fittedLoss: fitted[link.run]!,
      quantisedLoss,
      improved: quantisedLoss < startLoss,
      photoTurned: winner.turned === 1,
      steps: totalSteps,
    }
  } finally {
    optimizer?.dispose()
    tf.dispose(keep)
  }
}

/**
 * The colour of a generator's output [1, H, W, C]: its first 3 channels (a relief model's 4th is height, which a
 * photo does not show), as [1, H, W, 3].
 */
function rgbOf(image: tf.Tensor4D): tf.Tensor4D {
  return image.shape[3] === 3 ? image : tf.slice(image, [0, 0, 0, 0], [-1, -1, -1, 3])
}

/** The global latent's length, from model.json `latent.globalDim` (the rest of a cell is family + local channels). */
function fitGlobalDim(m: GeneratorManifest): number {
  const meta = m.meta.latent as { globalDim?: unknown } | undefined
  if (meta !== undefined && typeof meta.globalDim === 'number') return meta.globalDim
  throw new Error(`${m.version}: model.json names no latent.globalDim, so the global latent cannot be fitted`)
}

function concatRows(rows: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim)
  rows.forEach((r, i) => out.set(r, i * dim))
  return out
}

/**
 * The texture a style paints in the fit's setting (its local field and noise for `seed`): [1, S, S, 3] in [-1, 1],
 * S = cells · cellPx. `mixture`: one weight per family of the table. Synchronous: call inside `tf.tidy`.
 */
export function paintStyle(
  gen: Generator,
  families: FamilyTable,
  global: Float32Array,
  mixture: Float32Array,
  options: { cells?: number; seed?: number } = {},
): tf.Tensor4D {
  const cells = options.cells ?? 8
  const seed = options.seed ?? 1
  const m = gen.manifest
  const gDim = fitGlobalDim(m)
  const localDim = m.inputChannels - families.dim - gDim
  const fam = tf.matMul(
    tf.tensor2d(mixture, [1, families.names.length]),
    tf.tensor2d(concatRows(families.embedding, families.dim), [families.names.length, families.dim]),
  )
  const shared = tf.tile(tf.concat([tf.tensor2d(toLatentSphere(global), [1, gDim]), fam], 1), [cells * cells, 1])
  const local = tf.tensor2d(fitLocal(seed, cells, localDim), [cells * cells, localDim])
  const field = tf.reshape(tf.concat([shared, local], 1), [1, cells, cells, m.inputChannels]) as tf.Tensor4D
  return rgbOf(gen.forwardTensor(field, seed))
}

/** Options of `fitPhoto`. */
export interface FitPhotoOptions extends FitStyleOptions {
  /** The photo's shorter side is scaled to this many pixels before the centre square is cut. @default the fit's size */
  scalePx?: number
}

/**
 * Fit a style to a photo: RGBA8 `[heightPx, widthPx, 4]` → the centre square at the fit's size (world-gen
 * `photoTarget`) → `fitStyle`. What the worker, the CLI and the benchmark run.
 */
export function fitPhoto(
  gen: Generator,
  photo: { widthPx: number; heightPx: number; pixels: Uint8Array | Uint8ClampedArray },
  options: FitPhotoOptions,
): Promise<FitStyleResult> {
  const families = gen.manifest.families
  if (families === undefined)
    return Promise.reject(new Error(`${gen.manifest.version} has no material families: it cannot fit a style`))
  const sizePx = (options.cells ?? 8) * gen.manifest.cellPx
  const target = photoTarget(photo.pixels, photo.widthPx, photo.heightPx, {
    sizePx,
    ...(options.scalePx !== undefined ? { scalePx: options.scalePx } : {}),
  })
  return fitStyle(gen, families, target, options)
}
