import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { SharePanel } from '../../../components/dom/share-panel'

describe('SharePanel (server render)', () => {
  it('renders the link, Copy link and the export buttons, and no Web Share button before it knows the browser', () => {
    const html = renderToString(
      createElement(SharePanel, {
        url: '/w/Demo%20world?r=2,-1&h=90',
        seed: 'Demo world',
        room: { x: 2, z: -1 },
        getTextures: () => [],
      }),
    )
    expect(html).toContain('value="/w/Demo%20world?r=2,-1&amp;h=90"')
    expect(html).toContain('>Copy link</button>')
    expect(html).toContain('>Export textures</button>')
    for (const slot of ['floor', 'walls', 'trim']) expect(html).toContain(`>${slot}</button>`)
    // Every map is ticked by default; a colour-only model's textures export their colour alone.
    for (const map of ['colour', 'height', 'normal', 'roughness'])
      expect(html).toMatch(new RegExp(`<input type="checkbox" checked=""/> (<!-- -->)?${map}</label>`))
    expect(html).not.toContain('Share…')
    expect(html).toContain('href="/about"')
  })
})
