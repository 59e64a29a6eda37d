import { Color } from 'three'
import { hashCoords, worldHash } from '../../world-gen'

/** Colours of the placeholder sky for a world. */
export type SkyPalette = { horizon: Color; zenith: Color; ground: Color }

// Salts name what a per-room hash is for : independent of the latent walk's own salts.
const SALT_SKY_TINT = 0x5c7

/** Placeholder sky colours: dusk-like tones around the world's base hue. */
export function skyPalette(seed: string): SkyPalette {
  const world = worldHash(seed)
  const baseHue = (hashCoords(world, 0, 0, SALT_SKY_TINT) % 360) / 360
  return {
    horizon: new Color().setHSL((baseHue + 0.08) % 1, 0.55, 0.72),
    zenith: new Color().setHSL((baseHue + 0.55) % 1, 0.5, 0.3),
    ground: new Color().setHSL(baseHue, 0.15, 0.12),
  }
}
