import { WIDGET_METADATA_MAX_BYTES } from '@aurion/contract'
import type { AgentReply, AgentSource, AgentTurn } from '../agent/agent.ts'
import type { RouteContext } from '../app-deps.ts'
import type { Db } from '../db/schema.ts'
import {
  agentUnavailable,
  conflict,
  forbidden,
  invalidField,
  notFound,
  validationError,
} from '../errors.ts'
import { newId, nowIso } from '../ids.ts'
import { findKnowledgeRevision } from '../knowledge/article-repo.ts'
import { attachUploads, listUploadsForMessages } from '../uploads/upload-repo.ts'
import {
  type ContactRow,
  createAnonymousContact,
  deleteOrphanAnonymousContact,
  findContactByEmail,
  findContactById,
  findOrCreateContact,
  setAnonymousContactEmail,
} from '../visitors/contact-repo.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import {
  findConversationForTenant,
  findThreadByRef,
  findThreadContext,
  findThreadForTenant,
  insertConversation,
  insertThread,
  listThreadsOfConversation,
  touchConversationAfterReply,
  updateConversation,
} from './conversation-repo.ts'
import { isUniqueViolation } from './db-errors.ts'
import {
  chunkFrame,
  doneFrame,
  messageFrame,
  publishThreadFrame,
  statusFrame,
  typingFrame,
} from './frames.ts'
import {
  findMessageBySourceId,
  findReplyTo,
  hasConversationMessageFrom,
  insertMessage,
  listConversationTurns,
  type TurnRow,
} from './message-repo.ts'
import type { Channel, ConversationRow, MessageRow, TenantAccess, ThreadRow } from './types.ts'

export type { TenantAccess } from './types.ts'

type Ctx = Pick<RouteContext, 'db' | 'bus' | 'agent'>

/** Where a message goes: a thread reference (REST/WS) or, for trusted callers, a conversation. */
export interface ThreadTarget {
  /** `thread_…` id or client-chosen id; unknown → a new conversation recorded under it. */
  sourceThreadId?: string | undefined
  /** Trusted callers only (voice worker, admin): continue exactly this conversation… */
  conversationId?: string | undefined
  /** …in this thread of it (default: its first thread). */
  threadId?: string | undefined
}

/** A visitor's message to store (REST, WebSocket frame, or a voice transcript). */
export interface VisitorMessageInput extends ThreadTarget {
  body: string
  identity?: VisitorIdentity | undefined
  sourceMessageId?: string | undefined
  uploadIds?: string[] | undefined
  metadata?: Record<string, unknown> | undefined
  channel?: Channel | undefined
}

export interface ServiceOptions {
  /** Publisher tag on bus frames (e.g. a socket id) so that publisher can skip its own frames. */
  origin?: string | undefined
  /**
   * Skips the ownership checks (token-proven conversations). Only for callers that are not the
   * visitor: the internal voice API, the admin console.
   */
  trusted?: boolean | undefined
  /** Where to report unexpected agent failures. */
  log?: { error(obj: object, msg: string): void } | undefined
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
   * would wait for the durability of whatever other requests committed meanwhile).
   */
  agentContext?: { history: AgentTurn[]; knowledgeRevision: number } | undefined
  /** The reply already stored for the original message (deduplicated sends only). */
  existingReply?: MessageRow | undefined
}

export interface StoredReply {
  message: MessageRow
  sources: AgentSource[]
  /** The reply existed already (a retry, or a concurrent request stored it first). */
  deduplicated: boolean
}

