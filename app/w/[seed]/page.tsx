import type { Metadata } from 'next'
import { WorldView } from '../../../components/world-view'
import { decodeWorldParams } from '../../../world-gen'

type WorldPageProps = {
  params: Promise<{ seed: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

/**
 * The tab title names the world (plain text; Next escapes it). A link with a readable photo style says so in its
 * description (what link previews show next to the share card, which is drawn from the seed alone: Next hands an
 * Open Graph image only the route's params, never the query).
 */
export async function generateMetadata({ params, searchParams }: WorldPageProps): Promise<Metadata> {
  const { seed } = await params
  let title = seed
  try {
    title = decodeURIComponent(seed)
  } catch {
    // keep the raw segment
  }
  const styled = decodeWorldParams(seed, worldSearch(await searchParams))
  const style = styled.ok ? styled.value.style : undefined
  if (style === undefined) return { title: title.slice(0, 64) }
  const description = `An AI-generated Latentscape world, its ${style.slot} styled from a photo (the photo itself is not in the link).`
  return { title: title.slice(0, 64), description, openGraph: { description } }
}

/** The search parameters the world view reads; no other key is handed to the client. */
const WORLD_PARAMS = ['r', 'h', 'tex', 'threads', 'style'] as const

/**
 * Only the known parameters, as strings: other keys never reach the client. Next parses `?constructor=1` into
 * `[Object, '1']` (it appends to the inherited `Object.prototype.constructor`), which cannot be serialised for a client
 * component and would make the page a 500.
 */
function worldSearch(search: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const key of WORLD_PARAMS) {
    const value = Object.hasOwn(search, key) ? search[key] : undefined
    if (typeof value === 'string') out[key] = value
    else if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === 'string')
  }
  return out
}

/** World route: hands the raw URL input to the client world view, which validates it. */
export default async function WorldPage({ params, searchParams }: WorldPageProps) {
  const { seed } = await params
  const search = await searchParams
  return <WorldView rawSeed={seed} search={worldSearch(search)} />
}
