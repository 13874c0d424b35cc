import type { ComponentChildren } from 'preact'
import { type Block, type Inline, parseMarkdown } from '../markdown.ts'

export interface MarkdownProps {
  text: string
  /** Show a blinking caret after the last word (reply still streaming). */
  caret?: boolean
}

function inline(nodes: Inline[]): ComponentChildren[] {
  return nodes.map((n, i) => {
    switch (n.t) {
      case 'text':
        return n.v
      case 'br':
        return <br key={i} />
      case 'code':
        return <code key={i}>{n.v}</code>
      case 'b':
        return <strong key={i}>{inline(n.c)}</strong>
      case 'i':
        return <em key={i}>{inline(n.c)}</em>
      case 'a':
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer">
            {inline(n.c)}
          </a>
        )
      default:
        return null
    }
  })
}

function block(b: Block, i: number, caret: ComponentChildren): ComponentChildren {
  switch (b.t) {
    case 'p':
      return (
        <p key={i}>
          {inline(b.c)}
          {caret}
        </p>
      )
    case 'h':
      return (
        <p key={i}>
          <strong class="aw-h">{inline(b.c)}</strong>
          {caret}
        </p>
      )
    case 'quote':
      return (
        <blockquote key={i}>
          {inline(b.c)}
          {caret}
        </blockquote>
      )
    case 'pre':
      return (
        <pre key={i}>
          <code>{b.v}</code>
          {caret}
        </pre>
      )
    case 'ul':
    case 'ol': {
      const items = b.items.map((it, j) => (
        <li key={j}>
          {inline(it)}
          {j === b.items.length - 1 ? caret : null}
        </li>
      ))
      return b.t === 'ul' ? (
        <ul key={i}>{items}</ul>
      ) : (
        <ol key={i} start={b.start}>
          {items}
        </ol>
      )
    }
  }
}

/**
 * Untrusted text as elements: the markdown subset becomes tags built here, everything else stays
 * text nodes. There is no code path that turns input into HTML.
 */
export function Markdown({ text, caret }: MarkdownProps) {
  const blocks = parseMarkdown(text)
  const c = caret ? <span class="aw-caret" aria-hidden="true" /> : null
  if (blocks.length === 0) return <p>{c}</p>
  return <>{blocks.map((b, i) => block(b, i, i === blocks.length - 1 ? c : null))}</>
}
