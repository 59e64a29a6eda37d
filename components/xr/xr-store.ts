/**
 * The world view's WebXR store (@react-three/xr). `createXRStore` touches `window`/`document`, so this module only
 * exports a factory, called from client-only components, never at module scope (which server rendering would run).
 */
import { createXRStore, type XRState, type XRStore } from '@react-three/xr'

/** Where the controller and hand profiles are served from (copied by scripts/copy-xr-profiles.mjs): no CDN. */
export const XR_PROFILES_PATH = '/xr/profiles/'

/** Emulated headsets a test may ask for (`?xr-emulate=<name>` or `window.__LATENTSCAPE_XR_EMULATE__`). */
export const XR_EMULATED_DEVICES = ['metaQuest3', 'metaQuest2', 'metaQuestPro', 'oculusQuest1'] as const

/** One of XR_EMULATED_DEVICES. */
export type XREmulatedDevice = (typeof XR_EMULATED_DEVICES)[number]

declare global {
  interface Window {
    /** Set by a test's init script to run the IWER headset emulator (never set for users). */
    __LATENTSCAPE_XR_EMULATE__?: string
    /** The emulated headset (IWER `XRDevice`) while emulating, for tests to drive its controllers. */
    __LATENTSCAPE_XR_DEVICE__?: XRState['emulator']
  }
}

/** Preferred headset refresh rates, best first, Hz (90 keeps the 11.1 ms budget; 72 is the Quest floor). */
const PREFERRED_FRAME_RATES_HZ = [90, 72]

/** Hosts where `?xr-emulate=` is honoured (a shared link must not turn the emulator on for anyone else). */
const EMULATE_PARAM_HOSTS = ['localhost', '127.0.0.1', '[::1]']

/**
 * The headset emulator a test asked for, or null (the default: real users never get it). Read from the
 * `__LATENTSCAPE_XR_EMULATE__` flag an init script sets, or from `?xr-emulate=` on localhost only; unknown names
 * are ignored.
 */
export function requestedXREmulator(): XREmulatedDevice | null {
  if (typeof window === 'undefined') return null
  const param = EMULATE_PARAM_HOSTS.includes(window.location.hostname)
    ? new URLSearchParams(window.location.search).get('xr-emulate')
    : null
  const asked = window.__LATENTSCAPE_XR_EMULATE__ ?? param
  return (XR_EMULATED_DEVICES as readonly string[]).includes(asked ?? '') ? (asked as XREmulatedDevice) : null
}

/** The target refresh rate to ask for among the headset's `supportedFrameRates`: 90 Hz, else 72 Hz, else as is. */
export function pickFrameRate(supportedHz: ArrayLike<number>): number | false {
  const rates = Array.from(supportedHz)
  for (const hz of PREFERRED_FRAME_RATES_HZ) if (rates.includes(hz)) return hz
  return false
}

/**
 * Create the XR store for one world view: immersive VR on a local-floor reference space (standing height comes
 * from the headset), fixed foveation, 90/72 Hz, self-hosted controller/hand models, and none of the AR features.
 * The IWER emulator runs only when `requestedXREmulator()` names a device. Call `destroy()` when done.
 */
export function createWorldXRStore(): XRStore {
  const emulated = requestedXREmulator()
  return createXRStore({
    // @pmndrs/xr emulates on localhost unless told not to; only a test's explicit request turns it on.
    emulate: emulated === null ? false : { type: emulated, inject: true, syntheticEnvironment: false },
    // The emulator would offer its own session; real browsers (Quest) may show their own "Enter VR" for ours.
    offerSession: emulated === null ? 'immersive-vr' : false,
    foveation: 1,
    frameRate: pickFrameRate,
    // Absolute: the loaders resolve file names with `new URL(name, base)`, which needs an absolute base.
    baseAssetPath: new URL(XR_PROFILES_PATH, window.location.origin).href,
    defaultControllerProfileId: 'generic-trigger-squeeze-thumbstick',
    defaultXRHandProfileId: 'generic-hand',
    anchors: false,
    hitTest: false,
    planeDetection: false,
    meshDetection: false,
    domOverlay: false,
    layers: false,
    // The rig owns locomotion and teleport and the panel takes button presses: no pointers, so no per-frame
    // raycasts against every room mesh.
    controller: { teleportPointer: false, rayPointer: false, grabPointer: false },
    hand: { rayPointer: false, grabPointer: false, touchPointer: false },
    gaze: false,
    screenInput: false,
    transientPointer: false,
  })
}
