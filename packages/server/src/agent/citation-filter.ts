// "Source: Reset your password" (optionally bold), as the system prompt asks models to end with.
// Read without backtracking regexes: the stars are dropped first, then one anchored match.
const CITATION_HEAD = /^sources?[ \t]*:/i
const withoutStars = (line: string) => line.replaceAll('*', '').trim()

/** The titles part of a citation line ("Source: a; b" → "a; b"), or undefined. */
function citationBody(line: string): string | undefined {
  const plain = withoutStars(line)
  const head = CITATION_HEAD.exec(plain)
  if (!head) return undefined
  const body = plain.slice(head[0].length).trim()
  return body === '' ? undefined : body
}

/**
 * Takes the "Source: …" line out of a streamed model reply (the widget shows sources as cards),
 * keeping the cited titles. Text passes through as it comes, except a line that may still turn
 * out to be a citation and the line breaks before it, which wait for what follows.
 */
export class CitationFilter {
  /** Titles cited so far, in order. */
  readonly cited: string[] = []
  #held = ''
  #blank = ''
  #midLine = false

  /** The text of `chunk` that can be shown now. */
  push(chunk: string): string {
    this.#held += chunk
    let out = ''
    for (;;) {
      const nl = this.#held.indexOf('\n')
      if (nl < 0) break
      const line = this.#held.slice(0, nl + 1)
      this.#held = this.#held.slice(nl + 1)
      const midLine = this.#midLine
      this.#midLine = false
      // A line's own newline waits too: nothing may follow it but the citation.
      if (midLine) {
        out += line.slice(0, -1)
        this.#blank += '\n'
      } else if (line.trim() === '') this.#blank += line
      else if (!this.#take(line)) {
        out += this.#flushBlank() + line.slice(0, -1)
        this.#blank += '\n'
      }
    }
    const held = this.#held
    if (held !== '' && (this.#midLine || !this.#mayBeCitation(held))) {
      out += (this.#midLine ? '' : this.#flushBlank()) + held
      this.#held = ''
      this.#midLine = true
    }
    return out
  }

  /** The rest, once the stream is complete. */
  end(): string {
    const rest = this.#held
    this.#held = ''
    if (rest === '' || (!this.#midLine && this.#take(rest))) return ''
    return (this.#midLine ? '' : this.#flushBlank()) + rest
  }

  #mayBeCitation(partial: string): boolean {
    const head = partial.trimStart().replace(/\*/g, '').toLowerCase()
    return head === '' || 'sources:'.startsWith(head) || CITATION_HEAD.test(withoutStars(partial))
  }

  #take(line: string): boolean {
    const body = citationBody(line.endsWith('\n') ? line.slice(0, -1) : line)
    if (body === undefined) return false
    for (const t of body.split(';')) {
      const title = t.replace(/^["“«]|["”»]$/g, '').trim()
      if (title !== '') this.cited.push(title)
    }
    return true
  }

  #flushBlank(): string {
    const b = this.#blank
    this.#blank = ''
    return b
  }
}
