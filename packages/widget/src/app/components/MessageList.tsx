import { useEffect, useState } from 'preact/hooks'
import type { Attachment, ChatMessage, ChatSession } from '../chat/session.ts'
import { formatSize } from '../chat/uploads.ts'
import { fill } from '../i18n.ts'
import { useApp } from './context.ts'
import { Icon } from './icons.tsx'
import { usePart } from './lazy.ts'
import { Markdown } from './Markdown.tsx'

const GROUP_MS = 3 * 60_000

/** Source cards, follow-ups and votes: their own chunk, loaded once a conversation starts. */
export const loadAnswerParts = () => import('./answers/AnswerParts.tsx')
type AnswerParts = Awaited<ReturnType<typeof loadAnswerParts>>
/** A person in the conversation (joining, waiting, resolved): loaded once one takes part. */
export const loadPerson = () => import('./person/PersonParts.tsx')
type Person = Awaited<ReturnType<typeof loadPerson>>

/** The assistant's avatar: the tenant's logo, else a spark on the brand gradient. */
export function Avatar({ hide }: { hide?: boolean }) {
  const { host } = useApp()
  const logo = host.config.logo_url
  return (
    <span class="aw-av" data-hide={hide ? '' : undefined} aria-hidden="true">
      {logo && /^data:image\/(?:png|jpeg|svg\+xml);base64,/.test(logo) ? (
        <img src={logo} alt="" />
      ) : (
        <Icon.spark />
      )}
    </span>
  )
}

/** Image types shown as thumbnails (no SVG: a document, not a picture). */
const THUMB_TYPES = /^image\/(?:png|jpeg|gif|webp)$/
// One download per image and page, shared by every row (and the history) that shows it.
const thumbs = new Map<string, Promise<string | undefined>>()

function thumbnailUrl(session: ChatSession, a: Attachment): Promise<string | undefined> {
  let p = thumbs.get(a.id)
  if (!p) {
    const r = session.attachmentRequest(a)
    p = fetch(r.url, r.init)
      .then(async (res) => {
        const blob = res.ok ? await res.blob() : undefined
        return blob && THUMB_TYPES.test(blob.type) ? URL.createObjectURL(blob) : undefined
      })
      .catch(() => undefined)
    // A failure is not remembered: the next render may try again.
    p.then((url) => url ?? thumbs.delete(a.id))
    thumbs.set(a.id, p)
  }
  return p
}

/**
 * The image itself, small, once it is loaded (the file icon until then, or if it can't be).
 * `stored`: the message is on the server (before that, its files can't be downloaded).
 */
function useThumbnail(a: Attachment, stored: boolean): string | undefined {
  const { session } = useApp()
  const [url, setUrl] = useState<string | undefined>()
  useEffect(() => {
    if (!stored || !THUMB_TYPES.test(a.type)) return
    let live = true
    thumbnailUrl(session, a).then((u) => live && setUrl(u))
    return () => {
      live = false
    }
  }, [a.id, stored])
  return url
}

function AttachmentChip({ a, stored }: { a: Attachment; stored: boolean }) {
  const { session, t } = useApp()
  const [busy, setBusy] = useState(false)
  const thumb = useThumbnail(a, stored)
  const [broken, setBroken] = useState(false)
  const download = async () => {
    setBusy(true)
    try {
      // Through fetch, not a link: the download route checks the page's Origin like every call.
      const r = session.attachmentRequest(a)
      const res = await fetch(r.url, r.init)
      if (!res.ok) throw new Error(String(res.status))
      const url = URL.createObjectURL(await res.blob())
      const link = document.createElement('a')
      link.href = url
      link.download = a.name
      link.rel = 'noopener'
      link.click()
      setTimeout(() => URL.revokeObjectURL(url), 30_000)
    } catch {
      // The chip stays; the visitor can try again.
    } finally {
      setBusy(false)
    }
  }
  const Ic = a.type.startsWith('image/') ? Icon.image : Icon.file
  const showThumb = thumb !== undefined && !broken
  return (
    <button
      type="button"
      class="aw-file"
      data-thumb={showThumb ? '' : undefined}
      onClick={download}
      disabled={busy}
      aria-label={fill(t.download, { name: a.name })}
    >
      {showThumb ? (
        <img class="aw-thumb" src={thumb} alt="" onError={() => setBroken(true)} />
      ) : (
        <span class="aw-file-ic">
          <Ic />
        </span>
      )}
      <span class="aw-file-txt">
        <b>{a.name}</b>
        <span>{formatSize(a.size)}</span>
      </span>
    </button>
  )
}

let clockFormat: { locale: string; format: Intl.DateTimeFormat } | undefined

/**
 * The time-of-day formatter for `locale`, made when a message first shows a time and kept. The
 * first `Intl` formatter a page makes loads the locale's data (about 250 ms at a 4× CPU
 * slowdown), which an empty panel does not need; mount() warms it up when a stored conversation
 * will show times.
 */
export function clock(locale: string): Intl.DateTimeFormat {
  if (clockFormat?.locale !== locale)
    clockFormat = {
      locale,
      format: new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }),
    }
  return clockFormat.format
}

