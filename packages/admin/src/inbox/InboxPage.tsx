import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { PageHeader } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { cx } from '../lib/format.ts'
import { navigate } from '../lib/router.ts'
import { useAsync } from '../lib/use-async.ts'
import { usePagedSearch } from '../lib/use-search.ts'
import { ConversationDetail, type DetailCommands, NoConversation } from './ConversationDetail.tsx'
import { ConversationList } from './ConversationList.tsx'
import { HelpDialog } from './HelpDialog.tsx'
import { LiveHub, useInboxLive } from './live.ts'
import { contactName, type InboxSummary } from './model.ts'
import { NotifyControls } from './NotifyControls.tsx'
import { chime, desktopNotify } from './notify.ts'
import { QueueTabs } from './QueueTabs.tsx'
import { initialQueue, QUEUES, type QueueId, rememberQueue } from './queues.ts'
import { SeenStore } from './seen.ts'
import { useShortcuts } from './shortcuts.ts'
import './inbox.css'

const PAGE = 25
type List = { items: InboxSummary[]; total: number }

/**
 * The inbox: queues (unassigned, mine, all) beside the open conversation, kept live by the
 * console's event stream; a sound and a desktop notification when a conversation starts waiting
 * for a person.
 */
export function InboxPage({ selectedId }: { selectedId: string | undefined }) {
  const { api, me } = useApp()
  const [queue, setQueue] = useState<QueueId>(initialQueue)
  const { q, setQ, query, offset, setOffset } = usePagedSearch()
  const [status, setStatus] = useState('')
  const hub = useMemo(() => new LiveHub(), [])
  const [typing, setTyping] = useState<Record<string, number>>({})
  const [help, setHelp] = useState(false)
  const [, setReadTick] = useState(0)
  const commands = useRef<DetailCommands | undefined>(undefined)
  const seen = useMemo(() => (me ? new SeenStore(me.user.id) : undefined), [me?.user.id])
  const def = QUEUES.find((x) => x.id === queue)!

  const list = useAsync(
    () =>
      api.send<List>(
        endpoints.listConversations({
          ...def.filters,
          ...(queue === 'all' && status ? { status } : {}),
          q: query,
          limit: PAGE,
          offset,
        }),
      ),
    [api, queue, query, status, offset],
  )
  // The waiting queue is always read: its count, and what is new in it, rings the bell.
  const waiting = useAsync(
    () => api.send<List>(endpoints.listConversations({ ...QUEUES[0]!.filters, limit: 50 })),
    [api],
  )
  const mine = useAsync(
    () => api.send<List>(endpoints.listConversations({ ...QUEUES[1]!.filters, limit: 1 })),
    [api],
  )

  // A first visit counts what exists as read.
  useEffect(() => {
    if (seen?.fresh && list.data) seen.baseline(list.data.items)
  }, [seen, list.data])

  // New arrivals in the waiting queue: sound and desktop notification, once per arrival.
  const known = useRef<Set<string> | undefined>(undefined)
  useEffect(() => {
    const items = waiting.data?.items
    if (!items) return
    const ids = new Set(items.map((c) => c.id))
    if (known.current) {
      const fresh = items.filter((c) => !known.current!.has(c.id))
      if (fresh.length) {
        chime()
        for (const c of fresh) {
          desktopNotify(
            `${contactName(c.contact)} is waiting for a person`,
            c.last_message?.body ?? c.subject,
            `handoff-${c.id}`,
            () => navigate(`/conversations/${encodeURIComponent(c.id)}`),
          )
        }
      }
    }
    known.current = ids
  }, [waiting.data])

  const refreshLists = useRef<ReturnType<typeof setTimeout>>()
  const refresh = () => {
    clearTimeout(refreshLists.current)
    refreshLists.current = setTimeout(() => {
      void list.reload()
      void waiting.reload()
      void mine.reload()
    }, 120)
  }
  const live = useInboxLive((e) => {
    hub.emit(e)
    if (e.type === 'typing') {
      if (e.conversation_id && e.sender_type !== 'agent')
        setTyping((t) => ({ ...t, [e.conversation_id!]: Date.now() + 6000 }))
      return
    }
    if (e.type === 'message' && e.conversation_id)
      setTyping((t) => ({ ...t, [e.conversation_id!]: 0 }))
    refresh()
  })
  useEffect(() => {
    const t = setInterval(() => {
      const now = Date.now()
      setTyping((cur) =>
        Object.values(cur).some((u) => u && u < now)
          ? Object.fromEntries(Object.entries(cur).filter(([, u]) => u > now))
          : cur,
      )
    }, 2000)
    return () => clearInterval(t)
  }, [])

  const items = list.data?.items ?? []
  useEffect(() => {
    // On a wide screen the first conversation opens by itself.
    if (!selectedId && items[0] && matchMedia('(min-width: 1100px)').matches)
      navigate(`/conversations/${encodeURIComponent(items[0].id)}`, { replace: true })
  }, [selectedId, items[0]?.id])

  const pickQueue = (id: QueueId) => {
    setQueue(id)
    rememberQueue(id)
    setOffset(0)
  }
  const step = (by: number) => {
    if (!items.length) return
    const i = items.findIndex((c) => c.id === selectedId)
    const next = items[Math.min(items.length - 1, Math.max(0, i < 0 ? 0 : i + by))]!
    navigate(`/conversations/${encodeURIComponent(next.id)}`)
    document.querySelector<HTMLElement>(`[data-conversation-id="${CSS.escape(next.id)}"]`)?.focus()
  }
  useShortcuts({
    j: () => step(1),
    k: () => step(-1),
    '1': () => pickQueue('unassigned'),
    '2': () => pickQueue('mine'),
    '3': () => pickQueue('all'),
    '/': () => document.getElementById('conv-search')?.focus(),
    '?': () => setHelp(true),
    r: () => commands.current?.reply(),
    n: () => commands.current?.note(),
    a: () => commands.current?.claim(),
    h: () => commands.current?.returnToAi(),
    e: () => commands.current?.toggleResolved(),
    g: () => commands.current?.suggest(),
  })

  return (
    <div class="page page-wide page-inbox">
      <PageHeader
        breadcrumb="Activity"
        title="Conversations"
        description="Every widget conversation. Take over from the assistant, reply, and hand it back."
        actions={
          <>
            <span class={cx('live-dot', live)} role="status">
              {live === 'live' ? 'Live' : live === 'polling' ? 'Updating' : 'Connecting…'}
            </span>
            <NotifyControls />
            <button
              type="button"
              class="btn btn-secondary"
              onClick={() => setHelp(true)}
              aria-keyshortcuts="?"
            >
              <Icon name="keyboard" size={16} />
              Shortcuts
            </button>
          </>
        }
      />
      <div class={cx('inbox', selectedId && 'has-selection')}>
        <section class="card card-flush inbox-list" aria-label="Conversation list">
          <QueueTabs
            queue={queue}
            counts={{ unassigned: waiting.data?.total, mine: mine.data?.total }}
            onQueue={pickQueue}
          />
          <ConversationList
            list={list}
            queue={def}
            selectedId={selectedId}
            q={q}
            onQ={setQ}
            status={status}
            onStatus={(s) => {
              setStatus(s)
              setOffset(0)
            }}
            offset={offset}
            pageSize={PAGE}
            onOffset={setOffset}
            unread={(c) => (c.id === selectedId ? 0 : (seen?.unread(c.id, c.message_count) ?? 0))}
            typing={(id) => (typing[id] ?? 0) > Date.now()}
          />
        </section>
        {selectedId ? (
          <ConversationDetail
            key={selectedId}
            id={selectedId}
            hub={hub}
            commands={commands}
            onChanged={refresh}
            onRead={(id, n) => seen?.markRead(id, n) && setReadTick((x) => x + 1)}
          />
        ) : (
          <NoConversation />
        )}
      </div>
      <HelpDialog open={help} onClose={() => setHelp(false)} />
    </div>
  )
}
