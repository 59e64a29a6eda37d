import type { NextConfig } from 'next'
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants'

/**
 * Content-Security-Policy for production: the app loads code, models and data only from its own origin (no
 * third-party requests). Each relaxation of a plain `'self'` policy, and why:
 * - `script-src 'unsafe-inline'`: Next's App Router streams its bootstrap and RSC payload as inline `<script>`s.
 *   Nonces would remove this, but a nonce per request makes every page dynamic (no static `/`, `/about`); the risk is
 *   limited because no user input is ever rendered as markup (the seed is React text, escaped).
 * - `script-src 'wasm-unsafe-eval'`: compiling the tfjs WASM backend (no JS `eval`: `'unsafe-eval'` stays off).
 * - `style-src 'unsafe-inline'`: React `style={…}` attributes (progress bars) and Next's injected styles.
 * - `img-src data: blob:`: exported PNGs, QR codes and the share card preview are object/data URLs.
 * - `connect-src data: blob:`: tf.js and the PNG export read object URLs with fetch.
 * - `worker-src blob:`: the bundled fflate (PNG export compression) starts its workers from blob: URLs, as would tfjs
 *   wasm's threaded build; `'self'` covers the generation worker and the service worker.
 * `next dev` needs eval and a websocket, so the policy is only sent by production builds.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "media-src 'self' blob:",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Powerful features: WebXR (`xr-spatial-tracking`), fullscreen, clipboard writes (Copy link) and Web Share are used
 * by the app itself; everything else it never uses is denied to it and to any frame. Only feature names Chromium
 * knows are listed (an unknown one is logged as a console error).
 */
const PERMISSIONS_POLICY = [
  'xr-spatial-tracking=(self)',
  'fullscreen=(self)',
  'clipboard-write=(self)',
  'web-share=(self)',
  'accelerometer=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'serial=()',
  'usb=()',
].join(', ')

/**
 * Security headers of every production response (see README "Reliability and security"). COOP + COEP make pages
 * cross-origin isolated (SharedArrayBuffer available, so the wasm backend could use threads); everything the app
 * loads is same-origin, so `require-corp` costs nothing, and CORP `same-origin` keeps other sites from embedding our
 * models and wasm.
 */
const SECURITY_HEADERS = [
  { key: 'Content-Security-Policy', value: CONTENT_SECURITY_POLICY },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: PERMISSIONS_POLICY },
]

/** Next.js configuration for Latentscape (`phase` tells `next dev` from build/start). */
export default function nextConfig(phase: string): NextConfig {
  return {
    reactStrictMode: true,
    // three ships untranspiled ESM examples (jsm/*); R3F's installation guide asks for this.
    transpilePackages: ['three'],
    // The app never phones home: no telemetry, no remote images, no `x-powered-by` banner.
    poweredByHeader: false,
    images: { unoptimized: true },
    // The share card (app/w/[seed]/opengraph-image.ts) runs tf.js on the server: load it from node_modules at run time
    // (one tfjs-core instance shared with its backends, and the wasm backend finds its .wasm files) instead of
    // bundling it into the server build.
    serverExternalPackages: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-webgpu',
    ],
    // `npm run typecheck` (TypeScript 7, whole repo incl. tests and world-gen) is the type gate in CI; repeating it
    // inside `next build` doubled build time on small CI machines and made the browser tests depend on test typings.
    typescript: { ignoreBuildErrors: true },
    async headers() {
      if (phase === PHASE_DEVELOPMENT_SERVER) return []
      return [
        { source: '/:path*', headers: SECURITY_HEADERS },
        // The service worker script must never be served stale from the HTTP cache (browsers cap it at 24 h anyway).
        { source: '/sw.js', headers: [{ key: 'Cache-Control', value: 'no-cache' }] },
      ]
    },
  }
}
