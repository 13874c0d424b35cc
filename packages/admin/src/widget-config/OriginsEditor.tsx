import { MAX_ALLOWED_ORIGINS, normalizeOrigin } from '@aurion/contract'
import { useId, useState } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'

export interface OriginsEditorProps {
  origins: string[]
  onChange: (origins: string[]) => void
  /** Error of the list itself or of one entry (by index), e.g. from a 422. */
  errorFor: (path: string) => string | undefined
}

interface Feedback {
  kind: 'error' | 'note'
  text: string
  suggestion?: string
}

/** A bare domain typed where an origin belongs: suggest the https origin. */
function suggestFor(input: string): string | undefined {
  const s = input.trim().replace(/\/+$/, '')
  if (/^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?$/i.test(s)) return `https://${s.toLowerCase()}`
  const withPath = /^(https?:\/\/[^/?#]+)[/?#]/i.exec(input.trim())
  if (withPath) {
    const r = normalizeOrigin(withPath[1]!)
    if ('origin' in r) return r.origin
  }
  return undefined
}

/**
 * The allowlist of sites that may show the widget. Input is normalized as the server does
 * (`HTTPS://Example.com:443/` → `https://example.com`); a refused entry says why and, for a bare
 * domain or a URL with a path, offers the origin that was probably meant.
 */
export function OriginsEditor({ origins, onChange, errorFor }: OriginsEditorProps) {
  const [input, setInput] = useState('')
  const [feedback, setFeedback] = useState<Feedback | undefined>(undefined)
  const id = useId()

  const add = (raw: string) => {
    const parts = raw
      .split(/[\s,]+/)
      .map((p) => p.trim())
      .filter(Boolean)
    if (parts.length === 0) {
      setFeedback({ kind: 'error', text: 'Type an origin such as https://example.com' })
      return
    }
    const next = [...origins]
    const notes: string[] = []
    for (const part of parts) {
      const r = normalizeOrigin(part)
      if ('error' in r) {
        const suggestion = suggestFor(part)
        setFeedback({
          kind: 'error',
          text: `${part}: ${r.error}`,
          ...(suggestion && !next.includes(suggestion) ? { suggestion } : {}),
        })
        onChange(next)
        setInput(parts.slice(parts.indexOf(part)).join(' '))
        return
      }
      if (next.includes(r.origin)) {
        notes.push(`${r.origin} is already allowed`)
        continue
      }
      if (next.length >= MAX_ALLOWED_ORIGINS) {
        setFeedback({
          kind: 'error',
          text: `At most ${MAX_ALLOWED_ORIGINS} origins can be allowed`,
        })
        onChange(next)
        return
      }
      next.push(r.origin)
      if (r.origin !== part) notes.push(`Added as ${r.origin}`)
    }
    onChange(next)
    setInput('')
    setFeedback(notes.length > 0 ? { kind: 'note', text: notes.join('. ') } : undefined)
  }

  const listError = errorFor('allowed_origins')
  return (
    <div class="field origins">
      <label class="field-label" for={`${id}-in`}>
        Add an origin
      </label>
      <div class="origin-add">
        <input
          id={`${id}-in`}
          class="input mono"
          placeholder="https://www.example.com"
          value={input}
          aria-describedby={`${id}-fb ${id}-hint`}
          aria-invalid={feedback?.kind === 'error' || undefined}
          onInput={(e) => {
            setInput(e.currentTarget.value)
            if (feedback?.kind === 'error') setFeedback(undefined)
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              add(input)
            }
          }}
          onPaste={(e) => {
            const text = e.clipboardData?.getData('text') ?? ''
            if (/[\s,]/.test(text.trim())) {
              e.preventDefault()
              add(text)
            }
          }}
        />
        <button type="button" class="btn btn-secondary" onClick={() => add(input)}>
          <Icon name="plus" size={16} />
          Add
        </button>
      </div>
      <div id={`${id}-fb`} aria-live="polite">
        {feedback && (
          <p class={feedback.kind === 'error' ? 'field-error origin-reject' : 'field-note'}>
            <Icon name={feedback.kind === 'error' ? 'alert' : 'info'} size={14} />
            <span>{feedback.text}</span>
            {feedback.suggestion && (
              <button type="button" class="link-btn" onClick={() => add(feedback.suggestion!)}>
                Add {feedback.suggestion} instead
              </button>
            )}
          </p>
        )}
      </div>
      <p id={`${id}-hint`} class="field-hint">
        Full origins: scheme, host and port if not the default — <code>https://example.com</code>,
        not <code>example.com</code> or a page URL. Each subdomain is listed separately. Paste
        several at once, separated by spaces or commas.
      </p>
      {listError && (
        <p class="field-error">
          <Icon name="alert" size={14} />
          <span>{listError}</span>
        </p>
      )}
      {origins.length === 0 ? (
        <div class="origins-empty">
          <Icon name="globe" />
          <span>
            No origins yet. Until you add one, the widget shows on no site (the Help Center is
            always allowed).
          </span>
        </div>
      ) : (
        <ul class="origin-list" aria-label="Allowed origins">
          {origins.map((o, i) => {
            const err = errorFor(`allowed_origins.${i}`)
            return (
              <li key={o} class={err ? 'origin-item invalid' : 'origin-item'}>
                <Icon name="globe" size={16} class="muted-icon" />
                <span class="mono origin-text">{o}</span>
                {err && <span class="field-error inline">{err}</span>}
                <button
                  type="button"
                  class="icon-btn"
                  aria-label={`Remove ${o}`}
                  onClick={() => onChange(origins.filter((x) => x !== o))}
                >
                  <Icon name="x" size={16} />
                </button>
              </li>
            )
          })}
        </ul>
      )}
      <p class="field-hint counter-line">
        {origins.length} / {MAX_ALLOWED_ORIGINS} origins
      </p>
    </div>
  )
}
