import type { AgentSource } from '../agent/agent.ts'
import type { RouteContext } from '../app-deps.ts'
import type { Db } from '../db/schema.ts'
import { conflict } from '../errors.ts'
import { publishInboxMessage } from '../handoff/inbox-events.ts'
import { newId, nowIso } from '../ids.ts'
import { emitMessageCreated } from '../webhooks/conversation-events.ts'
import { httpUrl, replyExtrasOf } from './answer-extras.ts'
import { findThreadForTenant, nameConversationAfterFirstReply } from './conversation-repo.ts'
import { retryOnUniqueViolation } from './db-errors.ts'
import { messageFrame, publishThreadFrame } from './frames.ts'
import { locateThread } from './locate-thread.ts'
import { checkMetadataSize, requireBody, subjectFromText } from './message-input.ts'
import { findMessageBySourceId, findReplyTo, insertMessage } from './message-repo.ts'
import type { Channel, MessageRow, ServiceOptions, TenantAccess, ThreadRow } from './types.ts'

export interface StoredReply {
  message: MessageRow
  sources: AgentSource[]
  /** Questions offered to the visitor next (chat replies of the built-in agent). */
  followUps: string[]
  /** The reply existed already (a retry, or a concurrent request stored it first). */
  deduplicated: boolean
  /**
   * `true`: a person handles the conversation and the assistant did not reply (`message` is an
   * empty placeholder, never stored: its id and body are `""`).
   */
  silent?: boolean
  /** The conversation was handed to a person with this reply (its text says what happens next). */
  handoff?: string
  /** A phone caller is transferred to the line's number after this reply (see reply-gate.ts). */
  transfer?: boolean
}

/** The result of not replying: a person handles the conversation. */
export function silentReply(userMessage: MessageRow): StoredReply {
  return {
    message: { ...userMessage, id: '', body: '', sender_type: 'ai', metadata: null },
    sources: [],
    followUps: [],
    deduplicated: false,
    silent: true,
  }
}

/** Sources and follow-ups stored with a reply. */
export function storedExtras(m: MessageRow): { sources: AgentSource[]; followUps: string[] } {
  if (!m.metadata) return { sources: [], followUps: [] }
  try {
    const meta = JSON.parse(m.metadata) as { sources?: unknown; follow_ups?: unknown }
    return {
      sources: Array.isArray(meta.sources) ? (meta.sources as AgentSource[]) : [],
      followUps: replyExtrasOf(m).follow_ups ?? [],
    }
  } catch {
    return { sources: [], followUps: [] }
  }
}

/**
 * Stores the agent's reply to `userMessage` (at most one: `reply_to_id` is unique, and a reply a
 * concurrent retry stored first is returned instead, `deduplicated`). The first reply citing an
 * article names the conversation after it. `alsoWrite` runs in the reply's transaction (the
 * hand-off a reply announces): stored exactly when the reply is.
 */
