import type {
  ConsoleConversationDetail,
  ConsoleConversationMessage,
  ConsoleConversationSummary,
} from '@aurion/contract'
import { type SqlBool, sql } from 'kysely'
import type { Db } from '../db/schema.ts'

// The console's inbox reads: conversations as the console lists and opens them (contract shapes).

const PREVIEW_CHARS = 200

/** `%`, `_` and the escape character itself match literally in a LIKE pattern built from input. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/** Filters of the conversation list. `assigneeUserId: null` = nobody assigned (the queue). */
export interface ConversationFilter {
  q?: string
  status?: string
  handledBy?: string
  assigneeUserId?: string | null
}

function conversationQuery(db: Db, tenantId: string, filter: ConversationFilter) {
  let query = db
    .selectFrom('conversations as c')
    .leftJoin('contacts as ct', 'ct.id', 'c.contact_id')
    .leftJoin('admin_users as au', (j) =>
      j.onRef('au.id', '=', 'c.assignee_user_id').onRef('au.tenant_id', '=', 'c.tenant_id'),
    )
    .where('c.tenant_id', '=', tenantId)
  if (filter.status !== undefined && filter.status !== '')
    query = query.where('c.status', '=', filter.status)
  if (filter.handledBy !== undefined) query = query.where('c.handled_by', '=', filter.handledBy)
  if (filter.assigneeUserId === null) query = query.where('c.assignee_user_id', 'is', null)
  else if (filter.assigneeUserId !== undefined)
    query = query.where('c.assignee_user_id', '=', filter.assigneeUserId)
  const q = filter.q?.trim()
  if (q) {
    const p = likePattern(q)
    query = query.where((eb) =>
      eb.or([
        sql<SqlBool>`lower(c.subject) like ${p} escape '\\'`,
        sql<SqlBool>`lower(coalesce(ct.email, '')) like ${p} escape '\\'`,
        sql<SqlBool>`lower(coalesce(c.claimed_email, '')) like ${p} escape '\\'`,
        sql<SqlBool>`lower(coalesce(ct.name, '')) like ${p} escape '\\'`,
        eb.exists(
          eb
            .selectFrom('messages as m')
            .select(sql`1`.as('one'))
            .whereRef('m.conversation_id', '=', 'c.id')
            .where(sql<SqlBool>`lower(m.body) like ${p} escape '\\'`),
        ),
      ]),
    )
  }
  return query
}

/** The columns of a conversation summary (list and detail). */
const SUMMARY_COLUMNS = [
  'c.id',
  'c.subject',
  'c.status',
  'c.contact_id',
  'c.created_at',
  'c.updated_at',
  'ct.email as contact_email',
  'ct.name as contact_name',
  'ct.phone as contact_phone',
  'c.contact_verified',
  'c.claimed_email',
  'c.handled_by',
  'c.assignee_user_id',
  'au.email as assignee_email',
  'au.name as assignee_name',
  'c.handoff_requested_at',
  'c.handoff_reason',
  'c.first_human_reply_at',
] as const

/** A tenant's conversations, most recently updated first, with counts and the newest message. */
export async function listTenantConversations(
  db: Db,
  tenantId: string,
  opts: ConversationFilter & { limit: number; offset: number },
): Promise<{ items: ConsoleConversationSummary[]; total: number }> {
  const base = conversationQuery(db, tenantId, opts)
  const [countRow, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    base
      .select(SUMMARY_COLUMNS)
      .orderBy('c.updated_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(opts.limit)
      .offset(opts.offset)
      .execute(),
  ])
  const stats = await messageStats(
    db,
    tenantId,
    rows.map((r) => r.id),
  )
  return {
    total: Number(countRow?.n ?? 0),
    items: rows.map((r) => summary(r, stats.get(r.id))),
  }
}

