import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import { useApp } from '../context.ts'
import { strokeSvg } from '../icons.tsx'

/** This part's words (the history view carries its own for deleting). */
const WORDS = {
  en: {
    delete: 'Delete conversation',
    title: 'Delete this conversation?',
    body: 'It is removed for good, with its messages and files, also for our support team.',
    cancel: 'Cancel',
    confirm: 'Delete',
    deleted: 'The conversation was deleted.',
    failed: 'Could not delete it. Please try again.',
  },
  de: {
    delete: 'Gespräch löschen',
    title: 'Dieses Gespräch löschen?',
    body: 'Es wird mit seinen Nachrichten und Dateien endgültig gelöscht, auch für unser Support-Team.',
    cancel: 'Abbrechen',
    confirm: 'Löschen',
    deleted: 'Das Gespräch wurde gelöscht.',
    failed: 'Löschen fehlgeschlagen. Bitte erneut versuchen.',
  },
  fr: {
    delete: 'Supprimer la conversation',
    title: 'Supprimer cette conversation ?',
    body: 'Elle est supprimée définitivement, avec ses messages et fichiers, aussi pour notre équipe.',
    cancel: 'Annuler',
    confirm: 'Supprimer',
    deleted: 'La conversation a été supprimée.',
    failed: 'Suppression impossible. Veuillez réessayer.',
  },
  es: {
    delete: 'Eliminar conversación',
    title: '¿Eliminar esta conversación?',
    body: 'Se elimina para siempre, con sus mensajes y archivos, también para nuestro equipo.',
    cancel: 'Cancelar',
    confirm: 'Eliminar',
    deleted: 'La conversación se eliminó.',
    failed: 'No se pudo eliminar. Inténtelo de nuevo.',
  },
  pt: {
    delete: 'Excluir conversa',
    title: 'Excluir esta conversa?',
    body: 'Ela é removida para sempre, com mensagens e arquivos, também para nossa equipe.',
    cancel: 'Cancelar',
    confirm: 'Excluir',
    deleted: 'A conversa foi excluída.',
    failed: 'Não foi possível excluir. Tente novamente.',
  },
  ar: {
    delete: 'حذف المحادثة',
    title: 'حذف هذه المحادثة؟',
    body: 'ستُحذف نهائيًا مع رسائلها وملفاتها، وكذلك لدى فريق الدعم.',
    cancel: 'إلغاء',
    confirm: 'حذف',
    deleted: 'تم حذف المحادثة.',
    failed: 'تعذر الحذف. يرجى المحاولة مرة أخرى.',
  },
}

export function useDeleteWords() {
  const { host } = useApp()
  return WORDS[host.locale().split('-')[0]!.toLowerCase() as keyof typeof WORDS] ?? WORDS.en
}

export const TrashIcon = () =>
  strokeSvg(
    'M4 7h16M10 11v6M14 11v6M5.5 7l1 12a2 2 0 0 0 2 1.8h7a2 2 0 0 0 2-1.8l1-12M9 7V4.8A.8.8 0 0 1 9.8 4h4.4a.8.8 0 0 1 .8.8V7',
  )

/**
 * "Delete this conversation?" in place of what it deletes: the focus starts on Cancel, Tab stays
 * between its two buttons, Escape cancels. `onDelete` rejects when the server refused (the
 * dialog stays, with the reason); the caller moves the focus on after success or cancel.
 */
export function ConfirmDelete({
  id,
  onCancel,
  onDelete,
}: {
  id: string
  onCancel(): void
  onDelete(): Promise<void>
}) {
  const w = useDeleteWords()
  const [busy, setBusy] = useState(false)
  const [failed, setFailed] = useState(false)
  const cancel = useRef<HTMLButtonElement>(null)
  const confirm = useRef<HTMLButtonElement>(null)
  // Before the next paint: a key pressed right after opening already lands in the dialog.
  useLayoutEffect(() => cancel.current?.focus(), [])
  return (
    <div
      class="aw-confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-d`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          onCancel()
        } else if (e.key === 'Tab') {
          // Two buttons: Tab and Shift+Tab move between them.
          e.preventDefault()
          ;(e.target === cancel.current ? confirm.current : cancel.current)?.focus()
        }
      }}
    >
      <b id={`${id}-t`}>{w.title}</b>
      <p id={`${id}-d`}>{w.body}</p>
      {failed && (
        <p class="aw-err" role="alert">
          {w.failed}
        </p>
      )}
      <div class="aw-confirm-actions">
        <button ref={cancel} type="button" class="aw-btn" data-ghost="" onClick={onCancel}>
          {w.cancel}
        </button>
        <button
          ref={confirm}
          type="button"
          class="aw-btn"
          data-danger=""
          aria-disabled={busy ? 'true' : undefined}
          onClick={async () => {
            if (busy) return
            setBusy(true)
            setFailed(false)
            try {
              await onDelete()
            } catch {
              setFailed(true)
              setBusy(false)
            }
          }}
        >
          <TrashIcon />
          {w.confirm}
        </button>
      </div>
    </div>
  )
}
