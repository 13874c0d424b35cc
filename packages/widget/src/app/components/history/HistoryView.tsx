import { useEffect, useRef, useState } from 'preact/hooks'
import type { HistoryConversation } from '../../chat/endpoints.ts'
import { deleteConversation, readHistory, withoutConversation } from '../../chat/history.ts'
import { attachmentsOf, extrasOf } from '../../chat/server-messages.ts'
import type { ChatMessage } from '../../chat/types.ts'
import { fill } from '../../i18n.ts'
import { toPlainText } from '../../markdown.ts'
import { useApp, useStore } from '../context.ts'
import { Icon } from '../icons.tsx'
import { MessageList } from '../MessageList.tsx'
import { ConfirmDelete, TrashIcon, useDeleteWords } from './ConfirmDelete.tsx'
import styles from './history.css?inline'
import { VerifyEmail } from './VerifyEmail.tsx'

/** This chunk's styles (added to the shadow root when it loads). */
export const css = styles

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

function EmailForm() {
  const { session, host, t } = useApp()
  const [email, setEmail] = useState(host.user?.email ?? '')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])
  const submit = async (e: Event) => {
    e.preventDefault()
    if (!EMAIL.test(email.trim())) return setError(t.emailInvalid)
    setBusy(true)
    setError('')
    try {
      const u = host.user
      const same = u?.email?.trim().toLowerCase() === email.trim().toLowerCase()
      await session.identify(email, same ? { name: u?.name, userHash: u?.user_hash } : {})
    } catch {
      setError(t.emailFailed)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="aw-pane" onSubmit={submit} noValidate>
      <h3>{t.history}</h3>
      <p>{t.emailPrompt}</p>
      <label class="aw-field">
        {t.email}
        <input
          ref={input}
          type="email"
          autocomplete="email"
          value={email}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'aw-email-err' : undefined}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
        />
      </label>
      {error && (
        <p class="aw-err" id="aw-email-err" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="aw-btn" disabled={busy}>
        {t.continue}
      </button>
    </form>
  )
}

const toMessages = (c: HistoryConversation): ChatMessage[] =>
  c.messages.map((m) => ({
    key: m.id,
    role:
      m.sender_type === 'contact' ? 'visitor' : m.sender_type === 'agent' ? 'agent' : 'assistant',
    body: m.body,
    at: m.created_at,
    state: 'done',
    serverId: m.id,
    channel: m.channel === 'voice' ? 'voice' : 'chat',
    ...attachmentsOf(m.attachments),
    ...(m.sender_type === 'ai' ? extrasOf(m) : {}),
  }))

export interface HistoryViewProps {
  /** Leave the history (to the live conversation). */
  onDone(): void
  open: HistoryConversation | undefined
  onOpen(c: HistoryConversation | undefined): void
}

/** Returning visitors: past conversations after an email check (or the host page's SSO user). */
export function HistoryView({ onDone, open, onOpen }: HistoryViewProps) {
  const { session, host, t } = useApp()
  useStore(session)
  const dw = useDeleteWords()
  const [list, setList] = useState<HistoryConversation[] | undefined>()
  const [failed, setFailed] = useState(false)
  /** The conversation whose "Delete?" is asked (its id). */
  const [asking, setAsking] = useState<string | undefined>()
  /** "Deleted": shown (and focused) once a conversation went. */
  const [deleted, setDeleted] = useState(false)
  const notice = useRef<HTMLParagraphElement>(null)
  const pane = useRef<HTMLDivElement>(null)
  const token = session.state.emailToken
  // A verified code replaces the token: the effect below reads the history again.
  useEffect(() => {
    if (!token) return
    let live = true
    setFailed(false)
    readHistory(session).then(
      (cs) => live && setList(cs),
      () => live && setFailed(true),
    )
    return () => {
      live = false
    }
  }, [token])
  useEffect(() => {
    if (deleted) notice.current?.focus()
  }, [deleted, open])

  /** Cancelled: the focus goes back to the delete button that asked. */
  const cancel = (id: string) => {
    setAsking(undefined)
    requestAnimationFrame(() =>
      pane.current?.querySelector<HTMLElement>(`[data-delete="${CSS.escape(id)}"]`)?.focus(),
    )
  }
  const remove = async (id: string) => {
    await deleteConversation(session, id)
    setList((l) => l && withoutConversation(l, id))
    setAsking(undefined)
    setDeleted(true)
    if (open?.conversation_id === id) onOpen(undefined)
  }
  const deleteButton = (c: HistoryConversation, label: string, withText?: boolean) => (
    <button
      type="button"
      class={withText ? 'aw-btn' : 'aw-ib aw-conv-del'}
      data-ghost={withText ? '' : undefined}
      data-delete={c.conversation_id}
      aria-label={withText ? undefined : label}
      title={withText ? undefined : label}
      onClick={() => {
        setDeleted(false)
        setAsking(c.conversation_id)
      }}
    >
      <TrashIcon />
      {withText && dw.delete}
    </button>
  )

  if (!token) return <EmailForm />
  if (open) {
    return (
      <div ref={pane}>
        <MessageList messages={toMessages(open)} />
        <div class="aw-del-open">
          {asking === open.conversation_id ? (
            <ConfirmDelete
              id="aw-del-open"
              onCancel={() => cancel(open.conversation_id)}
              onDelete={() => remove(open.conversation_id)}
            />
          ) : (
            deleteButton(open, dw.delete, true)
          )}
        </div>
      </div>
    )
  }
  const date = new Intl.DateTimeFormat(host.locale(), { dateStyle: 'medium' })
  return (
    <div class="aw-pane" ref={pane}>
      <div class="aw-who">
        <span>{fill(t.signedInAs, { email: session.state.email ?? '' })}</span>
        <button type="button" class="aw-link" onClick={() => session.forgetVisitor()}>
          {t.signOut}
        </button>
      </div>
      {failed && (
        <p class="aw-err" role="alert">
          {t.emailFailed}
        </p>
      )}
      {deleted && (
        <p class="aw-done" role="status" tabIndex={-1} ref={notice}>
          {dw.deleted}
        </p>
      )}
      {list && list.length === 0 && <p>{t.noHistory}</p>}
      {list && <VerifyEmail onVerified={() => setList(undefined)} />}
      {list && list.length > 0 && (
        <ul class="aw-convs">
          {list.map((c, i) => {
            const last = c.messages[c.messages.length - 1]
            return (
              <li key={c.conversation_id} class="aw-conv-item">
                {asking === c.conversation_id ? (
                  <ConfirmDelete
                    id={`aw-del-${i}`}
                    onCancel={() => cancel(c.conversation_id)}
                    onDelete={() => remove(c.conversation_id)}
                  />
                ) : (
                  <>
                    <button
                      type="button"
                      class="aw-conv"
                      onClick={() =>
                        c.conversation_id === session.state.conversationId ? onDone() : onOpen(c)
                      }
                    >
                      <span class="aw-conv-ic">
                        <Icon.chat />
                      </span>
                      <span class="aw-conv-txt">
                        <b>{c.subject}</b>
                        <small>
                          {date.format(new Date(c.updated_at))}
                          {last ? ` · ${toPlainText(last.body).slice(0, 80)}` : ''}
                        </small>
                      </span>
                      {c.status === 'resolved' && <span class="aw-conv-tag">{t.resolved}</span>}
                    </button>
                    {deleteButton(c, `${dw.delete}: ${c.subject}`)}
                  </>
                )}
              </li>
            )
          })}
        </ul>
      )}
      <button
        type="button"
        class="aw-btn"
        data-ghost=""
        onClick={() => {
          session.newConversation()
          onDone()
        }}
      >
        <Icon.plus />
        {t.newChat}
      </button>
    </div>
  )
}
