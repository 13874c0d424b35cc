import { useState } from 'preact/hooks'
import { attachmentRequest } from '../chat/endpoints.ts'
import type { Attachment, ChatMessage } from '../chat/session.ts'
import { formatSize } from '../chat/uploads.ts'
import { fill } from '../i18n.ts'
import { useApp } from './context.ts'
import { Icon } from './icons.tsx'
import { Markdown } from './Markdown.tsx'

const GROUP_MS = 3 * 60_000

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

function AttachmentChip({ a }: { a: Attachment }) {
  const { session, t } = useApp()
  const [busy, setBusy] = useState(false)
  const download = async () => {
    setBusy(true)
    try {
      // Through fetch, not a link: the download route checks the page's Origin like every call.
      const r = attachmentRequest(session.api, a.id)
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
  return (
    <button
      type="button"
      class="aw-file"
      onClick={download}
      disabled={busy}
      aria-label={fill(t.download, { name: a.name })}
    >
      <span class="aw-file-ic">
        <Ic />
      </span>
      <span class="aw-file-txt">
        <b>{a.name}</b>
        <span>{formatSize(a.size)}</span>
      </span>
    </button>
  )
}

function Row({
  m,
  first,
  last,
  time,
}: {
  m: ChatMessage
  first: boolean
  last: boolean
  time: Intl.DateTimeFormat
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
  return (
    <div
      class="aw-row"
      data-role={m.role}
      data-state={m.state}
      data-first={first ? '' : undefined}
      data-key={m.key}
    >
      {bot && <Avatar hide={!last} />}
      <div class="aw-col">
        {(m.body || m.state === 'streaming') && (
          <div class="aw-bub" dir="auto">
            <Markdown text={m.body} caret={m.state === 'streaming'} />
          </div>
        )}
        {m.attachments && m.attachments.length > 0 && (
          <div class="aw-files">
            {m.attachments.map((a) => (
              <AttachmentChip key={a.id} a={a} />
            ))}
          </div>
        )}
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
              <time dateTime={m.at}>{time.format(new Date(m.at))}</time>
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
  const time = new Intl.DateTimeFormat(host.locale(), { hour: 'numeric', minute: '2-digit' })
  const welcome = intro ? host.text('welcome_text') : null
  const actions =
    intro && host.config.quick_actions_enabled && !messages.some((m) => m.role === 'visitor')
      ? host.config.quick_actions
      : []
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
      {actions.length > 0 && (
        <div class="aw-qa">
          {actions.map((q) => (
            <button key={q} type="button" class="aw-chip" onClick={() => void session.send(q)}>
              {q}
            </button>
          ))}
        </div>
      )}
      {messages.map((m, i) => (
        <Row
          key={m.key}
          m={m}
          first={!same(messages[i - 1], m)}
          last={
            !same(m, messages[i + 1]) &&
            !(typing && i === messages.length - 1 && m.role !== 'visitor')
          }
          time={time}
        />
      ))}
      {typing && (
        <div class="aw-row" data-role="assistant" data-first="">
          <Avatar />
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
