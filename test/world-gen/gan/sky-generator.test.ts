/**
 * The trained `sky` generator is a cloud-layer generator (world-gen `sky-compose.ts`): a tileable texture of clouds
 * painted over one clear-sky colour, from the same latent field as every slot. Its golden output, tiling and leaks are
 * covered with the surface generator in generator.test.ts; here: its manifest and the field world-gen builds for it.
 */
import { describe, expect, it } from 'vitest'
import { parseManifest } from '../../../world-gen/gan'
import { LATENT_LAYOUT, SKY_FIELD_CELLS, slotField } from '../../../world-gen/latent-walk'
import { golden, maxAbsDiff, surfaceFiles } from './load'

const files = surfaceFiles('sky')
const fx = golden('sky')
const { globalDim, localDim } = LATENT_LAYOUT.sky

describe('the sky generator', () => {
  it('is a cloud-layer generator: it tiles, takes the plain latent field and says how its texture maps to the sky', () => {
    const m = parseManifest(files.manifest)
    expect(m.model).toBe('sky')
    expect(m.wrap).toBe('xy')
    expect(m.inputChannels).toBe(globalDim + localDim)
    expect(m.cloudLayer).toBeDefined()
    expect(m.cloudLayer!.pxPerUnit).toBeGreaterThan(8)
    const [r, , b] = m.cloudLayer!.clearRgb
    expect(b).toBeGreaterThan(r)
  })

  it('the fixture field (built by training/models.py) is world-gen slotField of its global and local parts', () => {
    const { cellsH: h, cellsW: w } = fx
    const c = globalDim + localDim
    expect(fx.field.length).toBe(h * w * c)
    const global = fx.field.slice(0, globalDim)
    const local = new Float32Array(h * w * localDim)
    for (let i = 0; i < h * w; i++)
      local.set(fx.field.subarray(i * c + globalDim, i * c + globalDim + localDim), i * localDim)
    expect(maxAbsDiff(slotField('sky', global, local, w, h), fx.field)).toBeLessThan(1e-6)
  })

  it('the sky field is a square power-of-two tile, and slotField refuses parts of the wrong size', () => {
    const { cellsW, cellsH } = SKY_FIELD_CELLS
    expect(cellsW).toBe(cellsH)
    const px = cellsW * LATENT_LAYOUT.sky.cellPx
    expect(px & (px - 1)).toBe(0)
    expect(() => slotField('sky', new Float32Array(globalDim - 1), new Float32Array(localDim), 1, 1)).toThrow(
      RangeError,
    )
    expect(() => slotField('sky', new Float32Array(globalDim), new Float32Array(localDim + 1), 1, 1)).toThrow(
      RangeError,
    )
  })

  it('a manifest with a malformed cloudLayer is refused with a clear message', () => {
    const bad = (cloudLayer: unknown) => {
      const json = structuredClone(files.manifest) as { latentscape: Record<string, unknown> }
      json.latentscape.cloudLayer = cloudLayer
      return () => parseManifest(json)
    }
    expect(bad({ pxPerUnit: 0, clearRgb: [0.1, 0.2, 0.7] })).toThrow(/pxPerUnit/)
    expect(bad({ pxPerUnit: 40, clearRgb: [0.7, 0.2, 0.1] })).toThrow(/clearRgb/)
    expect(bad({ pxPerUnit: 40, clearRgb: [0.1, 0.2] })).toThrow(/clearRgb/)
  })
})
