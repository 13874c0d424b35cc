import { MAX_QUICK_ACTIONS } from '@aurion/contract'
import { useId } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'

export interface QuickActionsEditorProps {
  actions: string[]
  onChange: (a: string[]) => void
  errorFor: (path: string) => string | undefined
  disabled: boolean
}

/** Suggested first questions, shown as chips under the welcome text. */
export function QuickActionsEditor({
  actions,
  onChange,
  errorFor,
  disabled,
}: QuickActionsEditorProps) {
  const id = useId()
  return (
    <fieldset class="field quick-actions" disabled={disabled} aria-describedby={`${id}-h`}>
      <legend class="field-label">Questions</legend>
      <p id={`${id}-h`} class="field-hint">
        Up to {MAX_QUICK_ACTIONS}, 80 characters each. A click sends the question.
      </p>
      <ol class="qa-list">
        {actions.map((a, i) => {
          const err = errorFor(`quick_actions.${i}`)
          return (
            <li key={i} class="qa-item">
              <input
                class="input"
                value={a}
                aria-label={`Suggested question ${i + 1}`}
                aria-invalid={Boolean(err) || undefined}
                onInput={(e) =>
                  onChange(actions.map((x, j) => (j === i ? e.currentTarget.value : x)))
                }
              />
              <button
                type="button"
                class="icon-btn"
                aria-label={`Remove suggested question ${i + 1}`}
                onClick={() => onChange(actions.filter((_, j) => j !== i))}
              >
                <Icon name="trash" size={16} />
              </button>
              {err && (
                <p class="field-error qa-error">
                  <Icon name="alert" size={14} />
                  <span>{err}</span>
                </p>
              )}
            </li>
          )
        })}
      </ol>
      {actions.length < MAX_QUICK_ACTIONS && (
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          onClick={() => onChange([...actions, ''])}
        >
          <Icon name="plus" size={16} />
          Add a question
        </button>
      )}
      {errorFor('quick_actions') && <p class="field-error">{errorFor('quick_actions')}</p>}
    </fieldset>
  )
}
