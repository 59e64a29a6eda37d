'use client'

import { useRef, type PointerEvent } from 'react'
import { useWorldSession } from '../session/world-session-context'

/** Radius of the stick's travel, CSS pixels. */
const STICK_RADIUS_PX = 48

/**
 * On-screen walking stick for touch screens (bottom-left; hidden on fine pointers by CSS). Writes its axes into the
 * session's mutable `stick` object on pointer events; the frame loop reads them (no store update, which would
 * re-render React on every pointer move).
 */
export function TouchStick() {
  const session = useWorldSession()
  const knob = useRef<HTMLSpanElement>(null)
  const centre = useRef<{ x: number; y: number; id: number } | null>(null)

  const move = (e: PointerEvent<HTMLDivElement>) => {
    const c = centre.current
    if (c === null || c.id !== e.pointerId) return
    let dx = e.clientX - c.x
    let dy = e.clientY - c.y
    const len = Math.hypot(dx, dy)
    if (len > STICK_RADIUS_PX) {
      dx = (dx / len) * STICK_RADIUS_PX
      dy = (dy / len) * STICK_RADIUS_PX
    }
    session.setStick(dx / STICK_RADIUS_PX, -dy / STICK_RADIUS_PX)
    if (knob.current !== null) knob.current.style.transform = `translate(${dx}px, ${dy}px)`
  }
  const release = (e: PointerEvent<HTMLDivElement>) => {
    if (centre.current?.id !== e.pointerId) return
    centre.current = null
    session.setStick(0, 0)
    if (knob.current !== null) knob.current.style.transform = ''
  }

  return (
    <div
      className="touch-stick"
      aria-label="Walk"
      role="presentation"
      onPointerDown={(e) => {
        const box = e.currentTarget.getBoundingClientRect()
        centre.current = { x: box.left + box.width / 2, y: box.top + box.height / 2, id: e.pointerId }
        e.currentTarget.setPointerCapture(e.pointerId)
        move(e)
      }}
      onPointerMove={move}
      onPointerUp={release}
      onPointerCancel={release}
    >
      <span ref={knob} />
    </div>
  )
}
