import { dismissToast, useToasts } from '../lib/toast.ts'
import { Icon } from './Icon.tsx'

/** The corner where toasts appear; announced politely (errors assertively). */
export function Toaster() {
  const list = useToasts()
  return (
    <div class="toaster">
      <div role="status" aria-live="polite" class="toast-stack">
        {list
          .filter((t) => t.kind !== 'error')
          .map((t) => (
            <div key={t.id} class={`toast toast-${t.kind}`}>
              <Icon name={t.kind === 'success' ? 'circleCheck' : 'info'} />
              <span>{t.message}</span>
              <button
                type="button"
                class="icon-btn"
                aria-label="Dismiss"
                onClick={() => dismissToast(t.id)}
              >
                <Icon name="x" size={16} />
              </button>
            </div>
          ))}
      </div>
      <div role="alert" aria-live="assertive" class="toast-stack">
        {list
          .filter((t) => t.kind === 'error')
          .map((t) => (
            <div key={t.id} class="toast toast-error">
              <Icon name="alert" />
              <span>{t.message}</span>
              <button
                type="button"
                class="icon-btn"
                aria-label="Dismiss"
                onClick={() => dismissToast(t.id)}
              >
                <Icon name="x" size={16} />
              </button>
            </div>
          ))}
      </div>
    </div>
  )
}
