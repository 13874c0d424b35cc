import type { Attachment } from '@aurion/contract'
import type { AgentTurn } from '../agent/agent.ts'
import type { RouteContext } from '../app-deps.ts'
import type { Db } from '../db/schema.ts'
import { conflict } from '../errors.ts'
import { publishInboxMessage } from '../handoff/inbox-events.ts'
import { newId } from '../ids.ts'
import { findKnowledgeRevision } from '../knowledge/article-repo.ts'
import { redactPii } from '../privacy/redact.ts'
import {
  type ContactRow,
  createAnonymousContact,
  findContactById,
} from '../visitors/contact-repo.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import { emitMessageCreated } from '../webhooks/conversation-events.ts'
import { loadConversationHistory, toTurn } from './conversation-history.ts'
import {
  findConversationForTenant,
  findThreadForTenant,
  updateConversation,
} from './conversation-repo.ts'
import { retryOnUniqueViolation } from './db-errors.ts'
import { messageFrame, publishThreadFrame } from './frames.ts'
import { locateThread, MAX_TX_ATTEMPTS, type ThreadTarget } from './locate-thread.ts'
import { attachmentsOf, attachUploadsToMessage } from './message-attachments.ts'
import { declaredChannel } from './message-channel.ts'
import { checkMetadataSize, requireBody, subjectFromText } from './message-input.ts'
import {
  findMessageBySourceId,
  findReplyTo,
  hasConversationMessageFrom,
  insertMessage,
} from './message-repo.ts'
import type {
  Channel,
  ConversationRow,
  MessageRow,
  ServiceOptions,
  TenantAccess,
  ThreadRow,
} from './types.ts'
import { mayUseConversation } from './visitor-access.ts'

/** A visitor's message to store (REST, WebSocket frame, or a voice transcript). */
export interface VisitorMessageInput extends ThreadTarget {
  body: string
  identity?: VisitorIdentity | undefined
  sourceMessageId?: string | undefined
  uploadIds?: string[] | undefined
  metadata?: Record<string, unknown> | undefined
  channel?: Channel | undefined
}

export interface AcceptedMessage {
  conversation: ConversationRow
  thread: ThreadRow
  contact: ContactRow
  userMessage: MessageRow
  /** The same `source_message_id` was stored before: these are the original ids. */
  deduplicated: boolean
  /**
   * What the agent needs, read in the transaction that stored the message (a read after it
   * would wait for the durability of whatever other requests committed meanwhile). Absent when
   * a person handles the conversation (the assistant stays silent).
   */
  agentContext?: { history: AgentTurn[]; knowledgeRevision: number } | undefined
  /** The reply already stored for the original message (deduplicated sends only). */
  existingReply?: MessageRow | undefined
  /** Files attached to the message, when it was just stored (else read when needed). */
  attachments?: Attachment[] | undefined
}

type Ctx = Pick<RouteContext, 'db' | 'bus' | 'inflight'>

/**
 * Stores a visitor's message exactly once and returns where it went.
 *
 * - With `sourceMessageId` already stored for this tenant (the tenant-wide unique constraint
 *   decides, also between concurrent requests), nothing new is written: the original ids come
 *   back with `deduplicated: true`, plus the stored reply if there is one. Reusing an id for a
 *   different body is a 409.
 * - Otherwise the thread is continued (`sourceThreadId` matching a thread id or a client-chosen
 *   id of this tenant) or a new conversation + thread is started; the contact is found or
 *   created from the identity; uploads are attached; all in one transaction, committed before
 *   this resolves — and so before any agent runs.
 * - Only the visitor's conversation can be continued (see `visitor-access.ts`), unless
 *   `opts.trusted`: anyone else's thread is a 404, as if it did not exist.
 *
 * @throws ApiError 404 (not the visitor's thread; unknown conversationId), 409, 422.
 */
export function acceptVisitorMessage(
  ctx: Ctx,
  access: TenantAccess,
  input: VisitorMessageInput,
  opts: ServiceOptions = {},
): Promise<AcceptedMessage> {
  return ctx.inflight.track(accept(ctx, access, input, opts))
}

