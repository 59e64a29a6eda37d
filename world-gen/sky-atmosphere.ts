/**
 * The clear-sky atmosphere behind the generated cloud layer: the Preetham analytic daylight model (Preetham, Shirley
 * and Smits 1999, "A Practical Analytic Model for Daylight") in the Rayleigh + Mie scattering form of three.js's
 * `examples/jsm/objects/Sky.js` (MIT; ported to TypeScript here so the world, the share card, the CLI and the tests
 * paint the same sky on the CPU). It supplies what 28 cloud photographs cannot teach a GAN: the gradient from horizon to
 * zenith, the sun and its glow, and the time of day (day, dusk, hazy or clear air).
 *
 * `atmosphereFromLatent` maps a sky latent from the seeded latent walk to the model's parameters, so the light drifts
 * smoothly from room to room with the clouds. Pure and deterministic; radiance is linear RGB in the model's units
 * (`AtmosphereShader.exposure` brings it to display range before tone mapping).
 */
import type { Vec3 } from './room-geometry'
import { luma, smoothstep, type Rgb } from './sky-panorama'

/** Parameters of the atmosphere. */
export interface Atmosphere {
  /** Sun elevation above the horizon, radians. */
  sunElevationRad: number
  /** Sun longitude, radians: 0 north (−z), π/2 east (+x), as `skyDirection`. */
  sunAzimuthRad: number
  /** Haze: 2 (very clear) … 10 (hazy). */
  turbidity: number
  /** Rayleigh (molecular) scattering scale: 1 … 3 (deeper blue and redder sunsets). */
  rayleigh: number
  /** Mie (aerosol) scattering coefficient. */
  mieCoefficient: number
  /** Henyey–Greenstein asymmetry of the Mie lobe (the sun's glow). */
  mieDirectionalG: number
  /**
   * How overcast: 0 the cloud layer as generated … 1 a closed grey deck (`sky-compose.ts` thickens the generated
   * layer towards it). @default 0
   */
  overcast?: number
}

/** Where a sky latent leans: towards evening and towards overcast, each 0 … 1, smooth in the latent. */
export interface SkyWeather {
  /** 0 daylight … 1 evening: the sun sinks to the horizon and the air reddens. */
  evening: number
  /** 0 as generated … 1 a closed grey deck. */
  overcast: number
}

/**
 * Latent channels of the weather (after the four of the atmosphere): the generator sees the same channels, so the
 * clouds and the weather move together along the walk.
 */
export const SKY_WEATHER_CHANNELS = { evening: 4, overcast: 5 } as const

/**
 * Normal-CDF bands of the weather channels: the weight rises from 0 at the first value to 1 at the second, so about
 * one room in five leans clearly (weight > 0.5) to each state and the rest is daylight as before
 * (test/world-gen/sky-weather.test.ts measures it over many worlds' walks).
 */
export const SKY_WEATHER_BANDS = { evening: [0.72, 0.84], overcast: [0.74, 0.86] } as const

/** Sun elevation of a full evening, degrees: from the horizon glow (the walk's lowest sun) to a low golden sun. */
export const EVENING_SUN_ELEVATION_DEG = { min: 1.5, max: 5 } as const

/** Range of the sun's elevation over the walk, degrees: a low sun gives dawn and dusk, a high one midday. */
export const SUN_ELEVATION_DEG = { min: 1.5, max: 62 } as const

/**
 * Exposure key: like a camera's auto-exposure, each atmosphere is scaled so the mean luminance of its zenith and of
 * the sky 30° up opposite the sun comes to this before tone mapping (dusk is not black, noon not blown out); a low
 * sun keys lower, down to 0.45× at the horizon.
 */
export const SKY_EXPOSURE_KEY = 0.22

// Constants of three.js Sky.js (r187).
const TOTAL_RAYLEIGH: Rgb = [5.804542996261093e-6, 1.3562911419845635e-5, 3.0265902468824876e-5]
const MIE_CONST: Rgb = [1.8399918514433978e14, 2.7798023919660528e14, 4.0790479543861094e14]
const CUTOFF_ANGLE = 1.6110731556870734
const STEEPNESS = 1.5
const EE = 1000
const RAYLEIGH_ZENITH_LENGTH = 8.4e3
const MIE_ZENITH_LENGTH = 1.25e3
const THREE_OVER_SIXTEENPI = 0.05968310365946075
const ONE_OVER_FOURPI = 0.07957747154594767
/** The sun's disc: angular radius, radians (a little over the real 0.27° so it covers a pixel of the panorama). */
export const SUN_DISC_RAD = (0.6 * Math.PI) / 180

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): latent channels are ~N(0, 1). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * z)
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z)
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y)
}

/** Channel `i` of a latent through the normal CDF, in [0, 1]; 0.5 (the median) when absent or not finite. */
function channelCdf(latent: ArrayLike<number>, i: number): number {
  const v = i < latent.length ? Number(latent[i]) : NaN
  return Number.isFinite(v) ? normalCdf(v) : 0.5
}

