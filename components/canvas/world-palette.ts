import { Color } from 'three'
import { hashCoords, worldHash } from '../../world-gen'

/** Colours of one placeholder room, derived from the world seed and room coordinates. */
export type RoomPalette = { wall: Color; floor: Color; trim: Color }

/** Colours of the placeholder sky for a world. */
export type SkyPalette = { horizon: Color; zenith: Color; ground: Color }

// Salts name what a per-room hash is for (world-gen D3): independent of the latent walk's own salts.
const SALT_ROOM_TINT = 0x7ea1
const SALT_SKY_TINT = 0x5c7

/**
 * Placeholder room colours: the world picks a base hue and each room drifts around it, so neighbours look related.
 * Stand-in until generated textures arrive.
 */
export function roomPalette(seed: string, x: number, z: number): RoomPalette {
  const world = worldHash(seed)
  const baseHue = (hashCoords(world, 0, 0, SALT_SKY_TINT) % 360) / 360
  const h = hashCoords(world, x, z, SALT_ROOM_TINT)
  const hue = (baseHue + ((h & 0xff) / 255 - 0.5) * 0.18 + 1) % 1
  const lightness = 0.42 + ((h >>> 8) & 0xff) / 255 / 6
  return {
    wall: new Color().setHSL(hue, 0.24, lightness),
    floor: new Color().setHSL((hue + 0.08) % 1, 0.16, lightness * 0.62),
    trim: new Color().setHSL(hue, 0.18, lightness * 0.45),
  }
}

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
