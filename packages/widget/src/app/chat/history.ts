import {
  ApiFailure,
  type ApiRequest,
  type ApiTarget,
  callApi,
  type HistoryConversation,
  ids,
  json,
  type WidgetHistoryResponse,
} from './endpoints.ts'
import { fromServer, sameLocalLine } from './server-messages.ts'
import type { ChatSession } from './session.ts'

// The visitor's past conversations: read by the history view (its own chunk), never at start.

export function historyRequest(
  t: ApiTarget,
  emailToken: string,
  limits: { conversations?: number; messages?: number } = {},
): ApiRequest {
  const q = new URLSearchParams({ ...ids(t), email_token: emailToken })
  if (limits.conversations) q.set('conversation_limit', String(limits.conversations))
  if (limits.messages) q.set('message_limit', String(limits.messages))
  return {
    url: `${t.apiBase}/api/v1/widget/history?${q}`,
    init: { method: 'GET', credentials: 'omit' },
  }
}

/** Past conversations (newest first); also fills in replies this thread missed while away. */
export async function readHistory(session: ChatSession): Promise<HistoryConversation[]> {
  const { emailToken } = session.state
  if (!emailToken) return []
  let r: WidgetHistoryResponse
  try {
    r = await callApi<WidgetHistoryResponse>(
      historyRequest(session.api, emailToken, { conversations: 20, messages: 100 }),
    )
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) session.set({ emailToken: undefined })
    throw err
  }
  session.set({
    emailVerified: r.email_verified === true,
    codeAvailable: r.email_code_available === true,
  })
  const mine = r.conversations.find((c) => c.conversation_id === session.state.conversationId)
  if (mine && session.settled) mergeServerMessages(session, mine)
  return r.conversations
}

function mergeServerMessages(session: ChatSession, c: HistoryConversation): void {
  const { messages } = session.state
  const known = new Set(messages.map((m) => m.serverId).filter(Boolean))
  const added = c.messages
    .map((m) => fromServer(m as unknown as Record<string, unknown>, m.id, m.body))
    .filter((m) => !known.has(m.serverId) && !sameLocalLine(messages, m.body, m.role))
  if (!added.length) return
  session.set({ messages: [...messages, ...added].sort((a, b) => a.at.localeCompare(b.at)) })
}

/**
 * `POST /api/v1/widget/conversations/{id}/delete`: the visitor deletes one of their conversations
 * for good. Proof: their `email_token`, and for the live conversation also its thread.
 */
export function deleteConversationRequest(
  t: ApiTarget,
  conversationId: string,
  proof: { emailToken?: string | undefined; sourceThreadId?: string | undefined },
): ApiRequest {
  return json(
    `${t.apiBase}/api/v1/widget/conversations/${encodeURIComponent(conversationId)}/delete`,
    'POST',
    {
      ...ids(t),
      ...(proof.emailToken ? { email_token: proof.emailToken } : {}),
      ...(proof.sourceThreadId ? { source_thread_id: proof.sourceThreadId } : {}),
    },
  )
}

/**
 * Deletes a conversation of the visitor's; the live one starts over (a new thread), so nothing
 * of it is shown or sent again.
 */
export async function deleteConversation(session: ChatSession, conversationId: string) {
  const live = conversationId === session.state.conversationId
  await callApi(
    deleteConversationRequest(session.api, conversationId, {
      emailToken: session.state.emailToken,
      sourceThreadId: live ? session.state.threadId : undefined,
    }),
  )
  if (live) session.newConversation()
}

/** The list without a deleted conversation. */
export const withoutConversation = (list: HistoryConversation[], conversationId: string) =>
  list.filter((c) => c.conversation_id !== conversationId)
