import {
  AgentMessageRequest,
  AgentMessageResponse,
  ConsoleConversationSummary,
  ConversationIdParams,
  ConversationPatchRequest,
  ErrorResponse,
  SuggestReplyResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_BODY_ERROR_RESPONSES, ADMIN_SECURITY } from '../../auth/admin-route-schema.ts'
import { getTenantConversationSummary } from '../../conversations/console-conversation-repo.ts'
import { notFound } from '../../errors.ts'
import { postAgentMessage } from '../../handoff/agent-message.ts'
import { updateConversationState } from '../../handoff/conversation-state.ts'
import { suggestReply } from '../../handoff/suggest-reply.ts'
import { publishAgentTyping } from '../../handoff/typing.ts'

const TAGS = ['Conversations']
const NOT_FOUND = { 404: { ...ErrorResponse, description: 'No such conversation' } }

/**
 * What people do in a conversation (scope `conversations:write`; console sessions of every role
 * hold it): reply or write a private note, take over / give back / assign / resolve, show that
 * they are typing, and ask the assistant for a draft.
 */
export async function conversationActionRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'conversations')

  r.post(
    '/api/v1/conversations/:conversation_id/messages',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: "A person's reply or private note",
        description:
          'Stores a message of `sender_type` `agent` and sends it to the visitor (a `message` frame; an email when they left and their email is verified). `private: true` makes it a note for the team: never sent to the visitor, never in /widget/history. Replying to a conversation the assistant handles takes it over (`handled_by` becomes `human`). A `message.created` webhook event is written with a reply (never with a note). `source_message_id` makes a retry safe: the same key returns the stored message instead of a second one. Needs `conversations:write`.',
        security: ADMIN_SECURITY,
        params: ConversationIdParams,
        body: AgentMessageRequest,
        response: { 201: AgentMessageResponse, ...ADMIN_BODY_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const b = request.body
      const out = await postAgentMessage(
        ctx,
        request.admin!.tenantId,
        request.params.conversation_id,
        {
          body: b.body,
          private: b.private,
          uploadIds: b.upload_ids,
          sourceMessageId: b.source_message_id,
        },
        { userId: request.admin!.userId },
        { log: request.log },
      )
      return reply.status(201).send(out)
    },
  )

  r.patch(
    '/api/v1/conversations/:conversation_id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Take over, give back, assign, resolve or reopen',
        description:
          '`status` (`open`/`resolved`), `handled_by` (`human`: a person takes over and the assistant stays silent; `ai`: the assistant answers again) and `assignee_email` (a console user of the tenant, or null for the team queue). The visitor gets a `conversation` frame. Needs `conversations:write`.',
        security: ADMIN_SECURITY,
        params: ConversationIdParams,
        body: ConversationPatchRequest,
        response: { 200: ConsoleConversationSummary, ...ADMIN_BODY_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => {
      const b = request.body
      const tenantId = request.admin!.tenantId
      const id = request.params.conversation_id
      await updateConversationState(ctx, tenantId, id, {
        status: b.status,
        handledBy: b.handled_by,
        assigneeEmail: b.assignee_email,
      })
      const summary = await getTenantConversationSummary(ctx.db, tenantId, id)
      if (!summary) throw notFound('Conversation not found')
      return summary
    },
  )

  r.post(
    '/api/v1/conversations/:conversation_id/typing',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'A person is typing',
        description:
          'Shows the visitor a `typing` frame (`sender_type: agent`) and the other consoles a `typing` event. Call every few seconds while typing. Needs `conversations:write`.',
        security: ADMIN_SECURITY,
        params: ConversationIdParams,
        response: {
          204: Type.Null({ description: 'Shown to the visitor and the team' }),
          ...ADMIN_BODY_ERROR_RESPONSES,
          ...NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      await publishAgentTyping(
        ctx,
        request.admin!.tenantId,
        request.params.conversation_id,
        request.admin!.userId,
      )
      return reply.status(204).send(null)
    },
  )

  r.post(
    '/api/v1/conversations/:conversation_id/suggest-reply',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'A reply draft from the knowledge base',
        description:
          "The configured assistant drafts an answer to the visitor's latest message from the knowledge base, for a person to edit before sending. Nothing is sent or stored. 409 when the visitor has not written yet; 503 when the assistant is unavailable. Needs `conversations:write`.",
        security: ADMIN_SECURITY,
        params: ConversationIdParams,
        response: {
          200: SuggestReplyResponse,
          ...ADMIN_BODY_ERROR_RESPONSES,
          ...NOT_FOUND,
          409: { ...ErrorResponse, description: 'No visitor message to answer' },
          503: { ...ErrorResponse, description: 'The assistant is unavailable' },
        },
      },
    },
    async (request) =>
      suggestReply(ctx, request.admin!.tenantId, request.params.conversation_id, {
        signal: undefined,
      }),
  )
}
