'use client'

import { useFrame, useThree } from '@react-three/fiber'
import { useEffect, useRef } from 'react'
import type { PlayerInput, PlayerRig } from '../../world-gen/player-rig'

/** Mouse look sensitivity, radians per pixel of pointer-locked mouse movement. */
const MOUSE_RAD_PER_PX = 0.0022
/** Touch drag look sensitivity, radians per CSS pixel. */
const TOUCH_RAD_PER_PX = 0.005

const FORWARD_KEYS = ['KeyW', 'ArrowUp']
const BACK_KEYS = ['KeyS', 'ArrowDown']
const LEFT_KEYS = ['KeyA']
const RIGHT_KEYS = ['KeyD']
const TURN_LEFT_KEYS = ['ArrowLeft', 'KeyQ']
const TURN_RIGHT_KEYS = ['ArrowRight', 'KeyE']
const RUN_KEYS = ['ShiftLeft', 'ShiftRight']
const HANDLED_KEYS = new Set([
  ...FORWARD_KEYS,
  ...BACK_KEYS,
  ...LEFT_KEYS,
  ...RIGHT_KEYS,
  ...TURN_LEFT_KEYS,
  ...TURN_RIGHT_KEYS,
  ...RUN_KEYS,
])

const _input: PlayerInput = { forward: 0, strafe: 0, turn: 0, run: false }

function anyDown(keys: ReadonlySet<string>, codes: readonly string[]): number {
  for (const c of codes) if (keys.has(c)) return 1
  return 0
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement
}

/**
 * Desktop and touch walking: click to capture the mouse (Pointer Lock) and look, WASD / arrow keys to walk (Shift
 * runs; keys work without the lock too), arrow left/right or Q/E to turn, Esc releases. Touch: drag to look, the
 * on-screen stick walks (`stick`: its axes, written by the stick on pointer events). Each frame moves `rig` by `delta`
 * and places the camera; no store writes here, since they would re-render React every frame.
 */
export function PlayerControls({ rig, stick }: { rig: PlayerRig; stick: { readonly x: number; readonly y: number } }) {
  const gl = useThree((state) => state.gl)
  const camera = useThree((state) => state.camera)
  const keys = useRef(new Set<string>())

  useEffect(() => {
    const canvas = gl.domElement
    const down = keys.current
    const onKeyDown = (e: KeyboardEvent) => {
      if (isTyping(e.target) || !HANDLED_KEYS.has(e.code)) return
      down.add(e.code)
      // Arrow keys would scroll the page behind the canvas.
      e.preventDefault()
    }
    const onKeyUp = (e: KeyboardEvent) => down.delete(e.code)
    const onBlur = () => down.clear()
    const onClick = () => {
      if (document.pointerLockElement === canvas) return
      // May be refused (no user gesture, headless, iframe); keyboard walking works without it.
      const request = canvas.requestPointerLock() as Promise<void> | undefined
      request?.catch(() => undefined)
    }
    const onMouseMove = (e: MouseEvent) => {
      if (document.pointerLockElement !== canvas) return
      rig.look(e.movementX * MOUSE_RAD_PER_PX, -e.movementY * MOUSE_RAD_PER_PX)
    }
    // Touch drag to look (the stick is a DOM control above the canvas and gets its own events).
    let dragId: number | null = null
    let lastX = 0
    let lastY = 0
    const onPointerDown = (e: PointerEvent) => {
      if (e.pointerType === 'mouse' || dragId !== null) return
      dragId = e.pointerId
      lastX = e.clientX
      lastY = e.clientY
    }
    const onPointerMove = (e: PointerEvent) => {
      if (e.pointerId !== dragId) return
      rig.look(-(e.clientX - lastX) * TOUCH_RAD_PER_PX, (e.clientY - lastY) * TOUCH_RAD_PER_PX)
      lastX = e.clientX
      lastY = e.clientY
    }
    const onPointerUp = (e: PointerEvent) => {
      if (e.pointerId === dragId) dragId = null
    }
    window.addEventListener('keydown', onKeyDown)
    window.addEventListener('keyup', onKeyUp)
    window.addEventListener('blur', onBlur)
    canvas.addEventListener('click', onClick)
    document.addEventListener('mousemove', onMouseMove)
    canvas.addEventListener('pointerdown', onPointerDown)
    window.addEventListener('pointermove', onPointerMove)
    window.addEventListener('pointerup', onPointerUp)
    window.addEventListener('pointercancel', onPointerUp)
    return () => {
      window.removeEventListener('keydown', onKeyDown)
      window.removeEventListener('keyup', onKeyUp)
      window.removeEventListener('blur', onBlur)
      canvas.removeEventListener('click', onClick)
      document.removeEventListener('mousemove', onMouseMove)
      canvas.removeEventListener('pointerdown', onPointerDown)
      window.removeEventListener('pointermove', onPointerMove)
      window.removeEventListener('pointerup', onPointerUp)
      window.removeEventListener('pointercancel', onPointerUp)
      if (document.pointerLockElement === canvas) document.exitPointerLock()
      down.clear()
    }
  }, [gl, rig])

  useFrame((_, delta) => {
    // In VR the headset places the camera and XR locomotion moves the rig (components/canvas/xr-locomotion.tsx).
    if (gl.xr.isPresenting) return
    const down = keys.current
    _input.forward = anyDown(down, FORWARD_KEYS) - anyDown(down, BACK_KEYS) + stick.y
    _input.strafe = anyDown(down, RIGHT_KEYS) - anyDown(down, LEFT_KEYS) + stick.x
    _input.turn = anyDown(down, TURN_RIGHT_KEYS) - anyDown(down, TURN_LEFT_KEYS)
    _input.run = anyDown(down, RUN_KEYS) === 1
    rig.step(delta, _input)
    camera.position.set(rig.x, rig.eyeY, rig.z)
    // three's yaw turns counter-clockwise seen from above; our heading turns clockwise (0 north, 90 east).
    camera.rotation.set(rig.pitchRad, -rig.headingRad, 0, 'YXZ')
  })

  return null
}
