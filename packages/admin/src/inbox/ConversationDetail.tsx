import { useEffect, useRef, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, EmptyState, LoadError, Loading } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime, relativeTime } from '../lib/format.ts'
import { BASE, linkClick } from '../lib/router.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'
import { Composer, type ComposerMode } from './Composer.tsx'
import { ConversationActions } from './ConversationActions.tsx'
import type { InboxEvent, LiveHub } from './live.ts'
import { contactName, handoffOf, type InboxDetail, type InboxMessage, personName } from './model.ts'
import { Transcript } from './Transcript.tsx'

/** Commands the page's keyboard shortcuts send to the open conversation. */
export interface DetailCommands {
  reply: () => void
  note: () => void
  claim: () => void
  returnToAi: () => void
  toggleResolved: () => void
  suggest: () => void
}

/** How long the visitor counts as typing after their last typing event. */
const TYPING_MS = 6000

/**
 * One conversation: who and its state, the actions, the whole transcript (kept live), and the
 * composer.
 */
export function ConversationDetail({
  id,
  hub,
  commands,
  onChanged,
  onRead,
}: {
  id: string
  /** Live events (the detail re-reads when one is about this conversation). */
  hub: LiveHub
  commands: { current: DetailCommands | undefined }
  onChanged: () => void
  onRead: (id: string, messageCount: number) => void
}) {
  const { api, me } = useApp()
  const conv = useAsync(() => api.send<InboxDetail>(endpoints.getConversation(id)), [api, id])
  const [busy, setBusy] = useState(false)
  const [mode, setMode] = useState<ComposerMode>('reply')
  const [typingUntil, setTypingUntil] = useState(0)
  // A teammate typing a reply here too (so two people don't answer at once).
  const [teammate, setTeammate] = useState<{ name: string; until: number } | undefined>()
  const textRef = useRef<HTMLTextAreaElement>(null)
  const myEmail = me?.user.email ?? ''
  // As the server names a person to others (name, else the email's local part).
  const myName = me?.user.name?.trim() || myEmail.split('@')[0]

  const reload = useRef(conv.reload)
  reload.current = conv.reload
  useEffect(
    () =>
      hub.subscribe((event: InboxEvent) => {
        if (event.type !== 'poll' && event.conversation_id !== id) return
        if (event.type === 'typing') {
          if (event.sender_type !== 'agent') setTypingUntil(Date.now() + TYPING_MS)
          else if (typeof event.author_name === 'string' && event.author_name !== myName)
            setTeammate({ name: event.author_name, until: Date.now() + TYPING_MS })
          return
        }
        if (event.type === 'message') setTeammate(undefined)
        if (event.type === 'message') setTypingUntil(0)
        void reload.current()
      }),
    [hub, id],
  )
  useEffect(() => {
    if (!teammate) return
    const t = setTimeout(() => setTeammate(undefined), Math.max(0, teammate.until - Date.now()))
    return () => clearTimeout(t)
  }, [teammate])
  useEffect(() => {
    if (!typingUntil) return
    const t = setTimeout(() => setTypingUntil(0), Math.max(0, typingUntil - Date.now()))
    return () => clearTimeout(t)
  }, [typingUntil])
  useEffect(() => {
    setTypingUntil(0)
    setMode('reply')
  }, [id])
  // On a phone the conversation sits under the console's menu: bring it into view.
  const box = useRef<HTMLElement>(null)
  useEffect(() => {
    if (matchMedia('(max-width: 900px)').matches) box.current?.scrollIntoView({ block: 'start' })
  }, [id, !!conv.data])

  const c = conv.data
  useEffect(() => {
    if (c && c.id === id) onRead(id, c.message_count)
  }, [c?.id, c?.message_count])

  const patch = async (body: Parameters<typeof endpoints.patchConversation>[1], done: string) => {
    setBusy(true)
    try {
      const updated = await api.send<Record<string, unknown>>(endpoints.patchConversation(id, body))
      conv.setData((prev) =>
        prev ? ({ ...prev, ...updated, messages: prev.messages } as InboxDetail) : prev!,
      )
      toast.success(done)
      onChanged()
    } catch (err) {
      toast.error(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const h = c ? handoffOf(c) : undefined
  const on = {
    claim: () => void patch({ handled_by: 'human', assignee_email: myEmail }, 'Assigned to you'),
    assign: (email: string | null) =>
      void patch(
        email ? { handled_by: 'human', assignee_email: email } : { assignee_email: null },
        email ? `Assigned to ${email}` : 'Back in the team’s queue',
      ),
    returnToAi: () => void patch({ handled_by: 'ai' }, 'The assistant answers again'),
    takeOver: () => void patch({ handled_by: 'human', assignee_email: myEmail }, 'You took over'),
    resolve: () => void patch({ status: 'resolved' }, 'Resolved'),
    reopen: () => void patch({ status: 'open' }, 'Reopened'),
  }
  const focusText = () => textRef.current?.focus()
  commands.current = {
    reply: () => {
      setMode('reply')
      focusText()
    },
    note: () => {
      setMode('note')
      focusText()
    },
    claim: () => h && h.status === 'open' && on.claim(),
    returnToAi: () => h?.handledBy === 'human' && on.returnToAi(),
    toggleResolved: () => h && (h.status === 'resolved' ? on.reopen() : on.resolve()),
    suggest: () =>
      document.querySelector<HTMLButtonElement>('.composer-bar [aria-keyshortcuts="g"]')?.click(),
  }

  return (
    <section
      ref={box}
      class="card card-flush inbox-detail"
      aria-labelledby="conv-title"
      aria-busy={conv.loading}
    >
      {conv.error && !c && <LoadError message={conv.error} onRetry={() => void conv.reload()} />}
      {!c && !conv.error && <Loading label="Loading conversation…" lines={8} />}
      {c && h && (
        <>
          <header class="conv-head">
            <a
              class="conv-back btn btn-ghost btn-sm"
              href={`${BASE}/conversations`}
              onClick={linkClick('/conversations')}
            >
              <Icon name="arrowLeft" size={14} />
              Conversations
            </a>
            <div class="conv-head-text">
              <h2 id="conv-title">{contactName(c.contact)}</h2>
              <p class="muted">
                {c.contact?.email && c.contact.name ? `${c.contact.email} · ` : ''}
                {c.contact?.phone && (c.contact.name || c.contact.email)
                  ? `${c.contact.phone} · `
                  : ''}
                {c.contact?.email && !c.contact.email_verified ? 'email unverified · ' : ''}
                {c.subject} · started{' '}
                <span title={absoluteTime(c.created_at)}>{relativeTime(c.created_at)}</span>
              </p>
              <p class="conv-state">
                {h.status === 'resolved' ? (
                  <Badge tone="neutral">resolved</Badge>
                ) : (
                  <Badge tone="blue">open</Badge>
                )}
                {h.handledBy === 'human' ? (
                  <Badge tone={h.assignee ? 'green' : 'amber'}>
                    {h.assignee ? `with ${personName(h.assignee)}` : 'waiting for a person'}
                  </Badge>
                ) : (
                  <Badge tone="violet">
                    <Icon name="sparkles" size={12} /> assistant answers
                  </Badge>
                )}
              </p>
            </div>
            <ConversationActions h={h} myEmail={myEmail} busy={busy} on={on} />
          </header>
          <Transcript
            messages={c.messages as InboxMessage[]}
            visitor={contactName(c.contact)}
            visitorTyping={typingUntil > 0}
            truncated={c.messages_truncated}
          />
          {teammate && (
            <p class="teammate-typing" role="status">
              {teammate.name} is typing a reply…
            </p>
          )}
          <Composer
            conversationId={id}
            mode={mode}
            onMode={setMode}
            textRef={textRef}
            userId={me?.user.id ?? 'me'}
            onSent={() => {
              void conv.reload()
              onChanged()
            }}
          />
        </>
      )}
    </section>
  )
}

/** The right-hand side when no conversation is open. */
export function NoConversation() {
  return (
    <section class="card inbox-detail inbox-detail-empty" aria-label="Conversation">
      <EmptyState icon="inbox" title="Pick a conversation">
        Its messages appear here. Press <kbd>?</kbd> for keyboard shortcuts.
      </EmptyState>
    </section>
  )
}
