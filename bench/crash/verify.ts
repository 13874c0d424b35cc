import type { DbHandle } from '../../packages/server/src/db/connect.ts'
import type { Ledger } from './writers.ts'

/** Per kind of write: visitor messages, the assistant's replies, hand-offs, people's replies. */
export interface KindCounts {
  visitor: number
  replies: number
  handoffs: number
  agent: number
}

/** What the run found in the database and at the webhook receiver. */
export interface CrashCounts {
  acknowledged: KindCounts
  stored: KindCounts & { conversations: number }
  /** Acknowledged but not stored (or under another id); stored without its event; undelivered. */
  lost: KindCounts & { events: number; deliveries: number }
  /** Stored twice; two event rows (or delivery rows) for one change. */
  duplicated: KindCounts & { events: number }
  webhooks: {
    /** Event rows in the outbox (message.created, conversation.created, handoff_requested). */
    events: number
    /** Event ids the receiver got at least once. */
    delivered: number
    /** Deliveries the receiver got beyond the first per event id (allowed: at least once). */
    duplicateDeliveries: number
  }
  /** A few of the problems found, to start looking from. */
  samples: string[]
}

interface Msg {
  id: string
  conversation_id: string
  sender_type: string
  body: string
  source_message_id: string | null
  reply_to_id: string | null
}

function groupBy<T>(rows: T[], key: (r: T) => string | null | undefined): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const r of rows) {
    const k = key(r)
    if (k === null || k === undefined) continue
    const list = m.get(k)
    if (list) list.push(r)
    else m.set(k, [r])
  }
  return m
}

const extra = (groups: Map<string, unknown[]>) =>
  [...groups.values()].reduce((n, list) => n + Math.max(0, list.length - 1), 0)

/**
 * Compares the ledger with what is stored (after every server stopped) and with what the
 * receiver got: every acknowledged write stored exactly once, every stored message, conversation
 * and hand-off with exactly one event row and one delivery row, every event delivered.
 */
