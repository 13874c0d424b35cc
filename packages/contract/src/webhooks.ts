import { type Static, Type } from '@sinclair/typebox'

/** One entry of the webhook event catalogue: what it reports, and an example `data`. */
export interface WebhookEventInfo {
  description: string
  example: Record<string, unknown>
}

const conversationExample = {
  id: 'conv_01HZY3K6Q8W2',
  subject: 'Where is my order?',
  status: 'open',
  contact_id: 'contact_01HZY3K6Q8W3',
  created_at: '2026-12-06T17:05:11.482Z',
  updated_at: '2026-12-06T17:05:11.482Z',
}

/**
 * Every event a webhook endpoint can subscribe to. Adding an event is one entry here (and the
 * call that emits it): validation, the console's choices and the docs' check all read this.
 * `ping` is not subscribable: `POST /api/v1/webhooks/{id}/test` sends it to that endpoint.
 */
export const WEBHOOK_EVENT_CATALOGUE = {
  'conversation.created': {
    description: 'A visitor started a conversation (first message, or a voice call).',
    example: { conversation: conversationExample, thread_id: 'thread_01HZY3K6Q8W4' },
  },
  'message.created': {
    description:
      "A message was stored: the visitor's, the assistant's or a person's reply. Private notes are never sent.",
    example: {
      message: {
        id: 'msg_01HZY3K6Q8W5',
        conversation_id: 'conv_01HZY3K6Q8W2',
        thread_id: 'thread_01HZY3K6Q8W4',
        sender_type: 'contact',
        body: 'Where is my order #1042?',
        channel: 'chat',
        source_message_id: 'client-7f3a',
        created_at: '2026-12-06T17:05:11.482Z',
      },
    },
  },
  'conversation.handoff_requested': {
    description: 'The visitor (or the assistant) asked for a person to take over.',
    example: {
      conversation: { ...conversationExample, handled_by: 'human' },
      reason: 'visitor_request',
    },
  },
  'conversation.assigned': {
    description: 'A person took the conversation, or it was assigned to one.',
    example: {
      conversation: { ...conversationExample, handled_by: 'human' },
      assignee: { id: 'user_01HZY3K6Q8W6', name: 'Dana Reyes', email: 'dana@example.com' },
    },
  },
  'conversation.resolved': {
    description: 'The conversation was marked resolved (by the visitor or a person).',
    example: { conversation: { ...conversationExample, status: 'resolved' } },
  },
  'voice.call.started': {
    description: 'A visitor started a voice call (the widget was given its call token).',
    example: {
      conversation_id: 'conv_01HZY3K6Q8W2',
      thread_id: 'thread_01HZY3K6Q8W4',
      room: 'aurion-conv_01HZY3K6Q8W2',
    },
  },
  'voice.call.ended': {
    description:
      'A voice call ended (the visitor left or hung up); `channel` is `voice` (browser, app) or `phone`.',
    example: {
      conversation_id: 'conv_01HZY3K6Q8W2',
      thread_id: 'thread_01HZY3K6Q8W4',
      room: 'aurion-conv_01HZY3K6Q8W2',
      channel: 'voice',
      duration_seconds: 184,
    },
  },
  'feedback.created': {
    description:
      'A visitor rated an assistant answer (thumbs up or down, with an optional comment). A changed vote is sent again.',
    example: {
      feedback: {
        message_id: 'msg_01HZY3K6Q8W8',
        conversation_id: 'conv_01HZY3K6Q8W2',
        thread_id: 'thread_01HZY3K6Q8W4',
        rating: 'down',
        comment: 'That is not what I asked.',
        created_at: '2026-12-06T17:06:40.120Z',
      },
    },
  },
  'widget.config.updated': {
    description: "The widget's configuration was changed; `changed` names the fields.",
    example: { changed: ['primary_color', 'greeting'], config: { primary_color: '#2563eb' } },
  },
  'widget.key.regenerated': {
    description: 'The public widget key was regenerated: snippets need the new key.',
    example: { public_widget_key: 'vwk_9XbQ2mVt7LcRk3PzW8sN4hYd' },
  },
} as const satisfies Record<string, WebhookEventInfo>

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_CATALOGUE
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENT_CATALOGUE) as WebhookEventType[]

/** The test event (`POST /api/v1/webhooks/{id}/test`). */
export const WEBHOOK_PING_EVENT = 'ping'
export const WEBHOOK_PING_EXAMPLE = {
  endpoint_id: 'wh_01HZY3K6Q8W7',
  message: 'A test event from Aurion',
}

export function isWebhookEventType(s: string): s is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENT_CATALOGUE, s)
}

