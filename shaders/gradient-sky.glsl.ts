/**
 * Placeholder sky: a vertical gradient from a horizon colour to a zenith colour on an inside-out sphere.
 * Stands in until the sky generator's equirectangular panoramas land.
 */
import { Color } from 'three'

/** Uniforms of the gradient sky. */
export type GradientSkyUniforms = {
  horizonColor: { value: Color }
  zenithColor: { value: Color }
  groundColor: { value: Color }
}

/** Fresh uniforms for one gradient-sky material (never share uniform objects between materials, STYLE.md N5). */
export function createGradientSkyUniforms(horizon: Color, zenith: Color, ground: Color): GradientSkyUniforms {
  return {
    horizonColor: { value: horizon.clone() },
    zenithColor: { value: zenith.clone() },
    groundColor: { value: ground.clone() },
  }
}

/** Vertex shader: passes the view direction (sphere-local position, normalised in the fragment shader). */
export const GRADIENT_SKY_VERTEX = /* glsl */ `
varying vec3 vDirection;
void main() {
  vDirection = position;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`

/** Fragment shader: elevation-based blend, with a soft glow band at the horizon. */
export const GRADIENT_SKY_FRAGMENT = /* glsl */ `
uniform vec3 horizonColor;
uniform vec3 zenithColor;
uniform vec3 groundColor;
varying vec3 vDirection;
void main() {
  float elevation = normalize(vDirection).y;
  vec3 sky = mix(horizonColor, zenithColor, pow(clamp(elevation, 0.0, 1.0), 0.55));
  vec3 color = elevation >= 0.0 ? sky : mix(horizonColor, groundColor, clamp(-elevation * 6.0, 0.0, 1.0));
  color += horizonColor * 0.35 * exp(-abs(elevation) * 18.0);
  gl_FragColor = vec4(color, 1.0);
}
`
