'use client'

/**
 * The sun's shadow map is drawn when it can have changed, not every frame. What it holds depends only on the casters
 * (the rooms' geometry: fixed while a room is mounted; their shadow-pass material takes no texture) and on the sun
 * (its position follows the player's room and the sky's sun direction). three redraws it every frame by default: the
 * whole resident world again, at 2048², before each frame, which a software renderer pays for in full.
 */
import { useThree } from '@react-three/fiber'
import { useEffect, useLayoutEffect } from 'react'
import type { WebGLRenderer } from 'three'

/** Ask for the shadow map to be redrawn before the next frame. */
export function invalidateShadows(gl: WebGLRenderer): void {
  gl.shadowMap.needsUpdate = true
}

/** Draw `gl`'s shadow map on demand (and once now), also after the GL context comes back; returns the undo. */
function drawShadowsOnDemand(gl: WebGLRenderer): () => void {
  gl.shadowMap.autoUpdate = false
  invalidateShadows(gl)
  const canvas = gl.domElement
  const restored = () => invalidateShadows(gl)
  canvas.addEventListener('webglcontextrestored', restored)
  return () => {
    canvas.removeEventListener('webglcontextrestored', restored)
    gl.shadowMap.autoUpdate = true
  }
}

/** Draw the shadow map on demand for as long as the calling component is mounted. */
export function useShadowsOnDemand(): void {
  const gl = useThree((state) => state.gl)
  useEffect(() => drawShadowsOnDemand(gl), [gl])
}

/** A shadow caster: the shadow map is redrawn when it mounts and when it unmounts (in the same commit). */
export function useShadowCaster(): void {
  const gl = useThree((state) => state.gl)
  useLayoutEffect(() => {
    invalidateShadows(gl)
    return () => invalidateShadows(gl)
  }, [gl])
}
