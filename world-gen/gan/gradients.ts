/**
 * Gradient support for the style fit. `@tensorflow/tfjs-core` registers no gradient functions by itself, and only the
 * fit differentiates, so they are loaded on demand, once. And the wasm backend (tf.js 4.22) lacks one backward
 * kernel the generator needs, `DepthwiseConv2dNativeBackpropInput` (the gradient of the ×2 upsampling blur), which is
 * supplied here from kernels it has; webgpu, webgl and cpu have every kernel the fit uses.
 */
import * as tf from '@tensorflow/tfjs-core'

let loading: Promise<void> | undefined

/**
 * Register every tf.js gradient function and the wasm backward kernel (idempotent). In a bundle (the worker) the
 * gradients are tfjs-core's own `register_all_gradients` module; in Node its ESM files cannot be loaded
 * (extensionless imports), so the umbrella package's Node build registers them instead (into the same global
 * registry).
 */
export function ensureGradients(): Promise<void> {
  registerWasmDepthwiseBackprop()
  if (tf.getGradient('Sum') !== undefined) return Promise.resolve()
  const node = typeof process !== 'undefined' && typeof process.versions?.node === 'string'
  loading ??= (
    node
      ? import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@tensorflow/tfjs').then(() => undefined)
      : import('@tensorflow/tfjs-core/dist/register_all_gradients').then(() => undefined)
  ).then(() => {
    if (tf.getGradient('Sum') === undefined) throw new Error('tf.js gradient functions could not be registered')
  })
  return loading
}

interface DepthwiseBackpropAttrs {
  strides: number | [number, number]
  pad: unknown
  dilations?: number | [number, number]
  inputShape: [number, number, number, number]
}

const isOne = (v: number | [number, number] | undefined) =>
  v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1)

/**
 * `DepthwiseConv2dNativeBackpropInput` for wasm, for what the generator uses (stride 1, no dilation, 'valid'
 * padding): the input gradient of a 'valid' correlation is the 'valid' correlation of the zero-padded output gradient
 * with the spatially reversed filter. Other attributes are refused rather than computed wrongly.
 */
function registerWasmDepthwiseBackprop(): void {
  const name = 'DepthwiseConv2dNativeBackpropInput'
  if (tf.getKernel(name, 'wasm') !== undefined) return
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const a = attrs as unknown as DepthwiseBackpropAttrs
      if (!isOne(a.strides) || !isOne(a.dilations) || a.pad !== 'valid')
        throw new Error(`${name} on wasm: only stride 1, dilation 1 and 'valid' padding are supported`)
      const dy = inputs.dy as tf.Tensor4D
      const filter = inputs.filter as tf.Tensor4D
      const [kh, kw] = filter.shape
      return tf.tidy(() => {
        const padded = tf.pad(dy, [
          [0, 0],
          [kh - 1, kh - 1],
          [kw - 1, kw - 1],
          [0, 0],
        ])
        return tf.depthwiseConv2d(padded, tf.reverse(filter, [0, 1]), 1, 'valid')
      })
    },
  })
}
