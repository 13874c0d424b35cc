import type { AnswerSource } from '@aurion/contract'
import type { HistoryMessage } from './endpoints.ts'
import type { Attachment, ChatMessage, Role } from './types.ts'

/** A non-empty string, or `undefined` (frames are untrusted JSON: every field is checked). */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)

/** The server's attachment list as ours (`{}` when there are none). */
export function attachmentsOf(list: unknown): { attachments?: Attachment[] } {
  if (!Array.isArray(list) || list.length === 0) return {}
  return {
    attachments: (list as HistoryMessage['attachments'] & object).map((a) => ({
      id: a.upload_id,
      name: a.file_name,
      type: a.content_type,
      size: a.size_bytes,
      ...(a.url ? { url: a.url } : {}),
    })),
  }
}

/** A reply's sources and follow-ups from the server (the cards check each entry). */
export function extrasOf(f: { sources?: unknown; follow_ups?: unknown }): {
  sources?: AnswerSource[]
  followUps?: string[]
} {
  const { sources, follow_ups } = f
  return {
    ...(Array.isArray(sources) && sources.length ? { sources } : {}),
    ...(Array.isArray(follow_ups) && follow_ups.length ? { followUps: follow_ups } : {}),
  }
}

/** A stored message of the server (a `message` frame, history) as one of ours. */
export function fromServer(m: Record<string, unknown>, id: string, body: string): ChatMessage {
  const sender = m.sender_type
  const role: Role = sender === 'contact' ? 'visitor' : sender === 'agent' ? 'agent' : 'assistant'
  return {
    key: `s:${id}`,
    role,
    body,
    at: str(m.created_at) ?? new Date().toISOString(),
    state: 'done',
    serverId: id,
    channel: m.channel === 'voice' ? 'voice' : 'chat',
    ...attachmentsOf(m.attachments),
    ...(role === 'assistant' ? extrasOf(m) : {}),
    author: str(m.author_name),
  }
}

/** A line we already show from the call itself (live transcript, or text typed into it). */
export function sameLocalLine(messages: ChatMessage[], body: string, role: Role): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()
  const b = norm(body)
  return messages.some((m) => m.key.startsWith('v:') && m.role === role && norm(m.body) === b)
}
