import type { ConsoleConversationDetail, ConsoleConversationList } from '@aurion/contract'
import { useEffect, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, EmptyState, LoadError, Loading, PageHeader } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { Pager } from '../components/Pager.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime, cx, formatBytes, relativeTime } from '../lib/format.ts'
import { BASE, linkClick, navigate } from '../lib/router.ts'
import { useAsync } from '../lib/use-async.ts'

const PAGE = 25

const who = (c: ConsoleConversationDetail['contact']) => c?.name ?? c?.email ?? 'Anonymous visitor'

/** Recent widget conversations (read-only): what visitors asked and what the assistant said. */
export function ConversationsPage({ selectedId }: { selectedId: string | undefined }) {
  const { api } = useApp()
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const [status, setStatus] = useState('')
  const [offset, setOffset] = useState(0)
  const list = useAsync(
    () =>
      api.send<ConsoleConversationList>(
        endpoints.listConversations({ q: query, status, limit: PAGE, offset }),
      ),
    [api, query, status, offset],
  )
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(q.trim())
      setOffset(0)
    }, 250)
    return () => clearTimeout(t)
  }, [q])

  const items = list.data?.items ?? []
  const total = list.data?.total ?? 0
  useEffect(() => {
    // On a wide screen the newest conversation opens by itself.
    if (!selectedId && items[0] && matchMedia('(min-width: 1100px)').matches)
      navigate(`/conversations/${encodeURIComponent(items[0].id)}`, { replace: true })
  }, [selectedId, items[0]?.id])

  return (
    <div class="page page-wide">
      <PageHeader
        breadcrumb="Activity"
        title="Conversations"
        description="What visitors asked through the widget and what the assistant answered. Read-only."
        actions={
          <button
            type="button"
            class="btn btn-secondary"
            onClick={() => void list.reload()}
            disabled={list.loading}
          >
            <Icon name="refresh" size={16} />
            Refresh
          </button>
        }
      />
      {list.data && total === 0 && !query && !status ? (
        <section class="card">
          <EmptyState icon="inbox" title="No conversations yet">
            When visitors chat with the widget on your site, their conversations and the assistant’s
            answers appear here.
          </EmptyState>
        </section>
      ) : (
        <div class="inbox">
          <section
            class="card card-flush inbox-list"
            aria-labelledby="conv-list-title"
            aria-busy={list.loading}
          >
            <h2 id="conv-list-title" class="sr-only">
              Conversation list
            </h2>
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
                  onInput={(e) => setQ(e.currentTarget.value)}
                />
              </div>
              <label class="sr-only" for="conv-status">
                Status
              </label>
              <select
                id="conv-status"
                class="input input-sm"
                value={status}
                onChange={(e) => {
                  setStatus(e.currentTarget.value)
                  setOffset(0)
                }}
              >
                <option value="">All statuses</option>
                <option value="open">Open</option>
                <option value="resolved">Resolved</option>
              </select>
            </div>
            {list.error && !list.data && (
              <LoadError message={list.error} onRetry={() => void list.reload()} />
            )}
            {!list.data && !list.error && <Loading label="Loading conversations…" lines={6} />}
            {list.data && items.length === 0 && (
              <EmptyState
                icon="inbox"
                title={query || status ? 'No matching conversations' : 'No conversations yet'}
              >
                {query || status
                  ? 'Try other words or another status.'
                  : 'When visitors chat with the widget, their conversations appear here.'}
              </EmptyState>
            )}
            <ul class="conv-list">
              {items.map((c) => {
                const active = c.id === selectedId
                return (
                  <li key={c.id}>
                    <a
                      href={`${BASE}/conversations/${encodeURIComponent(c.id)}`}
                      class={cx('conv-item', active && 'active')}
                      aria-current={active ? 'true' : undefined}
                      onClick={linkClick(`/conversations/${encodeURIComponent(c.id)}`)}
                    >
                      <span class="conv-top">
                        <span class="conv-who">{who(c.contact)}</span>
                        <span class="conv-time" title={absoluteTime(c.updated_at)}>
                          {relativeTime(c.updated_at)}
                        </span>
                      </span>
                      <span class="conv-subject">{c.subject}</span>
                      {c.last_message && (
                        <span class="conv-last">
                          {c.last_message.sender_type === 'contact' ? '' : 'Assistant: '}
                          {c.last_message.body}
                        </span>
                      )}
                      <span class="conv-meta">
                        <Badge tone={c.status === 'open' ? 'blue' : 'neutral'}>{c.status}</Badge>
                        <span class="muted">
                          {c.message_count} {c.message_count === 1 ? 'message' : 'messages'}
                        </span>
                      </span>
                    </a>
                  </li>
                )
              })}
            </ul>
            <Pager
              label="Conversation pages"
              offset={offset}
              pageSize={PAGE}
              total={total}
              onOffset={setOffset}
              prevLabel="Newer"
              nextLabel="Older"
            />
          </section>
          <ConversationView id={selectedId} />
        </div>
      )}
    </div>
  )
}