export async function storeReply(
  db: Db,
  access: TenantAccess,
  userMessage: MessageRow,
  text: string,
  extras: { sources: AgentSource[]; followUps: string[]; flags?: Record<string, unknown> },
  answeredBefore: boolean,
  alsoWrite?: (trx: Db) => Promise<void>,
): Promise<StoredReply> {
  const tenantId = access.tenant.id
  const cleanSources = extras.sources
    .filter((s) => s && typeof s.id === 'string' && typeof s.title === 'string')
    .map((s) => {
      const url = typeof s.url === 'string' ? httpUrl(s.url) : undefined
      return { id: s.id, title: s.title, ...(url ? { url } : {}) }
    })
  const followUps = extras.followUps.filter((f) => typeof f === 'string' && f.trim() !== '')
  const metadata = {
    ...(cleanSources.length > 0 ? { sources: cleanSources } : {}),
    ...(followUps.length > 0 ? { follow_ups: followUps } : {}),
    ...extras.flags,
  }
  return retryOnUniqueViolation(2, async (attempt) => {
    if (attempt > 1) {
      // A concurrent retry stored its reply first: that one is the answer.
      const winner = await findReplyTo(db, tenantId, userMessage.id)
      if (winner) return { message: winner, ...storedExtras(winner), deduplicated: true }
    }
    const message = await db.transaction().execute(async (trx) => {
      const now = nowIso()
      const message = await insertMessage(trx, {
        id: newId('msg'),
        tenant_id: tenantId,
        conversation_id: userMessage.conversation_id,
        thread_id: userMessage.thread_id,
        sender_type: 'ai',
        body: text,
        source_message_id: null,
        reply_to_id: userMessage.id,
        channel: userMessage.channel,
        metadata: Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null,
        created_at: now,
      })
      await emitMessageCreated(trx, message)
      // The article that answered the first question names the conversation best (the update
      // checks that no AI reply came before this one). `updated_at` moved with the insert
      // (migration 0034).
      if (cleanSources[0] && !answeredBefore) {
        await nameConversationAfterFirstReply(
          trx,
          tenantId,
          userMessage.conversation_id,
          subjectFromText(cleanSources[0].title),
          message.seq,
        )
      }
      await alsoWrite?.(trx)
      return message
    })
    return { message, sources: cleanSources, followUps, deduplicated: false }
  })
}

/**
 * Stores an assistant (or human agent) message that was produced elsewhere — e.g. the voice
 * worker's spoken answer — idempotently by `sourceMessageId`, and shows it live to the thread's
 * followers. Trusted callers only: no ownership checks.
 */
export async function recordAssistantMessage(
  ctx: Pick<RouteContext, 'db' | 'bus'>,
  access: TenantAccess,
  input: {
    conversationId: string
    threadId?: string | undefined
    body: string
    senderType?: 'ai' | 'agent' | undefined
    channel?: Channel | undefined
    sourceMessageId?: string | undefined
    replyToId?: string | undefined
    metadata?: Record<string, unknown> | undefined
  },
  opts: ServiceOptions = {},
): Promise<{ message: MessageRow; thread: ThreadRow; deduplicated: boolean }> {
  const tenantId = access.tenant.id
  const body = requireBody(input.body)
  if (input.metadata !== undefined) checkMetadataSize(input.metadata)
  const existingFor = async () => {
    const m =
      (input.sourceMessageId !== undefined
        ? await findMessageBySourceId(ctx.db, tenantId, input.sourceMessageId)
        : undefined) ??
      (input.replyToId !== undefined
        ? await findReplyTo(ctx.db, tenantId, input.replyToId)
        : undefined)
    if (!m) return undefined
    if (m.body !== body || m.conversation_id !== input.conversationId) {
      throw conflict('source_message_id was already used for a different message')
    }
    const thread = await findThreadForTenant(ctx.db, tenantId, m.thread_id)
    if (!thread) throw new Error('message without its thread')
    return { message: m, thread, deduplicated: true }
  }
  // Looked up first, and again when a concurrent call stored the same message meanwhile.
  return retryOnUniqueViolation(2, async () => {
    const before = await existingFor()
    if (before) return before
    const out = await ctx.db.transaction().execute(async (trx) => {
      const { thread } = await locateThread(
        trx,
        access,
        { conversationId: input.conversationId, threadId: input.threadId },
        {},
        { trusted: true },
        'New conversation',
      )
      const message = await insertMessage(trx, {
        id: newId('msg'),
        tenant_id: tenantId,
        conversation_id: input.conversationId,
        thread_id: thread.id,
        sender_type: input.senderType ?? 'ai',
        body,
        source_message_id: input.sourceMessageId ?? null,
        reply_to_id: input.replyToId ?? null,
        channel: input.channel ?? 'chat',
        metadata: input.metadata !== undefined ? JSON.stringify(input.metadata) : null,
        created_at: nowIso(),
      })
      await emitMessageCreated(trx, message)
      return { message, thread, deduplicated: false }
    })
    publishThreadFrame(ctx, out.thread, messageFrame(out.message), opts.origin)
    publishInboxMessage(ctx, out.message)
    return out
  })
}
