import type { FeedbackRating, WsConversationFrame } from '@aurion/contract'
import { type ApiRequest, type ApiTarget, ids, json } from './endpoints.ts'
import type { ChatState } from './types.ts'

// The visitor's verdicts: loaded with the feedback part (votes, satisfaction, "resolved"),
// never with the chat chunk.

/** How the visitor proves a thread or conversation is theirs (the rule of the server). */
export interface Proof {
  emailToken?: string | undefined
  /** Our `source_thread_id` (or the server's `thread_…`). */
  threadId?: string | undefined
}

const proofOf = (p: Proof, threadKey: 'thread_id' | 'source_thread_id') => ({
  ...(p.threadId ? { [threadKey]: p.threadId } : {}),
  ...(p.emailToken ? { email_token: p.emailToken } : {}),
})

/** `POST /api/v1/widget/feedback`: a thumbs up/down on one answer (a second vote replaces). */
export function feedbackRequest(
  t: ApiTarget,
  p: Proof,
  messageId: string,
  rating: FeedbackRating,
  comment?: string,
): ApiRequest {
  const c = comment?.trim()
  return json(`${t.apiBase}/api/v1/widget/feedback`, 'POST', {
    ...ids(t),
    ...proofOf(p, 'thread_id'),
    message_id: messageId,
    rating,
    ...(c ? { comment: c.slice(0, COMMENT_MAX) } : {}),
  })
}

/** `POST /api/v1/widget/csat`: 1–5 for the conversation of the thread (a second answer replaces). */
export function csatRequest(t: ApiTarget, p: Proof, score: number, comment?: string): ApiRequest {
  const c = comment?.trim()
  return json(`${t.apiBase}/api/v1/widget/csat`, 'POST', {
    ...ids(t),
    ...proofOf(p, 'thread_id'),
    score,
    ...(c ? { comment: c.slice(0, COMMENT_MAX) } : {}),
  })
}

/** `POST /api/v1/widget/conversations/{id}/resolve`: the visitor closes their conversation. */
export function resolveRequest(t: ApiTarget, conversationId: string, p: Proof): ApiRequest {
  return json(
    `${t.apiBase}/api/v1/widget/conversations/${encodeURIComponent(conversationId)}/resolve`,
    'POST',
    { ...ids(t), ...proofOf(p, 'source_thread_id') },
  )
}

/** The longest comment the server takes (`FEEDBACK_COMMENT_MAX_LENGTH`). */
export const COMMENT_MAX = 1000

/** The state with the visitor's vote on message `key` recorded (it is saved with the thread). */
export function withVote(s: ChatState, key: string, vote: FeedbackRating | undefined): ChatState {
  return { ...s, messages: s.messages.map((m) => (m.key === key ? { ...m, vote } : m)) }
}

/**
 * The state after the visitor resolved the conversation: its `conversation` frame says resolved
 * (the socket sends the same frame; without a socket this is how the panel learns it).
 */
export function resolvedState(s: ChatState, conversationId: string): ChatState {
  const conv: WsConversationFrame = {
    type: 'conversation',
    conversation_id: conversationId,
    thread_id: s.conv?.thread_id ?? s.threadId,
    handled_by: s.conv?.handled_by ?? 'ai',
    assignee: s.conv?.assignee ?? null,
    status: 'resolved',
  }
  return { ...s, conv, typing: false }
}

/** Satisfaction answers given on this browser, per conversation (not asked twice). */
export class CsatMemory {
  constructor(
    private readonly key: string,
    /** `localStorage` unless given (read when used: a page may forbid it). */
    private readonly store?: Pick<Storage, 'getItem' | 'setItem'>,
  ) {}

  private read(): Record<string, number> {
    try {
      const v = JSON.parse((this.store ?? localStorage).getItem(this.key) ?? '{}') as unknown
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, number>) : {}
    } catch {
      return {}
    }
  }

  get(conversationId: string): number | undefined {
    const n = this.read()[conversationId]
    return typeof n === 'number' && n >= 1 && n <= 5 ? n : undefined
  }

  /** Keeps the newest 50 answers. */
  set(conversationId: string, score: number): void {
    const all = this.read()
    delete all[conversationId]
    all[conversationId] = score
    const keep = Object.entries(all).slice(-50)
    try {
      ;(this.store ?? localStorage).setItem(this.key, JSON.stringify(Object.fromEntries(keep)))
    } catch {
      // Storage disabled: the question may come again after a reload.
    }
  }
}