const MAX_SUBJECT = 80
const HISTORY_TURNS = 50
const MAX_TX_ATTEMPTS = 5

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
 * - A conversation proven by an email token can only be continued with a token for the same
 *   email (403), unless `opts.trusted`.
 *
 * @throws ApiError 403 (not the visitor's conversation), 404 (unknown conversationId), 409, 422.
 */
export function acceptVisitorMessage(
  ctx: Ctx,
  access: TenantAccess,
  input: VisitorMessageInput,
  opts: ServiceOptions = {},
): Promise<AcceptedMessage> {
  return track(ctx.db, accept(ctx, access, input, opts))
}

async function accept(
  ctx: Ctx,
  access: TenantAccess,
  input: VisitorMessageInput,
  opts: ServiceOptions,
): Promise<AcceptedMessage> {
  const tenantId = access.tenant.id
  const body = input.body.trim()
  if (body === '')
    throw invalidField(['body', 'body'], 'body must not be blank', 'string_too_short')
  if (input.metadata !== undefined) checkMetadataSize(input.metadata)
  const identity = input.identity ?? {}

  for (let attempt = 1; ; attempt++) {
    try {
      // One transaction, so one wait for durability: a read outside it would wait for whatever
      // other requests committed just before (SQLite: see db/sqlite-driver.ts).
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
      if (outcome.existing) return dedupe(ctx, access, outcome.existing, body, identity, opts)
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
      return accepted
    } catch (err) {
      // A concurrent request stored the same source_message_id, thread or contact first: the
      // next round sees its row (and deduplicates, or continues that thread).
      if (!isUniqueViolation(err) || attempt >= MAX_TX_ATTEMPTS) throw err
    }
  }
}

async function dedupe(
  ctx: Ctx,
  access: TenantAccess,
  existing: MessageRow,
  body: string,
  identity: VisitorIdentity,
  opts: ServiceOptions,
): Promise<AcceptedMessage> {
  const tenantId = access.tenant.id
  if (existing.sender_type !== 'contact' || existing.body !== body) {
    throw conflict('source_message_id was already used for a different message')
  }
  const conversation = await findConversationForTenant(ctx.db, tenantId, existing.conversation_id)
  const thread = await findThreadForTenant(ctx.db, tenantId, existing.thread_id)
  if (!conversation || !thread) throw new Error('message without its conversation or thread')
  const contact = await contactOf(ctx.db, tenantId, conversation)
  checkOwnership(conversation, contact, identity, opts)
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

/**
 * A token-proven conversation belongs to the token's visitor: without a token for the same
 * email nobody may add to it, read its replies, or resolve it.
 */
function checkOwnership(
  conversation: ConversationRow,
  contact: ContactRow | undefined,
  identity: VisitorIdentity,
  opts: ServiceOptions,
): void {
  if (opts.trusted || conversation.contact_verified !== 1) return
  if (identity.verifiedEmail === undefined || identity.verifiedEmail !== contact?.email) {
    throw forbidden(
      'This conversation belongs to a verified visitor: send the email_token of its visitor',
    )
  }
}

function checkMetadataSize(metadata: Record<string, unknown>): void {
  let size: number
  try {
    size = Buffer.byteLength(JSON.stringify(metadata), 'utf8')
  } catch {
    throw invalidField(['body', 'metadata'], 'metadata must be a JSON object')
  }
  if (size > WIDGET_METADATA_MAX_BYTES) {
    throw invalidField(
      ['body', 'metadata'],
      `metadata must be at most ${WIDGET_METADATA_MAX_BYTES} bytes as JSON (got ${size})`,
    )
  }
}

/** First line of a message, whitespace collapsed, cut at a word boundary. */
export function subjectFromText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= MAX_SUBJECT) return flat
  const cut = flat.slice(0, MAX_SUBJECT - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > MAX_SUBJECT / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

interface Located {
  conversation: ConversationRow
  thread: ThreadRow
  contact: ContactRow
  created: boolean
  reopened: boolean
  /** Whether the conversation had a visitor message, when the look-up told. */
  hadVisitorMessage?: boolean | undefined
}

/**
 * Finds the target thread (checking ownership) or starts a conversation + thread, and settles
 * the contact from the identity. Runs inside the caller's transaction; writes the conversation's
 * new contact/status/updated_at.
 */
async function locateThread(
  db: Db,
  access: TenantAccess,
  target: ThreadTarget,
  identity: VisitorIdentity,
  opts: ServiceOptions,
  subject: string,
): Promise<Located> {
  const tenantId = access.tenant.id
  const now = nowIso()
  const email = identity.verifiedEmail ?? identity.senderEmail
  let thread: ThreadRow | undefined
  let conversation: ConversationRow | undefined
  // Known from the thread look-up (REST and WebSocket messages), else read below.
  let known: { contact: ContactRow | undefined; hasVisitorMessage: boolean } | undefined

  if (target.conversationId !== undefined) {
    if (!opts.trusted) throw new Error('conversationId targets are for trusted callers only')
    conversation = await findConversationForTenant(db, tenantId, target.conversationId)
    if (!conversation) throw notFound('Conversation not found')
    if (target.threadId !== undefined) {
      thread = await findThreadForTenant(db, tenantId, target.threadId)
      if (!thread || thread.conversation_id !== conversation.id) throw notFound('Thread not found')
    } else {
      thread = (await listThreadsOfConversation(db, tenantId, conversation.id))[0]
      if (!thread) {
        thread = newThread(tenantId, conversation.id, null, now)
        await insertThread(db, thread)
      }
    }
  } else if (target.sourceThreadId !== undefined) {
    const found = await findThreadContext(db, tenantId, target.sourceThreadId)
    if (found) {
      ;({ thread, conversation } = found)
      known = { contact: found.contact, hasVisitorMessage: found.hasVisitorMessage }
    }
  }

  if (!conversation || !thread) {
    const contact = email
      ? await findOrCreateContact(db, tenantId, email)
      : await createAnonymousContact(db, tenantId)
    conversation = {
      id: newId('conv'),
      tenant_id: tenantId,
      contact_id: contact.id,
      subject,
      status: 'open',
      contact_verified: identity.verifiedEmail !== undefined ? 1 : 0,
      created_at: now,
      updated_at: now,
    }
    await insertConversation(db, conversation)
    thread = newThread(tenantId, conversation.id, target.sourceThreadId ?? null, now)
    await insertThread(db, thread)
    return { conversation, thread, contact, created: true, reopened: false }
  }

  let contact = known
    ? known.contact
    : conversation.contact_id
      ? await findContactById(db, tenantId, conversation.contact_id)
      : undefined
  checkOwnership(conversation, contact, identity, opts)

  const previous = contact
  let verified = conversation.contact_verified
  if (identity.verifiedEmail !== undefined && verified !== 1) {
    // The token holder claims a conversation nobody had proven yet (e.g. started anonymously).
    contact = await contactWithEmail(db, tenantId, contact, identity.verifiedEmail)
    verified = 1
  } else if (email !== undefined && (!contact || contact.email === null)) {
    contact = await contactWithEmail(db, tenantId, contact, email)
  }
  contact ??= await createAnonymousContact(db, tenantId)

  const reopened = conversation.status !== 'open'
  const patch = {
    contact_id: contact.id,
    contact_verified: verified,
    status: 'open',
    updated_at: now,
  }
  // Only the columns that change: an indexed column set to its own value still rewrites its
  // index entry (one more page in the log for every message).
  await updateConversation(db, tenantId, conversation.id, {
    ...(contact.id !== conversation.contact_id ? { contact_id: contact.id } : {}),
    ...(verified !== conversation.contact_verified ? { contact_verified: verified } : {}),
    ...(reopened ? { status: 'open' } : {}),
    updated_at: now,
  })
  if (previous && previous.id !== contact.id && previous.email === null) {
    await deleteOrphanAnonymousContact(db, tenantId, previous.id)
  }
  return {
    conversation: { ...conversation, ...patch },
    thread,
    contact,
    created: false,
    reopened,
    hadVisitorMessage: known?.hasVisitorMessage,
  }
}

function newThread(
  tenantId: string,
  conversationId: string,
  sourceThreadId: string | null,
  now: string,
): ThreadRow {
  return {
    id: newId('thread'),
    tenant_id: tenantId,
    conversation_id: conversationId,
    source_thread_id: sourceThreadId,
    created_at: now,
  }
}

/** `current` given this email when it is anonymous and the email is free, else the email's contact. */
async function contactWithEmail(
  db: Db,
  tenantId: string,
  current: ContactRow | undefined,
  email: string,
): Promise<ContactRow> {
  if (current?.email === email) return current
  if (current && current.email === null && !(await findContactByEmail(db, tenantId, email))) {
    if (await setAnonymousContactEmail(db, tenantId, current.id, email)) {
      return { ...current, email }
    }
  }
  return findOrCreateContact(db, tenantId, email)
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
    channel: input.channel ?? 'chat',
    metadata: input.metadata !== undefined ? JSON.stringify(input.metadata) : null,
    created_at: conversation.updated_at,
  })
  if (input.uploadIds !== undefined && input.uploadIds.length > 0) {
    const failed = new Set(await attachUploads(db, tenantId, input.uploadIds, userMessage.id))
    if (failed.size > 0) {
      throw validationError(
        input.uploadIds.flatMap((id, i) =>
          failed.has(id)
            ? [
                {
                  type: 'value_error',
                  loc: ['body', 'upload_ids', i],
                  msg: `Unknown upload ${id}, or it is already attached to a message`,
                },
              ]
            : [],
        ),
      )
    }
  }
  if (firstFromVisitor && !located.created) {
    const subject = subjectFromText(input.body)
    await updateConversation(db, tenantId, conversation.id, { subject })
    conversation.subject = subject
  }
  const history = located.created
    ? [toTurn(userMessage)]
    : await loadConversationHistory(db, tenantId, conversation.id, userMessage.seq)
  const knowledgeRevision = await findKnowledgeRevision(db, tenantId)
  return {
    conversation,
    thread,
    contact,
    userMessage,
    deduplicated: false,
    agentContext: { history, knowledgeRevision },
  }
}