/**
 * The weather of a sky latent: channels 4 (evening) and 5 (overcast) through the normal CDF, each weight smoothstep
 * over its band (`SKY_WEATHER_BANDS`), so a state fades in and out along the walk instead of switching. A latent of
 * fewer than 6 channels, or non-finite ones, has no weather (both 0).
 */
export function skyWeatherFromLatent(latent: ArrayLike<number>): SkyWeather {
  const [e0, e1] = SKY_WEATHER_BANDS.evening
  const [o0, o1] = SKY_WEATHER_BANDS.overcast
  return {
    evening: smoothstep(e0, e1, channelCdf(latent, SKY_WEATHER_CHANNELS.evening)),
    overcast: smoothstep(o0, o1, channelCdf(latent, SKY_WEATHER_CHANNELS.overcast)),
  }
}

/**
 * The atmosphere of a sky latent (`skyLatent`, `[sky.globalDim]`): its first four channels, each mapped through the
 * normal CDF to [0, 1], set the sun's elevation (skewed low, so dawn and dusk come up often), the sun's azimuth,
 * turbidity and Rayleigh scale; the weather (`skyWeatherFromLatent`) then pulls them towards evening (the sun down to
 * `EVENING_SUN_ELEVATION_DEG`, redder air) and overcast (a closed deck, diffuse light). The walk interpolates latents
 * smoothly, so these drift smoothly too.
 */
export function atmosphereFromLatent(latent: ArrayLike<number>): Atmosphere {
  if (latent.length < 4) throw new RangeError(`a sky latent has at least 4 channels, got ${latent.length}`)
  const u = [0, 1, 2, 3].map((i) => channelCdf(latent, i))
  const { evening, overcast } = skyWeatherFromLatent(latent)
  const dayDeg = SUN_ELEVATION_DEG.min + (SUN_ELEVATION_DEG.max - SUN_ELEVATION_DEG.min) * u[0] ** 1.6
  const eveningDeg =
    EVENING_SUN_ELEVATION_DEG.min + (EVENING_SUN_ELEVATION_DEG.max - EVENING_SUN_ELEVATION_DEG.min) * u[0]
  const elevationDeg = dayDeg + (Math.min(dayDeg, eveningDeg) - dayDeg) * evening
  const dayTurbidity = 2 + 8 * u[2]
  const dayRayleigh = 1 + 2 * u[3]
  // Evening air: more molecular scattering (a deeper red at the horizon) and some haze to catch the low light.
  const eveningRayleigh = dayRayleigh + (Math.max(dayRayleigh, 2.4 + 0.6 * u[3]) - dayRayleigh) * evening
  const eveningTurbidity = dayTurbidity + (Math.max(dayTurbidity, 4 + 3 * u[2]) - dayTurbidity) * evening
  // Overcast keeps the air's turbidity: hazier air would tint the grey deck brown through its extinction.
  return {
    sunElevationRad: (elevationDeg * Math.PI) / 180,
    sunAzimuthRad: (u[1] * 2 - 1) * Math.PI,
    turbidity: eveningTurbidity,
    rayleigh: eveningRayleigh,
    mieCoefficient: 0.004,
    // Below a closed deck the light is diffuse: the aerosol glow around the sun flattens out with the overcast.
    mieDirectionalG: 0.88 - 0.6 * overcast,
    overcast,
  }
}

/** Per-direction terms of the sky: everything the cloud layer needs to be lit and hazed consistently with it. */
export interface SkyTerms {
  /** Sky radiance with the sun disc (linear, model units × 0.04 as three.js). */
  sky: Rgb
  /** Extinction along the view ray (0 … 1 per channel): how much of a distant cloud reaches the eye. */
  extinction: Rgb
  /** In-scattered sky light without the disc: the ambient light on a cloud's underside. */
  ambient: Rgb
}

/** A shader of one atmosphere: `terms(direction)` per view direction, and the light the sun sheds on clouds. */
export interface AtmosphereShader {
  readonly atmosphere: Atmosphere
  /** Unit direction towards the sun. */
  readonly sunDirection: Vec3
  /** Sunlight reaching the cloud layer (linear, same units as `sky`): white at noon, orange at dusk. */
  readonly sunColor: Rgb
  /** 0 with the sun at the horizon … 1 well above it: scales the light on clouds. */
  readonly dayFactor: number
  /** Linear scale from radiance to the tone mapper's input (`SKY_EXPOSURE_KEY`). */
  readonly exposure: number
  /** Terms for unit direction (x, y, z), y up; writes into `out` when given. */
  terms(x: number, y: number, z: number, out?: SkyTerms): SkyTerms
}

