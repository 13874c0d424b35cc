import { firstRow, type PreparedQuery, prepare } from '../db/prepared.ts'
import type { Db } from '../db/schema.ts'
import type { ContactRow } from '../visitors/contact-repo.ts'
import type { ConversationRow, ThreadRow } from './types.ts'

// The statements of every widget message are prepared (built and compiled once).

const conversationQuery = prepare((db: Db, p: { tenantId: string; id: string }) =>
  db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where('id', '=', p.id),
)

/** The tenant's conversation with this id; another tenant's id is a miss. */
export async function findConversationForTenant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ConversationRow | undefined> {
  return firstRow(await conversationQuery(db, { tenantId, id }))
}

const insertConversationQuery = prepare((db: Db, row: ConversationRow) =>
  db.insertInto('conversations').values({
    id: row.id,
    tenant_id: row.tenant_id,
    contact_id: row.contact_id,
    subject: row.subject,
    status: row.status,
    contact_verified: row.contact_verified,
    owner_token_id: row.owner_token_id,
    claimed_email: row.claimed_email,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }),
)

export async function insertConversation(db: Db, row: ConversationRow): Promise<void> {
  await insertConversationQuery(db, row)
}

export type ConversationPatch = Partial<
  Pick<
    ConversationRow,
    | 'contact_id'
    | 'contact_verified'
    | 'owner_token_id'
    | 'claimed_email'
    | 'subject'
    | 'status'
    | 'updated_at'
    | 'handled_by'
    | 'assignee_user_id'
    | 'handoff_requested_at'
    | 'handoff_reason'
  >
>
const PATCHABLE = [
  'contact_id',
  'contact_verified',
  'owner_token_id',
  'claimed_email',
  'subject',
  'status',
  'updated_at',
  'handled_by',
  'assignee_user_id',
  'handoff_requested_at',
  'handoff_reason',
] as const
/** One prepared update per set of patched columns (a handful exist). */
const updateQueries = new Map<
  string,
  PreparedQuery<ConversationPatch & { tenantId: string; id: string }, unknown>
>()

export async function updateConversation(
  db: Db,
  tenantId: string,
  id: string,
  patch: ConversationPatch,
): Promise<void> {
  const columns = PATCHABLE.filter((c) => patch[c] !== undefined)
  if (columns.length === 0) return
  const key = columns.join(',')
  let query = updateQueries.get(key)
  if (query === undefined) {
    query = prepare((qdb: Db, p: ConversationPatch & { tenantId: string; id: string }) =>
      qdb
        .updateTable('conversations')
        .set(Object.fromEntries(columns.map((c) => [c, p[c]])) as ConversationPatch)
        .where('tenant_id', '=', p.tenantId)
        .where('id', '=', p.id),
    )
    updateQueries.set(key, query)
  }
  const params: ConversationPatch & { tenantId: string; id: string } = { tenantId, id }
  for (const c of columns) (params as Record<string, unknown>)[c] = patch[c]
  await query(db, params)
}

interface NameAfterReply {
  tenantId: string
  id: string
  subject: string
  replySeq: number
}

const nameAfterReplyQuery = prepare((db: Db, { tenantId, id, subject, replySeq }: NameAfterReply) =>
  db
    .updateTable('conversations')
    .set((eb) => ({
      subject: eb
        .case()
        .when(
          eb.exists(
            eb
              .selectFrom('messages')
              .select('messages.seq')
              .where('messages.tenant_id', '=', tenantId)
              .where('messages.conversation_id', '=', id)
              .where('messages.sender_type', '=', 'ai')
              .where('messages.seq', '<', replySeq),
          ),
        )
        .then(eb.ref('conversations.subject'))
        .else(subject)
        .end(),
    }))
    .where('conversations.tenant_id', '=', tenantId)
    .where('conversations.id', '=', id),
)

/**
 * After the AI reply `replySeq` was stored: the conversation's `subject`, when that reply is its
 * first AI message (one statement, no look-up before it).
 */
export async function nameConversationAfterFirstReply(
  db: Db,
  tenantId: string,
  id: string,
  subject: string,
  replySeq: number,
): Promise<void> {
  await nameAfterReplyQuery(db, { tenantId, id, subject, replySeq })
}

/**
 * A visitor's conversations, newest activity first: those recorded under the token id, and —
 * for a token that proves its email — those whose contact (`provenContactId`) proved it too.
 * Conversations that merely claimed the email are never included for anyone else.
 */
export async function listConversationsOfVisitor(
  db: Db,
  tenantId: string,
  owner: { tokenId: string; provenContactId?: string | undefined },
  limit: number,
): Promise<ConversationRow[]> {
  return (
    db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb('owner_token_id', '=', owner.tokenId),
          ...(owner.provenContactId !== undefined
            ? [
                eb.and([
                  eb('contact_id', '=', owner.provenContactId),
                  eb('contact_verified', '=', 1),
                ]),
              ]
            : []),
        ]),
      )
      .orderBy('updated_at', 'desc')
      // Same millisecond: the conversation with the latest message wins (seq is monotonic).
      .orderBy(
        (eb) =>
          eb
            .selectFrom('messages')
            .select((m) => m.fn.max('messages.seq').as('last'))
            .whereRef('messages.conversation_id', '=', 'conversations.id'),
        'desc',
      )
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
  )
}

/** The conversations recorded under a token id (to file them under its now-proven email). */
export async function listConversationsOfToken(
  db: Db,
  tenantId: string,
  tokenId: string,
): Promise<ConversationRow[]> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('owner_token_id', '=', tokenId)
    .execute()
}

