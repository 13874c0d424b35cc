import { HANDOFF_QUICK_ACTION } from '@aurion/contract'
import { Type } from '@sinclair/typebox'

const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$', description })

/** A call turn's id, chosen by the worker; with the conversation it is the idempotency key. */
const SegmentId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_.:-]+$',
  description: 'Idempotency key of the turn within the conversation (the transcript segment id)',
})

const Locale = Type.String({
  maxLength: 35,
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$',
  description: 'BCP 47 language tag, e.g. `en` or `pt-BR`',
})

export const ConversationParams = Type.Object({
  conversation_id: Id('Conversation id (`conv_…`)'),
})

export const ConversationQuery = Type.Object({
  tenant_id: Id('Tenant the conversation must belong to'),
  thread_id: Type.Optional(Id('Thread of the call; defaults to the one the widget continues')),
  message_limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  locale: Type.Optional(Locale),
})

/** A browser or app call (`voice`, the default) or a phone call (`phone`). */
const CallChannel = Type.Optional(
  Type.Union([Type.Literal('voice'), Type.Literal('phone')], {
    description: 'Where the call came from: `voice` (browser, app; the default) or `phone`',
  }),
)

export const PostMessageBody = Type.Object({
  tenant_id: Id('Tenant the conversation must belong to'),
  thread_id: Type.Optional(Id('Thread of the call')),
  channel: CallChannel,
  sender: Type.Union([Type.Literal('contact'), Type.Literal('ai')], {
    description: '`contact`: a final visitor transcript; `ai`: something the agent said',
  }),
  body: Type.String({ minLength: 1, maxLength: 4000 }),
  segment_id: SegmentId,
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 20 })),
})

export const ReplyBody = Type.Object({
  tenant_id: Id('Tenant the conversation must belong to'),
  thread_id: Type.Optional(Id('Thread of the call')),
  channel: CallChannel,
  segment_id: SegmentId,
  text: Type.String({
    minLength: 1,
    maxLength: 4000,
    description: "The visitor's final transcript",
  }),
  locale: Type.Optional(Locale),
  action: Type.Optional(
    Type.Literal(HANDOFF_QUICK_ACTION, {
      description:
        'The turn is the "talk to a person" quick action (a phone caller pressed its key), not words',
    }),
  ),
})

export const HeartbeatBody = Type.Object({
  worker_id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:-]+$' }),
  agent_name: Type.String({ minLength: 1, maxLength: 128 }),
  status: Type.Union([
    Type.Literal('connecting'),
    Type.Literal('registered'),
    Type.Literal('draining'),
    Type.Literal('stopped'),
  ]),
  active_jobs: Type.Integer({ minimum: 0, maximum: 100_000 }),
  version: Type.Optional(Type.String({ maxLength: 64 })),
  livekit_worker_id: Type.Optional(Type.String({ maxLength: 128 })),
})

export const PhoneCallBody = Type.Object({
  tenant_id: Id('Tenant whose line the call came to (from the dispatch metadata)'),
  caller_number: Type.Optional(
    Type.Union([Type.String({ maxLength: 32 }), Type.Null()], {
      description: "The caller's number (`sip.phoneNumber`); withheld → null",
    }),
  ),
  locale: Type.Optional(Locale),
})

export const CallEndedBody = Type.Object({
  tenant_id: Id('Tenant the conversation must belong to'),
  thread_id: Type.Optional(Id('Thread of the call')),
  channel: CallChannel,
  room: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'The LiveKit room of the call' }),
  ),
  duration_seconds: Type.Integer({
    minimum: 0,
    maximum: 86_400,
    description: 'From the agent joining the call to its end',
  }),
})
