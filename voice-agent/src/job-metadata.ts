import type { CallTarget } from './internal-client.ts'

const ID = /^[A-Za-z0-9_-]{1,100}$/

/**
 * Reads tenant, conversation and thread from the metadata the server put in the voice token's
 * `RoomAgentDispatch` (and in the participant's token): JSON with `tenant_id`,
 * `conversation_id` and optionally `thread_id`. Returns `undefined` when they are missing or
 * malformed, so the worker can refuse a job it cannot attach to a conversation.
 */
export function parseCallTarget(...sources: (string | undefined | null)[]): CallTarget | undefined {
  for (const raw of sources) {
    if (!raw) continue
    let data: unknown
    try {
      data = JSON.parse(raw)
    } catch {
      continue
    }
    if (data === null || typeof data !== 'object') continue
    const d = data as Record<string, unknown>
    const tenantId = d.tenant_id
    const conversationId = d.conversation_id
    const threadId = d.thread_id
    if (typeof tenantId !== 'string' || !ID.test(tenantId)) continue
    if (typeof conversationId !== 'string' || !ID.test(conversationId)) continue
    if (
      threadId !== undefined &&
      threadId !== null &&
      (typeof threadId !== 'string' || !ID.test(threadId))
    )
      continue
    return {
      tenantId,
      conversationId,
      threadId: typeof threadId === 'string' ? threadId : undefined,
    }
  }
  return undefined
}
