/**
 * Comfort overlay for VR: a clip-space quad drawn over each eye's view that darkens its edges (the vignette, while
 * moving smoothly) and fades the whole view to black (around a teleport). Drawn last, without depth.
 */

/** Uniforms of the comfort overlay. */
export type XRVignetteUniforms = {
  /** Vignette strength, 0 (off) to 1 (edges fully dark). */
  strength: { value: number }
  /** Whole-view fade to black, 0–1. */
  fade: { value: number }
}

/** Fresh uniforms for one overlay material (never shared between materials). */
export function createXRVignetteUniforms(): XRVignetteUniforms {
  return { strength: { value: 0 }, fade: { value: 0 } }
}

/** Vertex shader: the quad's xy are clip coordinates already, so it covers each eye's viewport whatever the pose. */
export const XR_VIGNETTE_VERTEX = /* glsl */ `
varying vec2 vClip;
void main() {
  vClip = position.xy;
  gl_Position = vec4(position.xy, 0.0, 1.0);
}
`

/** Fragment shader: black with alpha = max(fade, radial vignette); the clear centre shrinks as strength grows. */
export const XR_VIGNETTE_FRAGMENT = /* glsl */ `
uniform float strength;
uniform float fade;
varying vec2 vClip;
void main() {
  float r = length(vClip);
  float inner = mix(1.25, 0.35, strength);
  float vignette = strength > 0.0 ? smoothstep(inner, inner + 0.45, r) : 0.0;
  gl_FragColor = vec4(0.0, 0.0, 0.0, max(fade, vignette));
}
`
