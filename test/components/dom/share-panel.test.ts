import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { SharePanel, shareText } from '../../../components/dom/share-panel'

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

  it('says when the link carries a photo style, in the panel and in the text the share sheet sends', () => {
    const props = { url: '/w/a?r=0,0&h=0', seed: 'a', room: { x: 0, z: 0 }, getTextures: () => [] }
    const plain = renderToString(createElement(SharePanel, props))
    const styled = renderToString(createElement(SharePanel, { ...props, styleSlot: 'walls' }))
    expect(plain).not.toContain('share-style-note')
    expect(styled).toContain('data-testid="share-style-note"')
    expect(styled).toMatch(/with its (<!-- -->)?walls(<!-- -->)? styled from a photo/)
    expect(shareText(undefined)).toBe('An AI-generated Latentscape world')
    expect(shareText('floor')).toBe('An AI-generated Latentscape world, its floor styled from a photo')
  })
})
