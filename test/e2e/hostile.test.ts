/**
 * Hostile world URLs against the real server and browser: every one of ≥ 200 generated URLs (huge, control
 * characters, encoded traversal, script text, NaN/Infinity coordinates, unknown and duplicate parameters, bad
 * percent-encoding) ends in a normalised world or a clear error page; never a server error, a blank page, an uncaught
 * error, a dialog or reflected markup. Most are checked on the server-rendered HTML; a sample is loaded in Chromium.
 */
import { describe, expect, inject, it } from 'vitest'
import { openPage, browserForFile } from './support/browser'
import { mulberry32 } from '../support/mulberry32'

const baseUrl = inject('baseUrl')
const browser = browserForFile()

/** Markup that must never come back unescaped. Each has a unique marker so reflection is unambiguous. */
const INJECTIONS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '"><svg onload=alert(3)>',
  "'><iframe src=javascript:alert(4)>",
  '</title><script>alert(5)</script>',
  '<a href="javascript:alert(6)">x</a>',
]
const RAW_MARKUP = /<script>alert|<img src=x|<svg onload|<iframe src=javascript|<a href="javascript:alert/i

const FRAGMENTS = [
  '%2e%2e%2f',
  '..%2f',
  '%2E%2E/',
  '%252e%252e%252f',
  '%00',
  '%0a',
  '%0d%0a',
  '%1b',
  '%7f',
  '%c0%ae',
  '%E2%80%AE',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ff',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '0x10',
  '-0',
  '99999999999',
  '..',
  '.',
  '~',
  '"',
  "'",
  '`',
  '森',
  '🙂',
  'a b',
  ...INJECTIONS.map(encodeURIComponent),
]
const PARAMS = ['r', 'h', 'tex', 'seed', 'q', '__proto__', 'constructor', 'r[]', 'h%00', '%zz']

/** A deterministic corpus of hostile paths (path + query, as a browser would send them). */
function hostilePaths(count: number): string[] {
  const rng = mulberry32(0xbad5eed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]
  const piece = () => (rng() < 0.7 ? pick(FRAGMENTS) : String(Math.floor(rng() * 2e7) - 1e7))
  const out: string[] = [
    // Fixed cases first: each class at least once.
    `/w/${'a'.repeat(5000)}`,
    `/w/demo?r=${'1,'.repeat(3000)}1`,
    `/w/${encodeURIComponent('x'.repeat(64))}?h=${'9'.repeat(400)}`,
    '/w/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/w/..%2f..%2fapp',
    '/w/%E0%A4%A',
    '/w/100%',
    '/w/demo?r=NaN,NaN&h=NaN',
    '/w/demo?r=Infinity,-Infinity&h=Infinity',
    '/w/demo?r=1,2&r=3,4&h=1&h=2',
    '/w/demo?unknown=1&foo=%3Cscript%3E&tex=9999',
    '/w/demo?r=%zz&h=%',
    '/w/%00',
    '/w/%0d%0aSet-Cookie:%20x=1',
    ...INJECTIONS.map((s) => `/w/${encodeURIComponent(s)}`),
    ...INJECTIONS.map((s) => `/w/demo?r=${encodeURIComponent(s)}&h=${encodeURIComponent(s)}`),
    ...INJECTIONS.map((s) => `/w/demo?${encodeURIComponent(s)}=1`),
  ]
  while (out.length < count) {
    let seed = ''
    for (let i = 1 + Math.floor(rng() * 4); i > 0; i--) seed += piece()
    if (rng() < 0.05) seed = seed.repeat(50 + Math.floor(rng() * 100))
    if (rng() < 0.3) seed = pick(['demo', 'amber-fern-drift', 'Quartz%20Tide'])
    const query: string[] = []
    for (let i = Math.floor(rng() * 4); i > 0; i--)
      query.push(`${pick(PARAMS)}=${piece()}${rng() < 0.3 ? `,${piece()}` : ''}`)
    out.push(`/w/${seed}${query.length > 0 ? `?${query.join('&')}` : ''}`)
  }
  return out
}

/** What a server-rendered page is: a world view, the "no world here" page, Next's not-found page or the landing page. */
function classify(status: number, html: string): 'world' | 'error' | 'not-found' | 'landing' | 'unknown' {
  if (status === 200 && html.includes('class="world"')) return 'world'
  if (status === 200 && html.includes('<h1>Latentscape</h1>')) return 'landing'
  if ((status === 200 || status === 400) && html.includes('This link doesn’t open a world')) return 'error'
  if (status === 404 && html.includes('could not be found')) return 'not-found'
  return 'unknown'
}

