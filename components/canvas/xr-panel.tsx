'use client'

import { useXRInputSourceState, XRSpace } from '@react-three/xr'
import { useEffect, useState } from 'react'
import { CanvasTexture, SRGBColorSpace } from 'three'
import { useWorldStore } from '../stores/world-store'
import { SNAP_TURN_DEG, type ComfortSettings } from '../xr/xr-comfort'

/** Panel texture size, pixels (4:3). */
const PANEL_WIDTH_PX = 512
const PANEL_HEIGHT_PX = 384
/** Panel size in the headset, metres (a wrist-sized card above the left controller). */
const PANEL_WIDTH_M = 0.2
const PANEL_HEIGHT_M = (PANEL_WIDTH_M * PANEL_HEIGHT_PX) / PANEL_WIDTH_PX

/** Draw the panel: world facts, the AI label, the comfort settings and the buttons that change them. */
export function drawXRPanel(
  ctx: CanvasRenderingContext2D,
  seed: string,
  room: { x: number; z: number },
  comfort: ComfortSettings,
): void {
  const w = ctx.canvas.width
  const h = ctx.canvas.height
  ctx.clearRect(0, 0, w, h)
  ctx.fillStyle = 'rgba(14, 17, 24, 0.88)'
  ctx.beginPath()
  ctx.roundRect(4, 4, w - 8, h - 8, 28)
  ctx.fill()
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.18)'
  ctx.lineWidth = 3
  ctx.stroke()
  ctx.textBaseline = 'middle'
  ctx.fillStyle = '#f2f4f8'
  ctx.font = '700 34px system-ui, sans-serif'
  ctx.fillText('Latentscape', 32, 50)
  // The AI label, as on the desktop HUD.
  ctx.fillStyle = '#7cf2c4'
  ctx.font = '600 22px system-ui, sans-serif'
  ctx.fillText('● AI-generated scenery', 32, 92)
  ctx.fillStyle = '#aab3c5'
  ctx.font = '500 24px ui-monospace, monospace'
  const shown = seed.length > 26 ? `${seed.slice(0, 25)}…` : seed
  ctx.fillText(`Seed  ${shown}`, 32, 140)
  ctx.fillText(`Room  ${room.x}, ${room.z}`, 32, 176)
  ctx.fillStyle = '#f2f4f8'
  ctx.font = '600 25px system-ui, sans-serif'
  ctx.fillText(`Turn: ${comfort.turn === 'snap' ? `snap ${SNAP_TURN_DEG}°` : 'smooth'}`, 32, 232)
  ctx.fillText(`Vignette: ${comfort.vignette ? 'on' : 'off'}`, 32, 272)
  ctx.fillStyle = '#aab3c5'
  ctx.font = '500 20px system-ui, sans-serif'
  ctx.fillText('A: turn mode · B: vignette · X: hide', 32, 320)
  ctx.fillText('Left stick walks · right stick turns, forward to teleport', 32, 352)
}

function createPanelTexture(): CanvasTexture {
  const canvas = document.createElement('canvas')
  canvas.width = PANEL_WIDTH_PX
  canvas.height = PANEL_HEIGHT_PX
  const texture = new CanvasTexture(canvas)
  texture.colorSpace = SRGBColorSpace
  return texture
}

function redrawPanel(
  texture: CanvasTexture,
  seed: string,
  room: { x: number; z: number },
  comfort: ComfortSettings,
): void {
  const ctx = (texture.image as HTMLCanvasElement).getContext('2d')
  if (ctx === null) return
  drawXRPanel(ctx, seed, room, comfort)
  texture.needsUpdate = true
}

/**
 * The in-VR panel: a CanvasTexture card that rides above the left controller, showing the seed, the room, the
 * "AI-generated scenery" label and the comfort settings. Redrawn only when those change, never per frame.
 */
export function XRPanel({ comfort }: { comfort: ComfortSettings }) {
  const left = useXRInputSourceState('controller', 'left')
  const seed = useWorldStore((state) => state.seed)
  const room = useWorldStore((state) => state.room)
  const [texture] = useState(createPanelTexture)
  useEffect(() => () => texture.dispose(), [texture])
  useEffect(() => redrawPanel(texture, seed, room, comfort), [texture, seed, room, comfort])

  if (left === undefined) return null
  return (
    <XRSpace space={left.inputSource.gripSpace ?? left.inputSource.targetRaySpace}>
      {/* Above the controller, tilted towards the face. */}
      <mesh position={[0, 0.1, -0.02]} rotation={[-0.6, 0, 0]} renderOrder={10}>
        <planeGeometry args={[PANEL_WIDTH_M, PANEL_HEIGHT_M]} />
        <meshBasicMaterial map={texture} transparent toneMapped={false} fog={false} />
      </mesh>
    </XRSpace>
  )
}
