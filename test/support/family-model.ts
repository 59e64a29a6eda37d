/**
 * A tiny family-conditioned generator for tests: a hand-written model.json in the exported format (two 3×3 layers,
 * one ×2 upsample with per-pixel noise, a `families` table) and float32 weights from a fixed formula. It is a test
 * fixture for the loading, field-building and CLI code paths, never a model: it paints smooth colour ramps, not
 * materials. Built in memory (or written to a temporary folder), never committed as weights.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DISTRICT_FAMILIES } from '../../world-gen/districts'
import { LATENT_LAYOUT, type LatentLayout } from '../../world-gen/latent-walk'

/** Dimensions and families of a fixture model. */
export interface FamilyModelOptions {
  /** Family names. @default DISTRICT_FAMILIES (every family the world's districts use) */
  names?: readonly string[]
  /** @default 4 */
  globalDim?: number
  /** @default 3 */
  familyDim?: number
  /** @default 2 */
  localDim?: number
  /** @default 'surface-v2-fixture00000' */
  version?: string
  /** ×2 upsampling layers (cellPx = 2^upsamples); only the last one takes noise, as in the trained model. @default 1 */
  upsamples?: number
  /**
   * Make it a relief model: a 4th output channel (height) and a `latentscape.relief` block with this scale. Absent: a
   * colour-only model (3 outputs).
   */
  reliefPxPerUnit?: number
  /** With `reliefPxPerUnit`: the relief block's per-family height gain (`latentscape.relief.familyGain`). */
  reliefFamilyGain?: Record<string, number>
  /** With `reliefPxPerUnit`: the relief block's per-family detail (`latentscape.relief.familyDetail`). */
  reliefFamilyDetail?: Record<string, number>
  /** Channels of the hidden layers. @default 4 */
  hidden?: number
  /** Every layer after the first takes the family vector as an offset on its bias (`<name>/familyBias`). */
  familyBias?: boolean
}

/** A fixture model: its model.json (parsed), weights bytes and the latent layout it was "trained" on. */
export interface FamilyModel {
  manifest: Record<string, unknown>
  weights: Uint8Array
  /** The project layout with `surface` replaced by this model's dimensions (cellPx 2^upsamples). */
  layout: LatentLayout
  names: string[]
  embedding: number[][]
  pxPerMetre: Record<string, number>
}

/** Pixels per metre of fixture family i: distinct per family so the repeat size shows which one was used. */
const fixturePxPerMetre = (i: number) => 32 + 8 * i

/** Build the fixture model in memory. */
export function familyModel(options: FamilyModelOptions = {}): FamilyModel {
  const names = [...(options.names ?? DISTRICT_FAMILIES)]
  const globalDim = options.globalDim ?? 4
  const familyDim = options.familyDim ?? 3
  const localDim = options.localDim ?? 2
  const inputChannels = globalDim + familyDim + localDim
  const hidden = options.hidden ?? 4
  const relief = options.reliefPxPerUnit
  const upsamples = options.upsamples ?? 1
  const cellPx = 2 ** upsamples
  const embedding = names.map((_, i) => Array.from({ length: familyDim }, (_, c) => Math.cos(i * 1.3 + c * 0.9)))
  const pxPerMetre = Object.fromEntries(names.map((n, i) => [n, fixturePxPerMetre(i)]))
  const layers = Array.from({ length: upsamples }, (_, k) => ({
    name: `l${k}`,
    kernel: 3,
    in: k === 0 ? inputChannels : hidden,
    out: hidden,
    upsample: true,
    noise: k === upsamples - 1,
    familyBias: options.familyBias === true && k > 0,
    activation: 'relu',
  }))
  layers.push({
    name: `l${upsamples}`,
    kernel: 3,
    in: hidden,
    out: relief === undefined ? 3 : 4,
    upsample: false,
    noise: false,
    familyBias: options.familyBias === true,
    activation: 'tanh',
  })
  const shapes: [string, number[]][] = layers.flatMap((l) => [
    [`${l.name}/kernel`, [3, 3, l.in, l.out]] as [string, number[]],
    [`${l.name}/bias`, [l.out]] as [string, number[]],
    ...(l.noise ? [[`${l.name}/noise`, [l.out]] as [string, number[]]] : []),
    ...(l.familyBias ? [[`${l.name}/familyBias`, [familyDim, l.out]] as [string, number[]]] : []),
  ])
  const values: number[] = []
  for (const [, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1)
    for (let k = 0; k < n; k++) values.push(0.3 * Math.sin((values.length + 1) * 0.7))
  }
  const weights = new Uint8Array(Float32Array.from(values).buffer)
  const manifest = {
    format: 'layers-model',
    latentscape: {
      model: 'surface',
      version: options.version ?? 'surface-v2-fixture00000',
      architecture: 'psgan-conv-v2-family',
      latent: { globalDim, familyDim, localDim, cellPx, wrap: 'xy', inputChannels },
      families: { names, dim: familyDim, embedding, pxPerMetre },
      layers,
      ...(relief === undefined
        ? {}
        : {
            relief: {
              channel: 3,
              pxPerUnit: relief,
              ...(options.reliefFamilyGain ? { familyGain: options.reliefFamilyGain } : {}),
              ...(options.reliefFamilyDetail ? { familyDetail: options.reliefFamilyDetail } : {}),
            },
          }),
      weightsSha256: createHash('sha256').update(weights).digest('hex'),
      licence: 'CC-BY-SA-4.0',
    },
    weightsManifest: [
      { paths: ['weights.bin'], weights: shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' })) },
    ],
  }
  const layout: LatentLayout = {
    ...LATENT_LAYOUT,
    surface: { globalDim, familyDim, localDim, cellPx, trainCells: [4, 4], wrap: 'xy' },
  }
  return { manifest, weights, layout, names, embedding, pxPerMetre }
}

/**
 * Write a fixture model as `<dir>/surface/{model.json,weights.bin}` and its layout as `<dir>/latent-layout.json` (the
 * texture CLI's `--model-dir` and `--layout`).
 */
export function writeFamilyModel(dir: string, model: FamilyModel = familyModel()): FamilyModel {
  mkdirSync(join(dir, 'surface'), { recursive: true })
  writeFileSync(join(dir, 'surface', 'model.json'), JSON.stringify(model.manifest))
  writeFileSync(join(dir, 'surface', 'weights.bin'), model.weights)
  writeFileSync(join(dir, 'latent-layout.json'), JSON.stringify(model.layout))
  return model
}
