/** Public API of the generator runtime: load a GAN generator and turn latent fields into RGBA8 textures (tf.js). */
export {
  decodeWeights,
  expectedWeightBytes,
  ModelLoadError,
  parseManifest,
  type GeneratorManifest,
  type LayerSpec,
  type ModelLoadReason,
  type WeightSpec,
} from './manifest'
export {
  Generator,
  loadGenerator,
  prefetchModels,
  toRgba8,
  type ForwardOptions,
  type GenerateOptions,
  type GeneratorSource,
  type LoadGeneratorOptions,
} from './generator'
export { channelOf, type GeneratedMaps } from './generator'
export {
  BACKEND_ORDER,
  DEFAULT_WASM_PATH,
  selectBackend,
  tensorMemory,
  type BackendChoice,
  type BackendName,
  type BackendRefusal,
  type SelectBackendOptions,
} from './backend'
export { IdbTextureCache, LruTextureCache, openIdbTextureCache, textureCacheKey, type TextureCache } from './cache'
export {
  FitCancelledError,
  fitPhoto,
  fitStyle,
  missingGradientKernels,
  paintStyle,
  STYLE_LEVELS,
  styleDistance,
  targetStats,
  textureStats,
  type FitPhotoOptions,
  type FitStyleOptions,
  type FitStyleResult,
} from './style-fit'
export { ensureGradients } from './gradients'
