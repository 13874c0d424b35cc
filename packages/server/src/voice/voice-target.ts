import {
  findConversationForTenant,
  findThreadByRef,
  listThreadsOfConversation,
} from '../conversations/conversation-repo.ts'
import type { Db } from '../db/schema.ts'
import { invalidField } from '../errors.ts'

/**
 * Which thread a call continues, as a `sourceThreadId` the conversation service understands.
 * A visitor may name the conversation (`conversation_id`, from a chat answer) or the thread
 * (`source_thread_id`: a `thread_…` id or its own id); neither starts a new conversation.
 * Ownership is still checked by the conversation service: this only translates ids.
 * @throws ApiError 422 naming `conversation_id` (unknown here) or `source_thread_id` (not in it).
 */
export async function voiceThreadTarget(
  db: Db,
  tenantId: string,
  input: { conversationId?: string | undefined; sourceThreadId?: string | undefined },
): Promise<{ sourceThreadId?: string }> {
  if (input.conversationId === undefined) {
    return input.sourceThreadId === undefined ? {} : { sourceThreadId: input.sourceThreadId }
  }
  const conversation = await findConversationForTenant(db, tenantId, input.conversationId)
  if (conversation === undefined)
    throw invalidField(['body', 'conversation_id'], 'Unknown conversation')
  if (input.sourceThreadId !== undefined) {
    const thread = await findThreadByRef(db, tenantId, input.sourceThreadId)
    if (thread?.conversation_id !== conversation.id) {
      throw invalidField(
        ['body', 'source_thread_id'],
        'This thread is not part of the conversation',
      )
    }
    return { sourceThreadId: thread.id }
  }
  const first = (await listThreadsOfConversation(db, tenantId, conversation.id))[0]
  if (first === undefined) throw invalidField(['body', 'conversation_id'], 'Unknown conversation')
  return { sourceThreadId: first.id }
}