async function accept(
  ctx: Ctx,
  access: TenantAccess,
  input: VisitorMessageInput,
  opts: ServiceOptions,
): Promise<AcceptedMessage> {
  const tenantId = access.tenant.id
  const text = requireBody(input.body)
  // `redact_stored`: the visitor's email, phone, card and IBAN never reach the database.
  const body = access.config.redact_pii && access.config.redact_stored ? redactPii(text) : text
  if (input.metadata !== undefined) checkMetadataSize(input.metadata)
  const identity = input.identity ?? {}

  // A concurrent request stored the same source_message_id, thread or contact first: the next
  // round sees its row (and deduplicates, or continues that thread).
  return retryOnUniqueViolation(MAX_TX_ATTEMPTS, async (attempt) => {
    // One transaction, so one wait for durability: a read outside it would wait for whatever
    // other requests committed just before (SQLite: see db/sqlite/durable-driver.ts).
    const outcome = await ctx.db.transaction().execute(async (trx) => {
      // The first attempt inserts straight away: a stored source_message_id fails it on the
      // unique constraint (nothing of it is kept), and the next attempt looks it up.
      if (input.sourceMessageId !== undefined && attempt > 1) {
        const existing = await findMessageBySourceId(trx, tenantId, input.sourceMessageId)
        if (existing) return { existing }
      }
      return {
        accepted: await insertVisitorMessage(trx, access, { ...input, body }, identity, opts),
      }
    })
    if (outcome.existing) return dedupe(ctx, access, outcome.existing, { ...input, body }, opts)
    const accepted = outcome.accepted
    const attachments = input.uploadIds?.length
      ? (await attachmentsOf(ctx.db, tenantId, [accepted.userMessage.id])).get(
          accepted.userMessage.id,
        )
      : undefined
    publishThreadFrame(
      ctx,
      accepted.thread,
      messageFrame(accepted.userMessage, attachments),
      opts.origin,
    )
    publishInboxMessage(ctx, accepted.userMessage, null, attachments)
    return { ...accepted, attachments: attachments ?? [] }
  })
}

async function dedupe(
  ctx: Ctx,
  access: TenantAccess,
  existing: MessageRow,
  input: VisitorMessageInput,
  opts: ServiceOptions,
): Promise<AcceptedMessage> {
  const tenantId = access.tenant.id
  const reused = () => conflict('source_message_id was already used for a different message')
  if (existing.sender_type !== 'contact' || existing.body !== input.body) throw reused()
  const conversation = await findConversationForTenant(ctx.db, tenantId, existing.conversation_id)
  const thread = await findThreadForTenant(ctx.db, tenantId, existing.thread_id)
  if (!conversation || !thread) throw new Error('message without its conversation or thread')
  const contact = await contactOf(ctx.db, tenantId, conversation)
  // The client's own message id stands for the thread of an unclaimed conversation; a claimed
  // one needs its token. Someone else's id reveals nothing more than a body that does not match.
  if (!opts.trusted && !mayUseConversation(conversation, contact.email, input.identity ?? {}, true))
    throw reused()
  return {
    conversation,
    thread,
    contact,
    userMessage: existing,
    deduplicated: true,
    existingReply: await findReplyTo(ctx.db, tenantId, existing.id),
  }
}

async function contactOf(db: Db, tenantId: string, c: ConversationRow): Promise<ContactRow> {
  const contact = c.contact_id ? await findContactById(db, tenantId, c.contact_id) : undefined
  if (contact) return contact
  // Conversations always get a contact; one can only be missing after an admin deleted it.
  const anonymous = await createAnonymousContact(db, tenantId)
  await updateConversation(db, tenantId, c.id, { contact_id: anonymous.id })
  return anonymous
}

async function insertVisitorMessage(
  db: Db,
  access: TenantAccess,
  input: VisitorMessageInput,
  identity: VisitorIdentity,
  opts: ServiceOptions,
): Promise<AcceptedMessage> {
  const tenantId = access.tenant.id
  const located = await locateThread(db, access, input, identity, opts, subjectFromText(input.body))
  const { conversation, thread, contact } = located
  const firstFromVisitor =
    located.created ||
    !(
      located.hadVisitorMessage ??
      (await hasConversationMessageFrom(db, tenantId, conversation.id, 'contact'))
    )
  const userMessage = await insertMessage(db, {
    id: newId('msg'),
    tenant_id: tenantId,
    conversation_id: conversation.id,
    thread_id: thread.id,
    sender_type: 'contact',
    body: input.body,
    source_message_id: input.sourceMessageId ?? null,
    reply_to_id: null,
    channel: input.channel ?? declaredChannel(input.metadata),
    metadata: input.metadata !== undefined ? JSON.stringify(input.metadata) : null,
    created_at: conversation.updated_at,
  })
  await attachUploadsToMessage(db, tenantId, input.uploadIds, userMessage.id)
  await emitMessageCreated(db, userMessage)
  if (firstFromVisitor && !located.created) {
    const subject = subjectFromText(input.body)
    await updateConversation(db, tenantId, conversation.id, { subject })
    conversation.subject = subject
  }
  const accepted: AcceptedMessage = {
    conversation,
    thread,
    contact,
    userMessage,
    deduplicated: false,
  }
  // A person handles it: the assistant stays silent, so nothing it would read is worth holding
  // the transaction (and the frames waiting for its commit) for.
  if (conversation.handled_by === 'human') return accepted
  const history = located.created
    ? [toTurn(userMessage)]
    : await loadConversationHistory(db, tenantId, conversation.id, userMessage.seq)
  const knowledgeRevision = await findKnowledgeRevision(db, tenantId)
  return { ...accepted, agentContext: { history, knowledgeRevision } }
}
