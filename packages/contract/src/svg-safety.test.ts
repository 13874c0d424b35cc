import { describe, expect, it } from 'vitest'
import { expectLinearTime, repeatTo } from '../test/linear-time.ts'
import { svgProblem } from './svg-safety.ts'
import { checkLogoDataUrl, MAX_LOGO_BYTES } from './widget-config.ts'

const SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
const XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
const svg = (inner: string, attrs = '') => `<svg ${SVG_NS} ${XLINK}${attrs}>${inner}</svg>`
const asDataUrl = (text: string) =>
  `data:image/svg+xml;base64,${Buffer.from(text, 'utf8').toString('base64')}`

describe('svgProblem', () => {
  it('accepts a logo as a drawing program saves it', () => {
    const inkscape = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg width="64" height="64" viewBox="0 0 64 64" version="1.1" id="svg5"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="namedview7" pagecolor="#ffffff" inkscape:zoom="4"/>
  <defs id="defs2">
    <linearGradient inkscape:collect="always" id="g1"><stop offset="0" style="stop-color:#4f46e5;stop-opacity:1"/></linearGradient>
    <linearGradient xlink:href="#g1" id="g2" gradientUnits="userSpaceOnUse"/>
    <style>.a { fill: url( '#g2' ); } .b{fill:#fff}</style>
  </defs>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format><dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/></cc:Work></rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer"><title>Acme &amp; Co</title>
    <circle class="a" cx="32" cy="32" r="30" style="fill:url(#g2)"/><text x="8" y="40">A&#x26;C</text>
    <animate attributeName="opacity" values="0;1" dur="1s"/>
  </g>
</svg>`
    expect(svgProblem(inkscape)).toBeUndefined()
  })

  it.each([
    [
      'a prefixed script element',
      svg('<s:script xmlns:s="http://www.w3.org/2000/svg">x()</s:script>'),
      'script element',
    ],
    [
      'an XHTML script element',
      svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">x()</h:script>'),
      'script element',
    ],
    ['an upper-case script element', svg('<SCRIPT>x()</SCRIPT>'), 'script element'],
    [
      'a style sheet processing instruction',
      `<?xml-stylesheet href="https://x.example/a.css"?>${svg('')}`,
      'processing instruction',
    ],
    [
      'a UTF-7 declaration',
      `<?xml version="1.0" encoding="UTF-7"?>${svg('')}`,
      'an encoding other than UTF-8',
    ],
    ['an undeclared entity', svg('<text>&xxe;</text>'), 'not well-formed XML'],
    ['an unclosed element', `<svg ${SVG_NS}><g>`, 'not well-formed XML'],
    ['a root other than svg', `<html ${SVG_NS}/>`, 'not an SVG document'],
    [
      'a tab inside javascript:',
      svg('<a href="java&#9;script:alert(1)"><rect/></a>'),
      'script URL',
    ],
    [
      'javascript: in an animation value',
      svg('<a><animate attributeName="href" values="javascript:alert(1)"/></a>'),
      'animated link',
    ],
    [
      'javascript: in a set value',
      svg('<a><set attributeName="target" to="javascript:alert(1)"/></a>'),
      'script URL',
    ],
    [
      'an animation of xlink:href',
      svg('<a><set attributeName="xlink:href" to="#x"/></a>'),
      'animated link',
    ],
    [
      'an animation of a handler',
      svg('<rect><set attributeName="onclick" to="x"/></rect>'),
      'animated link',
    ],
    [
      'url() split by a CDATA section',
      svg('<style>.a{fill:u<![CDATA[rl(https://t.example/x)]]>}</style>'),
      'external reference',
    ],
    [
      'url() spelled with a CSS escape',
      svg('<style>.a{fill:\\75 rl(https://t.example/x)}</style>'),
      'CSS escape',
    ],
    [
      'a quoted url() to elsewhere',
      svg('<rect style="fill:url(&quot;https://t.example/x&quot;)"/>'),
      'external reference',
    ],
    ['an unclosed url()', svg('<rect fill="url(#a"/>'), 'external reference'],
    [
      'image-set()',
      svg('<style>.a{background:image-set("https://t.example/x.png" 1x)}</style>'),
      'external reference',
    ],
    ['a src attribute', svg('<img src="https://t.example/x.png"/>'), 'external reference'],
    [
      'an embedded SVG document',
      svg(`<image href="${asDataUrl(svg('<script>x()</script>'))}"/>`),
      'external reference',
    ],
    ['an object element', svg('<object data="x.html"/>'), 'embedded content'],
    [
      'a namespaced event handler',
      svg('<rect ev:onclick="x()" xmlns:ev="http://www.w3.org/2001/xml-events"/>'),
      'event handler attribute',
    ],
  ])('refuses %s', (_name, source, problem) => {
    expect(svgProblem(source)).toBe(problem)
  })
})

describe('the logo check takes linear time on hostile SVG (256 KB)', () => {
  // Each benign input is a well-formed logo of the same size that the check reads in full.
  const benign = (n: number) => svg(repeatTo('<g><rect width="1" height="1"/></g>', n))
  const logo = (n: number) => Math.min(n, MAX_LOGO_BYTES - 200)
  const cases: [string, (n: number) => string][] = [
    [
      '"url(" repeated in a style attribute',
      (n) => svg(`<rect style="${repeatTo('url(', logo(n))}"/>`),
    ],
    ['"url(" repeated as text', (n) => svg(`<text>${repeatTo('url(', logo(n))}</text>`)],
    ['"url(" repeated in a style sheet', (n) => svg(`<style>${repeatTo('url(', logo(n))}</style>`)],
    [
      '"url(#" repeated, each closed late',
      (n) => svg(`<rect fill="${repeatTo('url( #a', logo(n))})"/>`),
    ],
    ['"<set" repeated', (n) => svg(repeatTo('<set', logo(n)))],
    ['"<set attributeName" repeated', (n) => svg(repeatTo('<set attributeName="x" ', logo(n)))],
    ['"href=\\"" repeated', (n) => svg(`<a ${repeatTo('href="', logo(n))}/>`)],
    [
      'many attributes',
      (n) => {
        let attrs = ''
        for (let i = 0; attrs.length < logo(n); i++) attrs += ` a${i}="x"`
        return svg(`<g${attrs}/>`)
      },
    ],
    ['deep nesting', (n) => svg(`${repeatTo('<g>', logo(n) / 2)}${repeatTo('</g>', logo(n) / 2)}`)],
    ['character references', (n) => svg(`<text>${repeatTo('&#106;', logo(n))}</text>`)],
    ['a javascript: lookalike', (n) => svg(`<a href="#${repeatTo('javascrip ', logo(n))}"/>`)],
    ['"on" attribute lookalikes', (n) => svg(repeatTo(' on', logo(n)))],
    ['comment openings', (n) => svg(repeatTo('<!-', logo(n)))],
  ]
  it.each(cases)('%s', (_name, adversarial) => {
    expectLinearTime(
      (text) => checkLogoDataUrl(asDataUrl(text)),
      adversarial,
      (n) => benign(logo(n)),
    )
  })

  it('answers the attack of the report in well under a second', () => {
    // 80 KB of "url(" in a logo froze the server for 6 s.
    const attack = asDataUrl(svg(`<rect style="${'url('.repeat(20_000)}"/>`))
    expect(checkLogoDataUrl(attack)).toMatch(/active content \(external reference\)/)
    expect(checkLogoDataUrl(asDataUrl(svg('<set'.repeat(20_000))))).toMatch(/not well-formed/)
  })
})
