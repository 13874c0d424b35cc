import type { Ref } from 'preact'
import { useRef, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { cx } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'
import { SavedRepliesMenu } from './SavedRepliesMenu.tsx'
import './composer.css'

export type ComposerMode = 'reply' | 'note'

/** How often the visitor is told the agent is still typing. */
const TYPING_EVERY_MS = 3000

/**
 * Reply to the visitor or write a private note (drawn in amber, never sent to the visitor);
 * saved replies and the assistant's suggested draft fill the text for the agent to edit.
 * Enter sends, Shift+Enter starts a new line.
 */
export function Composer({
  conversationId,
  mode,
  onMode,
  textRef,
  userId,
  onSent,
  disabledReason,
}: {
  conversationId: string
  mode: ComposerMode
  onMode: (m: ComposerMode) => void
  textRef: Ref<HTMLTextAreaElement>
  userId: string
  onSent: () => void
  disabledReason?: string
}) {
  const { api } = useApp()
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [suggesting, setSuggesting] = useState(false)
  const lastTyping = useRef(0)
  const note = mode === 'note'

  const typing = () => {
    if (note) return
    const now = Date.now()
    if (now - lastTyping.current < TYPING_EVERY_MS) return
    lastTyping.current = now
    api.send(endpoints.agentTyping(conversationId)).catch(() => {})
  }

  const send = async () => {
    const body = text.trim()
    if (!body || sending) return
    setSending(true)
    try {
      await api.send(
        endpoints.postConversationMessage(
          conversationId,
          note ? { body, private: true } : { body },
        ),
      )
      setText('')
      lastTyping.current = 0
      onSent()
    } catch (err) {
      toast.error(errorMessage(err))
    } finally {
      setSending(false)
    }
  }

  const suggest = async () => {
    setSuggesting(true)
    try {
      const r = await api.send<Record<string, unknown>>(endpoints.suggestReply(conversationId))
      const draft = [r.body, r.reply, r.draft, r.text].find((v) => typeof v === 'string') as
        | string
        | undefined
      if (!draft) {
        toast.info('The assistant has no suggestion for this conversation')
        return
      }
      onMode('reply')
      setText(draft)
      const el = (textRef as { current: HTMLTextAreaElement | null }).current
      el?.focus()
    } catch (err) {
      toast.error(errorMessage(err))
    } finally {
      setSuggesting(false)
    }
  }

  const insert = (body: string) => {
    setText((t) => (t.trim() ? `${t.replace(/\s+$/, '')}\n${body}` : body))
    ;(textRef as { current: HTMLTextAreaElement | null }).current?.focus()
  }

  return (
    <form
      class={cx('composer', note && 'composer-note')}
      aria-label="Composer"
      onSubmit={(e) => {
        e.preventDefault()
        void send()
      }}
    >
      <div class="composer-modes">
        {(['reply', 'note'] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={mode === m}
            class={cx('composer-mode', mode === m && 'active')}
            onClick={() => onMode(m)}
          >
            <Icon name={m === 'note' ? 'note' : 'widget'} size={14} />
            {m === 'note' ? 'Private note' : 'Reply'}
          </button>
        ))}
        <span class="composer-hint">
          {note ? 'Only your team sees notes.' : 'The visitor sees this in the widget.'}
        </span>
      </div>
      <label class="sr-only" for="composer-text">
        {note ? 'Private note' : 'Reply to the visitor'}
      </label>
      <textarea
        id="composer-text"
        ref={textRef}
        class="composer-text"
        rows={3}
        maxLength={10_000}
        placeholder={
          disabledReason ?? (note ? 'Write a note for your team…' : 'Write a reply… (Enter sends)')
        }
        value={text}
        disabled={!!disabledReason}
        onInput={(e) => {
          setText(e.currentTarget.value)
          typing()
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            void send()
          } else if (e.key === 'Escape') e.currentTarget.blur()
        }}
      />
      <div class="composer-bar">
        <SavedRepliesMenu userId={userId} current={text} onPick={insert} />
        <button
          type="button"
          class="btn btn-secondary btn-sm"
          onClick={() => void suggest()}
          disabled={suggesting || !!disabledReason}
          aria-keyshortcuts="g"
        >
          <Icon name="sparkles" size={14} />
          {suggesting ? 'Drafting…' : 'Suggest reply'}
        </button>
        <span class="spacer" />
        <button
          type="submit"
          class={cx('btn btn-sm', note ? 'btn-note' : 'btn-primary')}
          disabled={sending || !text.trim() || !!disabledReason}
        >
          {sending ? 'Sending…' : note ? 'Add note' : 'Send'}
        </button>
      </div>
    </form>
  )
}