/**
 * May this visitor follow (see live frames of) `thread`? Anyone holding the thread reference may,
 * except for a token-proven conversation, which needs a token for the same email.
 */
export async function checkThreadAccess(
  ctx: Pick<Ctx, 'db'>,
  access: TenantAccess,
  thread: ThreadRow,
  identity: VisitorIdentity,
): Promise<boolean> {
  const tenantId = access.tenant.id
  if (thread.tenant_id !== tenantId) return false
  const conversation = await findConversationForTenant(ctx.db, tenantId, thread.conversation_id)
  if (!conversation) return false
  if (conversation.contact_verified !== 1) return true
  const contact = await findContactById(ctx.db, tenantId, conversation.contact_id ?? '')
  return identity.verifiedEmail !== undefined && identity.verifiedEmail === contact?.email
}

/**
 * Finds or starts a thread without storing a message — e.g. for a voice call that begins
 * before anything was said. Same ownership rules as {@link acceptVisitorMessage}.
 */
export async function openThread(
  ctx: Ctx,
  access: TenantAccess,
  target: ThreadTarget & { identity?: VisitorIdentity | undefined; subject?: string | undefined },
  opts: ServiceOptions = {},
): Promise<{
  conversation: ConversationRow
  thread: ThreadRow
  contact: ContactRow
  created: boolean
}> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db
        .transaction()
        .execute((trx) =>
          locateThread(
            trx,
            access,
            target,
            target.identity ?? {},
            opts,
            target.subject ?? 'New conversation',
          ),
        )
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= MAX_TX_ATTEMPTS) throw err
    }
  }
}

