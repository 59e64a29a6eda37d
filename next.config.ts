import type { NextConfig } from 'next'
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants'

/**
 * Content-Security-Policy for production: the app loads code, models and data only from its own origin (no
 * third-party requests). 'unsafe-inline' scripts are Next's inline bootstrap; 'wasm-unsafe-eval' is for the tfjs WASM
 * backend; blob: workers and images are for the generation worker and texture export. `next dev` needs eval, so the
 * policy is only sent by production builds.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Next.js configuration for Latentscape (`phase` tells `next dev` from build/start). */
export default function nextConfig(phase: string): NextConfig {
  return {
    reactStrictMode: true,
    // three ships untranspiled ESM examples (jsm/*); R3F's installation guide asks for this (STYLE.md L5).
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
        {
          source: '/:path*',
          headers: [
            { key: 'Content-Security-Policy', value: CONTENT_SECURITY_POLICY },
            { key: 'Referrer-Policy', value: 'no-referrer' },
            { key: 'X-Content-Type-Options', value: 'nosniff' },
          ],
        },
      ]
    },
  }
}
