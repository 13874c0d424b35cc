import type { ComponentChildren, InputHTMLAttributes, Ref } from 'preact'
import { RevealPassword } from './RevealPassword.tsx'

export interface AuthFieldProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, 'label' | 'onInput' | 'value'> {
  id: string
  label: ComponentChildren
  value: string
  /** Called with the text as it is typed; none for a read-only field. */
  onValue?: (value: string) => void
  /** Under the input, as its description (`<id>-hint`). */
  hint?: ComponentChildren
  inputRef?: Ref<HTMLInputElement>
  /** A password with the eye button that shows it: `type` follows `shown`. */
  reveal?: { shown: boolean; onToggle: (shown: boolean) => void }
}

/** A large labelled input of the pages before the console (sign in, accept an invitation). */
export function AuthField({
  id,
  label,
  onValue,
  hint,
  inputRef,
  reveal,
  class: className,
  ...input
}: AuthFieldProps) {
  const control = (
    <input
      ref={inputRef}
      id={id}
      class={className ? `input input-lg ${className}` : 'input input-lg'}
      aria-describedby={hint ? `${id}-hint` : undefined}
      onInput={onValue && ((e) => onValue(e.currentTarget.value))}
      {...(reveal ? { type: reveal.shown ? 'text' : 'password' } : {})}
      {...input}
    />
  )
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {label}
      </label>
      {reveal ? (
        <div class="input-affix">
          {control}
          <RevealPassword shown={reveal.shown} onToggle={reveal.onToggle} />
        </div>
      ) : (
        control
      )}
      {hint && (
        <p id={`${id}-hint`} class="field-hint">
          {hint}
        </p>
      )}
    </div>
  )
}

export interface PasswordFieldProps
  extends Omit<
    AuthFieldProps,
    'name' | 'autoComplete' | 'reveal' | 'type' | 'required' | 'onToggle'
  > {
  /** A password being chosen rather than the current one: named and autofilled as such. */
  isNew?: boolean
  shown: boolean
  onToggle: (shown: boolean) => void
}

/** A required password with the eye button that shows it. */
export function PasswordField({ isNew, shown, onToggle, ...p }: PasswordFieldProps) {
  return (
    <AuthField
      {...p}
      name={isNew ? 'new-password' : 'password'}
      autoComplete={isNew ? 'new-password' : 'current-password'}
      reveal={{ shown, onToggle }}
      required
    />
  )
}