/**
 * The conversation up to and including the message `uptoSeq` as agent turns (chat and voice,
 * every thread), oldest first: the last `limit` of them.
 */
export async function loadConversationHistory(
  db: Db,
  tenantId: string,
  conversationId: string,
  uptoSeq: number,
  limit = HISTORY_TURNS,
): Promise<AgentTurn[]> {
  return (await listConversationTurns(db, tenantId, conversationId, uptoSeq, limit)).map(toTurn)
}

function toTurn(m: TurnRow): AgentTurn {
  return {
    role: m.sender_type === 'contact' ? 'visitor' : m.sender_type === 'ai' ? 'assistant' : 'agent',
    text: m.body,
    channel: m.channel === 'voice' ? 'voice' : 'chat',
    createdAt: m.created_at,
  }
}

/** `map`'s value for `db`, made on first use. */
function ofDb<V>(map: WeakMap<Db, V>, db: Db, make: () => V): V {
  let v = map.get(db)
  if (v === undefined) {
    v = make()
    map.set(db, v)
  }
  return v
}

/** Agent replies being produced, per database and visitor message id. */
const inflightByDb = new WeakMap<Db, Map<string, Promise<StoredReply>>>()
const inflight = (db: Db) => ofDb(inflightByDb, db, () => new Map())

