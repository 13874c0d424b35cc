import {
  MAX_TRANSLATION_LOCALES,
  TEXT_LIMITS,
  TRANSLATABLE_FIELDS,
  type TranslatableField,
} from '@aurion/contract'
import { useId, useState } from 'preact/hooks'
import { EmptyState } from '../components/Bits.tsx'
import { TextField } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { checkLocale, type Draft, draftLocales, removeLocale, setTranslation } from './draft.ts'

const FIELD_LABELS: Record<TranslatableField, string> = {
  display_title: 'Title',
  launcher_label: 'Launcher label',
  welcome_text: 'Welcome text',
  launcher_bubble_message: 'Bubble message',
}

/** Suggestions for the language box; any BCP-47 code is accepted. */
const COMMON_LOCALES: [string, string][] = [
  ['de', 'German'],
  ['fr', 'French'],
  ['es', 'Spanish'],
  ['it', 'Italian'],
  ['nl', 'Dutch'],
  ['pt', 'Portuguese'],
  ['pt-BR', 'Portuguese (Brazil)'],
  ['sv', 'Swedish'],
  ['pl', 'Polish'],
  ['ja', 'Japanese'],
  ['zh-CN', 'Chinese (Simplified)'],
  ['ko', 'Korean'],
  ['ar', 'Arabic'],
  ['he', 'Hebrew'],
  ['tr', 'Turkish'],
  ['hi', 'Hindi'],
]

const languageName = (locale: string): string => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(locale) ?? locale
  } catch {
    return locale
  }
}

export interface TranslationsEditorProps {
  draft: Draft
  onChange: (d: Draft) => void
  errorFor: (path: string) => string | undefined
  /** Locales added in this session that have no text yet (kept by the page across tabs). */
  pending: string[]
  setPending: (locales: string[]) => void
  onPreviewLocale: (locale: string) => void
}

/**
 * Per-locale texts. A blank translation falls back to the base text, so only what differs needs
 * typing; the widget picks the visitor's language (exact, then language only, then the base).
 */
export function TranslationsEditor({
  draft,
  onChange,
  errorFor,
  pending,
  setPending,
  onPreviewLocale,
}: TranslationsEditorProps) {
  const [input, setInput] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const id = useId()
  const used = draftLocales(draft)
  const locales = [...new Set([...used, ...pending])].sort()

  const add = () => {
    const code = input.trim()
    if (!code) return setError('Type a language code such as de or pt-BR')
    const problem = checkLocale(code)
    if (problem) return setError(problem)
    if (locales.some((l) => l.toLowerCase() === code.toLowerCase()))
      return setError(`${code} is already in the list`)
    if (locales.length >= MAX_TRANSLATION_LOCALES)
      return setError(`At most ${MAX_TRANSLATION_LOCALES} languages`)
    setPending([...pending, code])
    setInput('')
    setError(undefined)
    onPreviewLocale(code)
  }

  return (
    <div class="translations">
      <div class="field">
        <label class="field-label" for={`${id}-loc`}>
          Add a language
        </label>
        <div class="origin-add">
          <input
            id={`${id}-loc`}
            class="input"
            list={`${id}-list`}
            placeholder="de, fr, pt-BR…"
            value={input}
            aria-invalid={Boolean(error) || undefined}
            aria-describedby={`${id}-err`}
            onInput={(e) => {
              setInput(e.currentTarget.value)
              setError(undefined)
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault()
                add()
              }
            }}
          />
          <datalist id={`${id}-list`}>
            {COMMON_LOCALES.filter(([c]) => !locales.includes(c)).map(([c, name]) => (
              <option key={c} value={c}>
                {name}
              </option>
            ))}
          </datalist>
          <button type="button" class="btn btn-secondary" onClick={add}>
            <Icon name="plus" size={16} />
            Add language
          </button>
        </div>
        <div id={`${id}-err`} aria-live="polite">
          {error && (
            <p class="field-error">
              <Icon name="alert" size={14} />
              <span>{error}</span>
            </p>
          )}
        </div>
      </div>

      {locales.length === 0 ? (
        <EmptyState icon="languages" title="No translations yet">
          Visitors see the texts on the Content tab. Add a language to greet visitors whose browser
          prefers it in their own words.
        </EmptyState>
      ) : (
        locales.map((locale) => (
          <section
            class="locale-card"
            key={locale}
            aria-label={`${languageName(locale)} (${locale})`}
          >
            <header class="locale-head">
              <div>
                <h3>
                  {languageName(locale)} <span class="locale-code">{locale}</span>
                </h3>
              </div>
              <div class="locale-actions">
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  onClick={() => onPreviewLocale(locale)}
                >
                  <Icon name="eye" size={16} />
                  Preview
                </button>
                <button
                  type="button"
                  class="btn btn-ghost btn-sm danger-text"
                  aria-label={`Remove ${languageName(locale)}`}
                  onClick={() => {
                    onChange(removeLocale(draft, locale))
                    setPending(pending.filter((p) => p !== locale))
                  }}
                >
                  <Icon name="trash" size={16} />
                  Remove
                </button>
              </div>
            </header>
            <div class="locale-grid">
              {TRANSLATABLE_FIELDS.map((field) => {
                const value = draft[`${field}_translations`][locale] ?? ''
                const base = draft[field]
                return (
                  <TextField
                    key={field}
                    label={FIELD_LABELS[field]}
                    value={value}
                    max={TEXT_LIMITS[field].max}
                    placeholder={base ? `${base}` : 'Not shown'}
                    optional
                    error={errorFor(`${field}_translations.${locale}`)}
                    onInput={(v) => onChange(setTranslation(draft, field, locale, v))}
                  />
                )
              })}
            </div>
          </section>
        ))
      )}
      {errorFor('display_title_translations') && (
        <p class="field-error">{errorFor('display_title_translations')}</p>
      )}
    </div>
  )
}
