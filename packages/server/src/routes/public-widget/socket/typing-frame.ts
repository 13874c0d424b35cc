import {
  findConversationForTenant,
  findThreadByRef,
} from '../../../conversations/conversation-repo.ts'
import { publishVisitorTyping } from '../../../handoff/typing.ts'
import type { SocketServer } from './socket-server.ts'
import type { WidgetSocket } from './widget-socket.ts'

/**
 * `{"type": "typing"}`: the visitor is typing. Only the socket's own current thread, only once
 * its credentials were checked, and only while a person handles the conversation does it reach
 * the inbox; otherwise it is dropped without an answer (the widget sends it every few seconds).
 */
export async function handleTypingFrame(server: SocketServer, s: WidgetSocket): Promise<void> {
  try {
    const tenantId = s.tenantId
    if (tenantId === undefined || s.currentThread === undefined) return
    const thread = await findThreadByRef(server.ctx.db, tenantId, s.currentThread)
    if (!thread || !s.follows.has(thread.id)) return
    const c = await findConversationForTenant(server.ctx.db, tenantId, thread.conversation_id)
    if (c?.handled_by !== 'human') return
    publishVisitorTyping(server.ctx, tenantId, c.id)
  } catch (err) {
    s.log.warn({ err }, 'visitor typing frame not relayed')
  }
}
