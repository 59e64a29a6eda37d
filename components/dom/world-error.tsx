import Link from 'next/link'

const SHOWN_INPUT_MAX_CHARS = 80

/**
 * Error page for a URL that names no world. `input` is shown as React text (escaped), truncated, never as markup.
 */
export function WorldError({ input, reason }: { input: string; reason: string }) {
  const shown = input.length > SHOWN_INPUT_MAX_CHARS ? `${input.slice(0, SHOWN_INPUT_MAX_CHARS)}…` : input
  return (
    <main className="world-error">
      <div className="world-error-card">
        <p className="eyebrow">No world here</p>
        <h1>This link doesn’t open a world</h1>
        <p className="world-error-reason" data-testid="world-error-reason">
          {reason.charAt(0).toUpperCase() + reason.slice(1)}.
        </p>
        {shown.length > 0 && (
          <p className="world-error-input">
            You asked for <code>{shown}</code>
          </p>
        )}
        <Link href="/" className="button button-primary">
          Back to Latentscape
        </Link>
      </div>
    </main>
  )
}
