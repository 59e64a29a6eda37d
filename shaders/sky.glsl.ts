/**
 * The sky: per view direction on a sphere centred on the eye at infinite distance, crossfading between two sources
 * (the previous and the new sky; a source can be the placeholder gradient). A generated sky with its shading (world-gen
 * `SkyShading`) is painted per pixel above the horizon: the cloud layer read at the point of the cloud plane under the
 * view ray (mipmapped, with the point's screen derivatives taken in uniform control flow), the smooth terms S, P, Q
 * from an equirect texture of three bands, shaded as world-gen `shadeSkyTexel`; without shading, the sky generator's
 * upper hemisphere (equirectangular: row 0 = zenith, last row = horizon, column 0 = longitude −180°, wrapping) is
 * looked up instead. Below the horizon the panorama's horizon row fades to a ground tone. The mapping matches world-gen
 * `sky-panorama.ts` (`skyDirection`, `fullSkyPanorama`).
 *
 * - Longitude wrap: `atan` jumps from +π to −π behind the viewer, so u jumps from 1 to 0 between neighbouring pixels.
 *   With implicit-LOD sampling the derivative there is huge and the GPU picks the smallest mip: a one-pixel seam. The
 *   equirect textures have no mipmaps and every lookup is `textureLod(…, 0.0)`, so no derivative is ever taken;
 *   RepeatWrapping in s makes bilinear filtering wrap across the seam. The cloud layer is read at the plane point,
 *   whose coordinates have no seam, so its derivatives pick the right mip level everywhere.
 * - Zenith: all columns meet at the pole, where equirect texels become thin wedges. Each lookup is filtered in
 *   longitude over at least one texel row's arc (so texels stay about square on the sphere), widening to 1/8 of the
 *   circle towards the zenith, and the last few degrees blend to the mean colour of the top rows (`pole`), so there
 *   is no pinch or starburst.
 * - Colour: the panoramas are sRGB (`SRGBColorSpace`, decoded to linear by the sampler), the cloud layer and the terms
 *   linear; the result is encoded for the output by `colorspace_fragment`. The renderer's tone mapping is off
 *   (`toneMapped: false`): the panorama shows the generated colours, and the shaded sky applies the panorama's own
 *   tone curve (ACES, Narkowicz's fit).
 * Equirect lookup as in three.js `equirectUv` (src/renderers/shaders/ShaderChunk/common.glsl.js), with our conventions.
 */
import { Color, Vector2, Vector3, type Texture } from 'three'
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
  /**
   * Per-pixel clouds (world-gen `SkyShading`), per source: 1 paints the clouds from the cloud layer and the terms
   * above the horizon (the panorama is then used only below it), 0 shows the panorama as it is.
   */
  shadedA: { value: number }
  shadedB: { value: number }
  /** Cloud layers (RGBA8 linear: R = cover, G = cover × brightness; mipmapped, repeating). */
  cloudsA: { value: Texture | null }
  cloudsB: { value: Texture | null }
  /** Terms S, P, Q (RGBA half float, three bands of rows, no mipmaps, RepeatWrapping in s). */
  termsA: { value: Texture | null }
  termsB: { value: Texture | null }
  /** Size of one band of the terms, in pixels. */
  termsSizeA: { value: Vector2 }
  termsSizeB: { value: Vector2 }
  /** Tile repeats per unit of the cloud plane at unit height. */
  tilesPerUnitA: { value: number }
  tilesPerUnitB: { value: number }
  /** Unit direction towards the sun. */
  sunA: { value: Vector3 }
  sunB: { value: Vector3 }
  /** How far the deck is closed to the horizon. */
  overcastA: { value: number }
  overcastB: { value: number }
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
    shadedA: { value: 0 },
    shadedB: { value: 0 },
    cloudsA: { value: null },
    cloudsB: { value: null },
    termsA: { value: null },
    termsB: { value: null },
    termsSizeA: { value: new Vector2(1, 1) },
    termsSizeB: { value: new Vector2(1, 1) },
    tilesPerUnitA: { value: 1 },
    tilesPerUnitB: { value: 1 },
    sunA: { value: new Vector3(0, 1, 0) },
    sunB: { value: new Vector3(0, 1, 0) },
    overcastA: { value: 0 },
    overcastB: { value: 0 },
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
uniform float shadedA;
uniform float shadedB;
uniform sampler2D cloudsA;
uniform sampler2D cloudsB;
uniform sampler2D termsA;
uniform sampler2D termsB;
uniform vec2 termsSizeA;
uniform vec2 termsSizeB;
uniform float tilesPerUnitA;
uniform float tilesPerUnitB;
uniform vec3 sunA;
uniform vec3 sunB;
uniform float overcastA;
uniform float overcastB;
uniform float fade;
uniform float groundFadeRad;
varying vec3 vDirection;
${GRADIENT_SKY_CHUNK}
#include <common>
#include <dithering_pars_fragment>

