/**
 * Placeholder sky: a vertical gradient from a horizon colour to a zenith colour. Only the fallback of the sky shader
 * (`sky.glsl.ts`) for when no generated sky is available (the sky model failed to load, or the first generated sky
 * has not arrived yet); the HUD then says the sky is a placeholder.
 */
import { Color } from 'three'

/** Uniforms of the gradient sky. */
export type GradientSkyUniforms = {
  horizonColor: { value: Color }
  zenithColor: { value: Color }
  groundColor: { value: Color }
}

/** Fresh uniforms for one material (never share uniform objects between materials). */
export function createGradientSkyUniforms(horizon: Color, zenith: Color, ground: Color): GradientSkyUniforms {
  return {
    horizonColor: { value: horizon.clone() },
    zenithColor: { value: zenith.clone() },
    groundColor: { value: ground.clone() },
  }
}

/**
 * GLSL chunk: `vec3 gradientSky(vec3 dir)` for a unit direction, in linear light; an elevation-based blend with a soft
 * glow band at the horizon. Needs the `GradientSkyUniforms`.
 */
export const GRADIENT_SKY_CHUNK = /* glsl */ `
uniform vec3 horizonColor;
uniform vec3 zenithColor;
uniform vec3 groundColor;
vec3 gradientSky(vec3 dir) {
  float elevation = dir.y;
  vec3 sky = mix(horizonColor, zenithColor, pow(clamp(elevation, 0.0, 1.0), 0.55));
  vec3 color = elevation >= 0.0 ? sky : mix(horizonColor, groundColor, clamp(-elevation * 6.0, 0.0, 1.0));
  return color + horizonColor * 0.35 * exp(-abs(elevation) * 18.0);
}
`
