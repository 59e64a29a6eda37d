'use client'

import { useMemo } from 'react'
import { ROOM_PITCH_M, WALL_THICKNESS_M } from '../../world-gen'
import type { PlaceholderAssets } from './placeholder-assets'
import { roomPalette } from './world-palette'

/** Edge length of a room cell, in metres (world-gen's room pitch). */
export const ROOM_SIZE_M = ROOM_PITCH_M
/** Wall height, in metres. */
export const WALL_HEIGHT_M = 3.6
const DOOR_WIDTH_M = 2
const DOOR_HEIGHT_M = 2.6

type Box = { position: [number, number, number]; size: [number, number, number] }

// One wall along x, centred on the origin, with a doorway gap in the middle: two side pieces and a lintel.
function wallBoxes(): Box[] {
  const sideLength = (ROOM_SIZE_M - DOOR_WIDTH_M) / 2
  const sideOffset = DOOR_WIDTH_M / 2 + sideLength / 2
  const lintelHeight = WALL_HEIGHT_M - DOOR_HEIGHT_M
  return [
    { position: [-sideOffset, WALL_HEIGHT_M / 2, 0], size: [sideLength, WALL_HEIGHT_M, WALL_THICKNESS_M] },
    { position: [sideOffset, WALL_HEIGHT_M / 2, 0], size: [sideLength, WALL_HEIGHT_M, WALL_THICKNESS_M] },
    {
      position: [0, DOOR_HEIGHT_M + lintelHeight / 2, 0],
      size: [DOOR_WIDTH_M, lintelHeight, WALL_THICKNESS_M],
    },
  ]
}

const WALL_BOXES = wallBoxes()
const SKIRTING_HEIGHT_M = 0.16
// A darker skirting strip along the foot of each wall piece, slightly proud of the wall face.
const SKIRTING_BOXES: Box[] = WALL_BOXES.filter((box) => box.position[1] === WALL_HEIGHT_M / 2).map((box) => ({
  position: [box.position[0], SKIRTING_HEIGHT_M / 2, 0],
  size: [box.size[0], SKIRTING_HEIGHT_M, WALL_THICKNESS_M + 0.06],
}))
// Walls sit just inside their own cell, so the shared wall of two rooms is two slabs back to back (no z-fighting).
const WALL_INSET_M = ROOM_SIZE_M / 2 - WALL_THICKNESS_M / 2
const WALLS: { position: [number, number, number]; rotationY: number }[] = [
  { position: [0, 0, -WALL_INSET_M], rotationY: 0 },
  { position: [0, 0, WALL_INSET_M], rotationY: Math.PI },
  { position: [WALL_INSET_M, 0, 0], rotationY: -Math.PI / 2 },
  { position: [-WALL_INSET_M, 0, 0], rotationY: Math.PI / 2 },
]

/**
 * Placeholder room at grid cell (x, z): a tiled floor and four block walls with doorway gaps, tinted from the seed.
 * Stands in for the generated room until the world engine lands. Geometries and textures are shared (`assets`).
 */
export function PlaceholderRoom({
  seed,
  x,
  z,
  assets,
}: {
  seed: string
  x: number
  z: number
  assets: PlaceholderAssets
}) {
  const palette = useMemo(() => roomPalette(seed, x, z), [seed, x, z])
  return (
    <group position={[x * ROOM_SIZE_M, 0, z * ROOM_SIZE_M]}>
      <mesh rotation-x={-Math.PI / 2} receiveShadow>
        <planeGeometry args={[ROOM_SIZE_M, ROOM_SIZE_M]} />
        <meshStandardMaterial color={palette.floor} map={assets.floorTexture} roughness={0.8} dispose={null} />
      </mesh>
      {WALLS.map((wall, wallIndex) => (
        <group key={wallIndex} position={wall.position} rotation-y={wall.rotationY}>
          {WALL_BOXES.map((box, boxIndex) => (
            <mesh
              key={boxIndex}
              position={box.position}
              geometry={assets.box(box.size)}
              castShadow
              receiveShadow
              dispose={null}
            >
              <meshStandardMaterial color={palette.wall} map={assets.wallTexture} roughness={0.92} />
            </mesh>
          ))}
          {SKIRTING_BOXES.map((box, boxIndex) => (
            <mesh key={`skirting-${boxIndex}`} position={box.position} geometry={assets.box(box.size)} dispose={null}>
              <meshStandardMaterial color={palette.trim} roughness={0.6} />
            </mesh>
          ))}
        </group>
      ))}
    </group>
  )
}