// Texture coordinate u of longitude lon (column 0 = −180°, wrapping).
float skyU(float lon) {
  return lon / (2.0 * SKY_PI) + 0.5;
}

// Texture coordinate t (0 at the zenith, row 0; 1 at the horizon) of elevation elev ≥ 0 in a hemisphere of size.y
// rows, kept on row centres so the edge rows are not blended with a clamp.
float skyRowT(vec2 size, float elev) {
  return clamp(1.0 - elev / SKY_HALF_PI, 0.5 / size.y, 1.0 - 0.5 / size.y);
}

// Filtered equirect lookup of a hemisphere whose rows [0, size.y) lie at v0 … v0 + vScale of the texture, in direction
// (lon, elev ≥ 0), as the texture stores it.
vec3 equirect(sampler2D tex, vec2 size, float v0, float vScale, float lon, float elev) {
  float u = skyU(lon);
  float v = v0 + skyRowT(size, elev) * vScale;
  float cosE = cos(elev);
  // One texel row's arc expressed in u; the columns already cover one column (1 / size.x) by bilinear filtering.
  float rowArcU = 1.0 / (4.0 * size.y * max(cosE, 1e-4));
  // Above 60° the generator's cells (painted on a flat grid) turn into wedges that converge at the zenith: widen the
  // filter smoothly to 1/8 of the circle near the top so they blend into the row's colours instead of a starburst.
  float polar = 1.0 - smoothstep(0.05, 0.5, cosE);
  float width = min(max(rowArcU - 1.0 / size.x, polar * 0.125), 1.0);
  if (width * size.x < 0.25) return textureLod(tex, vec2(u, v), 0.0).rgb;
  // Tent-weighted taps across the width, wrapping in u (RepeatWrapping).
  vec3 c = vec3(0.0);
  float wsum = 0.0;
  for (int i = 0; i < SKY_TAPS; i++) {
    float o = (float(i) + 0.5) / float(SKY_TAPS) - 0.5;
    float w = 1.0 - abs(o);
    c += w * textureLod(tex, vec2(u + o * width, v), 0.0).rgb;
    wsum += w;
  }
  return c / wsum;
}

// Linear colour of a generated hemisphere in direction (lon, elev); below the horizon, the horizon row fading to ground.
vec3 hemisphere(sampler2D tex, vec2 size, vec3 ground, vec3 pole, float lon, float elev) {
  if (elev < 0.0) {
    vec3 horizon = textureLod(tex, vec2(skyU(lon), skyRowT(size, 0.0)), 0.0).rgb;
    return mix(horizon, ground, smoothstep(0.0, groundFadeRad, -elev));
  }
  vec3 c = equirect(tex, size, 0.0, 1.0, lon, elev);
  // The last few degrees (84°–88°) blend to the top rows' mean: every column meets there.
  return mix(c, pole, 1.0 - smoothstep(0.035, 0.1, cos(elev)));
}

// Narkowicz's ACES filmic fit, as world-gen sky-compose.ts.
vec3 skyAces(vec3 x) {
  vec3 v = max(x, vec3(0.0));
  return min(vec3(1.0), (v * (2.51 * v + 0.03)) / (v * (2.43 * v + 0.59) + 0.14));
}

