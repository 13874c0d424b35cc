import type { WsThreadMessageFrame } from '@aurion/contract'
import type { RouteContext } from '../../../app-deps.ts'
import { findConversationForTenant } from '../../../conversations/conversation-repo.ts'
import { messageFrame } from '../../../conversations/frames.ts'
import { attachmentsOf } from '../../../conversations/message-attachments.ts'
import { findMessageForTenant } from '../../../conversations/message-repo.ts'
import type { ThreadRow } from '../../../conversations/types.ts'
import {
  loadVisitorConversationFrame,
  visitorFacingName,
} from '../../../handoff/conversation-state.ts'
import { listVisibleMessagesAfter } from '../../../handoff/handoff-repo.ts'
import { reportDelivered } from './delivery.ts'
import { send, type WidgetSocket } from './widget-socket.ts'

/** Messages one catch-up sends at most (the contract's bound). */
export const CATCH_UP_LIMIT = 100

/**
 * A reconnecting widget catches up (`after_message_id`): every message of the followed thread's
 * conversation stored after that one — the visitor's, the assistant's and people's replies, from
 * every thread and channel, never the team's private notes — as `message` frames (at most
 * {@link CATCH_UP_LIMIT}, oldest first), then a `conversation` frame with the current state.
 *
 * The socket follows the thread before this runs, so nothing stored meanwhile falls between the
 * live frames and the catch-up (a message in both is shown once: the widget knows its id). An id
 * that is not a visible message of this conversation (another visitor's, a note, a deleted one)
 * catches up nothing; the state frame still comes.
 */
export async function sendCatchUp(
  ctx: Pick<RouteContext, 'db' | 'bus'>,
  s: WidgetSocket,
  thread: ThreadRow,
  afterMessageId: string,
): Promise<void> {
  const tenantId = thread.tenant_id
  const anchor = await findMessageForTenant(ctx.db, tenantId, afterMessageId)
  if (anchor && anchor.conversation_id === thread.conversation_id && !Number(anchor.private)) {
    const rows = await listVisibleMessagesAfter(
      ctx.db,
      tenantId,
      thread.conversation_id,
      anchor.seq,
      CATCH_UP_LIMIT,
    )
    const attachments = await attachmentsOf(
      ctx.db,
      tenantId,
      rows.map((r) => r.id),
    )
    for (const row of rows) {
      const frame: WsThreadMessageFrame = messageFrame(row, attachments.get(row.id))
      if (row.sender_type === 'agent')
        frame.message.author_name = row.author_email
          ? visitorFacingName({ name: row.author_name, email: row.author_email })
          : null
      if (send(s, frame)) reportDelivered(ctx, tenantId, frame)
    }
  }
  const c = await findConversationForTenant(ctx.db, tenantId, thread.conversation_id)
  if (c) send(s, await loadVisitorConversationFrame(ctx.db, c, thread.id))
}
