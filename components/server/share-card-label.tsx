import 'server-only'
import { ImageResponse } from 'next/og'
import { decode } from 'fast-png'

/**
 * The text layer of the share card: a dark scrim along the bottom, the world's seed and the "AI-generated" label,
 * rendered by `next/og` (Satori + resvg, with the Geist font Next.js bundles) onto a transparent RGBA8 layer that the
 * card composites over the generated view.
 */

/**
 * Characters the bundled font draws (Basic Latin, Latin-1, Latin Extended-A, Cyrillic). `next/og` fetches a Google
 * font for any other script, and the app makes no third-party request, so a seed outside this set is not printed on
 * the card (the page title next to a link preview names it anyway).
 */
const BUNDLED_FONT_TEXT = /^[\u0020-\u007e\u00a0-\u017f\u0400-\u045f]*$/

/** Whether `text` can be drawn with the bundled font alone (no font download). */
export function drawableWithBundledFont(text: string): boolean {
  return BUNDLED_FONT_TEXT.test(text)
}

/** What the label says. */
export interface ShareCardLabel {
  /** Canonical world seed (printed when the bundled font can draw it). */
  seed: string
  /** Second line, e.g. `AI-generated sky · start room`. */
  caption: string
}

/** Render the label layer: RGBA8 [heightPx, widthPx, 4], straight alpha (transparent where there is no text). */
export async function renderLabelLayer(
  label: ShareCardLabel,
  size: { width: number; height: number },
): Promise<Uint8Array> {
  const seed = drawableWithBundledFont(label.seed) ? label.seed : null
  const caption = drawableWithBundledFont(label.caption) ? label.caption : 'AI-generated'
  const shadow = '0 2px 10px rgba(0, 0, 0, 0.55)'
  const response = new ImageResponse(
    <div
      style={{
        display: 'flex',
        width: '100%',
        height: '100%',
        alignItems: 'flex-end',
        padding: '0 56px 44px',
        backgroundImage:
          'linear-gradient(to top, rgba(6, 8, 14, 0.62), rgba(6, 8, 14, 0.32) 24%, rgba(6, 8, 14, 0) 46%)',
      }}
    >
      <div style={{ display: 'flex', flexDirection: 'column', color: '#ffffff', maxWidth: size.width - 112 }}>
        <div style={{ display: 'flex', fontSize: 24, letterSpacing: 4, color: '#c9c2ff', textShadow: shadow }}>
          LATENTSCAPE
        </div>
        {seed !== null && (
          <div
            style={{
              display: 'block',
              fontSize: 68,
              lineHeight: 1.15,
              whiteSpace: 'nowrap',
              overflow: 'hidden',
              textOverflow: 'ellipsis',
              textShadow: shadow,
            }}
          >
            {seed}
          </div>
        )}
        <div style={{ display: 'flex', fontSize: 28, marginTop: 6, color: '#e8ecf5', textShadow: shadow }}>
          {caption}
        </div>
      </div>
    </div>,
    size,
  )
  const png = decode(new Uint8Array(await response.arrayBuffer()))
  if (png.width !== size.width || png.height !== size.height || png.channels !== 4 || png.depth !== 8)
    throw new Error(`label layer: unexpected ${png.width}×${png.height}×${png.channels} depth ${png.depth}`)
  return png.data as Uint8Array
}
