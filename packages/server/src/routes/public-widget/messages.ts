import { ErrorResponse, WidgetMessageRequest, WidgetMessageResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { generateAgentReply } from '../../conversations/agent-reply.ts'
import { replyExtrasOf } from '../../conversations/answer-extras.ts'
import { acceptVisitorMessage } from '../../conversations/visitor-message.ts'
import { resolveVisitorIdentity } from '../../visitors/visitor-auth.ts'
import { authorizeWidget, limitByIp, PUBLIC_LIMITS } from '../../widget-auth/public-guard.ts'
import { INVALID_TOKEN_RESPONSE, PUBLIC_ERROR_RESPONSES, TAGS } from './schemas.ts'

/** `POST /api/v1/widget/messages`: store the visitor's message exactly once, answer with the agent. */
export async function messageRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/widget/messages',
    {
      schema: {
        tags: TAGS,
        summary: 'Send a visitor message and get the AI reply',
        description:
          "Creates or continues the conversation (`source_thread_id`), stores the message (exactly once per `source_message_id`: a retry returns the original ids and reply with `deduplicated: true`), runs the agent over the conversation so far and stores its reply. The message is stored before the agent runs: if the agent fails the answer is 503 and a retry with the same `source_message_id` completes the reply. Send `email_token` to make the conversation part of the visitor's history. 60 requests/minute per IP, shared with WebSocket messages.",
        body: WidgetMessageRequest,
        response: {
          200: WidgetMessageResponse,
          ...INVALID_TOKEN_RESPONSE,
          ...PUBLIC_ERROR_RESPONSES,
          409: { ...ErrorResponse, description: 'source_message_id reused for another message' },
          503: {
            ...ErrorResponse,
            description:
              'The agent is unavailable; the message was stored — retry with the same source_message_id',
          },
        },
      },
    },
    async (request, reply) => {
      const b = request.body
      await limitByIp(ctx, request, reply, PUBLIC_LIMITS.messages)
      const access = await authorizeWidget(ctx, {
        tenantId: b.tenant_id,
        publicKey: b.public_key,
        originHeader: request.headers.origin,
      })
      const identity = resolveVisitorIdentity(ctx, access, {
        emailToken: b.email_token,
        senderEmail: b.sender_email,
      })
      const opts = { origin: `rest:${request.id}`, log: request.log }
      const accepted = await acceptVisitorMessage(
        ctx,
        access,
        {
          body: b.body,
          identity,
          sourceThreadId: b.source_thread_id,
          sourceMessageId: b.source_message_id,
          uploadIds: b.upload_ids,
          metadata: b.metadata,
        },
        opts,
      )
      const answer = await generateAgentReply(ctx, access, accepted, opts)
      reply.header('Cache-Control', 'no-store')
      return {
        tenant_id: access.tenant.id,
        conversation_id: accepted.conversation.id,
        thread_id: accepted.thread.id,
        contact_id: accepted.contact.id,
        user_message_id: accepted.userMessage.id,
        ai_message_id: answer.message.id,
        ai_response: answer.message.body,
        deduplicated: accepted.deduplicated,
        // Only when a person has it: the contract's example answer is unchanged otherwise.
        ...(answer.silent ||
        answer.handoff !== undefined ||
        accepted.conversation.handled_by === 'human'
          ? { handled_by: 'human' as const }
          : {}),
        ...replyExtrasOf(answer.message),
      }
    },
  )
}
