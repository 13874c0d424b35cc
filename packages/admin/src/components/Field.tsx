import type { ComponentChildren, JSX } from 'preact'
import { useId } from 'preact/hooks'
import { cx } from '../lib/format.ts'
import { Icon } from './Icon.tsx'

/** Ids a control needs to be labelled and described by its field. */
export interface FieldIds {
  id: string
  describedBy: string | undefined
  invalid: boolean
}

export interface FieldProps {
  label: ComponentChildren
  hint?: ComponentChildren
  error?: string | undefined
  /** e.g. `12 / 80`, shown right of the label. */
  counter?: { value: number; max: number }
  optional?: boolean
  children: (ids: FieldIds) => ComponentChildren
  class?: string
}

/** Label, control, hint and inline error, wired together for assistive technology. */
export function Field({
  label,
  hint,
  error,
  counter,
  optional,
  children,
  class: className,
}: FieldProps) {
  const id = useId()
  const hintId = `${id}-hint`
  const errId = `${id}-err`
  const describedBy =
    [error ? errId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined
  return (
    <div class={cx('field', error && 'field-invalid', className)}>
      <div class="field-top">
        <label for={id} class="field-label">
          {label}
          {optional && <span class="field-optional">Optional</span>}
        </label>
        {counter && (
          <span
            class={cx('field-counter', counter.value > counter.max && 'over')}
            aria-hidden="true"
          >
            {counter.value} / {counter.max}
          </span>
        )}
      </div>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {error && (
        <p id={errId} class="field-error">
          <Icon name="alert" size={14} />
          <span>{error}</span>
        </p>
      )}
      {hint && (
        <p id={hintId} class="field-hint">
          {hint}
        </p>
      )}
    </div>
  )
}

export interface TextFieldProps {
  label: ComponentChildren
  value: string
  onInput: (value: string) => void
  hint?: ComponentChildren
  error?: string | undefined
  max?: number
  placeholder?: string
  optional?: boolean
  multiline?: boolean
  rows?: number
  type?: string
  name?: string
  autoComplete?: string
  inputProps?: JSX.HTMLAttributes<HTMLInputElement>
}

/** A text input or textarea with a character counter when `max` is given. */
export function TextField(p: TextFieldProps) {
  return (
    <Field
      label={p.label}
      hint={p.hint}
      error={p.error}
      optional={p.optional}
      counter={p.max !== undefined ? { value: [...p.value].length, max: p.max } : undefined}
    >
      {({ id, describedBy, invalid }) =>
        p.multiline ? (
          <textarea
            id={id}
            name={p.name}
            class="input textarea"
            rows={p.rows ?? 3}
            value={p.value}
            placeholder={p.placeholder}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            onInput={(e) => p.onInput(e.currentTarget.value)}
          />
        ) : (
          <input
            id={id}
            name={p.name}
            class="input"
            type={p.type ?? 'text'}
            value={p.value}
            placeholder={p.placeholder}
            autoComplete={p.autoComplete}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            onInput={(e) => p.onInput(e.currentTarget.value)}
            {...p.inputProps}
          />
        )
      }
    </Field>
  )
}

export interface ToggleProps {
  label: ComponentChildren
  description?: ComponentChildren
  checked: boolean
  onChange: (checked: boolean) => void
  disabled?: boolean
}

/** An on/off switch with its label and an explanation beside it. */
export function Toggle({ label, description, checked, onChange, disabled }: ToggleProps) {
  const id = useId()
  return (
    <div class="toggle-row">
      <div class="toggle-text">
        <span id={`${id}-l`} class="toggle-label">
          {label}
        </span>
        {description && (
          <span id={`${id}-d`} class="toggle-desc">
            {description}
          </span>
        )}
      </div>
      <button
        type="button"
        role="switch"
        class="switch"
        aria-checked={checked}
        aria-labelledby={`${id}-l`}
        aria-describedby={description ? `${id}-d` : undefined}
        disabled={disabled}
        onClick={() => onChange(!checked)}
      >
        <span class="switch-thumb" />
      </button>
    </div>
  )
}

export interface SegmentedProps<T extends string> {
  label: string
  value: T
  options: readonly { value: T; label: string; icon?: ComponentChildren }[]
  onChange: (v: T) => void
  hint?: ComponentChildren
}

/** A small radio group drawn as segmented buttons (arrow keys move, as in any radio group). */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  hint,
}: SegmentedProps<T>) {
  const id = useId()
  return (
    <fieldset class="field segmented-field" aria-describedby={hint ? `${id}-h` : undefined}>
      <legend class="field-label">{label}</legend>
      <div class="segmented">
        {options.map((o) => (
          <label key={o.value} class={cx('segment', value === o.value && 'active')}>
            <input
              type="radio"
              name={id}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
            />
            {o.icon}
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      {hint && (
        <p id={`${id}-h`} class="field-hint">
          {hint}
        </p>
      )}
    </fieldset>
  )
}

/** A form's submit button: disabled, with a spinner, while the form is busy. */
export function SubmitButton({
  busy,
  class: className = 'btn btn-primary',
  form,
  children,
}: {
  busy: boolean
  class?: string | undefined
  /** Id of the form, when the button stands outside it (a modal's footer). */
  form?: string
  children: ComponentChildren
}) {
  return (
    <button type="submit" form={form} class={className} disabled={busy} aria-busy={busy}>
      {busy && <span class="spinner" aria-hidden="true" />}
      {children}
    </button>
  )
}
