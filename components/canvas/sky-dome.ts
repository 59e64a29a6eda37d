'use client'

/**
 * Owner of the sky's material, geometry and generated textures (the reconciler never disposes them, so it has one
 * explicit `dispose()`), and of the crossfade between the previous and the new sky with the scene lighting measured from each (world-gen `skyLight` →
 * `skyLighting`, blended by `mixSkyLighting`). Until the first generated sky arrives, and for good when the sky
 * generator is unavailable, the source is the placeholder gradient with fixed fallback lighting.
 */
import {
  BackSide,
  ClampToEdgeWrapping,
  DataTexture,
  HalfFloatType,
  LinearFilter,
  LinearMipmapLinearFilter,
  NoColorSpace,
  RepeatWrapping,
  RGBAFormat,
  ShaderMaterial,
  SphereGeometry,
  SRGBColorSpace,
  UnsignedByteType,
  type Color,
  type WebGLRenderer,
} from 'three'
import { createSkyUniforms, SKY_FRAGMENT, SKY_VERTEX, type SkyUniforms } from '../../shaders/sky.glsl'
import {
  cloneSkyLighting,
  mixSkyLighting,
  SKY_GROUND_FADE_RAD,
  skyLighting,
  sunSteps,
  type RoomKey,
  type SkyLighting,
} from '../../world-gen'
import type { GeneratedSky, SkyShadingArrays } from '../streaming/world-streamer'

/** Duration of the crossfade to a new sky, in seconds. */
export const SKY_FADE_S = 1.75

/**
 * A sky on the GPU: the generated hemisphere, its texture, its lighting, and when the worker sent its shading the
 * textures the shader paints the clouds from per screen pixel.
 */
type SkySource = {
  sky: GeneratedSky
  texture: DataTexture
  lighting: SkyLighting
  shading: ShadingTextures | null
}

/** The textures of a sky's shading, with the shading they were made from. */
type ShadingTextures = { of: SkyShadingArrays; clouds: DataTexture; terms: DataTexture }

/** The generated sky on screen (or fading in), for the HUD, automation and export. */
export type ShownSky = { key: RoomKey; version: string; settled: boolean; sky: GeneratedSky }

const smoothstep01 = (t: number) => t * t * (3 - 2 * t)

/** The sky dome of one world view. */
export class SkyDome {
  /** Unit sphere (the vertex shader uses its positions as directions; size and position do not matter). */
  readonly geometry = new SphereGeometry(1, 64, 32)
  readonly material: ShaderMaterial
  /** Scene lighting now (blended during a crossfade): the lights copy it every frame. Never replace its arrays. */
  readonly lighting: SkyLighting
  private readonly uniforms: SkyUniforms
  private readonly fallback: SkyLighting
  /** Fading out (null: the gradient). */
  private a: SkySource | null = null
  /** Fading in or shown (null: the gradient). */
  private b: SkySource | null = null
  /** The next sky, waiting for the running crossfade to end (so a fade never jumps). */
  private pending: GeneratedSky | null = null
  /** Crossfade progress in [0, 1]. */
  private t = 1

  /**
   * `placeholder`: the gradient's colours (linear); `fallback`: the lighting that goes with it (copied).
   */
  constructor(placeholder: { horizon: Color; zenith: Color; ground: Color }, fallback: SkyLighting) {
    this.uniforms = createSkyUniforms(placeholder, SKY_GROUND_FADE_RAD)
    this.material = new ShaderMaterial({
      uniforms: this.uniforms,
      vertexShader: SKY_VERTEX,
      fragmentShader: SKY_FRAGMENT,
      // Seen from inside the sphere.
      side: BackSide,
      depthWrite: false,
      fog: false,
      toneMapped: false,
      dithering: true,
    })
    this.fallback = cloneSkyLighting(fallback)
    this.lighting = cloneSkyLighting(fallback)
  }

  /**
   * Show `sky` (upload it now with `renderer.initTexture`) and crossfade to it; while a crossfade runs it waits for
   * that one to end. Showing the sky already shown (or waiting) does nothing. Call from the frame loop.
   */
  show(sky: GeneratedSky, renderer: WebGLRenderer): void {
    const isShown = this.b !== null && sameSky(this.b.sky, sky)
    if (this.t < 1) {
      // Back to the sky fading in: nothing waits any more.
      this.pending = isShown ? null : sky
      return
    }
    if (!isShown) this.start(sky, renderer)
  }

  private start(sky: GeneratedSky, renderer: WebGLRenderer): void {
    if (this.a !== null && this.a !== this.b) disposeSource(this.a)
    this.a = this.b
    this.b = { sky, texture: skyTexture(sky), lighting: skyLighting(sky.light), shading: shadingTextures(sky) }
    renderer.initTexture(this.b.texture)
    if (this.b.shading !== null) {
      renderer.initTexture(this.b.shading.clouds)
      renderer.initTexture(this.b.shading.terms)
    }
    this.bind('A', this.a)
    this.bind('B', this.b)
    this.t = 0
    this.uniforms.fade.value = 0
  }

  /** Advance the crossfade by `deltaS` seconds and update `lighting`; starts a waiting sky when one ends. */
  tick(deltaS: number, renderer: WebGLRenderer): void {
    if (this.t >= 1 && this.pending !== null) {
      const next = this.pending
      this.pending = null
      this.start(next, renderer)
    }
    if (this.t < 1) {
      this.t = Math.min(1, this.t + Math.max(0, deltaS) / SKY_FADE_S)
      this.uniforms.fade.value = smoothstep01(this.t)
      if (this.t >= 1 && this.a !== null) {
        // The old sky is fully hidden: release its textures now rather than at the next change.
        disposeSource(this.a)
        this.a = null
        this.bind('A', null)
      }
    }
    mixSkyLighting(
      this.a?.lighting ?? this.fallback,
      this.b?.lighting ?? this.fallback,
      this.uniforms.fade.value,
      this.lighting,
    )
  }

