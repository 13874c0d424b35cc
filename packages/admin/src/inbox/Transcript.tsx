import { useEffect, useRef } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'
import { MessageItem } from './MessageItem.tsx'
import type { InboxMessage } from './model.ts'

/**
 * The whole conversation, oldest first, kept scrolled to the newest message while the agent is
 * at the end; the visitor's typing shows under it.
 */
export function Transcript({
  messages,
  visitor,
  visitorTyping,
  truncated,
}: {
  messages: InboxMessage[]
  visitor: string
  visitorTyping: boolean
  truncated: boolean
}) {
  const ref = useRef<HTMLOListElement>(null)
  const atEnd = useRef(true)
  const last = messages[messages.length - 1]?.id
  useEffect(() => {
    const el = ref.current
    if (el && atEnd.current) el.scrollTop = el.scrollHeight
  }, [last, visitorTyping])
  return (
    <div class="transcript">
      {truncated && (
        <p class="banner banner-info conv-truncated">
          <Icon name="info" size={16} />
          Older messages are not shown; this view keeps the latest {messages.length}.
        </p>
      )}
      <ol
        ref={ref}
        class="thread"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the transcript scrolls; a keyboard must reach it to scroll it
        tabIndex={0}
        aria-label="Messages"
        aria-live="polite"
        aria-relevant="additions"
        onScroll={(e) => {
          const el = e.currentTarget
          atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48
        }}
      >
        {messages.map((m) => (
          <MessageItem key={m.id} m={m} visitor={visitor} />
        ))}
        {visitorTyping && (
          <li class="msg msg-visitor typing-row" aria-label={`${visitor} is typing`}>
            <div class="msg-body">
              <div class="msg-bubble typing-dots" aria-hidden="true">
                <span />
                <span />
                <span />
              </div>
            </div>
          </li>
        )}
      </ol>
    </div>
  )
}
