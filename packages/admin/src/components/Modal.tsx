import type { ComponentChildren } from 'preact'
import { useEffect, useId, useRef } from 'preact/hooks'
import { cx } from '../lib/format.ts'
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
