import { EmptyState, LoadError, Loading } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { Pager } from '../components/Pager.tsx'
import type { AsyncState } from '../lib/use-async.ts'
import { ConversationItem } from './ConversationItem.tsx'
import type { InboxSummary } from './model.ts'
import type { Queue } from './queues.ts'

/** Search, the status filter (All queue), and the conversations of the queue, newest first. */
export function ConversationList({
  list,
  queue,
  selectedId,
  q,
  onQ,
  status,
  onStatus,
  offset,
  pageSize,
  onOffset,
  unread,
  typing,
}: {
  list: AsyncState<{ items: InboxSummary[]; total: number }>
  queue: Queue
  selectedId: string | undefined
  q: string
  onQ: (q: string) => void
  status: string
  onStatus: (s: string) => void
  offset: number
  pageSize: number
  onOffset: (n: number) => void
  unread: (c: InboxSummary) => number
  typing: (id: string) => boolean
}) {
  const items = list.data?.items ?? []
  const filtered = !!q.trim() || (queue.id === 'all' && !!status)
  return (
    <div
      id="conv-list"
      role="tabpanel"
      aria-labelledby={`queue-${queue.id}`}
      aria-busy={list.loading}
      class="conv-panel"
    >
      <div class="inbox-filters">
        <div class="search-box">
          <Icon name="search" size={16} class="search-icon" />
          <label class="sr-only" for="conv-search">
            Search conversations
          </label>
          <input
            id="conv-search"
            type="search"
            class="input"
            placeholder="Search messages, emails…"
            value={q}
            aria-keyshortcuts="/"
            onInput={(e) => onQ(e.currentTarget.value)}
          />
        </div>
        {queue.id === 'all' && (
          <>
            <label class="sr-only" for="conv-status">
              Status
            </label>
            <select
              id="conv-status"
              class="input input-sm"
              value={status}
              onChange={(e) => onStatus(e.currentTarget.value)}
            >
              <option value="">All statuses</option>
              <option value="open">Open</option>
              <option value="resolved">Resolved</option>
            </select>
          </>
        )}
      </div>
      {list.error && !list.data && (
        <LoadError message={list.error} onRetry={() => void list.reload()} />
      )}
      {!list.data && !list.error && <Loading label="Loading conversations…" lines={6} />}
      {list.data && items.length === 0 && (
        <EmptyState icon="inbox" title={filtered ? 'No matching conversations' : 'Nothing here'}>
          {filtered ? 'Try other words or another status.' : queue.empty}
        </EmptyState>
      )}
      <ul class="conv-list" aria-label={`${queue.label} conversations`}>
        {items.map((c) => (
          <ConversationItem
            key={c.id}
            c={c}
            active={c.id === selectedId}
            unread={unread(c)}
            typing={typing(c.id)}
          />
        ))}
      </ul>
      <Pager
        label="Conversation pages"
        offset={offset}
        pageSize={pageSize}
        total={list.data?.total ?? 0}
        onOffset={onOffset}
        prevLabel="Newer"
        nextLabel="Older"
      />
    </div>
  )
}
