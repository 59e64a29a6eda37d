import { SHARE_CARD_SIZE, shareCardPng } from '../../../components/server/share-card'

/** Open Graph image size (Next metadata image convention). */
export const size = SHARE_CARD_SIZE

/** The card is a PNG. */
export const contentType = 'image/png'

/** Alt text of the card. */
export const alt = 'AI-generated sky above the AI-generated floor of the first room of this Latentscape world'

/**
 * Share card of `/w/<seed>`: a wide view from the world's start room, its sky painted by the sky generator and its
 * floor by the surface generator, on the server (see components/server/share-card.ts). 404 for a seed that names no
 * world; a generation failure answers 500 with a one-line message, never an unhandled exception.
 */
export default async function OpenGraphImage({ params }: { params: Promise<{ seed: string }> }): Promise<Response> {
  const { seed } = await params
  let png: Uint8Array | null
  try {
    png = await shareCardPng(seed)
  } catch (e) {
    console.error(`share card: ${(e as Error).message.split('\n')[0]}`)
    return new Response('Share card unavailable', { status: 500, headers: { 'Content-Type': 'text/plain' } })
  }
  if (png === null) return new Response('No such world', { status: 404, headers: { 'Content-Type': 'text/plain' } })
  return new Response(png as Uint8Array<ArrayBuffer>, {
    headers: { 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=86400' },
  })
}