/** Precompute one atmosphere (three.js Sky.js vertex-shader terms) and return its per-direction shader. */
export function atmosphereShader(atmosphere: Atmosphere): AtmosphereShader {
  const { sunElevationRad: el, sunAzimuthRad: az, turbidity, rayleigh, mieCoefficient, mieDirectionalG: g } = atmosphere
  const ce = Math.cos(el)
  const sun: Vec3 = [ce * Math.sin(az), Math.sin(el), -ce * Math.cos(az)]
  const sunY = Math.min(1, Math.max(-1, sun[1]))
  const sunE = EE * Math.max(0, 1 - Math.exp(-(CUTOFF_ANGLE - Math.acos(sunY)) / STEEPNESS))
  // three.js: rayleigh − (1 − sunfade), sunfade = 1 − clamp(1 − exp(sunPosition.y / 450000)); its examples pass a unit
  // sunPosition, so sunfade is 1 to within 1e-6 and the coefficient is `rayleigh`.
  const rayleighCoefficient = rayleigh
  const betaR: Rgb = [0, 1, 2].map((i) => TOTAL_RAYLEIGH[i] * rayleighCoefficient) as Rgb
  const mieC = 0.2 * turbidity * 10e-18
  const betaM: Rgb = [0, 1, 2].map((i) => 0.434 * mieC * MIE_CONST[i] * mieCoefficient) as Rgb
  const g2 = g * g
  const sunDiscCos = Math.cos(SUN_DISC_RAD)
  const sunDiscEdge = 1 / (Math.cos(SUN_DISC_RAD * 0.8) - sunDiscCos)
  // A closed deck scatters the direct beam: under full overcast no disc is seen, only the clouds' diffuse glow.
  const overcast = Math.min(1, Math.max(0, atmosphere.overcast ?? 0))
  const discThrough = (1 - overcast) * (1 - overcast)

  function terms(x: number, y: number, z: number, out?: SkyTerms): SkyTerms {
    const o = out ?? { sky: [0, 0, 0], extinction: [0, 0, 0], ambient: [0, 0, 0] }
    const zenithAngle = Math.acos(Math.max(0, y))
    const inverse = 1 / (Math.cos(zenithAngle) + 0.15 * Math.pow(93.885 - (zenithAngle * 180) / Math.PI, -1.253))
    const sR = RAYLEIGH_ZENITH_LENGTH * inverse
    const sM = MIE_ZENITH_LENGTH * inverse
    const cosTheta = x * sun[0] + y * sun[1] + z * sun[2]
    const c = cosTheta * 0.5 + 0.5
    const rPhase = THREE_OVER_SIXTEENPI * (1 + c * c)
    const mPhase = ONE_OVER_FOURPI * ((1 - g2) / Math.pow(1 - 2 * g * cosTheta + g2, 1.5))
    const horizonMix = Math.min(1, Math.max(0, Math.pow(1 - sun[1], 5)))
    // Smooth disc edge over the outer 20 % of its radius.
    const disc = Math.min(1, Math.max(0, (cosTheta - sunDiscCos) * sunDiscEdge))
    for (let i = 0; i < 3; i++) {
      const fex = Math.exp(-(betaR[i] * sR + betaM[i] * sM))
      const scatter = (betaR[i] * rPhase + betaM[i] * mPhase) / (betaR[i] + betaM[i])
      let lin = Math.pow(sunE * scatter * (1 - fex), 1.5)
      lin *= 1 + (Math.sqrt(sunE * scatter * fex) - 1) * horizonMix
      const l0 = 0.1 * fex
      const night = i === 1 ? 0.0003 : i === 2 ? 0.00075 : 0
      const discColor = 760 * disc * Math.min(sunE * fex, 80) * discThrough
      o.sky[i] = (lin + l0) * 0.04 + discColor + night
      o.ambient[i] = lin * 0.04 + night
      o.extinction[i] = fex
    }
    return o
  }

  // Sunlight on the cloud layer: the sun's extinction along a ray towards it, as three.js lights its clouds.
  const toSun = terms(sun[0], Math.max(sun[1], 0.02), sun[2])
  const sunColor: Rgb = [0, 1, 2].map((i) => sunE * toSun.extinction[i] * 0.22 * 0.04) as Rgb
  const opposite = terms(-0.866 * Math.sin(az), 0.5, 0.866 * Math.cos(az))
  const reference = (luma(...terms(0, 1, 0).sky) + luma(...opposite.sky)) / 2
  const dayFactor = smoothstep(-0.08, 0.3, sun[1])
  // A low sun keys darker: dusk should look like dusk, not like a dim noon brightened back up.
  const key = SKY_EXPOSURE_KEY * (0.45 + 0.55 * dayFactor)
  const exposure = Math.min(20, Math.max(0.05, key / Math.max(reference, 1e-6)))
  return { atmosphere, sunDirection: sun, sunColor, dayFactor, exposure, terms }
}
