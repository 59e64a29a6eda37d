'use client'

import { useFrame, useThree } from '@react-three/fiber'
import { useXR, XROrigin } from '@react-three/xr'
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import {
  BufferAttribute,
  BufferGeometry,
  Line,
  LineBasicMaterial,
  type Group,
  type Mesh,
  type MeshBasicMaterial,
} from 'three'
import {
  createXRVignetteUniforms,
  XR_VIGNETTE_FRAGMENT,
  XR_VIGNETTE_VERTEX,
  type XRVignetteUniforms,
} from '../../shaders/xr-vignette.glsl'
import { roomKey, type RoomSpec, type TeleportArc, type TeleportWorld } from '../../world-gen'
import type { PlayerRig } from '../../world-gen/player-rig'
import type { WorldStreamer } from '../streaming/world-streamer'
import type { ComfortSettings } from '../xr/xr-comfort'
import { XRMover, type XRButton } from '../xr/xr-mover'
import type { XRTelemetry } from '../xr/xr-telemetry'

const VALID_COLOR = 0x7cf2c4
const INVALID_COLOR = 0xff6b6b

/** What the arc may land on: resident rooms only, with a one-entry cache so per-sample lookups stay cheap. */
function createTeleportWorld(rig: PlayerRig, streamer: WorldStreamer): TeleportWorld {
  let lastX = NaN
  let lastZ = NaN
  let last: RoomSpec | undefined
  return {
    roomSpec: (x, z) => {
      if (x !== lastX || z !== lastZ) {
        lastX = x
        lastZ = z
        last = streamer.residentSpec(roomKey(x, z))
      }
      return last
    },
    get colliders() {
      return rig.blockColliders
    },
  }
}

/** The arc's line over the mover's sample buffer (owned by the component, disposed with it). */
function createArcLine(arc: TeleportArc): Line<BufferGeometry, LineBasicMaterial> {
  const geometry = new BufferGeometry()
  geometry.setAttribute('position', new BufferAttribute(arc.points, 3))
  geometry.setDrawRange(0, 0)
  const line = new Line(geometry, new LineBasicMaterial({ color: VALID_COLOR, transparent: true, opacity: 0.9 }))
  line.frustumCulled = false
  line.visible = false
  return line
}

function disposeArcLine(line: Line<BufferGeometry, LineBasicMaterial>): void {
  line.geometry.dispose()
  line.material.dispose()
}

/** Put the mover's output on the scene: origin transform, arc, landing marker and comfort overlay. */
function applyMover(
  mover: XRMover,
  group: Group,
  line: Line<BufferGeometry, LineBasicMaterial>,
  marker: Mesh | null,
  overlay: Mesh | null,
  uniforms: XRVignetteUniforms,
): void {
  const { origin: o, arc } = mover
  group.position.set(o.x, o.y, o.z)
  group.rotation.set(0, o.yaw, 0)
  line.visible = mover.aiming && arc.pointCount > 1
  if (line.visible) {
    line.geometry.setDrawRange(0, arc.pointCount)
    line.geometry.attributes.position.needsUpdate = true
    line.material.color.setHex(arc.valid ? VALID_COLOR : INVALID_COLOR)
  }
  if (marker !== null) {
    marker.visible = line.visible && arc.hit
    marker.position.set(arc.landing[0], arc.landing[1] + 0.01, arc.landing[2])
    ;(marker.material as MeshBasicMaterial).color.setHex(arc.valid ? VALID_COLOR : INVALID_COLOR)
  }
  uniforms.strength.value = mover.vignette
  uniforms.fade.value = mover.fade
  if (overlay !== null) overlay.visible = mover.vignette > 0 || mover.fade > 0
}

/** Props of XRLocomotion. */
export type XRLocomotionProps = {
  rig: PlayerRig
  streamer: WorldStreamer
  telemetry: XRTelemetry
  /** Current comfort settings, read every frame (a ref, so changing them re-renders nothing here). */
  comfort: { readonly current: ComfortSettings }
  /** Called when a panel button (A/B/X) goes down: a discrete event, not a per-frame update. */
  onButton: (button: XRButton) => void
  /** Children of the XR origin: things that travel with the player (the panel). */
  children?: ReactNode
}

/**
 * VR locomotion and teleport (the logic is `XRMover`): feeds it each XR frame and draws its output, the
 * `<XROrigin>` transform, the teleport arc and landing ring, and the comfort vignette / teleport fade overlay.
 */
export function XRLocomotion({ rig, streamer, telemetry, comfort, onButton, children }: XRLocomotionProps) {
  const gl = useThree((state) => state.gl)
  const session = useXR((state) => state.session)
  const world = useMemo(() => createTeleportWorld(rig, streamer), [rig, streamer])
  const [mover] = useState(() => new XRMover(rig, world, telemetry))
  const [arcLine] = useState(() => createArcLine(mover.arc))
  useEffect(() => () => disposeArcLine(arcLine), [arcLine])
  const [uniforms] = useState(createXRVignetteUniforms)
  const originRef = useRef<Group>(null)
  const marker = useRef<Mesh>(null)
  const overlay = useRef<Mesh>(null)

  useEffect(() => {
    mover.sessionChanged(session)
    if (session === undefined) return
    const onRate = () => mover.frameRateChanged(session.frameRate)
    session.addEventListener('frameratechange', onRate)
    return () => {
      session.removeEventListener('frameratechange', onRate)
      mover.sessionChanged(undefined)
    }
  }, [mover, session])

  useFrame((_, deltaS, frame) => {
    const group = originRef.current
    const space = gl.xr.getReferenceSpace()
    if (frame === undefined || space === null || group === null || !gl.xr.isPresenting) return
    if (mover.update(frame, space, deltaS, comfort.current, onButton))
      applyMover(mover, group, arcLine, marker.current, overlay.current, uniforms)
  })

  return (
    <>
      <XROrigin ref={originRef}>{children}</XROrigin>
      <primitive object={arcLine} />
      <mesh ref={marker} visible={false} rotation-x={-Math.PI / 2} frustumCulled={false}>
        <ringGeometry args={[0.22, 0.3, 32]} />
        <meshBasicMaterial color={VALID_COLOR} transparent opacity={0.85} depthWrite={false} />
      </mesh>
      {/* Clip-space quad drawn last over each eye; hidden unless the vignette or the fade is on. */}
      <mesh ref={overlay} visible={false} frustumCulled={false} renderOrder={1000}>
        <planeGeometry args={[2, 2]} />
        <shaderMaterial
          uniforms={uniforms}
          vertexShader={XR_VIGNETTE_VERTEX}
          fragmentShader={XR_VIGNETTE_FRAGMENT}
          transparent
          depthTest={false}
          depthWrite={false}
          fog={false}
        />
      </mesh>
    </>
  )
}
