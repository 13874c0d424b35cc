import type { FeedbackRating } from '@aurion/contract'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import { storageKey } from '../../../shared/host.ts'
import { callApi } from '../../chat/endpoints.ts'
import {
  COMMENT_MAX,
  CsatMemory,
  csatRequest,
  feedbackRequest,
  resolvedState,
  resolveRequest,
  withVote,
} from '../../chat/feedback-api.ts'
import type { ChatMessage } from '../../chat/types.ts'
import { useApp, useStore } from '../context.ts'
import { IconButton } from '../IconButton.tsx'
import { strokeSvg } from '../icons.tsx'
import styles from './feedback.css?inline'
import { useWords } from './words.ts'

/** This part's styles (added to the shadow root when it loads). */
export const css = styles

const thumb = (down?: boolean) =>
  strokeSvg(
    'M7 10v11M14.5 5.9 13.6 10H19a2 2 0 0 1 1.9 2.6l-2.3 7A2 2 0 0 1 16.7 21H4a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1h2.8a2 2 0 0 0 1.8-1.1L12 2a3.1 3.1 0 0 1 2.5 3.9Z',
    undefined,
    down ? 'aw-down' : undefined,
  )

/** Proof that the live thread is the visitor's (their token, else the thread id alone). */
function useProof() {
  const { session } = useApp()
  return { threadId: session.state.threadId, emailToken: session.state.emailToken }
}

/** An optional comment (after a thumbs down or a score): Send or Skip. Focus starts in it. */
function CommentForm({
  label,
  onSend,
  onSkip,
}: {
  label: string
  onSend(text: string): Promise<void>
  onSkip(): void
}) {
  const w = useWords()
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [failed, setFailed] = useState(false)
  const box = useRef<HTMLTextAreaElement>(null)
  useLayoutEffect(() => box.current?.focus(), [])
  return (
    <form
      class="aw-fb-form"
      onSubmit={async (e) => {
        e.preventDefault()
        setBusy(true)
        setFailed(false)
        try {
          await onSend(text)
        } catch {
          setFailed(true)
          setBusy(false)
        }
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          onSkip()
        }
      }}
    >
      <label>
        <span>{label}</span>
        <textarea
          ref={box}
          rows={2}
          maxLength={COMMENT_MAX}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      {failed && (
        <p class="aw-err" role="alert">
          {w.failed}
        </p>
      )}
      <div class="aw-fb-actions">
        <button type="button" class="aw-link" onClick={onSkip}>
          {w.skip}
        </button>
        <button type="submit" class="aw-btn" disabled={busy || !text.trim()}>
          {w.send}
        </button>
      </div>
    </form>
  )
}

/**
 * Thumbs up/down under an answer of the assistant (`aria-pressed` shows the vote, which is kept
 * with the thread). A thumbs down is sent at once, then offers an optional comment (sent as a
 * second vote, which replaces the first). Under the newest answer, while the conversation is
 * open and the satisfaction question is on: "Mark as resolved".
 */
export function Votes({ m, newest }: { m: ChatMessage; newest: boolean }) {
  const { host, session } = useApp()
  useStore(session)
  const w = useWords()
  const proof = useProof()
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<'' | 'thanks' | 'failed' | 'comment'>('')
  const downButton = useRef<HTMLButtonElement>(null)
  /** The comment form closes: the focus goes back to the thumbs down that opened it. */
  const closeComment = () => {
    setStatus('thanks')
    downButton.current?.focus()
  }
  const on = host.config.feedback_enabled !== false
  const s = session.state
  const resolvable =
    newest &&
    host.config.csat_enabled !== false &&
    !!s.conversationId &&
    s.conv?.status !== 'resolved'

  const vote = async (rating: FeedbackRating, comment?: string) => {
    if (!m.serverId) return
    await callApi(feedbackRequest(session.api, proof, m.serverId, rating, comment))
    session.set(withVote(session.state, m.key, rating))
  }
  const click = async (rating: FeedbackRating) => {
    setBusy(true)
    try {
      await vote(rating)
      setStatus(rating === 'down' ? 'comment' : 'thanks')
    } catch {
      setStatus('failed')
    } finally {
      setBusy(false)
    }
  }
  const resolve = async () => {
    const id = session.state.conversationId
    if (!id) return
    setBusy(true)
    try {
      await callApi(resolveRequest(session.api, id, proof))
      session.set(resolvedState(session.state, id))
    } catch {
      setStatus('failed')
    } finally {
      setBusy(false)
    }
  }

  if (!on && !resolvable) return null
  return (
    <div class="aw-fb">
      {on && (
        <div class="aw-fb-row">
          {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of two toggle buttons, not a fieldset */}
          <div class="aw-votes" role="group" aria-label={w.rate}>
            <IconButton
              class="aw-vote"
              label={w.up}
              aria-pressed={m.vote === 'up'}
              disabled={busy}
              onClick={() => click('up')}
            >
              {thumb()}
            </IconButton>
            <IconButton
              buttonRef={downButton}
              class="aw-vote"
              label={w.down}
              aria-pressed={m.vote === 'down'}
              disabled={busy}
              onClick={() => click('down')}
            >
              {thumb(true)}
            </IconButton>
          </div>
          {(status === 'thanks' || status === 'failed') && (
            <span class="aw-fb-note" role={status === 'failed' ? 'alert' : 'status'}>
              {status === 'failed' ? w.failed : w.thanks}
            </span>
          )}
        </div>
      )}
      {status === 'comment' && (
        <CommentForm
          label={w.whatMissing}
          onSend={async (text) => {
            await vote('down', text)
            closeComment()
          }}
          onSkip={closeComment}
        />
      )}
      {resolvable && status !== 'comment' && (
        <button type="button" class="aw-link aw-resolve" disabled={busy} onClick={resolve}>
          {w.markResolved}
        </button>
      )}
    </div>
  )
}