function ConversationView({ id }: { id: string | undefined }) {
  const { api } = useApp()
  const conv = useAsync(
    () =>
      id
        ? api.send<ConsoleConversationDetail>(endpoints.getConversation(id))
        : Promise.resolve(undefined),
    [api, id],
  )
  if (!id) {
    return (
      <section class="card inbox-detail" aria-label="Conversation">
        <EmptyState icon="inbox" title="Pick a conversation">
          Its messages appear here.
        </EmptyState>
      </section>
    )
  }
  const c = conv.data
  return (
    <section
      class="card card-flush inbox-detail"
      aria-labelledby="conv-title"
      aria-busy={conv.loading}
    >
      {conv.error && !c && <LoadError message={conv.error} onRetry={() => void conv.reload()} />}
      {!c && !conv.error && <Loading label="Loading conversation…" lines={8} />}
      {c && (
        <>
          <header class="conv-head">
            <div>
              <h2 id="conv-title">{c.subject}</h2>
              <p class="muted">
                <Icon name="user" size={14} /> {who(c.contact)}
                {c.contact?.email && c.contact.name ? ` · ${c.contact.email}` : ''} · started{' '}
                <span title={absoluteTime(c.created_at)}>{relativeTime(c.created_at)}</span>
              </p>
            </div>
            <Badge tone={c.status === 'open' ? 'blue' : 'neutral'}>{c.status}</Badge>
          </header>
          {c.messages_truncated && (
            <p class="banner banner-info conv-truncated">
              <Icon name="info" size={16} />
              Older messages are not shown; this view keeps the latest {c.messages.length}.
            </p>
          )}
          <ol class="thread" aria-label="Messages">
            {c.messages.map((m) => {
              const mine = m.sender_type === 'contact'
              const sources = Array.isArray((m.metadata as { sources?: unknown } | null)?.sources)
                ? ((m.metadata as { sources: { title?: unknown }[] }).sources
                    .map((s) => (typeof s?.title === 'string' ? s.title : ''))
                    .filter(Boolean) as string[])
                : []
              return (
                <li key={m.id} class={cx('msg', mine ? 'msg-visitor' : 'msg-ai')}>
                  <div class="msg-avatar" aria-hidden="true">
                    <Icon
                      name={mine ? 'user' : m.sender_type === 'agent' ? 'user' : 'sparkles'}
                      size={14}
                    />
                  </div>
                  <div class="msg-body">
                    <p class="msg-who">
                      {mine ? who(c.contact) : m.sender_type === 'agent' ? 'Agent' : 'Assistant'}
                      {m.channel === 'voice' && (
                        <span class="msg-channel" title="Said in a voice call">
                          <Icon name="mic" size={12} /> voice
                        </span>
                      )}
                      <span class="msg-time" title={absoluteTime(m.created_at)}>
                        {relativeTime(m.created_at)}
                      </span>
                    </p>
                    <div class="msg-bubble">{m.body}</div>
                    {m.attachments.length > 0 && (
                      <ul class="msg-files">
                        {m.attachments.map((a) => (
                          <li key={a.upload_id}>
                            <Icon name="paperclip" size={14} />
                            {a.file_name} <span class="muted">({formatBytes(a.size_bytes)})</span>
                          </li>
                        ))}
                      </ul>
                    )}
                    {sources.length > 0 && (
                      <p class="msg-sources">
                        <Icon name="book" size={12} /> From {sources.join(', ')}
                      </p>
                    )}
                  </div>
                </li>
              )
            })}
          </ol>
        </>
      )}
    </section>
  )
}
