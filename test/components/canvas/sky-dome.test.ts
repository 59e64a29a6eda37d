import { describe, expect, it } from 'vitest'
import {
  Color,
  HalfFloatType,
  LinearMipmapLinearFilter,
  RepeatWrapping,
  type DataTexture,
  type Texture,
  type WebGLRenderer,
} from 'three'
import { SKY_FADE_S, SkyDome } from '../../../components/canvas/sky-dome'
import type { GeneratedSky } from '../../../components/streaming/world-streamer'
import { skyLight, skyLighting, type RoomKey, type SkyLighting } from '../../../world-gen'

const renderer = { initTexture: () => undefined } as unknown as WebGLRenderer

/** A 64 × 16 hemisphere of one colour, with the lighting the streamer would measure from it. */
function sky(key: string, rgb: [number, number, number], version = 'sky-v1-test'): GeneratedSky {
  const [widthPx, heightPx] = [64, 16]
  const pixels = new Uint8Array(widthPx * heightPx * 4)
  for (let i = 0; i < pixels.length; i += 4) pixels.set([...rgb, 255], i)
  return { key: key as RoomKey, pixels, widthPx, heightPx, version, light: skyLight(pixels, widthPx, heightPx) }
}

const FALLBACK: SkyLighting = {
  hemiSky: [0.8, 0.8, 0.9],
  hemiGround: [0.1, 0.1, 0.1],
  hemiIntensity: 1,
  sunColor: [1, 1, 1],
  sunIntensity: 2,
  sunDirection: [0, 1, 0],
  shadowIntensity: 1,
  fog: [0.5, 0.5, 0.6],
}

function dome() {
  return new SkyDome(
    { horizon: new Color(0.7, 0.7, 0.8), zenith: new Color(0.2, 0.3, 0.6), ground: new Color(0.1, 0.1, 0.1) },
    FALLBACK,
  )
}

/** Lighting values in a fixed order, for comparisons within float rounding (the blend computes a + (b − a)·t). */
const flat = (l: SkyLighting) =>
  [l.hemiSky, l.hemiGround, [l.hemiIntensity], l.sunColor, [l.sunIntensity], l.sunDirection, l.fog].flat()
function expectLighting(actual: SkyLighting, expected: SkyLighting): void {
  const e = flat(expected)
  flat(actual).forEach((v, i) => expect(v).toBeCloseTo(e[i], 12))
}

/** The texture currently bound as sky `which` (A fades out, B fades in). */
const bound = (d: SkyDome, which: 'A' | 'B') => d.material.uniforms[`sky${which}`].value as Texture | null