/** How an endpoint gets its events: Standard Webhooks JSON, or `{"text": …}` for a team chat. */
export const WEBHOOK_FORMATS = ['standard', 'slack'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number]

/** Why an endpoint was switched off by the server (`null` when enabled or switched off by hand). */
export const WEBHOOK_DISABLED_REASONS = ['gone', 'failing'] as const

export const WEBHOOK_URL_MAX = 2048
export const WEBHOOK_DESCRIPTION_MAX = 500

/** Every event body: `{"type", "timestamp", "data"}`. */
export interface WebhookEventBody {
  type: WebhookEventType | typeof WEBHOOK_PING_EVENT
  timestamp: string
  data: Record<string, unknown>
}

const Url = Type.String({
  minLength: 1,
  maxLength: WEBHOOK_URL_MAX,
  description: 'https URL (http and private addresses only with AURION_WEBHOOK_ALLOW_PRIVATE)',
})
const Events = Type.Array(Type.String({ maxLength: 100 }), {
  minItems: 1,
  maxItems: 50,
  description: 'Event names from the catalogue (docs/webhooks.md)',
})
const Description = Type.Union([Type.String({ maxLength: WEBHOOK_DESCRIPTION_MAX }), Type.Null()])
const Format = Type.Union(
  WEBHOOK_FORMATS.map((f) => Type.Literal(f)),
  {
    description:
      '`standard` (signed JSON, default) or `slack`: a team-chat incoming webhook gets `{"text": …}` on hand-offs',
  },
)

/** `POST /api/v1/webhooks` body. */
export const WebhookCreateRequest = Type.Object({
  url: Url,
  events: Events,
  description: Type.Optional(Description),
  enabled: Type.Optional(Type.Boolean()),
  format: Type.Optional(Format),
})
export type WebhookCreateRequest = Static<typeof WebhookCreateRequest>

/** `PATCH /api/v1/webhooks/{id}` body: any of the fields. */
export const WebhookUpdateRequest = Type.Partial(WebhookCreateRequest, { minProperties: 1 })
export type WebhookUpdateRequest = Static<typeof WebhookUpdateRequest>

/** An endpoint as admins see it: never its secret. */
export const WebhookEndpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Description,
  enabled: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
  format: Format,
  disabled_reason: Type.Union(
    [...WEBHOOK_DISABLED_REASONS.map((r) => Type.Literal(r)), Type.Null()],
    {
      description:
        '`gone`: the endpoint answered 410; `failing`: every delivery failed for a day. Enabling it again clears this.',
    },
  ),
})
export type WebhookEndpoint = Static<typeof WebhookEndpoint>

/** `POST /api/v1/webhooks` → 201 and `POST …/rotate-secret`: the signing secret, shown this once. */
export const WebhookEndpointWithSecret = Type.Composite([
  WebhookEndpoint,
  Type.Object({
    secret: Type.String({ description: 'Standard Webhooks signing secret `whsec_…`' }),
  }),
])
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>

/** `GET /api/v1/webhooks`. */
export const WebhookEndpointList = Type.Object({ webhooks: Type.Array(WebhookEndpoint) })
export type WebhookEndpointList = Static<typeof WebhookEndpointList>

const Nullable = <T extends ReturnType<typeof Type.String | typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()])

/** One try of a delivery. */
export const WebhookAttempt = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  attempted_at: Type.String(),
  status_code: Nullable(Type.Integer()),
  duration_ms: Type.Integer(),
  error: Nullable(Type.String()),
  next_retry_at: Nullable(Type.String()),
})
export type WebhookAttempt = Static<typeof WebhookAttempt>

/** One event on its way to one endpoint, with every attempt made so far (newest last). */
export const WebhookDelivery = Type.Object({
  id: Type.String(),
  event_id: Type.String({ description: 'The `webhook-id` header: the same on every retry' }),
  event: Type.String({ description: 'Event type' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  status_code: Nullable(Type.Integer()),
  duration_ms: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  next_retry_at: Nullable(Type.String()),
  attempt_count: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
  attempts: Type.Array(WebhookAttempt),
})
export type WebhookDelivery = Static<typeof WebhookDelivery>

/** `GET /api/v1/webhooks/{id}/deliveries`, newest first. */
export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery) })
export type WebhookDeliveryList = Static<typeof WebhookDeliveryList>

/** `GET /api/v1/webhooks/{id}/deliveries` query. */
export const WebhookDeliveryListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  status: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  ),
})
export type WebhookDeliveryListQuery = Static<typeof WebhookDeliveryListQuery>
