import type {
  Attachment,
  WsChunkFrame,
  WsConversationStatusFrame,
  WsDoneFrame,
  WsServerFrame,
  WsThreadMessageFrame,
  WsTypingFrame,
} from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import { replyExtrasOf } from './answer-extras.ts'
import type { Channel, MessageRow, SenderType, ThreadRow } from './types.ts'

/** Stored ISO timestamps (with milliseconds) as the API shows them: `2026-06-09T15:00:00Z`. */
export function toApiTimestamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z')
}

type Ref = { conversation_id: string; thread_id: string }
const ref = (m: { conversation_id: string; thread_id: string }): Ref => ({
  conversation_id: m.conversation_id,
  thread_id: m.thread_id,
})

export const typingFrame = (r: Ref): WsTypingFrame => ({ type: 'typing', ...ref(r) })

export const chunkFrame = (r: Ref, index: number, chunk: string): WsChunkFrame => ({
  type: 'chunk',
  index,
  ...ref(r),
  chunk,
})

export const doneFrame = (
  userMessageId: string,
  ai: MessageRow,
  deduplicated: boolean,
): WsDoneFrame => ({
  type: 'done',
  ...ref(ai),
  user_message_id: userMessageId,
  ai_message_id: ai.id,
  ai_response: ai.body,
  deduplicated,
  ...replyExtrasOf(ai),
})

export const messageFrame = (
  m: MessageRow,
  attachments: Attachment[] = [],
): WsThreadMessageFrame => ({
  type: 'message',
  ...ref(m),
  message: {
    id: m.id,
    sender_type: m.sender_type as SenderType,
    body: m.body,
    // A phone call's turn is spoken, as far as the widget is concerned.
    channel: m.channel === 'chat' ? 'chat' : 'voice',
    created_at: toApiTimestamp(m.created_at),
    attachments,
    ...(m.sender_type === 'contact' && m.source_message_id !== null
      ? { source_message_id: m.source_message_id }
      : {}),
    ...replyExtrasOf(m),
  },
})

export const statusFrame = (r: Ref, status: 'open' | 'resolved'): WsConversationStatusFrame => ({
  type: 'conversation_status',
  ...ref(r),
  status,
})

/**
 * Publishes a frame to every socket following `thread` on every instance. `origin` names the
 * publisher (a socket id) so it can skip the frames it already sent itself. Delivery is best
 * effort: the data is stored before anything is published.
 */
export function publishThreadFrame(
  ctx: Pick<RouteContext, 'bus'>,
  thread: Pick<ThreadRow, 'tenant_id' | 'id'>,
  frame: WsServerFrame,
  origin: string | undefined,
): void {
  ctx.bus
    .publish({
      type: 'thread.frame',
      tenantId: thread.tenant_id,
      threadId: thread.id,
      frame,
      ...(origin !== undefined ? { origin } : {}),
    })
    .catch(() => {})
}
