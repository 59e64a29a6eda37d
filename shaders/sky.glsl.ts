/**
 * The sky: the sky generator's upper hemisphere (equirectangular: row 0 = zenith, last row = horizon, column 0 =
 * longitude −180°, wrapping) looked up per view direction on a sphere centred on the eye at infinite distance, faded
 * below the horizon to a ground tone, crossfading between two sources (the previous and the new sky; a source can be
 * the placeholder gradient). The mapping matches world-gen `sky-panorama.ts` (`skyDirection`, `fullSkyPanorama`).
 *
 * - Longitude wrap: `atan` jumps from +π to −π behind the viewer, so u jumps from 1 to 0 between neighbouring pixels.
 *   With implicit-LOD sampling the derivative there is huge and the GPU picks the smallest mip: a one-pixel seam. The
 *   textures have no mipmaps and every lookup is `textureLod(…, 0.0)`, so no derivative is ever taken; RepeatWrapping
 *   in s makes bilinear filtering wrap across the seam.
 * - Zenith: all columns meet at the pole, where equirect texels become thin wedges. Each lookup is filtered in
 *   longitude over at least one texel row's arc (so texels stay about square on the sphere), widening to 1/8 of the
 *   circle towards the zenith, and the last few degrees blend to the mean colour of the top rows (`pole`), so there
 *   is no pinch or starburst.
 * - Colour: the textures are sRGB (`SRGBColorSpace`, decoded to linear by the sampler); the result is encoded for the
 *   output by `colorspace_fragment`. The sky is not tone mapped (`toneMapped: false`): it shows the generated colours.
 * Equirect lookup as in three.js `equirectUv` (src/renderers/shaders/ShaderChunk/common.glsl.js), with our conventions.
 */
import { Color, Vector2, type Texture } from 'three'
import { createGradientSkyUniforms, GRADIENT_SKY_CHUNK, type GradientSkyUniforms } from './gradient-sky.glsl'

/** Uniforms of the sky material. Source A fades out while source B fades in. */
export type SkyUniforms = GradientSkyUniforms & {
  /** Hemisphere textures (RGBA8 sRGB, no mipmaps, RepeatWrapping in s); ignored while the source is the gradient. */
  skyA: { value: Texture | null }
  skyB: { value: Texture | null }
  /** 1 = the texture, 0 = the placeholder gradient. */
  sourceA: { value: number }
  sourceB: { value: number }
  /** Texture sizes in pixels. */
  sizeA: { value: Vector2 }
  sizeB: { value: Vector2 }
  /** Linear ground tone below the horizon, per source. */
  groundA: { value: Color }
  groundB: { value: Color }
  /** Linear mean colour of the top rows, shown at the zenith point itself, per source. */
  poleA: { value: Color }
  poleB: { value: Color }
  /** Crossfade: 0 shows A, 1 shows B. */
  fade: { value: number }
  /** Depth below the horizon over which the horizon colour fades to the ground tone (world-gen SKY_GROUND_FADE_RAD). */
  groundFadeRad: { value: number }
}

/**
 * Fresh uniforms for one sky material (never shared between materials): both sources the gradient of the given
 * placeholder colours.
 */
export function createSkyUniforms(
  placeholder: { horizon: Color; zenith: Color; ground: Color },
  groundFadeRad: number,
): SkyUniforms {
  return {
    ...createGradientSkyUniforms(placeholder.horizon, placeholder.zenith, placeholder.ground),
    skyA: { value: null },
    skyB: { value: null },
    sourceA: { value: 0 },
    sourceB: { value: 0 },
    sizeA: { value: new Vector2(1, 1) },
    sizeB: { value: new Vector2(1, 1) },
    groundA: { value: new Color(0, 0, 0) },
    groundB: { value: new Color(0, 0, 0) },
    poleA: { value: new Color(0, 0, 0) },
    poleB: { value: new Color(0, 0, 0) },
    fade: { value: 1 },
    groundFadeRad: { value: groundFadeRad },
  }
}

/**
 * Vertex shader: the sphere's object-space position is the view direction; only the camera's rotation is applied
 * (w = 0 drops its translation), so the sky is centred on each eye (VR too) and never left behind however far the
 * player walks, and `z = w` puts it on the far plane behind everything.
 */
