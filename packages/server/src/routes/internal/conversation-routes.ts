import type {
  InternalConversationMessage,
  InternalConversationSnapshot,
  InternalStoredMessage,
} from '@aurion/contract'
import { translate } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { recordAssistantMessage } from '../../conversations/assistant-messages.ts'
import {
  findConversationForTenant,
  findThreadForTenant,
  listThreadsOfConversation,
} from '../../conversations/conversation-repo.ts'
import { toApiTimestamp } from '../../conversations/frames.ts'
import { listConversationMessages } from '../../conversations/message-repo.ts'
import type { TenantAccess } from '../../conversations/types.ts'
import { acceptVisitorMessage } from '../../conversations/visitor-message.ts'
import { notFound } from '../../errors.ts'
import {
  streamVoiceReply,
  VOICE_FRAME_ORIGIN,
  voiceSourceMessageId,
} from '../../internal/voice-reply.ts'
import { findTenantById } from '../../tenants/tenant-repo.ts'
import { tenantWidgetConfig } from '../../tenants/tenant-service.ts'
import { ConversationParams, ConversationQuery, PostMessageBody, ReplyBody } from './schemas.ts'

const conversationNotFound = () => notFound('Conversation not found')

/** The tenant named by the worker; an unknown one looks like an unknown conversation. */
async function tenantAccess(ctx: RouteContext, tenantId: string): Promise<TenantAccess> {
  const tenant = await findTenantById(ctx.db, tenantId)
  if (!tenant) throw conversationNotFound()
  return { tenant, config: tenantWidgetConfig(tenant) }
}

/**
 * Conversation routes of the internal API: what a call reads and writes. Turns go through the
 * chat's message service, so a spoken turn is stored, deduplicated, published and answered
 * exactly like a typed one — only its channel is `voice`. The conversation must belong to
 * `tenant_id`: another tenant's conversation is the same 404 as an unknown one.
 */
export async function conversationRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/internal/v1/conversations/:conversation_id',
    { schema: { hide: true, params: ConversationParams, querystring: ConversationQuery } },
    async (request): Promise<InternalConversationSnapshot> => {
      const q = request.query
      const { config } = await tenantAccess(ctx, q.tenant_id)
      const conversation = await findConversationForTenant(
        ctx.db,
        q.tenant_id,
        request.params.conversation_id,
      )
      if (!conversation) throw conversationNotFound()
      let threadId: string | null
      if (q.thread_id !== undefined) {
        const t = await findThreadForTenant(ctx.db, q.tenant_id, q.thread_id)
        if (!t || t.conversation_id !== conversation.id) throw notFound('Thread not found')
        threadId = t.id
      } else {
        const threads = await listThreadsOfConversation(ctx.db, q.tenant_id, conversation.id)
        threadId = threads[0]?.id ?? null
      }
      const messages = await listConversationMessages(ctx.db, q.tenant_id, conversation.id, {
        limit: q.message_limit,
      })
      return {
        tenant_id: conversation.tenant_id,
        conversation_id: conversation.id,
        thread_id: threadId,
        subject: conversation.subject,
        status: conversation.status,
        messages: messages.map((m) => ({
          id: m.id,
          // Stored by the message services, which write only these values.
          sender_type: m.sender_type as InternalConversationMessage['sender_type'],
          body: m.body,
          channel: m.channel as InternalConversationMessage['channel'],
          created_at: toApiTimestamp(m.created_at),
        })),
        greeting: translate(config.welcome_text, config.welcome_text_translations, q.locale),
        display_title: translate(config.display_title, config.display_title_translations, q.locale),
      }
    },
  )

  r.post(
    '/internal/v1/conversations/:conversation_id/messages',
    { schema: { hide: true, params: ConversationParams, body: PostMessageBody } },
    async (request): Promise<InternalStoredMessage> => {
      const b = request.body
      const conversationId = request.params.conversation_id
      const access = await tenantAccess(ctx, b.tenant_id)
      const sourceMessageId = voiceSourceMessageId(conversationId, b.segment_id)
      const metadata = { ...b.metadata, segment_id: b.segment_id }
      const opts = { origin: VOICE_FRAME_ORIGIN, trusted: true, log: request.log }
      const { message, deduplicated } =
        b.sender === 'contact'
          ? await acceptVisitorMessage(
              ctx,
              access,
              {
                body: b.body,
                conversationId,
                threadId: b.thread_id,
                sourceMessageId,
                channel: b.channel ?? 'voice',
                metadata,
              },
              opts,
            ).then((a) => ({ message: a.userMessage, deduplicated: a.deduplicated }))
          : await recordAssistantMessage(
              ctx,
              access,
              {
                conversationId,
                threadId: b.thread_id,
                body: b.body,
                senderType: 'ai',
                channel: b.channel ?? 'voice',
                sourceMessageId,
                metadata,
              },
              opts,
            )
      return {
        message_id: message.id,
        conversation_id: message.conversation_id,
        thread_id: message.thread_id,
        // Turns of this route are stored as the visitor's or the assistant's.
        sender_type: message.sender_type as InternalStoredMessage['sender_type'],
        created_at: toApiTimestamp(message.created_at),
        deduplicated,
      }
    },
  )

  r.post(
    '/internal/v1/conversations/:conversation_id/reply',
    { schema: { hide: true, params: ConversationParams, body: ReplyBody } },
    async (request, reply) => {
      const b = request.body
      const conversationId = request.params.conversation_id
      const access = await tenantAccess(ctx, b.tenant_id)
      // Stored before anything is acknowledged: the `ack` line means the turn is durable.
      const accepted = await acceptVisitorMessage(
        ctx,
        access,
        {
          body: b.text,
          conversationId,
          threadId: b.thread_id,
          sourceMessageId: voiceSourceMessageId(conversationId, b.segment_id),
          channel: b.channel ?? 'voice',
          metadata: { segment_id: b.segment_id, ...(b.action ? { action: b.action } : {}) },
        },
        { origin: VOICE_FRAME_ORIGIN, trusted: true, log: request.log },
      )
      const stream = streamVoiceReply(ctx, request.log, access, accepted, { locale: b.locale })
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        .send(stream)
    },
  )
}
