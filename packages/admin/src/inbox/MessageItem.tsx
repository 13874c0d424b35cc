import { Icon } from '../components/Icon.tsx'
import { absoluteTime, cx, formatBytes, relativeTime } from '../lib/format.ts'
import { authorOf, type InboxMessage, isPrivate, personName, sourcesOf } from './model.ts'

/** Raster images shown as thumbnails (the server serves them inline; SVG never is). */
const THUMB_TYPES = /^image\/(?:png|jpeg|gif|webp)$/

/**
 * One message of the transcript: the visitor's, the assistant's (with the articles it answered
 * from), a person's, or a private note (only the team sees it; drawn apart). Spoken turns are
 * marked as voice; attachments are listed and images shown.
 */
export function MessageItem({ m, visitor }: { m: InboxMessage; visitor: string }) {
  const note = isPrivate(m)
  const kind = m.sender_type === 'contact' ? 'visitor' : m.sender_type === 'agent' ? 'agent' : 'ai'
  const author = authorOf(m)
  const who =
    kind === 'visitor' ? visitor : kind === 'agent' ? personName(author) : 'Aurion assistant'
  const sources = kind === 'ai' ? sourcesOf(m) : []
  return (
    <li
      class={cx('msg', `msg-${kind}`, note && 'msg-note')}
      data-message-id={m.id}
      aria-label={note ? `Private note by ${who}` : undefined}
    >
      <div class="msg-avatar" aria-hidden="true">
        <Icon name={kind === 'ai' ? 'sparkles' : note ? 'lock' : 'user'} size={14} />
      </div>
      <div class="msg-body">
        <p class="msg-who">
          {who}
          {note && (
            <span class="msg-tag msg-tag-note">
              <Icon name="lock" size={11} /> Private note · only the team sees this
            </span>
          )}
          {m.channel === 'voice' && (
            <span class="msg-channel" title="Said in a voice call">
              <Icon name="mic" size={12} /> voice
            </span>
          )}
          {m.channel === 'phone' && (
            <span class="msg-channel" title="Said on a phone call">
              <Icon name="phone" size={12} /> phone
            </span>
          )}
          <span class="msg-time" title={absoluteTime(m.created_at)}>
            {relativeTime(m.created_at)}
          </span>
        </p>
        <div class="msg-bubble">{m.body}</div>
        {m.attachments.length > 0 && (
          <ul class="msg-files" aria-label="Attachments">
            {m.attachments.map((a) => {
              // The session cookie authorizes the download (same origin).
              const href = `/api/v1/uploads/${encodeURIComponent(a.upload_id)}`
              return (
                <li key={a.upload_id}>
                  {THUMB_TYPES.test(a.content_type) ? (
                    <a class="msg-thumb" href={href} target="_blank" rel="noopener">
                      <img src={href} alt={a.file_name} loading="lazy" />
                    </a>
                  ) : (
                    <Icon name="paperclip" size={14} />
                  )}
                  <a href={href} download={a.file_name}>
                    {a.file_name}
                  </a>{' '}
                  <span class="muted">({formatBytes(a.size_bytes)})</span>
                </li>
              )
            })}
          </ul>
        )}
        {sources.length > 0 && (
          <ul class="msg-sources" aria-label="Sources">
            {sources.map((s) => (
              <li key={s.title}>
                <Icon name="book" size={12} />
                {s.url ? (
                  <a href={s.url} target="_blank" rel="noopener noreferrer">
                    {s.title}
                  </a>
                ) : (
                  s.title
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </li>
  )
}
