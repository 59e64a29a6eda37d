import { afterEach, describe, expect, it, vi } from 'vitest'
import { installAutomation } from '../../../components/session/automation'
import { WorldSession, type SessionScene } from '../../../components/session/world-session'
import { createWorldStore } from '../../../components/stores/world-store'
import type { GeneratedSky } from '../../../components/streaming/world-streamer'
import { ROOM_PITCH_M, type RoomKey } from '../../../world-gen'
import { FakeWorker } from '../streaming/fake-worker'

/** A window with an address bar (the session keeps it on the player's room) and a slot for `latentscape`. */
function fakeWindow(search = '?r=0,0&h=0&tex=64') {
  const urls: string[] = []
  const win = {
    location: { search },
    history: { state: null, replaceState: (_: unknown, __: string, url: string) => void urls.push(url) },
  } as unknown as Window
  vi.stubGlobal('window', win)
  return { urls, win }
}

function setup() {
  const store = createWorldStore({ seed: 'demo', texSizePx: 64 })
  const workers: FakeWorker[] = []
  const session = new WorldSession(store, {
    createWorker: () => {
      const w = new FakeWorker()
      workers.push(w)
      return w as unknown as Worker
    },
  })
  return { store, session, workers }
}

afterEach(() => vi.unstubAllGlobals())

describe('WorldSession', () => {
  it('syncs the player into the store and the address bar on its timer; stop ends the worker for good', () => {
    vi.useFakeTimers()
    try {
      const { urls } = fakeWindow()
      const { store, session, workers } = setup()
      const stop = session.start()
      expect(workers[0].sent[0]).toMatchObject({ type: 'init' })
      session.goTo(1, 0, 90)
      vi.advanceTimersByTime(100)
      expect(store.getState()).toMatchObject({ room: { x: 1, z: 0 }, heading: 90 })
      expect(urls.at(-1)).toBe('/w/demo?r=1,0&h=90&tex=64')
      expect(session.position()).toEqual({ x: ROOM_PITCH_M, z: 0 })
      stop()
      expect(workers[0].terminated).toBe(true)
      const n = urls.length
      session.goTo(2, 0)
      vi.advanceTimersByTime(1000)
      expect(urls.length).toBe(n)
    } finally {
      vi.useRealTimers()
    }
  })

  it('window.latentscape reads the session: no position or moves before a scene is attached, then the scene’s sky', () => {
    const { win } = fakeWindow()
    const { store, session } = setup()
    const remove = installAutomation(store, session)
    const api = win.latentscape!
    api.goTo(3, 0)
    expect(api.getState().position).toBeNull()
    expect(session.rig.roomX).toBe(0)
    expect(api.getStats()).toMatchObject({ roomsLoaded: 0, textures: 0, frameMs: { count: 0 } })

    const sky = { key: '0,0' as RoomKey, version: 'sky-v1-test', pixels: new Uint8Array(4), widthPx: 1, heightPx: 1 }
    let shown: ReturnType<SessionScene['shownSky']> = null
    const detach = session.attachScene({
      shownSky: () => shown,
      texturesOf: () => [],
      memory: () => ({ textures: 7, geometries: 5, surfaceTextures: 6 }),
    })
    api.goTo(0, 0, 180)
    expect(api.getState().position).toEqual({ x: 0, z: 0 })
    expect(api.getStats()).toMatchObject({ textures: 7, geometries: 5 })
    shown = { key: '0,0' as RoomKey, settled: true, sky: sky as unknown as GeneratedSky }
    expect(api.getState().sky).toMatchObject({ ready: false, room: null })
    session.sync()
    expect(api.getState().sky).toMatchObject({ ready: true, room: { x: 0, z: 0 } })
    expect(store.getState().sky.room).toEqual({ x: 0, z: 0 })
    detach()
    expect(api.getState().position).toBeNull()
    remove()
    expect(win.latentscape).toBeUndefined()
  })
})
