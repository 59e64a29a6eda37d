/**
 * Vitest global setup for browser tests: build the app (skipped only when LATENTSCAPE_E2E_SKIP_BUILD=1 and a build
 * exists), start `next start` on a free port and provide its URL as `baseUrl`; teardown stops the server.
 */
import type { TestProject } from 'vitest/node'
import { buildApp, hasBuild, startNextServer } from './support/server'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://localhost:<port>` of the app under test. */
    baseUrl: string
  }
}

/** Build, serve and provide `baseUrl`; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.LATENTSCAPE_E2E_SKIP_BUILD === '1' && hasBuild()) {
    console.log('[e2e] LATENTSCAPE_E2E_SKIP_BUILD=1: using the existing .next build')
  } else {
    await buildApp()
  }
  const server = await startNextServer()
  console.log(`[e2e] serving ${server.url}`)
  project.provide('baseUrl', server.url)
  return () => server.stop()
}
