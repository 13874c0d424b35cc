import { type Static, Type } from '@sinclair/typebox'

/** `body` of a visitor message: 1–4000 characters (contract). */
export const WIDGET_MESSAGE_MAX_LENGTH = 4000
/** At most this many `upload_ids` on one message. */
export const WIDGET_MAX_UPLOADS_PER_MESSAGE = 10
/** `metadata` of a message, serialized as JSON, may take at most this many bytes. */
export const WIDGET_METADATA_MAX_BYTES = 4096
/** Lifetime of an email token issued by `/widget/session` (30 days). */
export const EMAIL_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60
/** `conversation_limit` and `message_limit` of `/widget/history`. */
export const HISTORY_LIMITS = {
  conversation: { min: 1, max: 20, default: 5 },
  message: { min: 1, max: 100, default: 40 },
} as const

const TenantId = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "Your tenant UUID (the snippet's appId)",
})
const PublicKey = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Public widget key (vwk_…); not a secret, paired with the origin allowlist',
})
const Email = (description: string) => Type.String({ format: 'email', maxLength: 254, description })
const EmailToken = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'HMAC-signed token returned by POST /widget/session',
})
/** Client-chosen identifiers: 1–128 characters, letters, digits and `_ . : -`. */
export const clientId = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
    description,
  })

/** The `source_thread_id` field: a thread id (`thread_…`) or a client-chosen thread id. */
export const SourceThreadId = clientId(
  'Continue the thread with this id (thread_…) or this client-chosen id; an unknown value starts a new conversation recorded under it. Use an unguessable value (e.g. a UUID).',
)
/** The `source_message_id` field: the client's idempotency key of one message. */
export const SourceMessageId = clientId(
  'Idempotency key chosen by the client: sending the same value again returns the original ids and reply with deduplicated: true',
)

/** One FastAPI-style validation problem (422 items). */
export const ValidationIssueSchema = Type.Object({
  type: Type.String(),
  loc: Type.Array(Type.Union([Type.String(), Type.Number()])),
  msg: Type.String(),
})

/** Every error body: `{"detail": "…"}`, or a list of validation problems for 422. */
export const ErrorResponse = Type.Object(
  { detail: Type.Union([Type.String(), Type.Array(ValidationIssueSchema)]) },
  { additionalProperties: true, description: 'Error: {"detail": …}' },
)
export type ErrorResponse = Static<typeof ErrorResponse>

/** Fields a visitor message carries, over REST and as a WebSocket frame. */
export const VisitorMessageFields = {
  body: Type.String({ minLength: 1, maxLength: WIDGET_MESSAGE_MAX_LENGTH }),
  sender_email: Type.Optional(
    Email(
      "The visitor's self-asserted email. It links the conversation to a contact, but only conversations sent with an email_token appear in /widget/history",
    ),
  ),
  email_token: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        "Token from /widget/session. Marks the conversation as the token's visitor's, so it appears in their /widget/history; required to continue such a conversation",
    }),
  ),
  source_thread_id: Type.Optional(SourceThreadId),
  source_message_id: Type.Optional(SourceMessageId),
  upload_ids: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: WIDGET_MAX_UPLOADS_PER_MESSAGE,
      description: "Ids from POST /widget/uploads: this tenant's, not attached to another message",
    }),
  ),
  metadata: Type.Optional(
    Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
      maxProperties: 32,
      description: `Free-form JSON object stored with the message (at most ${WIDGET_METADATA_MAX_BYTES} bytes)`,
    }),
  ),
}

/** `POST /api/v1/widget/session` body. */
export const WidgetSessionRequest = Type.Object({
  tenant_id: TenantId,
  public_key: PublicKey,
  email: Email("The visitor's email address"),
  user_hash: Type.Optional(
    Type.String({
      maxLength: 256,
      description:
        "Identity verification: hex HMAC-SHA256 of the email with the tenant's identity secret, computed by your backend. Required when identity_verification_required is on",
    }),
  ),
  source_thread_id: Type.Optional(
    clientId(
      "The thread this browser is in: its conversation becomes the new token's when nobody claimed it yet (signing in after chatting). Anything else is ignored",
    ),
  ),
})
export type WidgetSessionRequest = Static<typeof WidgetSessionRequest>

/** A verification code: 6 digits. */
export const EMAIL_CODE_LENGTH = 6
/** How long a mailed code can be used (10 minutes). */
export const EMAIL_CODE_TTL_SECONDS = 600
/** Wrong codes accepted before a code is refused for good. */
export const EMAIL_CODE_MAX_TRIES = 5

