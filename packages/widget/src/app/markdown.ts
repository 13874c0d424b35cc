/**
 * A small markdown subset for untrusted text (agent replies, history, the visitor's own words).
 * It produces a token tree, never HTML: the renderer turns tokens into elements and text nodes,
 * so markup in the input always stays literal text.
 */
export type Inline =
  | { t: 'text'; v: string }
  | { t: 'br' }
  | { t: 'code'; v: string }
  | { t: 'b' | 'i'; c: Inline[] }
  | { t: 'a'; href: string; c: Inline[] }

export type Block =
  | { t: 'p' | 'h' | 'quote'; c: Inline[] }
  | { t: 'ul'; items: Inline[][] }
  | { t: 'ol'; start: number; items: Inline[][] }
  | { t: 'pre'; v: string }

/** The URL when it is an absolute http(s) or mailto link, else `undefined`. */
export function safeHref(raw: string): string | undefined {
  const s = raw.trim()
  if (!/^(?:https?:\/\/|mailto:)/i.test(s)) return undefined
  try {
    const u = new URL(s)
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:'
      ? u.href
      : undefined
  } catch {
    return undefined
  }
}

const INLINE =
  /`([^`\n]+)`|\[([^\]\n]+)\]\(([^()\s]+)\)|\*\*(?=\S)([^\n]+?)\*\*|\*(?=[^\s*])([^*\n]+?)\*|(^|[^\w])_(?=\S)([^_\n]+?)_(?!\w)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?'")\]])/g

/** Parses one line (or paragraph) of inline markdown. */
export function parseInline(src: string): Inline[] {
  const out: Inline[] = []
  const text = (v: string) => {
    const parts = v.split('\n')
    parts.forEach((p, i) => {
      if (i > 0) out.push({ t: 'br' })
      if (!p) return
      const last = out[out.length - 1]
      if (last?.t === 'text') last.v += p
      else out.push({ t: 'text', v: p })
    })
  }
  let at = 0
  // A fresh regex per call: the recursion for nested markup must not share `lastIndex`.
  const re = new RegExp(INLINE)
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const [whole, code, label, url, bold, i1, pre, i2, auto] = m
    // The character before `_italic_` belongs to the text (no lookbehind: older Safari lacks it).
    const start = m.index + (pre?.length ?? 0)
    if (start > at) text(src.slice(at, start))
    at = m.index + whole.length
    if (code !== undefined) out.push({ t: 'code', v: code })
    else if (label !== undefined) {
      const href = safeHref(url!)
      if (href) out.push({ t: 'a', href, c: parseInline(label) })
      else text(whole)
    } else if (bold !== undefined) out.push({ t: 'b', c: parseInline(bold) })
    else if (i1 !== undefined || i2 !== undefined) out.push({ t: 'i', c: parseInline(i1 ?? i2!) })
    else if (auto !== undefined) {
      const href = safeHref(auto)
      if (href) out.push({ t: 'a', href, c: [{ t: 'text', v: auto }] })
      else text(whole)
    }
  }
  if (at < src.length) text(src.slice(at))
  return out
}

const UL = /^\s{0,3}[-*+•]\s+(.*)$/
const OL = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/

/** Parses text into blocks: paragraphs, headings, quotes, lists and fenced code. */
export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n')
  const blocks: Block[] = []
  let para: string[] = []
  const flush = () => {
    if (para.length) blocks.push({ t: 'p', c: parseInline(para.join('\n')) })
    para = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^\s{0,3}```/.test(line)) {
      flush()
      const code: string[] = []
      while (++i < lines.length && !/^\s{0,3}```/.test(lines[i]!)) code.push(lines[i]!)
      blocks.push({ t: 'pre', v: code.join('\n') })
      continue
    }
    const ul = UL.exec(line)
    const ol = OL.exec(line)
    if (ul || ol) {
      flush()
      const re = ul ? UL : OL
      const items: Inline[][] = []
      let m: RegExpExecArray | null = ul ?? ol
      while (m) {
        items.push(parseInline(m[ul ? 1 : 2]!))
        const next = lines[i + 1]
        m = next === undefined ? null : re.exec(next)
        if (m) i++
      }
      blocks.push(ul ? { t: 'ul', items } : { t: 'ol', start: Number(ol![1]), items })
      continue
    }
    const h = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line)
    const q = /^\s{0,3}>\s?(.*)$/.exec(line)
    if (h) {
      flush()
      blocks.push({ t: 'h', c: parseInline(h[1]!) })
    } else if (q) {
      flush()
      blocks.push({ t: 'quote', c: parseInline(q[1]!) })
    } else if (line.trim() === '') flush()
    else para.push(line)
  }
  flush()
  return blocks
}

/** Plain text for speech and notifications: markup dropped, link labels kept. */
export function toPlainText(src: string): string {
  const walk = (c: Inline[]): string =>
    c
      .map((n) =>
        n.t === 'text' || n.t === 'code'
          ? n.v
          : n.t === 'br'
            ? '\n'
            : walk((n as { c: Inline[] }).c),
      )
      .join('')
  return parseMarkdown(src)
    .map((b) =>
      b.t === 'pre' ? b.v : b.t === 'ul' || b.t === 'ol' ? b.items.map(walk).join('\n') : walk(b.c),
    )
    .join('\n')
}