export const SKY_VERTEX = /* glsl */ `
varying vec3 vDirection;
void main() {
  vDirection = position;
  vec4 clip = projectionMatrix * vec4((viewMatrix * vec4(position, 0.0)).xyz, 1.0);
  gl_Position = clip.xyww;
}
`

/** Fragment shader: equirect lookup of two sources, ground fade, crossfade; sRGB output, dithered. */
export const SKY_FRAGMENT = /* glsl */ `
#define SKY_PI 3.141592653589793
#define SKY_HALF_PI 1.5707963267948966
#define SKY_TAPS 16
uniform sampler2D skyA;
uniform sampler2D skyB;
uniform float sourceA;
uniform float sourceB;
uniform vec2 sizeA;
uniform vec2 sizeB;
uniform vec3 groundA;
uniform vec3 groundB;
uniform vec3 poleA;
uniform vec3 poleB;
uniform float fade;
uniform float groundFadeRad;
varying vec3 vDirection;
${GRADIENT_SKY_CHUNK}
#include <common>
#include <dithering_pars_fragment>

// Linear colour of a generated hemisphere in direction (lon, elev); below the horizon, the horizon row fading to ground.
vec3 hemisphere(sampler2D tex, vec2 size, vec3 ground, vec3 pole, float lon, float elev) {
  float u = lon / (2.0 * SKY_PI) + 0.5;
  if (elev < 0.0) {
    vec3 horizon = textureLod(tex, vec2(u, 1.0 - 0.5 / size.y), 0.0).rgb;
    return mix(horizon, ground, smoothstep(0.0, groundFadeRad, -elev));
  }
  // t = 0 at the zenith (row 0), 1 at the horizon; kept on row centres so the edge rows are not blended with a clamp.
  float t = clamp(1.0 - elev / SKY_HALF_PI, 0.5 / size.y, 1.0 - 0.5 / size.y);
  float cosE = cos(elev);
  // One texel row's arc expressed in u; the columns already cover one column (1 / size.x) by bilinear filtering.
  float rowArcU = 1.0 / (4.0 * size.y * max(cosE, 1e-4));
  // Above 60° the generator's cells (painted on a flat grid) turn into wedges that converge at the zenith: widen the
  // filter smoothly to 1/8 of the circle near the top so they blend into the row's colours instead of a starburst.
  float polar = 1.0 - smoothstep(0.05, 0.5, cosE);
  float width = min(max(rowArcU - 1.0 / size.x, polar * 0.125), 1.0);
  vec3 c;
  if (width * size.x < 0.25) {
    c = textureLod(tex, vec2(u, t), 0.0).rgb;
  } else {
    // Tent-weighted taps across the width, wrapping in u (RepeatWrapping).
    c = vec3(0.0);
    float wsum = 0.0;
    for (int i = 0; i < SKY_TAPS; i++) {
      float o = (float(i) + 0.5) / float(SKY_TAPS) - 0.5;
      float w = 1.0 - abs(o);
      c += w * textureLod(tex, vec2(u + o * width, t), 0.0).rgb;
      wsum += w;
    }
    c /= wsum;
  }
  // The last few degrees (84°–88°) blend to the top rows' mean: every column meets there.
  return mix(c, pole, 1.0 - smoothstep(0.035, 0.1, cosE));
}

void main() {
  vec3 dir = normalize(vDirection);
  float elev = asin(clamp(dir.y, -1.0, 1.0));
  float lon = atan(dir.x, -dir.z);
  vec3 b = sourceB > 0.5 ? hemisphere(skyB, sizeB, groundB, poleB, lon, elev) : gradientSky(dir);
  vec3 color = b;
  if (fade < 1.0) {
    vec3 a = sourceA > 0.5 ? hemisphere(skyA, sizeA, groundA, poleA, lon, elev) : gradientSky(dir);
    color = mix(a, b, fade);
  }
  gl_FragColor = vec4(color, 1.0);
  #include <colorspace_fragment>
  #include <dithering_fragment>
}
`