/** `POST /api/v1/widget/session/code` body: mail a one-time code to the token's email. */
export const WidgetSessionCodeRequest = Type.Object({
  tenant_id: TenantId,
  public_key: PublicKey,
  email_token: EmailToken,
})
export type WidgetSessionCodeRequest = Static<typeof WidgetSessionCodeRequest>

/** `POST /api/v1/widget/session/code` 202 body. */
export const WidgetSessionCodeResponse = Type.Object({
  sent: Type.Boolean(),
  expires_in_seconds: Type.Integer(),
})
export type WidgetSessionCodeResponse = Static<typeof WidgetSessionCodeResponse>

/** `POST /api/v1/widget/session/verify` body: the mailed code → a verified email token. */
export const WidgetSessionVerifyRequest = Type.Object({
  tenant_id: TenantId,
  public_key: PublicKey,
  email_token: EmailToken,
  code: Type.String({
    minLength: 1,
    maxLength: 16,
    description: `The ${EMAIL_CODE_LENGTH}-digit code from the email (spaces are ignored)`,
  }),
})
export type WidgetSessionVerifyRequest = Static<typeof WidgetSessionVerifyRequest>

/** `POST /api/v1/widget/session` 200 body. */
export const WidgetSessionResponse = Type.Object({
  email_token: Type.String({
    description: 'base64url(JSON payload) + "." + hex HMAC-SHA256 signature; valid for 30 days',
  }),
})
export type WidgetSessionResponse = Static<typeof WidgetSessionResponse>

/** `POST /api/v1/widget/messages` body. */
export const WidgetMessageRequest = Type.Object({
  tenant_id: TenantId,
  public_key: PublicKey,
  ...VisitorMessageFields,
})
export type WidgetMessageRequest = Static<typeof WidgetMessageRequest>

/** An article an assistant reply was answered from, shown as a card linking to it. */
export const AnswerSource = Type.Object({
  title: Type.String(),
  url: Type.Optional(
    Type.String({ description: "The article's page (http or https), when the article has one" }),
  ),
})
export type AnswerSource = Static<typeof AnswerSource>

/**
 * Optional structure of an assistant reply, beside its text: the articles it cites and
 * questions the visitor can ask next. Absent on visitors' and human agents' messages.
 */
export const AnswerExtras = {
  sources: Type.Optional(
    Type.Array(AnswerSource, { description: 'Articles the reply was answered from' }),
  ),
  follow_ups: Type.Optional(
    Type.Array(Type.String(), {
      description: 'Questions the visitor can ask next (e.g. other sections of the article)',
    }),
  ),
}

/** `POST /api/v1/widget/messages` 200 body. */
export const WidgetMessageResponse = Type.Object({
  tenant_id: Type.String(),
  conversation_id: Type.String(),
  thread_id: Type.String(),
  contact_id: Type.String(),
  user_message_id: Type.String(),
  ai_message_id: Type.String({
    description:
      'The reply\'s id; `""` when a person handles the conversation (`handled_by: human`)',
  }),
  ai_response: Type.String({
    description:
      'The assistant\'s reply; `""` when a person handles the conversation: the assistant stays silent and the person\'s reply comes later (a `message` frame, /widget/history)',
  }),
  deduplicated: Type.Boolean(),
  handled_by: Type.Optional(
    Type.Union([Type.Literal('ai'), Type.Literal('human')], {
      description: 'Who answers the conversation now (after this message)',
    }),
  ),
  ...AnswerExtras,
})
export type WidgetMessageResponse = Static<typeof WidgetMessageResponse>

/** `GET /api/v1/widget/history` query. */
export const WidgetHistoryQuery = Type.Object({
  tenant_id: TenantId,
  public_key: PublicKey,
  email_token: EmailToken,
  conversation_limit: Type.Integer({
    minimum: HISTORY_LIMITS.conversation.min,
    maximum: HISTORY_LIMITS.conversation.max,
    default: HISTORY_LIMITS.conversation.default,
  }),
  message_limit: Type.Integer({
    minimum: HISTORY_LIMITS.message.min,
    maximum: HISTORY_LIMITS.message.max,
    default: HISTORY_LIMITS.message.default,
    description: 'The most recent messages of each conversation, oldest first',
  }),
})
export type WidgetHistoryQuery = Static<typeof WidgetHistoryQuery>

export const SENDER_TYPES = ['contact', 'ai', 'agent'] as const
export type SenderType = (typeof SENDER_TYPES)[number]
export const CONVERSATION_STATUSES = ['open', 'resolved'] as const
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number]

