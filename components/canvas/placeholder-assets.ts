'use client'

import { useEffect, useMemo } from 'react'
import {
  BoxGeometry,
  DataTexture,
  LinearMipmapLinearFilter,
  RepeatWrapping,
  RGBAFormat,
  SRGBColorSpace,
  UnsignedByteType,
} from 'three'

/** Size of one procedural texture tile, in pixels (a power of two, so mipmaps work). */
const TILE_PX = 128

/** Shared GPU resources of the placeholder rooms; one owner calls `dispose()` (STYLE.md G1). */
export type PlaceholderAssets = {
  /** Floor tiles, one texture repeat per `FLOOR_TILE_M`. */
  floorTexture: DataTexture
  /** Wall blocks, one texture repeat per `WALL_TILE_M` square. */
  wallTexture: DataTexture
  /** Free every texture and geometry created here. */
  dispose: () => void
  /** Box geometries with world-scaled UVs, cached by size (`w×h×d`). */
  box: (size: [number, number, number]) => BoxGeometry
}

/** Metres covered by one repeat of the floor texture. */
export const FLOOR_TILE_M = 2
/** Metres covered by one repeat of the wall texture. */
export const WALL_TILE_M = 1

// A tiny integer hash for texture noise: deterministic, so screenshots and pixel tests are stable.
function noise(x: number, y: number, salt: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ Math.imul(salt, 2246822519)
  h = Math.imul(h ^ (h >>> 13), 1274126177)
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296
}

// Grey-level RGBA8 texture [TILE_PX, TILE_PX, 4], values in 0–255, from a per-pixel brightness function in [0, 1].
function greyTexture(brightness: (x: number, y: number) => number): DataTexture {
  const data = new Uint8Array(TILE_PX * TILE_PX * 4)
  for (let y = 0; y < TILE_PX; y++) {
    for (let x = 0; x < TILE_PX; x++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, brightness(x, y))))
      const i = (y * TILE_PX + x) * 4
      data[i] = v
      data[i + 1] = v
      data[i + 2] = v
      data[i + 3] = 255
    }
  }
  const texture = new DataTexture(data, TILE_PX, TILE_PX, RGBAFormat, UnsignedByteType)
  texture.wrapS = RepeatWrapping
  texture.wrapT = RepeatWrapping
  texture.colorSpace = SRGBColorSpace
  texture.minFilter = LinearMipmapLinearFilter
  texture.generateMipmaps = true
  texture.anisotropy = 8
  texture.needsUpdate = true
  return texture
}

// 2 × 2 floor tiles per texture with dark grout and a per-tile tone.
function floorBrightness(x: number, y: number): number {
  const half = TILE_PX / 2
  const grout = x % half < 2 || y % half < 2
  const tile = noise(Math.floor(x / half), Math.floor(y / half), 1)
  return grout ? 0.45 : 0.8 + 0.14 * tile + 0.06 * (noise(x, y, 2) - 0.5)
}

// Running-bond blocks: two courses per texture, the second offset by half a block.
function wallBrightness(x: number, y: number): number {
  const course = Math.floor(y / (TILE_PX / 2))
  const shifted = (x + (course % 2) * (TILE_PX / 2)) % TILE_PX
  const mortar = y % (TILE_PX / 2) < 2 || shifted < 2
  const block = noise(Math.floor((x + (course % 2) * (TILE_PX / 2)) / TILE_PX), course, 3)
  return mortar ? 0.55 : 0.82 + 0.12 * block + 0.08 * (noise(x, y, 4) - 0.5)
}

// BoxGeometry maps 0–1 onto every face; rescale so one texture repeat covers WALL_TILE_M on every face.
// Face order of BoxGeometry (one segment): +x, −x, +y, −y, +z, −z; 4 vertices each.
function worldScaledBox([w, h, d]: [number, number, number]): BoxGeometry {
  const geometry = new BoxGeometry(w, h, d)
  const uv = geometry.attributes.uv
  const faceSizes: [number, number][] = [
    [d, h],
    [d, h],
    [w, d],
    [w, d],
    [w, h],
    [w, h],
  ]
  faceSizes.forEach(([u, v], face) => {
    for (let k = 0; k < 4; k++) {
      const index = face * 4 + k
      uv.setXY(index, (uv.getX(index) * u) / WALL_TILE_M, (uv.getY(index) * v) / WALL_TILE_M)
    }
  })
  uv.needsUpdate = true
  return geometry
}

/** Create the placeholder textures and a box-geometry cache. The caller owns them and must call `dispose()`. */
export function createPlaceholderAssets(): PlaceholderAssets {
  const floorTexture = greyTexture(floorBrightness)
  const wallTexture = greyTexture(wallBrightness)
  const boxes = new Map<string, BoxGeometry>()
  return {
    floorTexture,
    wallTexture,
    box: (size) => {
      const key = size.join('x')
      let geometry = boxes.get(key)
      if (geometry === undefined) {
        geometry = worldScaledBox(size)
        boxes.set(key, geometry)
      }
      return geometry
    },
    dispose: () => {
      floorTexture.dispose()
      wallTexture.dispose()
      boxes.forEach((geometry) => geometry.dispose())
      boxes.clear()
    },
  }
}

/** Placeholder assets for the lifetime of the calling component (created in `useMemo`, disposed on unmount, G2). */
export function usePlaceholderAssets(): PlaceholderAssets {
  const assets = useMemo(() => createPlaceholderAssets(), [])
  useEffect(() => () => assets.dispose(), [assets])
  return assets
}
