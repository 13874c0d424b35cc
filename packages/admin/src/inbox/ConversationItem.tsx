import { Badge } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { absoluteTime, cx, relativeTime } from '../lib/format.ts'
import { BASE, linkClick } from '../lib/router.ts'
import { contactName, handoffOf, type InboxSummary, initials, personName } from './model.ts'

/** One row of the list: who, when, the last line, and who handles it; bold while unread. */
export function ConversationItem({
  c,
  active,
  unread,
  typing,
}: {
  c: InboxSummary
  active: boolean
  unread: number
  typing: boolean
}) {
  const h = handoffOf(c)
  const who = contactName(c.contact)
  const route = `/conversations/${encodeURIComponent(c.id)}`
  const last = c.last_message
  const lastPrefix =
    !last || last.sender_type === 'contact'
      ? ''
      : last.sender_type === 'agent'
        ? 'Team: '
        : 'Assistant: '
  return (
    <li>
      <a
        href={BASE + route}
        class={cx('conv-item', active && 'active', unread > 0 && 'unread')}
        aria-current={active ? 'true' : undefined}
        data-conversation-id={c.id}
        onClick={linkClick(route)}
      >
        <span class="conv-avatar" aria-hidden="true">
          {initials(who)}
        </span>
        <span class="conv-main">
          <span class="conv-top">
            <span class="conv-who">
              {who}
              {c.contact?.email && !c.contact.email_verified && (
                <span
                  class="badge badge-amber"
                  title="The visitor typed this email but did not prove it (no identity verification or email code)"
                >
                  unverified
                </span>
              )}
            </span>
            <span class="conv-time" title={absoluteTime(c.updated_at)}>
              {relativeTime(c.updated_at)}
            </span>
          </span>
          <span class="conv-subject">{c.subject}</span>
          {typing ? (
            <span class="conv-last conv-typing">Typing…</span>
          ) : (
            last && (
              <span class="conv-last">
                {lastPrefix}
                {last.channel === 'voice' && <Icon name="mic" size={12} />}
                {last.channel === 'phone' && <Icon name="phone" size={12} />} {last.body}
              </span>
            )
          )}
          <span class="conv-meta">
            {h.status === 'resolved' ? (
              <Badge tone="neutral">resolved</Badge>
            ) : h.handledBy === 'human' ? (
              h.assignee ? (
                <Badge tone="green">{personName(h.assignee)}</Badge>
              ) : (
                <Badge tone="amber">waiting for a person</Badge>
              )
            ) : (
              <Badge tone="blue">assistant</Badge>
            )}
            {unread > 0 && (
              <span class="unread-count">
                {unread > 9 ? '9+' : unread}
                <span class="sr-only"> unread</span>
              </span>
            )}
          </span>
        </span>
      </a>
    </li>
  )
}
