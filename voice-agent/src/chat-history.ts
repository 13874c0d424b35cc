import { llm } from '@livekit/agents'
import type { ConversationMessage } from './internal-client.ts'

/** Marks chat items loaded from the server: they are already stored and never written back. */
export const STORED_MESSAGE_KEY = 'aurion_message_id'

/**
 * The conversation so far as the session's chat context, so the call continues the chat (the
 * framework's history, transcripts and any model that reads the context see earlier turns).
 */
export function toChatContext(messages: ConversationMessage[]): llm.ChatContext {
  const ctx = llm.ChatContext.empty()
  // The context orders items by time: stored turns must sort before anything said in this call
  // even when the server's clock runs ahead of the worker's.
  const latest = Date.now() - messages.length - 1
  messages.forEach((m, i) => {
    const stored = Date.parse(m.created_at)
    const createdAt = Number.isFinite(stored) ? Math.min(stored, latest + i) : latest + i
    ctx.insert(
      llm.ChatMessage.create({
        role: m.sender_type === 'contact' ? 'user' : 'assistant',
        content: m.body,
        createdAt,
        extra: { [STORED_MESSAGE_KEY]: m.id, channel: m.channel },
      }),
    )
  })
  return ctx
}

/** Whether a chat item came from the server's stored conversation. */
export function isStoredMessage(item: llm.ChatItem): boolean {
  return item.type === 'message' && typeof item.extra?.[STORED_MESSAGE_KEY] === 'string'
}
