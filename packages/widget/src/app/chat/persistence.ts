import type { OutgoingMessage } from './endpoints.ts'
import type { ChatMessage, ChatState } from './types.ts'

/** What survives a reload, under one `localStorage` key per tenant. */
export interface Stored {
  v: 1
  threadId: string
  conversationId?: string
  email?: string
  emailToken?: string
  name?: string
  messages: ChatMessage[]
  outbox: OutgoingMessage[]
}

/** The last this many messages are kept (the server has the whole thread). */
const KEEP_MESSAGES = 150

export function readStored(key: string): Stored | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(key) ?? 'null') as Stored | null
    return s?.v === 1 && typeof s.threadId === 'string' && Array.isArray(s.messages) ? s : undefined
  } catch {
    return undefined
  }
}

export function writeStored(key: string, s: ChatState, outbox: OutgoingMessage[]): void {
  const stored: Stored = {
    v: 1,
    threadId: s.threadId,
    conversationId: s.conversationId,
    email: s.email,
    emailToken: s.emailToken,
    name: s.name,
    messages: s.messages.slice(-KEEP_MESSAGES),
    outbox,
  }
  try {
    localStorage.setItem(key, JSON.stringify(stored))
  } catch {
    // Full or disabled storage: the conversation still works, it just won't survive a reload.
  }
}

/**
 * The state a stored conversation starts from: a reply that was streaming when the page went
 * away is complete unless its message is still in the outbox (it will stream again).
 */
export function restoredMessages(s: Stored | undefined): ChatMessage[] {
  return (s?.messages ?? []).map((m) =>
    m.state === 'streaming' && !s?.outbox?.some((o) => `r:${o.source_message_id}` === m.key)
      ? { ...m, state: 'done' }
      : m,
  )
}
