/**
 * Build and serve the Next.js app for browser tests and screenshots: `next build`, then `next start` on a free port,
 * served at `http://localhost:<port>`.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

const NEXT_BIN = join(REPO_ROOT, 'node_modules/next/dist/bin/next')
const CHILD_ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }

/** A running `next start`. */
export type NextServer = {
  /** `http://localhost:<port>` (no trailing slash). */
  url: string
  port: number
  /** Stop the server and wait for it to exit. */
  stop: () => Promise<void>
}

/** Options of `startNextServer`. */
export type NextServerOptions = {
  /** Port to listen on. @default a free port */
  port?: number
  /** How long to wait for the first successful response. @default 60_000 */
  readyTimeoutMs?: number
}

/** True when a production build is present (`.next/BUILD_ID`). Says nothing about whether it is up to date. */
export function hasBuild(): boolean {
  return existsSync(join(REPO_ROOT, '.next', 'BUILD_ID'))
}

/** Run `next build` (output goes to this process's stdout/stderr); rejects if the build fails. */
export function buildApp(): Promise<void> {
  return new Promise((resolveBuild, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, 'build'], { cwd: REPO_ROOT, env: CHILD_ENV, stdio: 'inherit' })
    child.once('error', reject)
    child.once('exit', (code, signal) =>
      code === 0 ? resolveBuild() : reject(new Error(`next build failed (${signal ?? `exit code ${code}`})`)),
    )
  })
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('no free port'))))
    })
  })
}

/** Start `next start` on an existing build and wait until it answers `GET /`. */
export async function startNextServer({ port, readyTimeoutMs = 60_000 }: NextServerOptions = {}): Promise<NextServer> {
  const listenPort = port ?? (await freePort())
  // Own process group (detached), so that stop() can signal next and any worker it forks.
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(listenPort)], {
    cwd: REPO_ROOT,
    env: CHILD_ENV,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000)
  }
  child.stdout.on('data', append)
  child.stderr.on('data', append)
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  let running = true
  void exited.then(() => (running = false))

  const stop = async () => {
    if (!running || child.pid === undefined) return
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      return // already gone
    }
    const killTimer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }, 5000)
    await exited
    clearTimeout(killTimer)
  }

  const url = `http://localhost:${listenPort}`
  const deadline = Date.now() + readyTimeoutMs
  for (;;) {
    if (!running) throw new Error(`next start exited before it was ready:\n${log}`)
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) })
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`next start did not answer within ${readyTimeoutMs} ms:\n${log}`)
    }
    await new Promise((wait) => setTimeout(wait, 250))
  }
  return { url, port: listenPort, stop }
}

/**
 * The app to drive: `baseUrl` when given (an already running server), else the production build served on a free
 * port (built first if there is none). Call `server?.stop()` when done.
 */
export async function serveApp(baseUrl: string | undefined): Promise<{ baseUrl: string; server?: NextServer }> {
  if (baseUrl !== undefined) return { baseUrl }
  if (!hasBuild()) await buildApp()
  const server = await startNextServer()
  return { baseUrl: server.url, server }
}