/** Visitor messages being stored, per database (see {@link settleMessagesInFlight}). */
const acceptingByDb = new WeakMap<Db, Set<Promise<unknown>>>()
function track<T>(db: Db, work: Promise<T>): Promise<T> {
  const accepting = ofDb(acceptingByDb, db, () => new Set())
  accepting.add(work)
  const forget = () => accepting.delete(work)
  work.then(forget, forget)
  return work
}

/**
 * Waits, at most `timeoutMs`, until no visitor message is being stored and no agent reply is
 * being produced in this process; true if that happened in time. A graceful stop calls it after
 * the last connection closed and before closing the database: a visitor who hung up (a REST
 * client gone, a socket closed by the stop itself) still gets the reply stored, found in the
 * history on their next visit, instead of the work meeting a closed database halfway.
 */
export async function settleMessagesInFlight(db: Db, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const pending = [...(acceptingByDb.get(db) ?? []), ...(inflightByDb.get(db)?.values() ?? [])]
    if (pending.length === 0) return true
    const left = deadline - performance.now()
    if (left <= 0) return false
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled(pending),
      new Promise((resolve) => {
        timer = setTimeout(resolve, left)
      }),
    ])
    clearTimeout(timer)
    // A stored message's reply starts in its caller's next step: let it register.
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * Runs the agent over the conversation so far (up to and including `userMessage`) and yields
 * the reply's chunks as they come; the generator's return value is the stored reply. Consume it
 * to the end: the reply is stored (with `reply_to_id` = the visitor message, unique, so at most
 * one reply per message even under concurrent retries) only after the last chunk.
 *
 * A reply stored before (a retry) is yielded whole, once, with `deduplicated: true`; so is one
 * that a concurrent call in this process is producing. Every chunk and the final `done` frame
 * are also published to the thread's followers on the bus.
 *
 * @throws ApiError 503 agent_unavailable when the agent fails; the visitor message stays stored.
 */