export async function verifyRun(
  database: DbHandle,
  tenantId: string,
  ledger: Ledger,
  received: Map<string, number>,
): Promise<CrashCounts> {
  const db = database.db
  const messages: Msg[] = await db
    .selectFrom('messages')
    .select(['id', 'conversation_id', 'sender_type', 'body', 'source_message_id', 'reply_to_id'])
    .where('tenant_id', '=', tenantId)
    .execute()
  const conversations = await db
    .selectFrom('conversations')
    .select(['id', 'handled_by', 'handoff_reason'])
    .where('tenant_id', '=', tenantId)
    .execute()
  const events = await db
    .selectFrom('webhook_events')
    .select(['id', 'type', 'payload'])
    .where('tenant_id', '=', tenantId)
    .execute()
  const deliveries = await db
    .selectFrom('webhook_deliveries')
    .select(['event_id', 'status', 'attempt_count', 'last_error'])
    .where('tenant_id', '=', tenantId)
    .execute()

  const visitor = messages.filter((m) => m.sender_type === 'contact')
  const replies = messages.filter((m) => m.sender_type === 'ai')
  const agent = messages.filter((m) => m.sender_type === 'agent')
  const byId = new Map(messages.map((m) => [m.id, m]))
  const visitorBySource = groupBy(visitor, (m) => m.source_message_id)
  const agentBySource = groupBy(agent, (m) => m.source_message_id)
  const handedOff = conversations.filter((c) => c.handled_by === 'human')
  const conversationById = new Map(conversations.map((c) => [c.id, c]))

  const data = (e: { payload: string }) =>
    (
      JSON.parse(e.payload) as {
        data: { message?: { id: string }; conversation?: { id: string } }
      }
    ).data
  const eventsOf = (type: string, id: (d: ReturnType<typeof data>) => string | undefined) =>
    groupBy(
      events.filter((e) => e.type === type),
      (e) => id(data(e)),
    )
  const messageEvents = eventsOf('message.created', (d) => d.message?.id)
  const createdEvents = eventsOf('conversation.created', (d) => d.conversation?.id)
  const handoffEvents = eventsOf('conversation.handoff_requested', (d) => d.conversation?.id)
  const deliveriesOf = groupBy(deliveries, (d) => d.event_id)

  const samples: string[] = []
  const note = (s: string) => {
    if (samples.length < 8) samples.push(s)
  }
  const lost = { visitor: 0, replies: 0, handoffs: 0, agent: 0, events: 0, deliveries: 0 }
  for (const [source, a] of ledger.visitor) {
    const found = visitorBySource.get(source) ?? []
    if (!found.some((m) => m.id === a.userMessageId && m.body === a.body)) {
      lost.visitor++
      note(`visitor message ${source} acknowledged as ${a.userMessageId}, not stored`)
    }
  }
  for (const id of ledger.replies.keys())
    if (byId.get(id)?.sender_type !== 'ai') {
      lost.replies++
      note(`reply ${id} acknowledged, not stored`)
    }
  for (const [source, a] of ledger.agent) {
    const m = byId.get(a.messageId)
    if (m?.source_message_id !== source || m.body !== a.body) {
      lost.agent++
      note(`person's reply ${source} acknowledged as ${a.messageId}, not stored`)
    }
  }
  lost.handoffs += ledger.handoffsNotMade.length
  for (const source of ledger.handoffsNotMade)
    note(`hand-off ${source} answered without handled_by: human`)
  for (const conversationId of ledger.handoffs.values()) {
    const c = conversationById.get(conversationId)
    if (c?.handled_by !== 'human' || c.handoff_reason !== 'quick_action') {
      lost.handoffs++
      note(
        `hand-off of ${conversationId} acknowledged, stored as ${c?.handled_by}/${c?.handoff_reason}`,
      )
    }
  }
  // Every stored change has its event: no event row means a webhook that can never be sent.
  const missing = (ids: string[], groups: Map<string, unknown[]>) => {
    const without = ids.filter((id) => !groups.has(id))
    for (const id of without) note(`${id} stored without its event`)
    return without.length
  }
  lost.events =
    missing(
      messages.map((m) => m.id),
      messageEvents,
    ) +
    missing(
      conversations.map((c) => c.id),
      createdEvents,
    ) +
    missing(
      handedOff.map((c) => c.id),
      handoffEvents,
    )
  for (const e of events) {
    const rows = deliveriesOf.get(e.id) ?? []
    if (rows.length === 0 || !rows.some((d) => d.status === 'succeeded') || !received.has(e.id)) {
      lost.deliveries++
      const d = rows[0]
      note(
        `${e.type} ${e.id}: received ${received.get(e.id) ?? 0}×, delivery ${d ? `${d.status} after ${d.attempt_count} attempts (${d.last_error})` : 'missing'}`,
      )
    }
  }

  const duplicated = {
    visitor: extra(visitorBySource) + extra(groupBy(visitor, (m) => m.body)),
    replies: extra(groupBy(replies, (m) => m.reply_to_id)),
    handoffs: extra(handoffEvents),
    agent: extra(agentBySource) + extra(groupBy(agent, (m) => m.body)),
    events: extra(messageEvents) + extra(createdEvents) + extra(deliveriesOf),
  }
  let duplicateDeliveries = 0
  for (const n of received.values()) duplicateDeliveries += n - 1

  return {
    acknowledged: {
      visitor: ledger.visitor.size,
      replies: ledger.replies.size,
      handoffs: ledger.handoffs.size + ledger.handoffsNotMade.length,
      agent: ledger.agent.size,
    },
    stored: {
      visitor: visitorBySource.size,
      replies: replies.length,
      handoffs: handedOff.length,
      agent: agent.length,
      conversations: conversations.length,
    },
    lost,
    duplicated,
    webhooks: {
      events: events.length,
      delivered: events.filter((e) => received.has(e.id)).length,
      duplicateDeliveries,
    },
    samples,
  }
}

/** Sum of a count object's fields. */
export const total = (c: object): number =>
  Object.values(c).reduce((n: number, v) => n + (typeof v === 'number' ? v : 0), 0)