const SCORES = [1, 2, 3, 4, 5] as const

/**
 * "How satisfied are you?" (1–5) under a resolved conversation, once per conversation on this
 * browser. When it appears with the focus nowhere (the "resolved" button that led here is gone),
 * the focus moves to its first score; it never takes the focus from the composer.
 */
export function Csat({ conversationId }: { conversationId: string }) {
  const { host, session } = useApp()
  const w = useWords()
  const proof = useProof()
  const memory = new CsatMemory(storageKey(host.tenantId, 'csat'))
  const [score, setScore] = useState(() => memory.get(conversationId))
  const [step, setStep] = useState<'ask' | 'comment' | 'done'>(score ? 'done' : 'ask')
  const [busy, setBusy] = useState(false)
  const [failed, setFailed] = useState(false)
  const first = useRef<HTMLButtonElement>(null)
  const done = useRef<HTMLParagraphElement>(null)
  const self = useRef<HTMLFieldSetElement>(null)
  // In the same commit as the question appears (layout effects), so nothing races it. A visitor
  // reading the end of the conversation sees the question come in below it.
  useLayoutEffect(() => {
    const el = self.current
    const body = el?.closest('.aw-body')
    if (el && body && body.scrollHeight - body.scrollTop - body.clientHeight - el.offsetHeight < 80)
      body.scrollTop = body.scrollHeight
    if (step === 'ask' && !host.root.activeElement) first.current?.focus()
  }, [])
  useLayoutEffect(() => {
    if (step === 'done' && score && !host.root.activeElement) done.current?.focus()
  }, [step])

  const send = async (n: number, comment?: string) => {
    await callApi(csatRequest(session.api, proof, n, comment))
    memory.set(conversationId, n)
    setScore(n)
  }
  if (step === 'done') {
    return (
      <p class="aw-csat-done" role="status" tabIndex={-1} ref={done}>
        {w.csatThanks}
      </p>
    )
  }
  return (
    <fieldset class="aw-csat" aria-describedby="aw-csat-hint" ref={self}>
      <legend>{w.csatQuestion}</legend>
      <p id="aw-csat-hint" class="aw-csat-hint">
        {w.csatHint}
      </p>
      <div class="aw-scores">
        {SCORES.map((n) => (
          <button
            key={n}
            ref={n === 1 ? first : undefined}
            type="button"
            class="aw-score"
            aria-pressed={score === n}
            aria-label={`${n} – ${w.scale[n - 1]}`}
            title={w.scale[n - 1]}
            disabled={busy || step === 'comment'}
            onClick={async () => {
              setBusy(true)
              setFailed(false)
              try {
                await send(n)
                setStep('comment')
              } catch {
                setFailed(true)
              } finally {
                setBusy(false)
              }
            }}
          >
            {n}
          </button>
        ))}
      </div>
      <div class="aw-scale" aria-hidden="true">
        <span>{w.scale[0]}</span>
        <span>{w.scale[4]}</span>
      </div>
      {failed && (
        <p class="aw-err" role="alert">
          {w.failed}
        </p>
      )}
      {step === 'comment' && score && (
        <CommentForm
          label={w.csatComment}
          onSend={async (text) => {
            await send(score, text)
            setStep('done')
          }}
          onSkip={() => setStep('done')}
        />
      )}
    </fieldset>
  )
}