const threadQuery = prepare((db: Db, p: { tenantId: string; id: string }) =>
  db.selectFrom('threads').selectAll().where('tenant_id', '=', p.tenantId).where('id', '=', p.id),
)

export async function findThreadForTenant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ThreadRow | undefined> {
  return firstRow(await threadQuery(db, { tenantId, id }))
}

const threadBySourceQuery = prepare((db: Db, p: { tenantId: string; ref: string }) =>
  db
    .selectFrom('threads')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where('source_thread_id', '=', p.ref),
)

/** The tenant's thread whose id (`thread_…`) or client-chosen `source_thread_id` is `ref`. */
export async function findThreadByRef(
  db: Db,
  tenantId: string,
  ref: string,
): Promise<ThreadRow | undefined> {
  if (ref.startsWith('thread_')) {
    const byId = await findThreadForTenant(db, tenantId, ref)
    if (byId) return byId
  }
  return firstRow(await threadBySourceQuery(db, { tenantId, ref }))
}

/** A thread with its conversation, the conversation's contact and whether the visitor wrote yet. */
export interface ThreadContext {
  thread: ThreadRow
  conversation: ConversationRow
  /** Undefined when the conversation has none (an admin deleted it). */
  contact: ContactRow | undefined
  /** The conversation has a message from the visitor (it may have none: a voice call). */
  hasVisitorMessage: boolean
}

// Everything continuing a thread needs, in one statement (it runs for every widget message).
const threadContextQuery = (by: 'id' | 'source_thread_id') =>
  prepare((db: Db, p: { tenantId: string; ref: string }) =>
    db
      .selectFrom('threads as t')
      .innerJoin('conversations as c', (j) =>
        j.onRef('c.id', '=', 't.conversation_id').onRef('c.tenant_id', '=', 't.tenant_id'),
      )
      .leftJoin('contacts as p', (j) =>
        j.onRef('p.id', '=', 'c.contact_id').onRef('p.tenant_id', '=', 'c.tenant_id'),
      )
      .select([
        't.id as t_id',
        't.source_thread_id as t_source_thread_id',
        't.created_at as t_created_at',
        'c.id as c_id',
        'c.contact_id as c_contact_id',
        'c.subject as c_subject',
        'c.status as c_status',
        'c.contact_verified as c_contact_verified',
        'c.owner_token_id as c_owner_token_id',
        'c.claimed_email as c_claimed_email',
        'c.handled_by as c_handled_by',
        'c.assignee_user_id as c_assignee_user_id',
        'c.created_at as c_created_at',
        'c.updated_at as c_updated_at',
        'p.id as p_id',
        'p.email as p_email',
        'p.name as p_name',
        'p.created_at as p_created_at',
        'p.updated_at as p_updated_at',
      ])
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('messages as m')
              .select('m.seq')
              // By the conversation alone (its id is the tenant's: c is): with a tenant term,
              // SQLite chose the (tenant_id, sender_type, …) index and walked every visitor
              // message of the tenant (message-path-plans.test.ts).
              .whereRef('m.conversation_id', '=', 'c.id')
              .where('m.sender_type', '=', 'contact'),
          )
          .as('has_visitor_message'),
      )
      .where('t.tenant_id', '=', p.tenantId)
      .where(by === 'id' ? 't.id' : 't.source_thread_id', '=', p.ref),
  )
const threadContextById = threadContextQuery('id')
const threadContextBySource = threadContextQuery('source_thread_id')

/**
 * The tenant's thread whose id (`thread_…`) or client-chosen `source_thread_id` is `ref` (as
 * {@link findThreadByRef}), with its conversation and contact.
 */
export async function findThreadContext(
  db: Db,
  tenantId: string,
  ref: string,
): Promise<ThreadContext | undefined> {
  const r =
    (ref.startsWith('thread_')
      ? firstRow(await threadContextById(db, { tenantId, ref }))
      : undefined) ?? firstRow(await threadContextBySource(db, { tenantId, ref }))
  if (r === undefined) return undefined
  return {
    thread: {
      id: r.t_id,
      tenant_id: tenantId,
      conversation_id: r.c_id,
      source_thread_id: r.t_source_thread_id,
      created_at: r.t_created_at,
    },
    conversation: {
      id: r.c_id,
      tenant_id: tenantId,
      contact_id: r.c_contact_id,
      subject: r.c_subject,
      status: r.c_status,
      contact_verified: Number(r.c_contact_verified),
      owner_token_id: r.c_owner_token_id,
      claimed_email: r.c_claimed_email,
      handled_by: r.c_handled_by,
      assignee_user_id: r.c_assignee_user_id,
      created_at: r.c_created_at,
      updated_at: r.c_updated_at,
    },
    contact:
      r.p_id === null
        ? undefined
        : {
            id: r.p_id,
            tenant_id: tenantId,
            email: r.p_email,
            name: r.p_name,
            created_at: r.p_created_at!,
            updated_at: r.p_updated_at!,
          },
    // PostgreSQL answers a boolean, SQLite 0 or 1.
    hasVisitorMessage: Boolean(r.has_visitor_message),
  }
}

const insertThreadQuery = prepare((db: Db, row: ThreadRow) =>
  db.insertInto('threads').values({
    id: row.id,
    tenant_id: row.tenant_id,
    conversation_id: row.conversation_id,
    source_thread_id: row.source_thread_id,
    created_at: row.created_at,
  }),
)

export async function insertThread(db: Db, row: ThreadRow): Promise<void> {
  await insertThreadQuery(db, row)
}

/** Threads of a conversation, oldest first (the first is the one the widget continues). */
export async function listThreadsOfConversation(
  db: Db,
  tenantId: string,
  conversationId: string,
): Promise<ThreadRow[]> {
  return db
    .selectFrom('threads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}