function Row({
  m,
  first,
  last,
  newest,
  locale,
  parts,
  person,
}: {
  m: ChatMessage
  first: boolean
  last: boolean
  /** The newest message of the list (its follow-ups are offered; a reply is kept in view). */
  newest: boolean
  /** The page's locale, for the message's time of day. */
  locale: string
  parts: AnswerParts | undefined
  person: Person | undefined
}) {
  const { session, t } = useApp()
  const error =
    m.error === 'agentDown'
      ? t.agentDown
      : m.error === 'rateLimited'
        ? t.rateLimited
        : m.error === 'rejected'
          ? (m.detail ?? t.notSent)
          : m.error
            ? t.notSent
            : ''
  const canRetry = m.error && m.error !== 'rejected'
  const bot = m.role !== 'visitor'
  const complete = m.state === 'done'
  return (
    <div
      class="aw-row"
      data-role={m.role}
      data-state={m.state}
      data-first={first ? '' : undefined}
      data-answer={newest && bot ? '' : undefined}
      data-key={m.key}
    >
      {bot &&
        (person && m.role === 'agent' ? (
          <person.Face name={m.author} hide={!last} />
        ) : (
          <Avatar hide={!last} />
        ))}
      <div class="aw-col">
        {first && m.author && <span class="aw-who">{m.author}</span>}
        {(m.body || m.state === 'streaming') && (
          <div class="aw-bub" dir="auto">
            <Markdown text={m.body} caret={m.state === 'streaming'} />
          </div>
        )}
        {m.attachments && m.attachments.length > 0 && (
          <div class="aw-files">
            {m.attachments.map((a) => (
              <AttachmentChip key={a.id} a={a} stored={!!m.serverId} />
            ))}
          </div>
        )}
        {parts && bot && complete && <parts.After m={m} newest={newest} />}
        {(error || last) && (
          <div class="aw-meta">
            {m.channel === 'voice' && (
              <span class="aw-tag">
                <Icon.mic />
                {t.voice}
              </span>
            )}
            {error ? (
              <span class="aw-fail" role="alert">
                {error}{' '}
                {canRetry && (
                  <button type="button" class="aw-link" onClick={() => session.retry(m.key)}>
                    {t.retry}
                  </button>
                )}
              </span>
            ) : (
              <time dateTime={m.at}>{clock(locale).format(new Date(m.at))}</time>
            )}
          </div>
        )}
      </div>
    </div>
  )
}

export interface MessageListProps {
  messages: ChatMessage[]
  typing?: boolean
  /** Welcome text and quick actions (the live thread only, not a past conversation). */
  intro?: boolean
}

export function MessageList({ messages, typing, intro }: MessageListProps) {
  const { host, session, t } = useApp()
  const parts = usePart(loadAnswerParts, messages.length > 0)
  const welcome = intro ? host.text('welcome_text') : null
  const fresh = intro && !messages.some((m) => m.role === 'visitor')
  const actions = fresh && host.config.quick_actions_enabled ? host.config.quick_actions : []
  // "Talk to a person", when the tenant's hand-off settings offer it.
  const human = fresh && (host.config as { handoff_quick_action?: boolean }).handoff_quick_action
  const conv = intro ? session.state.conv : undefined
  const person = usePart(loadPerson, !!conv || messages.some((m) => m.role === 'agent'))
  const same = (a: ChatMessage | undefined, b: ChatMessage | undefined) =>
    !!a &&
    !!b &&
    a.role === b.role &&
    Math.abs(Date.parse(b.at) - Date.parse(a.at)) < GROUP_MS &&
    !a.error
  return (
    <div class="aw-list">
      {welcome && (
        <div class="aw-row" data-role="assistant" data-first="">
          <Avatar />
          <div class="aw-col">
            <div class="aw-bub" dir="auto">
              <Markdown text={welcome} />
            </div>
          </div>
        </div>
      )}
      {(actions.length > 0 || human) && (
        <div class="aw-qa">
          {actions.map((q) => (
            <button key={q} type="button" class="aw-chip" onClick={() => void session.send(q)}>
              {q}
            </button>
          ))}
          {human && (
            <button
              type="button"
              class="aw-chip"
              onClick={() => void session.send(t.talkToPerson, { action: 'talk_to_person' })}
            >
              {t.talkToPerson}
            </button>
          )}
        </div>
      )}
      {messages.map((m, i) => (
        <Row
          key={m.key}
          m={m}
          first={!same(messages[i - 1], m)}
          last={
            !same(m, messages[i + 1]) &&
            !(typing && i === messages.length - 1 && m.role !== 'visitor' && !conv)
          }
          newest={i === messages.length - 1 && !typing}
          locale={host.locale()}
          parts={parts}
          person={person}
        />
      ))}
      {person && conv && <person.Status conv={conv} messages={messages} />}
      {typing && (
        <div class="aw-row" data-role="assistant" data-first="">
          {person ? <person.TypingFace conv={conv} /> : <Avatar />}
          <div class="aw-col">
            <div class="aw-bub aw-typing" role="status">
              <i />
              <i />
              <i />
              <span class="aw-sr">{t.typing}</span>
            </div>
          </div>
        </div>
      )}
    </div>
  )
}
