import type { Db } from '../db/schema.ts'
import { notFound } from '../errors.ts'
import { newId, nowIso } from '../ids.ts'
import {
  type ContactRow,
  createAnonymousContact,
  deleteOrphanAnonymousContact,
  findContactById,
  findOrCreateContact,
} from '../visitors/contact-repo.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import { emitConversationCreated } from '../webhooks/conversation-events.ts'
import {
  findConversationForTenant,
  findThreadContext,
  findThreadForTenant,
  insertConversation,
  insertThread,
  listThreadsOfConversation,
  updateConversation,
} from './conversation-repo.ts'
import { retryOnUniqueViolation } from './db-errors.ts'
import type { ConversationRow, ServiceOptions, TenantAccess, ThreadRow } from './types.ts'
import { claimConversation, mayUseConversation, ownershipOfNew } from './visitor-access.ts'

/** Transactions that met a concurrent insert of the same thread/contact are tried this often. */
export const MAX_TX_ATTEMPTS = 5

/** Where a message goes: a thread reference (REST/WS) or, for trusted callers, a conversation. */
export interface ThreadTarget {
  /** `thread_…` id or client-chosen id; unknown → a new conversation recorded under it. */
  sourceThreadId?: string | undefined
  /** Trusted callers only (voice worker, admin): continue exactly this conversation… */
  conversationId?: string | undefined
  /** …in this thread of it (default: its first thread). */
  threadId?: string | undefined
}

export interface Located {
  conversation: ConversationRow
  thread: ThreadRow
  contact: ContactRow
  created: boolean
  reopened: boolean
  /**
   * Whether the conversation row was written (created, claimed or reopened). When not, its
   * `updated_at` moves only with the message the caller stores next (migration 0034).
   */
  touched: boolean
  /** Whether the conversation had a visitor message, when the look-up told. */
  hadVisitorMessage?: boolean | undefined
}

/**
 * Finds or starts a thread without storing a message — e.g. for a voice call that begins
 * before anything was said. Same ownership rules as `acceptVisitorMessage`.
 */
export function openThread(
  ctx: { db: Db },
  access: TenantAccess,
  target: ThreadTarget & { identity?: VisitorIdentity | undefined; subject?: string | undefined },
  opts: ServiceOptions = {},
): Promise<{
  conversation: ConversationRow
  thread: ThreadRow
  contact: ContactRow
  created: boolean
}> {
  return retryOnUniqueViolation(MAX_TX_ATTEMPTS, () =>
    ctx.db.transaction().execute(async (trx) => {
      const located = await locateThread(
        trx,
        access,
        target,
        target.identity ?? {},
        opts,
        target.subject ?? 'New conversation',
      )
      // No message follows to move `updated_at`: opening the thread is the activity.
      if (!located.touched)
        await updateConversation(trx, access.tenant.id, located.conversation.id, {
          updated_at: located.conversation.updated_at,
        })
      return located
    }),
  )
}

/**
 * Finds the target thread (checking ownership) or starts a conversation + thread, and settles
 * the contact from the identity. Runs inside the caller's transaction; writes the conversation's
 * new contact or status when they change. Its `updated_at` moves with the message the caller
 * stores next (the insert's trigger, migration 0034); a caller that stores none writes it
 * (`openThread`).
 */
export async function locateThread(
  db: Db,
  access: TenantAccess,
  target: ThreadTarget,
  identity: VisitorIdentity,
  opts: ServiceOptions,
  subject: string,
): Promise<Located> {
  const tenantId = access.tenant.id
  const now = nowIso()
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
    // Only a proven email names a contact; a claimed one stays a label of the conversation.
    const contact = identity.verifiedEmail
      ? await findOrCreateContact(db, tenantId, identity.verifiedEmail)
      : await createAnonymousContact(db, tenantId)
    conversation = {
      id: newId('conv'),
      tenant_id: tenantId,
      contact_id: contact.id,
      subject,
      status: 'open',
      ...ownershipOfNew(identity),
      created_at: now,
      updated_at: now,
    }
    await insertConversation(db, conversation)
    thread = newThread(tenantId, conversation.id, target.sourceThreadId ?? null, now)
    await insertThread(db, thread)
    await emitConversationCreated(db, conversation, thread.id)
    return { conversation, thread, contact, created: true, reopened: false, touched: true }
  }

  const previous = known
    ? known.contact
    : conversation.contact_id
      ? await findContactById(db, tenantId, conversation.contact_id)
      : undefined
  // The thread was named (a reference or, for trusted callers, the conversation itself).
  if (!opts.trusted && !mayUseConversation(conversation, previous?.email, identity, true)) {
    throw notFound('Thread not found')
  }
  const { contact, patch: claim } = await claimConversation(
    db,
    tenantId,
    conversation,
    previous,
    identity,
  )
  const reopened = conversation.status !== 'open'
  // Only the columns that change: an indexed column set to its own value still rewrites its
  // index entry (one more page in the log for every message). `updated_at` alone is left to the
  // message about to be stored: its insert trigger moves it (migration 0034).
  const changes = { ...claim, ...(reopened ? { status: 'open' } : {}) }
  const touched = Object.keys(changes).length > 0
  const patch = { ...changes, updated_at: now }
  if (touched) await updateConversation(db, tenantId, conversation.id, patch)
  if (previous && previous.id !== contact.id && previous.email === null) {
    await deleteOrphanAnonymousContact(db, tenantId, previous.id)
  }
  return {
    conversation: { ...conversation, ...patch },
    thread,
    contact,
    created: false,
    reopened,
    touched,
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