/** One conversation of the tenant as the list shows it; undefined if not theirs. */
export async function getTenantConversationSummary(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ConsoleConversationSummary | undefined> {
  const row = await conversationQuery(db, tenantId, {})
    .where('c.id', '=', id)
    .select(SUMMARY_COLUMNS)
    .executeTakeFirst()
  if (!row) return undefined
  return summary(row, (await messageStats(db, tenantId, [row.id])).get(row.id))
}

/** One conversation of the tenant with its newest `messageLimit` messages; undefined if not theirs. */
export async function getTenantConversation(
  db: Db,
  tenantId: string,
  id: string,
  messageLimit: number,
): Promise<ConsoleConversationDetail | undefined> {
  const row = await conversationQuery(db, tenantId, {})
    .where('c.id', '=', id)
    .select(SUMMARY_COLUMNS)
    .executeTakeFirst()
  if (!row) return undefined
  const [stats, newestFirst] = await Promise.all([
    messageStats(db, tenantId, [row.id]),
    db
      .selectFrom('messages as m')
      .leftJoin('admin_users as a', (j) =>
        j.onRef('a.id', '=', 'm.author_user_id').onRef('a.tenant_id', '=', 'm.tenant_id'),
      )
      .selectAll('m')
      .select(['a.email as author_email', 'a.name as author_name'])
      .where('m.tenant_id', '=', tenantId)
      .where('m.conversation_id', '=', row.id)
      .orderBy('m.seq', 'desc')
      .limit(messageLimit + 1)
      .execute(),
  ])
  const truncated = newestFirst.length > messageLimit
  const messages = newestFirst.slice(0, messageLimit).reverse()
  const uploads =
    messages.length === 0
      ? []
      : await db
          .selectFrom('uploads')
          .select(['id', 'file_name', 'content_type', 'size_bytes', 'message_id'])
          .where('tenant_id', '=', tenantId)
          .where(
            'message_id',
            'in',
            messages.map((m) => m.id),
          )
          .orderBy('created_at')
          .execute()
  const byMessage = new Map<string, ConsoleConversationMessage['attachments']>()
  for (const u of uploads) {
    const list = byMessage.get(u.message_id!) ?? []
    list.push({
      upload_id: u.id,
      file_name: u.file_name,
      content_type: u.content_type,
      size_bytes: Number(u.size_bytes),
    })
    byMessage.set(u.message_id!, list)
  }
  return {
    ...summary(row, stats.get(row.id)),
    messages: messages.map((m) => ({
      id: m.id,
      thread_id: m.thread_id,
      sender_type: m.sender_type,
      body: m.body,
      channel: m.channel,
      created_at: m.created_at,
      metadata: parseObject(m.metadata),
      private: Number(m.private) === 1,
      author: m.author_email !== null ? { name: m.author_name, email: m.author_email } : null,
      attachments: byMessage.get(m.id) ?? [],
    })),
    messages_truncated: truncated,
  }
}

interface Stats {
  count: number
  last?: { sender_type: string; body: string; channel: string; created_at: string }
}

async function messageStats(db: Db, tenantId: string, ids: string[]): Promise<Map<string, Stats>> {
  const out = new Map<string, Stats>()
  if (ids.length === 0) return out
  const [counts, lasts] = await Promise.all([
    db
      .selectFrom('messages')
      .select(['conversation_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', 'in', ids)
      .groupBy('conversation_id')
      .execute(),
    db
      .selectFrom('messages')
      .select(['conversation_id', 'sender_type', 'body', 'channel', 'created_at'])
      .where(
        'seq',
        'in',
        db
          .selectFrom('messages')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('tenant_id', '=', tenantId)
          .where('conversation_id', 'in', ids)
          .groupBy('conversation_id'),
      )
      .execute(),
  ])
  for (const c of counts) out.set(c.conversation_id, { count: Number(c.n) })
  for (const l of lasts) {
    const s = out.get(l.conversation_id) ?? { count: 0 }
    s.last = {
      sender_type: l.sender_type,
      body: preview(l.body),
      channel: l.channel,
      created_at: l.created_at,
    }
    out.set(l.conversation_id, s)
  }
  return out
}

function summary(
  r: {
    id: string
    subject: string
    status: string
    contact_id: string | null
    created_at: string
    updated_at: string
    contact_email: string | null
    contact_name: string | null
    contact_phone: string | null
    contact_verified: number
    claimed_email: string | null
    handled_by: string
    assignee_user_id: string | null
    assignee_email: string | null
    assignee_name: string | null
    handoff_requested_at: string | null
    handoff_reason: string | null
    first_human_reply_at: string | null
  },
  stats: Stats | undefined,
): ConsoleConversationSummary {
  return {
    id: r.id,
    subject: r.subject,
    status: r.status,
    // A proven email is the contact's; a claimed one is shown as the claim it is.
    contact:
      r.contact_id === null
        ? null
        : Number(r.contact_verified) === 1
          ? {
              id: r.contact_id,
              email: r.contact_email,
              name: r.contact_name,
              email_verified: true,
              phone: r.contact_phone,
            }
          : {
              id: r.contact_id,
              email: r.claimed_email ?? r.contact_email,
              name: r.contact_name,
              email_verified: false,
              phone: r.contact_phone,
            },
    message_count: stats?.count ?? 0,
    last_message: stats?.last ?? null,
    created_at: r.created_at,
    updated_at: r.updated_at,
    handled_by: r.handled_by === 'human' ? 'human' : 'ai',
    assignee:
      r.assignee_user_id !== null && r.assignee_email !== null
        ? { id: r.assignee_user_id, email: r.assignee_email, name: r.assignee_name }
        : null,
    handoff_requested_at: r.handoff_requested_at,
    handoff_reason: r.handoff_reason,
    first_human_reply_at: r.first_human_reply_at,
    first_human_reply_seconds:
      r.handoff_requested_at !== null && r.first_human_reply_at !== null
        ? Math.max(
            0,
            (Date.parse(r.first_human_reply_at) - Date.parse(r.handoff_requested_at)) / 1000,
          )
        : null,
  }
}

/** The start of a message, cut on a character boundary (never inside a surrogate pair). */
function preview(body: string): string {
  if (body.length <= PREVIEW_CHARS) return body
  const chars = Array.from(body)
  return chars.length <= PREVIEW_CHARS ? body : `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…`
}

function parseObject(json: string | null): Record<string, unknown> | null {
  if (json === null) return null
  try {
    const v: unknown = JSON.parse(json)
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}
