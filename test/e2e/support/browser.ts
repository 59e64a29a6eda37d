/**
 * Headless Debian Chromium for browser tests: launch options, and a page helper that records page errors, console
 * errors and every request, and blocks (and records) any request to a host other than the app's.
 */
import { afterAll, beforeAll } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/** Chromium binary; Debian's `chromium` package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Chromium flags: no sandbox (root in CI), WebGPU on, and no background traffic of the browser's own. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * Launch headless Chromium. Playwright gives every launch a fresh temporary user-data dir and deletes it on close,
 * so no state leaks between runs (`--user-data-dir` cannot be passed to `launch` itself).
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}

/**
 * One Chromium for the calling test file: launched in `beforeAll`, closed in `afterAll`. Returns a getter (the browser
 * exists only once the hook has run).
 */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launchBrowser()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
  })
  return () => {
    if (browser === undefined) throw new Error('browserForFile(): the browser is launched in beforeAll')
    return browser
  }
}

/** What happened on a page, recorded from before the first navigation. */
export type PageRecord = {
  /** Uncaught exceptions in the page. */
  pageErrors: string[]
  /** `console.error` messages (and Chromium's own error-level console entries). */
  consoleErrors: string[]
  /** Every request URL the page made (including blocked ones). */
  requests: string[]
  /** Requests to another host, aborted before they left the browser. */
  blockedRequests: string[]
}

/** A page opened by `openPage`, with its context (close it when done) and its record. */
export type OpenedPage = { page: Page; context: BrowserContext; record: PageRecord }

/** Options of `openPage`. */
export type OpenPageOptions = {
  /** @default { width: 1280, height: 800 } */
  viewport?: { width: number; height: number }
  /** @default 1 */
  deviceScaleFactor?: number
  /** Script run in every document before the page's own scripts (Playwright `addInitScript`). */
  initScript?: () => void
}

function isAllowed(requestUrl: string, appUrl: URL): boolean {
  const url = new URL(requestUrl)
  if (url.protocol === 'data:' || url.protocol === 'blob:') return true
  return url.protocol === appUrl.protocol && url.hostname === appUrl.hostname && url.port === appUrl.port
}

/**
 * Open `path` of the app at `baseUrl` in a new, isolated context. Requests to any other origin are aborted and
 * recorded in `blockedRequests`, so a test can fail on them.
 */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  path: string,
  { viewport = { width: 1280, height: 800 }, deviceScaleFactor = 1, initScript }: OpenPageOptions = {},
): Promise<OpenedPage> {
  const appUrl = new URL(baseUrl)
  const context = await browser.newContext({ viewport, deviceScaleFactor, serviceWorkers: 'block' })
  const record: PageRecord = { pageErrors: [], consoleErrors: [], requests: [], blockedRequests: [] }
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    if (isAllowed(url, appUrl)) return route.continue()
    record.blockedRequests.push(url)
    return route.abort('blockedbyclient')
  })
  if (initScript !== undefined) await context.addInitScript(initScript)
  const page = await context.newPage()
  page.on('pageerror', (error) => record.pageErrors.push(String(error)))
  page.on('console', (message) => {
    if (message.type() === 'error') record.consoleErrors.push(message.text())
  })
  page.on('request', (request) => record.requests.push(request.url()))
  await page.goto(new URL(path, appUrl).href, { waitUntil: 'load' })
  return { page, context, record }
}

/**
 * Wait until room (x, z) has its textures and the sky has settled (the lights follow the sky's crossfade, so shading
 * is measured after it: the room's own sky is ready, or none will come), then stand in the room facing `headingDeg`.
 */
export async function settleInRoom(
  page: Page,
  room: { x: number; z: number },
  headingDeg: number,
  { roomTimeoutMs, skyTimeoutMs }: { roomTimeoutMs: number; skyTimeoutMs: number },
): Promise<void> {
  await page.waitForFunction(({ x, z }) => window.latentscape?.isRoomReady(x, z) === true, room, {
    timeout: roomTimeoutMs,
    polling: 250,
  })
  await page.waitForFunction(
    () => {
      const sky = window.latentscape!.getState().sky
      return sky.ready || sky.available === false
    },
    undefined,
    { timeout: skyTimeoutMs, polling: 250 },
  )
  await page.evaluate(({ x, z, h }) => window.latentscape!.goTo(x, z, h), { ...room, h: headingDeg })
}
