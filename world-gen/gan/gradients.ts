/**
 * Gradient support for the style fit. `@tensorflow/tfjs-core` registers no gradient functions by itself, and only the
 * fit differentiates, so they are loaded on demand, once. One of them is replaced: tf.js 4.22's gradient of
 * `resizeBilinear` (the `ResizeBilinearGrad` kernel of every backend: cpu, wasm, webgl, webgpu) ignores
 * `halfPixelCenters` and returns the gradient of the other sampling grid, a shifted, wrong gradient for the generator's
 * ×2 upsampling (tfjs-core `ops/image/resize_bilinear`, backends' `ResizeBilinearGrad`).
 */
import * as tf from '@tensorflow/tfjs-core'

let loading: Promise<void> | undefined

/**
 * Register every tf.js gradient function and the exact `resizeBilinear` gradient (idempotent). In a bundle (the
 * worker) the gradients are tfjs-core's own `register_all_gradients` module; in Node its ESM files cannot be loaded
 * (extensionless imports), so the umbrella package's Node build registers them instead (into the same global
 * registry).
 */
export function ensureGradients(): Promise<void> {
  if (tf.getGradient('Sum') !== undefined) {
    registerResizeBilinearGradient()
    return Promise.resolve()
  }
  const node = typeof process !== 'undefined' && typeof process.versions?.node === 'string'
  loading ??= (
    node
      ? import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@tensorflow/tfjs').then(() => undefined)
      : import('@tensorflow/tfjs-core/dist/register_all_gradients').then(() => undefined)
  ).then(() => {
    if (tf.getGradient('Sum') === undefined) throw new Error('tf.js gradient functions could not be registered')
    registerResizeBilinearGradient()
  })
  return loading
}

/**
 * The 1-D bilinear resampling matrix [outSize, inSize] of `tf.image.resizeBilinear` along one axis: row r holds the
 * weights of the input pixels that output pixel r interpolates (tfjs-backend-cpu `ResizeBilinear`: source position
 * (r + ½)·in/out − ½ with half-pixel centres, r·(in − 1)/(out − 1) with aligned corners, else r·in/out; indices
 * clamped to the image). Every row sums to 1.
 */
export function bilinearMatrix(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const aligned = alignCorners && outSize > 1
  const ratio = (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize)
  const m = new Float32Array(outSize * inSize)
  for (let r = 0; r < outSize; r++) {
    const src = halfPixelCenters ? ratio * (r + 0.5) - 0.5 : ratio * r
    const lo = Math.max(0, Math.floor(src))
    const hi = Math.min(inSize - 1, Math.ceil(src))
    const frac = src - lo
    m[r * inSize + lo] += 1 - frac
    m[r * inSize + hi] += frac
  }
  return m
}

interface ResizeBilinearAttrs {
  alignCorners: boolean
  halfPixelCenters: boolean
}

/**
 * The gradient of `resizeBilinear` as the transposed resampling, dx = Rhᵀ · dy · Rw per image and channel (two
 * matrix products), exact for every sampling mode and built from kernels every backend has (BatchMatMul, Transpose).
 * For the trained surface model's 64² fit that is about 20 M multiply-adds per backward pass (the largest resize,
 * 34² → 68² over 64 channels, 15 M), against about 240 M for its convolutions' input gradients.
 */
function registerResizeBilinearGradient(): void {
  const kernelName = 'ResizeBilinear'
  if (tf.getGradient(kernelName)?.gradFunc === resizeBilinearGrad) return
  tf.registerGradient({ kernelName, inputsToSave: ['images'], gradFunc: resizeBilinearGrad })
}

function resizeBilinearGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const [images] = saved as [tf.Tensor4D]
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeBilinearAttrs
  return {
    // The tape runs this inside a tidy of its own: the matrices and intermediates go with it.
    images: () => {
      const [b, inH, inW, c] = images.shape
      const [, outH, outW] = (dy as tf.Tensor4D).shape
      const rh = tf.tensor2d(bilinearMatrix(inH, outH, alignCorners, halfPixelCenters), [outH, inH])
      const rw = tf.tensor2d(bilinearMatrix(inW, outW, alignCorners, halfPixelCenters), [outW, inW])
      // Rows: [b, outH, outW, c] → [b·outW·c, outH] · Rh → [b, outW, c, inH].
      const byRow = tf.matMul(tf.reshape(tf.transpose(dy as tf.Tensor4D, [0, 2, 3, 1]), [-1, outH]), rh)
      // Columns: [b, outW, c, inH] → [b·inH·c, outW] · Rw → [b, inH, c, inW] → [b, inH, inW, c].
      const cols = tf.transpose(tf.reshape(byRow, [b, outW, c, inH]), [0, 3, 2, 1])
      const dx = tf.matMul(tf.reshape(cols, [-1, outW]), rw)
      return tf.transpose(tf.reshape(dx, [b, inH, c, inW]), [0, 1, 3, 2])
    },
  }
}
