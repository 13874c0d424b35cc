import type { ComponentChildren } from 'preact'
import { useEffect, useId, useRef, useState } from 'preact/hooks'
import { cx } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'
import { SubmitButton } from './Field.tsx'
import { Icon } from './Icon.tsx'

export interface ModalProps {
  open: boolean
  title: string
  description?: ComponentChildren
  onClose: () => void
  children?: ComponentChildren
  footer?: ComponentChildren
  size?: 'sm' | 'md' | 'lg'
  /** Role `alertdialog` for confirmations of destructive actions. */
  alert?: boolean
}

/**
 * A modal on the native `<dialog>`: the browser traps focus, makes the page inert and closes on
 * Escape; focus returns to the control that opened it.
 */
export function Modal({
  open,
  title,
  description,
  onClose,
  children,
  footer,
  size = 'md',
  alert,
}: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const descId = useId()
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (open && !d.open) d.showModal()
    if (!open && d.open) d.close()
  }, [open])
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click closes on the backdrop only; the keyboard closes with Escape (cancel event)
    <dialog
      ref={ref}
      class={cx('modal', `modal-${size}`)}
      role={alert ? 'alertdialog' : 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        const d = ref.current
        if (d && e.target === d) {
          const r = d.getBoundingClientRect()
          const inside =
            e.clientX >= r.left &&
            e.clientX <= r.right &&
            e.clientY >= r.top &&
            e.clientY <= r.bottom
          if (!inside) onClose()
        }
      }}
    >
      {open && (
        <div class="modal-box">
          <header class="modal-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" class="icon-btn" aria-label="Close" onClick={onClose}>
              <Icon name="x" />
            </button>
          </header>
          {description && (
            <div id={descId} class="modal-desc">
              {description}
            </div>
          )}
          {children && <div class="modal-body">{children}</div>}
          {footer && <footer class="modal-foot">{footer}</footer>}
        </div>
      )}
    </dialog>
  )
}

export interface ConfirmProps {
  open: boolean
  title: string
  description: ComponentChildren
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  onConfirm: () => void
  onClose: () => void
}

/** A yes/no question; the safe answer has the focus. */
export function ConfirmDialog(p: ConfirmProps) {
  return (
    <Modal
      open={p.open}
      title={p.title}
      description={p.description}
      onClose={p.onClose}
      size="sm"
      alert={p.danger}
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={p.onClose} autofocus>
            Cancel
          </button>
          <button
            type="button"
            class={cx('btn', p.danger ? 'btn-danger' : 'btn-primary')}
            onClick={p.onConfirm}
            disabled={p.busy}
            aria-busy={p.busy}
          >
            {p.busy && <span class="spinner" aria-hidden="true" />}
            {p.confirmLabel}
          </button>
        </>
      }
    />
  )
}

export interface ConfirmActionProps<T> {
  /** What the question is about; the dialog is open while it is set. */
  target: T | undefined
  title: string
  description: ComponentChildren
  confirmLabel: string
  danger?: boolean
  /** Does it (and says so); the dialog closes when it resolves. */
  action: (target: T) => Promise<void>
  /** The start of the toast when it fails, e.g. "Not removed". */
  failure: string
  onClose: () => void
}

/** A confirmation that runs its action itself: busy meanwhile, a toast with the reason on failure. */
export function ConfirmAction<T>({ target, action, failure, ...p }: ConfirmActionProps<T>) {
  const [busy, setBusy] = useState(false)
  return (
    <ConfirmDialog
      {...p}
      open={target !== undefined}
      busy={busy}
      onConfirm={async () => {
        if (target === undefined) return
        setBusy(true)
        try {
          await action(target)
          p.onClose()
        } catch (err) {
          toast.error(`${failure}: ${errorMessage(err)}`)
        } finally {
          setBusy(false)
        }
      }}
    />
  )
}

/** Cancel and submit at the foot of a form in a modal. */
export function DialogButtons(p: {
  busy: boolean
  label: ComponentChildren
  danger?: boolean
  onCancel: () => void
}) {
  return (
    <div class="modal-foot inline">
      <button type="button" class="btn btn-secondary" onClick={p.onCancel}>
        Cancel
      </button>
      <SubmitButton busy={p.busy} class={p.danger ? 'btn btn-danger' : undefined}>
        {p.label}
      </SubmitButton>
    </div>
  )
}
