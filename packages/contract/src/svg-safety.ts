import { SaxesParser } from 'saxes'

/** Elements that run script or embed other documents, by local name in any namespace or case. */
const FORBIDDEN_ELEMENTS = new Map<string, string>([
  ['script', 'script element'],
  ['foreignobject', 'foreignObject element'],
  ...[
    'iframe',
    'frame',
    'frameset',
    'embed',
    'object',
    'applet',
    'portal',
    'audio',
    'video',
    'handler',
    'listener',
    'meta',
    'link',
    'base',
  ].map((name) => [name, 'embedded content'] as [string, string]),
])
const ANIMATIONS = new Set(['set', 'animate', 'animatemotion', 'animatetransform', 'animatecolor'])
/** Text in a style sheet that fetches, imports or evaluates something (CSS escapes could spell any of it). */
const CSS_FORBIDDEN: [string, string][] = [
  ['@import', 'stylesheet import'],
  ['\\', 'CSS escape'],
  ['image-set(', 'external reference'],
  ['expression(', 'script URL'],
  ['-moz-binding', 'script URL'],
  ['behavior', 'script URL'],
]

/** What an `href`/`url()` inside a logo may point at: a fragment or an embedded raster image. */
const SAFE_REF = /^(?:#|data:image\/(?:png|jpeg|gif|webp);base64,)/i

/**
 * Why an SVG document is unsafe to show as a logo, or undefined when it holds only passive
 * content. The document is parsed as XML (saxes, one pass: linear in its length whatever it
 * holds), so entities and character references are decoded before anything is looked at, and
 * what is checked is what a browser would see:
 * - the root element is `svg`; no DOCTYPE (no entity declarations), no processing instructions;
 * - no element that runs script or embeds a document (`script`, `foreignObject`, `iframe`, …);
 * - no event handler attribute (`on*`), no `javascript:`/`vbscript:` in any attribute;
 * - every `href`/`src` and every CSS `url()` is a fragment (`#id`) or an embedded raster image;
 * - no animation that targets a link or a handler; no `@import` or escapes in style sheets.
 * A document that is not well-formed XML is refused too (a browser shows nothing for it).
 */
export function svgProblem(source: string): string | undefined {
  const parser = new SaxesParser({ xmlns: false, position: false })
  let problem: string | undefined
  let root: string | undefined
  const open: string[] = []
  let styleText: string | undefined
  const refuse = (what: string) => {
    problem ??= what
  }

  parser.on('xmldecl', (decl) => {
    const enc = decl.encoding?.toLowerCase()
    if (enc !== undefined && enc !== 'utf-8' && enc !== 'utf8' && enc !== 'us-ascii')
      refuse('an encoding other than UTF-8')
  })
  parser.on('doctype', () => refuse('DOCTYPE or entity declaration'))
  parser.on('processinginstruction', () => refuse('processing instruction'))
  parser.on('opentag', (tag) => {
    const name = localName(tag.name)
    root ??= name
    open.push(name)
    const forbidden = FORBIDDEN_ELEMENTS.get(name)
    if (forbidden) refuse(forbidden)
    if (name === 'style') styleText = ''
    const attributes = tag.attributes as Record<string, string>
    for (const raw of Object.keys(attributes)) {
      const attr = localName(raw)
      const value = attributes[raw]!
      if (attr.startsWith('on')) refuse('event handler attribute')
      if (hasScriptUrl(value)) refuse('script URL')
      if (attr === 'href' || attr === 'src') {
        if (!SAFE_REF.test(value.trim())) refuse('external reference')
      }
      if (ANIMATIONS.has(name) && attr === 'attributename') {
        const target = localName(value.trim())
        if (target.startsWith('on') || target === 'href') refuse('animated link')
      }
      const css = cssProblem(value, attr === 'style')
      if (css) refuse(css)
    }
  })
  const onText = (text: string) => {
    if (styleText !== undefined) styleText += text
  }
  parser.on('text', onText)
  parser.on('cdata', onText)
  parser.on('closetag', () => {
    if (open.pop() === 'style' && styleText !== undefined) {
      const css = cssProblem(styleText, true)
      if (css) refuse(css)
      if (hasScriptUrl(styleText)) refuse('script URL')
      styleText = undefined
    }
  })

  try {
    parser.write(source).close()
  } catch {
    return 'not well-formed XML'
  }
  if (root !== 'svg') return 'not an SVG document'
  return problem
}

/** `xlink:href` → `href`, lower-cased: namespaces and case must not hide a name. */
function localName(qualified: string): string {
  const i = qualified.lastIndexOf(':')
  return (i === -1 ? qualified : qualified.slice(i + 1)).toLowerCase()
}

/** `javascript:` / `vbscript:` anywhere, also with whitespace or control characters inside. */
function hasScriptUrl(value: string): boolean {
  let squeezed = ''
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 0x20) squeezed += value[i]
  }
  const lower = squeezed.toLowerCase()
  return lower.includes('javascript:') || lower.includes('vbscript:')
}

/**
 * The problem of a piece of CSS (a style sheet, a `style` attribute, or any attribute that may
 * hold a `url()`), or undefined. One left-to-right pass: each `url(` is read up to its end once.
 */
function cssProblem(css: string, styleSheet: boolean): string | undefined {
  const lower = css.toLowerCase()
  if (styleSheet) {
    for (const [needle, what] of CSS_FORBIDDEN) if (lower.includes(needle)) return what
  }
  let at = lower.indexOf('url(')
  while (at !== -1) {
    let i = at + 4
    while (i < css.length && isCssSpace(css.charCodeAt(i))) i++
    const quote = css[i]
    let ref: string
    let next: number
    if (quote === '"' || quote === "'") {
      const end = css.indexOf(quote, i + 1)
      if (end === -1) return 'external reference'
      ref = css.slice(i + 1, end)
      next = end + 1
    } else {
      const end = css.indexOf(')', i)
      if (end === -1) return 'external reference'
      ref = css.slice(i, end)
      next = end + 1
    }
    if (!SAFE_REF.test(ref.trim())) return 'external reference'
    at = lower.indexOf('url(', next)
  }
  return undefined
}

function isCssSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d
}
