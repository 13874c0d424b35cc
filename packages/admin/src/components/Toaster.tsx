import { dismissToast, type Toast, useToasts } from '../lib/toast.ts'
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
            <ToastItem key={t.id} toast={t} />
          ))}
      </div>
      <div role="alert" aria-live="assertive" class="toast-stack">
        {list
          .filter((t) => t.kind === 'error')
          .map((t) => (
            <ToastItem key={t.id} toast={t} />
          ))}
      </div>
    </div>
  )
}

const ICON = { success: 'circleCheck', info: 'info', error: 'alert' } as const

function ToastItem({ toast: t }: { toast: Toast }) {
  return (
    <div class={`toast toast-${t.kind}`}>
      <Icon name={ICON[t.kind]} />
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
  )
}