describe('hostile URLs', () => {
  const paths = hostilePaths(240)

  it(`${paths.length} hostile URLs: each gives a normalised world or a clear error page, never reflected markup`, async () => {
    expect(paths.length).toBeGreaterThanOrEqual(200)
    const seen = { world: 0, error: 0, 'not-found': 0, landing: 0, unknown: 0, redirected: 0 }
    const failures: string[] = []
    // A few requests at a time: the server is shared with nothing else, the machine has 2 cores.
    for (let i = 0; i < paths.length; i += 4) {
      await Promise.all(
        paths.slice(i, i + 4).map(async (path) => {
          let response = await fetch(`${baseUrl}${path}`, { redirect: 'manual' })
          if (response.status === 308 || response.status === 307) {
            // Next drops a trailing slash with a redirect; it must stay on this origin.
            const location = new URL(response.headers.get('location') ?? '', `${baseUrl}${path}`)
            if (location.origin !== baseUrl) failures.push(`off-site redirect: ${path.slice(0, 120)}`)
            seen.redirected++
            await response.arrayBuffer()
            response = await fetch(location, { redirect: 'manual' })
          }
          const html = await response.text()
          const kind = classify(response.status, html)
          seen[kind]++
          if (kind === 'unknown') failures.push(`${response.status} ${path.slice(0, 120)}`)
          if (RAW_MARKUP.test(html)) failures.push(`reflected markup: ${path.slice(0, 120)}`)
          if (response.headers.get('set-cookie') !== null) failures.push(`set-cookie: ${path.slice(0, 120)}`)
        }),
      )
    }
    console.log(`[hostile] ${paths.length} URLs:`, seen)
    expect(failures).toEqual([])
    // The corpus exercises both outcomes.
    expect(seen.world).toBeGreaterThan(10)
    expect(seen.error).toBeGreaterThan(10)
  })

  it('over-long request lines are refused by Node before Next (431, no body): documented, not a blank app page', async () => {
    const response = await fetch(`${baseUrl}/w/${'a'.repeat(20_000)}`)
    expect(response.status).toBe(431)
  })

  it('a sample of 20 in Chromium: visible text, no uncaught error, no dialog, no injected elements', async () => {
    const rng = mulberry32(20)
    const sample = paths.slice(0, 10)
    while (sample.length < 20) sample.push(paths[10 + Math.floor(rng() * (paths.length - 10))])
    for (const path of sample) {
      const { page, context, record } = await openPage(browser(), baseUrl, '/about', {
        viewport: { width: 320, height: 240 },
      })
      const dialogs: string[] = []
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message())
        void dialog.dismiss()
      })
      try {
        await page.goto(`${baseUrl}${path}${path.includes('?') ? '&' : '?'}tex=64`, { waitUntil: 'load' })
        await page
          .waitForFunction(
            () =>
              window.latentscape !== undefined ||
              document.querySelector('[data-testid="world-error-reason"]') !== null ||
              /could not be found|New world/i.test(document.body.innerText),
            undefined,
            { timeout: 60_000, polling: 200 },
          )
          .catch((e: unknown) => {
            throw new Error(`${path.slice(0, 120)}: ${String(e)}`)
          })
        const result = await page.evaluate(() => ({
          text: document.body.innerText.trim(),
          html: document.documentElement.outerHTML,
          injected: document.querySelectorAll('img[src="x"], svg[onload], iframe, a[href^="javascript:"]').length,
          state: window.latentscape?.getState() ?? null,
        }))
        expect(result.text.length, path).toBeGreaterThan(10)
        expect(result.injected, path).toBe(0)
        expect(RAW_MARKUP.test(result.html), path).toBe(false)
        if (result.state !== null) {
          // A normalised world: canonical seed, integer room, heading in range; the URL bar shows the canonical form.
          expect(Number.isInteger(result.state.room.x) && Number.isInteger(result.state.room.z), path).toBe(true)
          expect(result.state.heading >= 0 && result.state.heading < 360, path).toBe(true)
          expect(page.url(), path).not.toMatch(/[<>"]/)
        }
        expect(record.pageErrors, path).toEqual([])
        expect(dialogs, path).toEqual([])
        expect(record.blockedRequests, path).toEqual([])
      } finally {
        await context.close()
      }
    }
  })
})
