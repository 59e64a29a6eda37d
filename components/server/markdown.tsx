import type { ReactNode } from 'react'

/**
 * A deliberately small Markdown subset → React elements, for the repository's own cards (model card, data card,
 * credits): `#`–`###` headings, `-` lists, pipe tables, paragraphs, inline `code` and **bold**. Everything is React
 * text, never HTML, so nothing in a card can inject markup. Not a general Markdown parser: react-markdown (with
 * remark-gfm for the tables) would be the maintained one, but it renders more of Markdown than this subset (links,
 * emphasis, nested blocks), so swapping it in changes the about page's markup; that is a change of its own, checked
 * against the cards, not part of a refactor.
 */
export function Markdown({ source }: { source: string }) {
  return <>{renderBlocks(source)}</>
}

function inline(text: string, keyPrefix: string): ReactNode[] {
  // Split on `code` spans first (their content is literal), then **bold** in the rest.
  return text.split(/(`[^`]+`)/g).flatMap((part, i) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1)
      return [<code key={`${keyPrefix}c${i}`}>{part.slice(1, -1)}</code>]
    return part
      .split(/(\*\*[^*]+\*\*)/g)
      .map((p, j) =>
        p.startsWith('**') && p.endsWith('**') && p.length > 4 ? (
          <strong key={`${keyPrefix}b${i}-${j}`}>{p.slice(2, -2)}</strong>
        ) : (
          p
        ),
      )
  })
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim())

function renderBlocks(source: string): ReactNode[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  const out: ReactNode[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    const key = `k${i}`
    const heading = /^(#{1,3})\s+(.*)$/.exec(line)
    if (line.trim() === '') {
      i++
    } else if (heading) {
      // Card headings sit one level below the page's own section headings.
      const level = Math.min(heading[1].length + 2, 6)
      const Tag = `h${level}` as 'h3' | 'h4' | 'h5' | 'h6'
      out.push(<Tag key={key}>{inline(heading[2], key)}</Tag>)
      i++
    } else if (line.startsWith('|')) {
      const rows: string[] = []
      while (i < lines.length && lines[i].startsWith('|')) rows.push(lines[i++])
      const [head, , ...body] = rows
      out.push(
        <table key={key}>
          <thead>
            <tr>
              {cells(head).map((c, j) => (
                <th key={j}>{inline(c, `${key}h${j}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((r, ri) => (
              <tr key={ri}>
                {cells(r).map((c, j) => (
                  <td key={j}>{inline(c, `${key}r${ri}-${j}`)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>,
      )
    } else if (/^\s*- /.test(line)) {
      const items: string[] = []
      while (i < lines.length && (/^\s*- /.test(lines[i]) || /^\s{2,}\S/.test(lines[i]))) {
        if (/^\s*- /.test(lines[i])) items.push(lines[i].replace(/^\s*- /, ''))
        else items[items.length - 1] += ` ${lines[i].trim()}`
        i++
      }
      out.push(
        <ul key={key}>
          {items.map((item, j) => (
            <li key={j}>{inline(item, `${key}i${j}`)}</li>
          ))}
        </ul>,
      )
    } else {
      const para: string[] = []
      while (i < lines.length && lines[i].trim() !== '' && !/^(#{1,3}\s|\||\s*- )/.test(lines[i])) para.push(lines[i++])
      out.push(<p key={key}>{inline(para.join(' '), key)}</p>)
    }
  }
  return out
}
