import type { ConversationRow } from '../conversations/types.ts'
import type { Db } from '../db/schema.ts'
import {
  emitConversationAssigned,
  emitConversationResolved,
  emitHandoffRequested,
} from '../webhooks/conversation-events.ts'
import { findTenantUser } from './handoff-repo.ts'

/**
 * Stores a change of a conversation's state (`write`) and, in the same transaction, the webhook
 * events it makes (the outbox: an event exists exactly when its change does):
 * `conversation.handoff_requested` for a hand-off (`handoffReason`), `conversation.assigned` when
 * someone new has it, `conversation.resolved` when it is resolved now.
 */
export async function storeStateChange(
  db: Db,
  before: ConversationRow,
  next: ConversationRow,
  write: (trx: Db) => Promise<void>,
  handoffReason?: string,
): Promise<void> {
  await db.transaction().execute((trx) => writeStateChange(trx, before, next, write, handoffReason))
}

/** {@link storeStateChange} inside the caller's transaction `trx` (with the change it goes with). */
export async function writeStateChange(
  trx: Db,
  before: ConversationRow,
  next: ConversationRow,
  write: (trx: Db) => Promise<void>,
  handoffReason?: string,
): Promise<void> {
  await write(trx)
  if (handoffReason !== undefined) await emitHandoffRequested(trx, next, handoffReason)
  const assigneeId = next.assignee_user_id ?? null
  if (assigneeId !== null && assigneeId !== (before.assignee_user_id ?? null)) {
    const user = await findTenantUser(trx, next.tenant_id, { id: assigneeId })
    if (user) await emitConversationAssigned(trx, next, user)
  }
  if (next.status === 'resolved' && before.status !== 'resolved')
    await emitConversationResolved(trx, next)
}