describe('SkyDome', () => {
  it('shows the placeholder with the fallback lighting until a sky arrives, then crossfades to it', () => {
    const d = dome()
    expect(d.shown()).toBeNull()
    expect(d.lighting).toEqual(FALLBACK)
    const blue = sky('0,0', [90, 140, 220])
    d.show(blue, renderer)
    expect(d.shown()).toMatchObject({ key: '0,0', settled: false })
    d.tick(SKY_FADE_S / 2, renderer)
    expect(d.lighting).not.toEqual(FALLBACK)
    d.tick(SKY_FADE_S, renderer)
    expect(d.shown()).toMatchObject({ key: '0,0', version: 'sky-v1-test', settled: true, sky: blue })
    expectLighting(d.lighting, skyLighting(blue.light))
    // Showing the sky on screen again changes nothing.
    d.show(sky('0,0', [90, 140, 220]), renderer)
    expect(d.shown()?.settled).toBe(true)
  })

  it('a sky arriving mid-crossfade waits for it; the hidden sky’s texture is released when its fade ends', () => {
    const d = dome()
    d.show(sky('0,0', [90, 140, 220]), renderer)
    d.tick(SKY_FADE_S, renderer)
    const first = bound(d, 'B')!
    let firstDisposed = 0
    first.addEventListener('dispose', () => firstDisposed++)
    d.show(sky('1,0', [200, 200, 210]), renderer)
    d.tick(SKY_FADE_S / 4, renderer)
    const grey = sky('2,0', [120, 120, 120])
    d.show(grey, renderer)
    expect(d.shown()).toMatchObject({ key: '1,0', settled: false })
    d.tick(SKY_FADE_S, renderer)
    expect(firstDisposed).toBe(1)
    // The waiting sky starts once the running fade is done, then settles.
    expect(d.shown()?.settled).toBe(false)
    d.tick(0, renderer)
    expect(d.shown()).toMatchObject({ key: '2,0', settled: false })
    d.tick(SKY_FADE_S, renderer)
    expect(d.shown()).toMatchObject({ key: '2,0', settled: true })
    expectLighting(d.lighting, skyLighting(grey.light))
  })

  it('sunStepAhead: true from the start of a fade that turns the sun until its middle, where the sun steps', () => {
    const d = dome()
    expect(d.sunStepAhead()).toBe(false)
    const blue = sky('0,0', [90, 140, 220])
    // The fallback's sun stands overhead; the measured sky's does not.
    d.show(blue, renderer)
    d.tick(0, renderer)
    expect(d.sunStepAhead()).toBe(true)
    const before = [...d.lighting.sunDirection]
    // The fade's value is a smoothstep of time: it passes one half at half the fade's time.
    d.tick(SKY_FADE_S * 0.49, renderer)
    expect(d.sunStepAhead()).toBe(true)
    expect(d.lighting.sunDirection).toEqual(before)
    d.tick(SKY_FADE_S * 0.02, renderer)
    expect(d.sunStepAhead()).toBe(false)
    expect(d.lighting.sunDirection).not.toEqual(before)
    d.tick(SKY_FADE_S, renderer)
    // The same sky's lighting again (another key): nothing to step.
    d.show(sky('1,0', [90, 140, 220]), renderer)
    d.tick(0, renderer)
    expect(d.shown()?.key).toBe('1,0')
    expect(d.sunStepAhead()).toBe(false)
  })

  it('dispose releases the textures, the material and the geometry', () => {
    const d = dome()
    d.show(sky('0,0', [90, 140, 220]), renderer)
    d.tick(SKY_FADE_S, renderer)
    const events: string[] = []
    bound(d, 'B')!.addEventListener('dispose', () => events.push('texture'))
    d.material.addEventListener('dispose', () => events.push('material'))
    d.geometry.addEventListener('dispose', () => events.push('geometry'))
    d.dispose()
    expect(events).toEqual(['texture', 'material', 'geometry'])
    expect(d.shown()).toBeNull()
  })

  it('binds a sky’s shading (cloud layer mipmapped and repeating, half-float terms) and releases it with the sky', () => {
    const d = dome()
    const shaded: GeneratedSky = {
      ...sky('0,0', [90, 140, 220]),
      shading: {
        layer: new Uint8Array(8 * 8 * 4).fill(100),
        tileSize: 8,
        tilesPerUnit: 0.25,
        terms: new Uint16Array(3 * 16 * 4 * 4).fill(0x3c00),
        termsWidthPx: 16,
        termsHeightPx: 4,
        sunDirection: [0, 0.6, -0.8],
        overcast: 0.3,
      },
    }
    d.show(shaded, renderer)
    const u = d.material.uniforms
    expect(u.shadedB.value).toBe(1)
    const clouds = u.cloudsB.value as DataTexture
    const terms = u.termsB.value as DataTexture
    expect([clouds.image.width, clouds.image.height, clouds.generateMipmaps]).toEqual([8, 8, true])
    expect([clouds.wrapS, clouds.wrapT]).toEqual([RepeatWrapping, RepeatWrapping])
    expect(clouds.minFilter).toBe(LinearMipmapLinearFilter)
    expect([terms.image.width, terms.image.height, terms.type]).toEqual([16, 12, HalfFloatType])
    expect(u.termsSizeB.value.toArray()).toEqual([16, 4])
    expect(u.tilesPerUnitB.value).toBe(0.25)
    expect(u.sunB.value.toArray()).toEqual([0, 0.6, -0.8])
    expect(u.overcastB.value).toBe(0.3)
    // A sky without shading is shown as its panorama.
    d.tick(SKY_FADE_S, renderer)
    let released = 0
    clouds.addEventListener('dispose', () => released++)
    terms.addEventListener('dispose', () => released++)
    d.show(sky('1,0', [120, 120, 120]), renderer)
    expect(u.shadedB.value).toBe(0)
    expect(u.shadedA.value).toBe(1)
    d.tick(SKY_FADE_S, renderer)
    expect(released).toBe(2)
    expect(u.cloudsA.value).toBeNull()
    d.dispose()
  })
})
