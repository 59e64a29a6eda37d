import type { Metadata } from 'next'
import { WorldError } from '../../components/dom/world-error'

/** Not for search engines: it is only ever reached through a broken link. */
export const metadata: Metadata = { title: 'Broken link', robots: { index: false } }

/** Where `proxy.ts` sends world links that are not valid percent-encoding. */
export default function InvalidLinkPage() {
  return (
    <WorldError input="" reason="the link is not valid percent-encoding (a % must be followed by two hex digits)" />
  )
}
