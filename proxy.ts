import { NextResponse, type NextRequest } from 'next/server'

/**
 * Catches world links whose path is not valid percent-encoding (`/w/%E0%A4%A`, `/w/100%`): Next.js would answer those
 * with a bare 400 before any route code runs, so they are rewritten to a proper error page (`/invalid-link`, status
 * 400) that says what is wrong. Everything else passes through untouched.
 */
export function proxy(request: NextRequest): NextResponse {
  const raw = request.nextUrl.pathname
  try {
    decodeURIComponent(raw)
    return NextResponse.next()
  } catch {
    return NextResponse.rewrite(new URL('/invalid-link', request.url), { status: 400 })
  }
}

/** Only world links: every other path keeps Next's own handling. */
export const config = { matcher: '/w/:path*' }