export async function* streamAgentReply(
  ctx: Ctx,
  access: TenantAccess,
  accepted: Pick<AcceptedMessage, 'conversation' | 'thread' | 'userMessage'> &
    Partial<Pick<AcceptedMessage, 'deduplicated' | 'agentContext'>>,
  opts: ServiceOptions & { signal?: AbortSignal | undefined; locale?: string | undefined } = {},
): AsyncGenerator<string, StoredReply, undefined> {
  const { userMessage, thread } = accepted
  const tenantId = access.tenant.id
  // Checked before any await: a concurrent call in this process is joined, never duplicated.
  const running = inflight(ctx.db).get(userMessage.id)
  if (running) {
    const r = await running
    yield r.message.body
    return { ...r, deduplicated: true }
  }

  let settled = false
  let settle!: { resolve(r: StoredReply): void; reject(e: unknown): void }
  const promise = new Promise<StoredReply>((resolve, reject) => {
    settle = {
      resolve(r) {
        settled = true
        resolve(r)
      },
      reject(e) {
        settled = true
        reject(e)
      },
    }
  })
  promise.catch(() => {})
  inflight(ctx.db).set(userMessage.id, promise)
  try {
    // A message this call's caller has just stored has no reply yet (a concurrent retry that
    // answered it elsewhere first is still caught when the reply is stored: reply_to_id is unique).
    const stored =
      accepted.deduplicated === false
        ? undefined
        : await findReplyTo(ctx.db, tenantId, userMessage.id)
    if (stored) {
      const r = { message: stored, sources: sourcesOf(stored), deduplicated: true }
      settle.resolve(r)
      yield stored.body
      return r
    }
    // Read with the message when it was just stored; else (a retry, the voice worker) now.
    const history =
      accepted.agentContext?.history ??
      (await loadConversationHistory(ctx.db, tenantId, accepted.conversation.id, userMessage.seq))
    publishThreadFrame(ctx, thread, typingFrame(userMessage), opts.origin)
    let reply: AgentReply
    let text = ''
    let index = 0
    try {
      reply = ctx.agent.reply({
        tenantId,
        conversationId: accepted.conversation.id,
        history,
        instructions: access.config.agent_instructions ?? undefined,
        locale: opts.locale,
        knowledgeRevision: accepted.agentContext?.knowledgeRevision,
        signal: opts.signal,
      })
      for await (const chunk of reply) {
        if (typeof chunk !== 'string' || chunk === '') continue
        text += chunk
        publishThreadFrame(ctx, thread, chunkFrame(userMessage, index, chunk), opts.origin)
        index++
        yield chunk
      }
      if (text.trim() === '') throw new Error('the agent produced an empty reply')
    } catch (err) {
      if (!(err instanceof Error && err.name === 'AgentUnavailableError')) {
        opts.log?.error({ err, conversationId: accepted.conversation.id }, 'agent reply failed')
      }
      const failure = agentUnavailable()
      // Followers showed "typing": tell them the reply is not coming (the message is stored).
      publishThreadFrame(
        ctx,
        thread,
        {
          type: 'error',
          code: failure.code,
          message: failure.message,
          ...(userMessage.source_message_id !== null
            ? { source_message_id: userMessage.source_message_id }
            : {}),
        },
        opts.origin,
      )
      throw failure
    }
    const sources = await reply.sources.then(
      (s) => (Array.isArray(s) ? s : []),
      () => [],
    )
    // An AI reply the agent saw means this one is not the conversation's first.
    const answeredBefore = history.some((t) => t.role === 'assistant')
    const result = await storeReply(ctx.db, access, userMessage, text, sources, answeredBefore)
    publishThreadFrame(
      ctx,
      thread,
      doneFrame(userMessage.id, result.message, result.deduplicated),
      opts.origin,
    )
    settle.resolve(result)
    return result
  } catch (err) {
    settle.reject(err)
    throw err
  } finally {
    // Also when the consumer stopped iterating early: waiters must not hang.
    if (!settled) settle.reject(agentUnavailable())
    inflight(ctx.db).delete(userMessage.id)
  }
}

/** Drains {@link streamAgentReply}: the stored reply, for callers that do not stream. */
export async function generateAgentReply(
  ...args: Parameters<typeof streamAgentReply>
): Promise<StoredReply> {
  const gen = streamAgentReply(...args)
  for (;;) {
    const step = await gen.next()
    if (step.done) return step.value
  }
}

function sourcesOf(m: MessageRow): AgentSource[] {
  if (!m.metadata) return []
  try {
    const s = (JSON.parse(m.metadata) as { sources?: unknown }).sources
    return Array.isArray(s) ? (s as AgentSource[]) : []
  } catch {
    return []
  }
}

async function storeReply(
  db: Db,
  access: TenantAccess,
  userMessage: MessageRow,
  text: string,
  sources: AgentSource[],
  answeredBefore: boolean,
): Promise<StoredReply> {
  const tenantId = access.tenant.id
  const cleanSources = sources
    .filter((s) => s && typeof s.id === 'string' && typeof s.title === 'string')
    .map((s) => ({ id: s.id, title: s.title }))
  try {
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
        metadata: cleanSources.length > 0 ? JSON.stringify({ sources: cleanSources }) : null,
        created_at: now,
      })
      // The article that answered the first question names the conversation best (the update
      // checks that no AI reply came before this one).
      if (cleanSources[0] && !answeredBefore) {
        await touchConversationAfterReply(
          trx,
          tenantId,
          userMessage.conversation_id,
          now,
          subjectFromText(cleanSources[0].title),
          message.seq,
        )
      } else {
        await updateConversation(trx, tenantId, userMessage.conversation_id, { updated_at: now })
      }
      return message
    })
    return { message, sources: cleanSources, deduplicated: false }
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
    // A concurrent retry stored its reply first: that one is the answer.
    const winner = await findReplyTo(db, tenantId, userMessage.id)
    if (!winner) throw err
    return { message: winner, sources: sourcesOf(winner), deduplicated: true }
  }
}

