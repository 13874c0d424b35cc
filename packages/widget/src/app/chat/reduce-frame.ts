import type { WsConversationFrame, WsServerFrame } from '@aurion/contract'
import { extrasOf, fromServer, sameLocalLine, str } from './server-messages.ts'
import type { ChatMessage, ChatState, MessageError } from './types.ts'

/**
 * What a frame asks of the world outside the state (the session carries these out):
 * - `ack`: the visitor message `key` is stored: its `send()` resolves;
 * - `end`: it leaves the outbox: its reply is complete (`ask()` resolves with `reply`, the state
 *   is saved) or, with `error`, it failed (`send()` rejects, `ask()` resolves with nothing);
 * - `emit`: a message is announced to the host page (`unread`: and counted as unread);
 * - `typing`: someone composes — stop showing it after `ms` (0: now, it arrived).
 */
export type Effect =
  | { k: 'ack'; key: string }
  | { k: 'end'; key: string; reply?: string; error?: string }
  | { k: 'emit'; key: string; unread?: boolean }
  | { k: 'typing'; ms: number }

/** A frame's fields, each still to be checked: the server's JSON is not trusted blindly. */
type Fields = Partial<Record<string, unknown>>

const find = (s: ChatState, key: string) => s.messages.find((m) => m.key === key)

export function patchMessage(s: ChatState, key: string, p: Partial<ChatMessage>): ChatState {
  return { ...s, messages: s.messages.map((m) => (m.key === key ? { ...m, ...p } : m)) }
}

const push = (s: ChatState, m: ChatMessage): ChatState => ({ ...s, messages: [...s.messages, m] })

/** A message that will get no reply: marked failed (or, when the agent failed, sent). */
export function failMessage(
  s: ChatState,
  key: string,
  error: MessageError,
  detail?: string,
): ChatState {
  // An agent failure keeps the visitor's message (it was stored): only the reply is missing.
  const sent = error === 'agentDown' && find(s, key)?.serverId
  return {
    ...patchMessage(s, key, { state: sent ? 'sent' : 'failed', error, detail }),
    streaming: s.streaming === key ? undefined : s.streaming,
  }
}

/** The visitor message (its key) a frame is about; `outbox`: keys awaiting their reply. */
function subjectOf(s: ChatState, f: Fields, outbox: readonly string[]): string | undefined {
  const sid = str(f.source_message_id)
  if (sid && find(s, sid)) return sid
  const uid = str(f.user_message_id)
  if (uid) {
    const m = s.messages.find((x) => x.role === 'visitor' && x.serverId === uid)
    if (m) return m.key
  }
  if (sid || uid) return undefined
  if (f.type === 'ack') return outbox.find((k) => find(s, k)?.state === 'sending')
  return s.streaming ?? outbox.find((k) => find(s, k)?.serverId)
}

const ERRORS: Partial<Record<string, MessageError>> = {
  rate_limited: 'rateLimited',
  agent_unavailable: 'agentDown',
  validation_error: 'rejected',
}

/**
 * One server frame applied to the conversation: the next state and what must happen outside it.
 * Pure (no timers, storage or host calls), so every frame sequence is unit-testable.
 */
export function reduceFrame(
  s: ChatState,
  frame: WsServerFrame,
  outbox: readonly string[],
): [ChatState, Effect[]] {
  const f = frame as Fields
  switch (frame.type) {
    case 'typing':
      // A person's typing comes every few seconds while they type; the assistant's once.
      return [{ ...s, typing: true }, [{ k: 'typing', ms: f.sender_type ? 8e3 : 3e4 }]]
    case 'conversation':
      return [{ ...s, conv: frame as WsConversationFrame, typing: false }, []]
    case 'ack': {
      const key = subjectOf(s, f, outbox)
      const conversationId = str(f.conversation_id) ?? s.conversationId
      if (!key) return [{ ...s, conversationId }, []]
      const fx: Effect[] = [{ k: 'ack', key }]
      if (find(s, key)?.state === 'sending') fx.push({ k: 'emit', key })
      // A person handles the conversation: the ack is all (no reply will come to wait for).
      if (s.conv?.handled_by === 'human') fx.push({ k: 'end', key })
      const next = patchMessage(s, key, { state: 'sent', serverId: str(f.user_message_id) })
      return [{ ...next, conversationId }, fx]
    }
    case 'chunk': {
      const key = subjectOf(s, f, outbox)
      if (!key) return [s, []]
      const rk = `r:${key}`
      const chunk = str(f.chunk) ?? ''
      const existing = find(s, rk)
      const next = existing
        ? // A resent message (after a drop) streams its reply again from index 0.
          patchMessage(s, rk, {
            body: f.index === 0 ? chunk : existing.body + chunk,
            state: 'streaming',
          })
        : push(s, { key: rk, role: 'assistant', body: chunk, at: now(), state: 'streaming' })
      return [{ ...next, streaming: key, typing: false }, [{ k: 'typing', ms: 0 }]]
    }
    case 'done': {
      const key = subjectOf(s, f, outbox)
      const idle: Effect = { k: 'typing', ms: 0 }
      if (!key) return [{ ...s, typing: false }, [idle]]
      const rk = `r:${key}`
      const full = str(f.ai_response)
      const serverId = str(f.ai_message_id)
      const extras = extrasOf(f)
      let next = s
      if (find(s, rk))
        next = patchMessage(s, rk, {
          state: 'done',
          serverId,
          ...(full ? { body: full } : {}),
          ...extras,
        })
      else if (full)
        next = push(s, {
          key: rk,
          role: 'assistant',
          body: full,
          at: now(),
          state: 'done',
          serverId,
          ...extras,
        })
      next = { ...next, typing: false, streaming: s.streaming === key ? undefined : s.streaming }
      const reply = find(next, rk)?.body
      const fx: Effect[] = [idle, { k: 'end', key, reply }]
      if (reply !== undefined) fx.push({ k: 'emit', key: rk, unread: true })
      return [next, fx]
    }
    case 'error': {
      const key = subjectOf(s, f, outbox) ?? s.streaming ?? outbox[0]
      if (!key) return [{ ...s, typing: false }, []]
      const error = ERRORS[str(f.code) ?? ''] ?? 'notSent'
      const detail = str(f.message)
      return [
        { ...failMessage(s, key, error, detail), typing: false },
        [{ k: 'end', key, error: detail ?? error }],
      ]
    }
    case 'message': {
      const m = (f.message && typeof f.message === 'object' ? f.message : f) as Fields
      const id = str(m.id) ?? str(m.message_id)
      const body = str(m.body)
      if (!id || !body || s.messages.some((x) => x.serverId === id)) return [s, []]
      const sid = str(m.source_message_id)
      if (sid && find(s, sid)) return [s, []]
      const msg = fromServer(m, id, body)
      if (sameLocalLine(s.messages, body, msg.role)) return [s, []]
      const unread = msg.role !== 'visitor'
      const next = push(s, msg)
      return [
        {
          ...next,
          conversationId: str(f.conversation_id) ?? s.conversationId,
          typing: unread ? false : s.typing,
        },
        [{ k: 'emit', key: msg.key, unread }],
      ]
    }
  }
  return [s, []]
}

const now = () => new Date().toISOString()
