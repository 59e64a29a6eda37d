import type { Metadata } from 'next'
import { WorldView } from '../../../components/world-view'

type WorldPageProps = {
  params: Promise<{ seed: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

/** The tab title names the world (plain text; Next escapes it). */
export async function generateMetadata({ params }: WorldPageProps): Promise<Metadata> {
  const { seed } = await params
  let title = seed
  try {
    title = decodeURIComponent(seed)
  } catch {
    // keep the raw segment
  }
  return { title: title.slice(0, 64) }
}

/** World route: hands the raw URL input to the client world view, which validates it. */
export default async function WorldPage({ params, searchParams }: WorldPageProps) {
  const { seed } = await params
  const search = await searchParams
  return <WorldView rawSeed={seed} search={search} />
}