/**
 * Stores an assistant (or human agent) message that was produced elsewhere — e.g. the voice
 * worker's spoken answer — idempotently by `sourceMessageId`, and shows it live to the thread's
 * followers. Trusted callers only: no ownership checks.
 */
export async function recordAssistantMessage(
  ctx: Ctx,
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
  const body = input.body.trim()
  if (body === '')
    throw invalidField(['body', 'body'], 'body must not be blank', 'string_too_short')
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
  const before = await existingFor()
  if (before) return before
  try {
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
      return { message, thread, deduplicated: false }
    })
    publishThreadFrame(ctx, out.thread, messageFrame(out.message), opts.origin)
    return out
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
    const after = await existingFor()
    if (!after) throw err
    return after
  }
}

/**
 * Sets a conversation's status and tells every socket following one of its threads. No access
 * checks: see {@link resolveConversationAsVisitor} for the visitor's path.
 */
export async function setConversationStatus(
  ctx: Ctx,
  tenantId: string,
  conversationId: string,
  status: 'open' | 'resolved',
  opts: ServiceOptions = {},
): Promise<ConversationRow> {
  const conversation = await findConversationForTenant(ctx.db, tenantId, conversationId)
  if (!conversation) throw notFound('Conversation not found')
  if (conversation.status === status) return conversation
  const updated_at = nowIso()
  await updateConversation(ctx.db, tenantId, conversationId, { status, updated_at })
  for (const thread of await listThreadsOfConversation(ctx.db, tenantId, conversationId)) {
    publishThreadFrame(
      ctx,
      thread,
      statusFrame({ conversation_id: conversationId, thread_id: thread.id }, status),
      opts.origin,
    )
  }
  return { ...conversation, status, updated_at }
}

/**
 * The visitor closes their conversation. They prove it is theirs with a token for its verified
 * contact, or — for a conversation nobody proved — with one of its threads. Anything else is the
 * same 404 as an unknown id, so conversation ids cannot be probed.
 */
export async function resolveConversationAsVisitor(
  ctx: Ctx,
  access: TenantAccess,
  conversationId: string,
  proof: { identity?: VisitorIdentity | undefined; sourceThreadId?: string | undefined },
  opts: ServiceOptions = {},
): Promise<ConversationRow> {
  const tenantId = access.tenant.id
  const conversation = await findConversationForTenant(ctx.db, tenantId, conversationId)
  if (!conversation) throw notFound('Conversation not found')
  let allowed = false
  if (conversation.contact_verified === 1) {
    const contact = await findContactById(ctx.db, tenantId, conversation.contact_id ?? '')
    const email = proof.identity?.verifiedEmail
    allowed = email !== undefined && contact?.email === email
  } else if (proof.sourceThreadId !== undefined) {
    const thread = await findThreadByRef(ctx.db, tenantId, proof.sourceThreadId)
    allowed = thread?.conversation_id === conversation.id
  }
  if (!allowed) throw notFound('Conversation not found')
  return setConversationStatus(ctx, tenantId, conversationId, 'resolved', opts)
}

/** Attachments (metadata) per message id. */
export async function attachmentsOf(
  db: Db,
  tenantId: string,
  messageIds: string[],
): Promise<
  Map<string, { upload_id: string; file_name: string; content_type: string; size_bytes: number }[]>
> {
  const out = new Map<
    string,
    { upload_id: string; file_name: string; content_type: string; size_bytes: number }[]
  >()
  for (const u of await listUploadsForMessages(db, tenantId, messageIds)) {
    if (!u.message_id) continue
    const list = out.get(u.message_id) ?? []
    list.push({
      upload_id: u.id,
      file_name: u.file_name,
      content_type: u.content_type,
      size_bytes: Number(u.size_bytes),
    })
    out.set(u.message_id, list)
  }
  return out
}