  /**
   * Whether the running crossfade has yet to turn the sun: a turn of more than a degree is made in one step, in shade,
   * at the fade's middle (world-gen `mixSkyLighting`), so anything that moves the shadows may wait for that moment
   * and be redrawn with it once.
   */
  sunStepAhead(): boolean {
    return (
      this.t < 1 &&
      this.uniforms.fade.value < 0.5 &&
      sunSteps(this.a?.lighting ?? this.fallback, this.b?.lighting ?? this.fallback)
    )
  }

  /** The generated sky on screen or fading in; null while the placeholder gradient shows. */
  shown(): ShownSky | null {
    const b = this.b
    if (b === null) return null
    return { key: b.sky.key, version: b.sky.version, settled: this.t >= 1 && this.pending === null, sky: b.sky }
  }

  /** Release the textures, the material and the geometry. */
  dispose(): void {
    if (this.a !== null) disposeSource(this.a)
    if (this.b !== null && this.b !== this.a) disposeSource(this.b)
    this.a = null
    this.b = null
    this.pending = null
    this.material.dispose()
    this.geometry.dispose()
  }

  private bind(which: 'A' | 'B', source: SkySource | null): void {
    const u = this.uniforms
    const texture = which === 'A' ? u.skyA : u.skyB
    texture.value = source?.texture ?? null
    ;(which === 'A' ? u.sourceA : u.sourceB).value = source === null ? 0 : 1
    // Every texture of a source is unbound with it: a disposed texture left in a uniform would be uploaded again.
    ;(which === 'A' ? u.shadedA : u.shadedB).value = source?.shading == null ? 0 : 1
    ;(which === 'A' ? u.cloudsA : u.cloudsB).value = source?.shading?.clouds ?? null
    ;(which === 'A' ? u.termsA : u.termsB).value = source?.shading?.terms ?? null
    if (source === null) return
    const { sky } = source
    ;(which === 'A' ? u.sizeA : u.sizeB).value.set(sky.widthPx, sky.heightPx)
    ;(which === 'A' ? u.groundA : u.groundB).value.setRGB(...sky.light.ground)
    ;(which === 'A' ? u.poleA : u.poleB).value.setRGB(...sky.light.pole)
    if (source.shading === null) return
    const shading = source.shading.of
    ;(which === 'A' ? u.termsSizeA : u.termsSizeB).value.set(shading.termsWidthPx, shading.termsHeightPx)
    ;(which === 'A' ? u.tilesPerUnitA : u.tilesPerUnitB).value = shading.tilesPerUnit
    ;(which === 'A' ? u.sunA : u.sunB).value.set(...shading.sunDirection)
    ;(which === 'A' ? u.overcastA : u.overcastB).value = shading.overcast
  }
}

function disposeSource(source: SkySource): void {
  source.texture.dispose()
  source.shading?.clouds.dispose()
  source.shading?.terms.dispose()
}

function sameSky(a: GeneratedSky, b: GeneratedSky): boolean {
  return a === b || (a.key === b.key && a.version === b.version)
}

/**
 * An RGBA texture the sky shader samples, repeating in s (longitude, or the cloud layer's x): `equirect` ones are
 * clamped at zenith and horizon and have no mipmaps (their lookups use `textureLod` 0, so the atan2 seam takes no
 * derivative); the cloud layer repeats both ways and is mipmapped.
 */
function skyDataTexture(
  data: Uint8Array | Uint16Array,
  widthPx: number,
  heightPx: number,
  kind: { colorSpace: typeof SRGBColorSpace | typeof NoColorSpace; halfFloat: boolean; layer: boolean },
): DataTexture {
  const type = kind.halfFloat ? HalfFloatType : UnsignedByteType
  const texture = new DataTexture(data, widthPx, heightPx, RGBAFormat, type)
  texture.colorSpace = kind.colorSpace
  texture.wrapS = RepeatWrapping
  texture.wrapT = kind.layer ? RepeatWrapping : ClampToEdgeWrapping
  texture.generateMipmaps = kind.layer
  texture.minFilter = kind.layer ? LinearMipmapLinearFilter : LinearFilter
  texture.magFilter = LinearFilter
  texture.flipY = false
  texture.needsUpdate = true
  return texture
}

/** The hemisphere as a texture: sRGB (decoded to linear by the sampler). */
function skyTexture(sky: GeneratedSky): DataTexture {
  return skyDataTexture(sky.pixels, sky.widthPx, sky.heightPx, {
    colorSpace: SRGBColorSpace,
    halfFloat: false,
    layer: false,
  })
}

/**
 * The textures of a sky's shading, or null without one. The cloud layer: linear bytes (cover, cover × brightness),
 * mipmapped so the clouds stay unaliased towards the horizon (the shader passes the plane point's screen
 * derivatives). The terms: half floats as the worker sent them (their range is wider than a byte's, and half floats
 * filter linearly on every WebGL 2 device), three bands of an equirect grid.
 */
function shadingTextures(sky: GeneratedSky): ShadingTextures | null {
  const s = sky.shading
  if (s === undefined) return null
  return {
    of: s,
    clouds: skyDataTexture(s.layer, s.tileSize, s.tileSize, {
      colorSpace: NoColorSpace,
      halfFloat: false,
      layer: true,
    }),
    terms: skyDataTexture(s.terms, s.termsWidthPx, 3 * s.termsHeightPx, {
      colorSpace: NoColorSpace,
      halfFloat: true,
      layer: false,
    }),
  }
}