// The sky of world-gen sky-compose.ts shadeSkyTexel at this pixel (elev ≥ 0), linear: the cloud layer read at the
// plane point under the view ray (plane, in tiles, with its screen derivatives for the mip level), the terms S
// (filtered like the panorama: it holds the sun's disc), P and Q (smooth) at the direction.
vec3 shadedSky(
  sampler2D clouds, sampler2D terms, vec2 size, vec3 sun, float overcast,
  vec2 plane, vec2 planeDx, vec2 planeDy, vec3 dir, float lon, float elev
) {
  vec3 s = equirect(terms, size, 0.0, 1.0 / 3.0, lon, elev);
  float u = skyU(lon);
  float t = skyRowT(size, elev);
  vec3 p = textureLod(terms, vec2(u, (1.0 + t) / 3.0), 0.0).rgb;
  vec3 q = textureLod(terms, vec2(u, (2.0 + t) / 3.0), 0.0).rgb;
  vec2 layer = textureGrad(clouds, plane, planeDx, planeDy).rg;
  float a = layer.r;
  float brightness = a > 1e-4 ? layer.g / a : 0.0;
  float edge = a * (1.0 - a) * 4.0;
  // 1.49 − 1.4·cosθ ≥ 0.09: the power is always of a positive number.
  float silver = min(3.0, 0.51 / pow(1.49 - dot(dir, sun) * 1.4, 1.5));
  vec3 aerial = p + q * (brightness + silver * edge * 6.0 / 7.0);
  // Clouds fade out at the horizon, where the plane's far edge would show; a closed deck reaches it.
  float horizonFade = smoothstep(0.0, 0.06, dir.y);
  float cover = a * (horizonFade + (1.0 - horizonFade) * overcast);
  return skyAces(s + (aerial - s) * cover);
}

// Linear colour of one source in this direction: the placeholder gradient, its clouds shaded per pixel above the
// horizon, or its panorama. The plane point and its derivatives (plane units) come from main's uniform control flow.
vec3 skySource(
  float source, float shaded, sampler2D sky, vec2 size, vec3 ground, vec3 pole,
  sampler2D clouds, sampler2D terms, vec2 termsSize, float tilesPerUnit, vec3 sun, float overcast,
  vec3 dir, float lon, float elev, vec2 plane, vec2 planeDx, vec2 planeDy
) {
  if (source < 0.5) return gradientSky(dir);
  if (shaded > 0.5 && elev >= 0.0)
    return shadedSky(clouds, terms, termsSize, sun, overcast, plane * tilesPerUnit, planeDx * tilesPerUnit,
      planeDy * tilesPerUnit, dir, lon, elev);
  return hemisphere(sky, size, ground, pole, lon, elev);
}

void main() {
  vec3 dir = normalize(vDirection);
  float elev = asin(clamp(dir.y, -1.0, 1.0));
  float lon = atan(dir.x, -dir.z);
  // The point of the cloud plane (unit height) under the ray, in plane units, and its screen derivatives: taken here,
  // in uniform control flow, for the layers' mip level. Below the horizon it is held at a far, finite point.
  vec2 plane = dir.xz / max(dir.y, 0.01);
  vec2 planeDx = dFdx(plane);
  vec2 planeDy = dFdy(plane);
  vec3 color = skySource(sourceB, shadedB, skyB, sizeB, groundB, poleB, cloudsB, termsB, termsSizeB, tilesPerUnitB,
    sunB, overcastB, dir, lon, elev, plane, planeDx, planeDy);
  if (fade < 1.0) {
    vec3 a = skySource(sourceA, shadedA, skyA, sizeA, groundA, poleA, cloudsA, termsA, termsSizeA, tilesPerUnitA,
      sunA, overcastA, dir, lon, elev, plane, planeDx, planeDy);
    color = mix(a, color, fade);
  }
  gl_FragColor = vec4(color, 1.0);
  #include <colorspace_fragment>
  #include <dithering_fragment>
}
`