/** A file attached to a message (metadata only). */
export const AttachmentSchema = Type.Object({
  upload_id: Type.String(),
  file_name: Type.String(),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
  url: Type.Optional(
    Type.String({
      description:
        'In /widget/history: a signed download URL of this attachment, valid for one hour, usable without a token',
    }),
  ),
})
export type Attachment = Static<typeof AttachmentSchema>

/** One message of a conversation as the widget shows it. */
export const HistoryMessage = Type.Object({
  id: Type.String(),
  sender_type: Type.Union(
    SENDER_TYPES.map((s) => Type.Literal(s)),
    {
      description: 'contact (the visitor), ai (the assistant) or agent (a human admin)',
    },
  ),
  body: Type.String(),
  created_at: Type.String({ description: 'UTC, e.g. 2026-06-09T15:00:00Z' }),
  channel: Type.Union([Type.Literal('chat'), Type.Literal('voice')]),
  attachments: Type.Array(AttachmentSchema),
  ...AnswerExtras,
})
export type HistoryMessage = Static<typeof HistoryMessage>

export const HistoryConversation = Type.Object({
  conversation_id: Type.String(),
  thread_id: Type.String(),
  subject: Type.String(),
  status: Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s))),
  updated_at: Type.String(),
  messages: Type.Array(HistoryMessage),
})
export type HistoryConversation = Static<typeof HistoryConversation>

/** `GET /api/v1/widget/history` 200 body: newest conversations first, messages in order. */
export const WidgetHistoryResponse = Type.Object({
  tenant_id: Type.String(),
  email: Type.String(),
  conversations: Type.Array(HistoryConversation),
  email_verified: Type.Optional(
    Type.Boolean({
      description:
        "true: the token proves the email and every conversation of the email is listed. false: only this token's (this browser's) conversations",
    }),
  ),
  email_code_available: Type.Optional(
    Type.Boolean({
      description:
        'A one-time code can be mailed to prove the email (POST /widget/session/code); false when this server sends no mail',
    }),
  ),
})
export type WidgetHistoryResponse = Static<typeof WidgetHistoryResponse>

/** `POST /api/v1/widget/conversations/:conversation_id/resolve` body. */
export const WidgetResolveRequest = Type.Object({
  tenant_id: TenantId,
  public_key: PublicKey,
  email_token: Type.Optional(EmailToken),
  source_thread_id: Type.Optional(SourceThreadId),
})
export type WidgetResolveRequest = Static<typeof WidgetResolveRequest>

export const WidgetResolveParams = Type.Object({
  conversation_id: Type.String({ minLength: 1, maxLength: 64 }),
})

/** `POST /api/v1/widget/conversations/:conversation_id/resolve` 200 body. */
export const WidgetResolveResponse = Type.Object({
  tenant_id: Type.String(),
  conversation_id: Type.String(),
  status: Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s))),
  updated_at: Type.String(),
})
export type WidgetResolveResponse = Static<typeof WidgetResolveResponse>

/**
 * `POST /api/v1/widget/conversations/:conversation_id/delete` body: the proof of
 * `WidgetResolveRequest` (the conversation's `email_token`, or one of its threads for a
 * conversation nobody claimed).
 */
export const WidgetDeleteConversationRequest = WidgetResolveRequest
export type WidgetDeleteConversationRequest = WidgetResolveRequest

/** `POST /api/v1/widget/conversations/:conversation_id/delete` 200 body. */
export const WidgetDeleteConversationResponse = Type.Object({
  tenant_id: Type.String(),
  conversation_id: Type.String(),
  deleted: Type.Literal(true),
  messages: Type.Integer({ minimum: 0, description: 'Messages deleted with it' }),
})
export type WidgetDeleteConversationResponse = Static<typeof WidgetDeleteConversationResponse>

/**
 * `POST /api/v1/voice-widget/embed/token` (and `/voice-widget/token`): the contract's
 * VoiceWidgetTokenResponse, plus LiveKit's standard names and the conversation it belongs to.
 */
export const VoiceTokenResponse = Type.Object({
  token: Type.String(),
  livekit_url: Type.String(),
  room_name: Type.String(),
  participant_identity: Type.String(),
  pre_authenticated: Type.Boolean(),
  expires_in_seconds: Type.Integer(),
  /** Same as `livekit_url` (LiveKit's standard name). */
  server_url: Type.String(),
  /** Same as `token` (LiveKit's standard name). */
  participant_token: Type.String(),
  conversation_id: Type.String(),
  thread_id: Type.String(),
})
export type VoiceTokenResponse = Static<typeof VoiceTokenResponse>
