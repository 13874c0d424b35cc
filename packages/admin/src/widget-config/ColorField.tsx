import { useId } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'

export interface ColorFieldProps {
  label: string
  value: string | null
  /** The colour the theme uses when this one is not set. */
  fallback: string
  hint?: string
  error?: string | undefined
  onChange: (v: string | null) => void
}

const expand = (hex: string) =>
  /^#[0-9a-f]{3}$/i.test(hex) ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex

/** A colour as a swatch picker and a hex text box; empty means "the theme's colour". */
export function ColorField({ label, value, fallback, hint, error, onChange }: ColorFieldProps) {
  const id = useId()
  const valid = value !== null && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)
  const swatch = valid ? expand(value).toLowerCase() : fallback
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label class="field-label" for={`${id}-hex`}>
        {label}
      </label>
      <div class="color-row">
        <input
          type="color"
          class="color-swatch"
          value={swatch}
          aria-label={`${label} picker`}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
        <input
          id={`${id}-hex`}
          class="input mono color-hex"
          value={value ?? ''}
          placeholder={`${fallback} (theme)`}
          spellcheck={false}
          aria-invalid={Boolean(error) || undefined}
          aria-describedby={
            [error ? `${id}-e` : '', hint ? `${id}-h` : ''].join(' ').trim() || undefined
          }
          onInput={(e) => {
            const v = e.currentTarget.value.trim()
            onChange(v === '' ? null : v)
          }}
        />
        {value !== null && (
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => onChange(null)}>
            Use theme colour
          </button>
        )}
      </div>
      {error && (
        <p id={`${id}-e`} class="field-error">
          <Icon name="alert" size={14} />
          <span>{error}</span>
        </p>
      )}
      {hint && (
        <p id={`${id}-h`} class="field-hint">
          {hint}
        </p>
      )}
    </div>
  )
}
