import type { WsServerFrame } from '@aurion/contract'
import type { RouteContext } from '../../../app-deps.ts'

/**
 * A widget socket of this server showed a person's message to its visitor: says so on the bus
 * (`thread.delivered`), so the reply mail for a visitor who left is not sent to one who saw it
 * live (see `handoff/reply-mail.ts`). Other frames need no receipt.
 */
export function reportDelivered(
  ctx: Pick<RouteContext, 'bus'>,
  tenantId: string,
  frame: WsServerFrame,
): void {
  if (frame.type !== 'message' || frame.message.sender_type !== 'agent') return
  ctx.bus
    .publish({ type: 'thread.delivered', tenantId, messageId: frame.message.id })
    .catch(() => {})
}
