import { type Static, Type } from '@sinclair/typebox'
import { ERROR_CODES } from './errors.ts'
import { HANDLED_BY } from './inbox.ts'
import { AnswerExtras, AttachmentSchema, SENDER_TYPES, VisitorMessageFields } from './widget-api.ts'

/** Path of the widget's WebSocket. */
export const WS_PATH = '/api/v1/widget/ws'
/** A client frame larger than this closes the socket with 1009. */
export const WS_MAX_FRAME_BYTES = 64 * 1024

/** Close codes the server uses. */
export const WS_CLOSE = {
  /** Server shutting down: reconnect later. */
  GOING_AWAY: 1001,
  /** Missing tenant_id/public_key, disallowed origin, wrong key, widget disabled, key regenerated. Do not retry with the same credentials. */
  POLICY_VIOLATION: 1008,
  /** A frame over 64 KB. */
  MESSAGE_TOO_BIG: 1009,
  /** Too many connections from this address: back off and retry. */
  TRY_AGAIN_LATER: 1013,
} as const

/**
 * `code` values of `error` frames: any code of the server's error catalogue (a frame that fails
 * the way a REST request would says why with the same code), plus `invalid_json` (a frame that
 * is not JSON), `busy` (too many frames in flight) and `internal_error` (a fault of ours). The
 * ones a client acts on: `rate_limited` (wait `retry_after`), `agent_unavailable` (the message
 * is stored, the reply is missing), `validation_error` (fix the frame); anything else means the
 * frame was not handled.
 */
export const WS_ERROR_CODES = [...ERROR_CODES, 'invalid_json', 'busy', 'internal_error'] as const
export type WsErrorCode = (typeof WS_ERROR_CODES)[number]

/**
 * Query of `WS /api/v1/widget/ws`. `tenant_id` and `public_key` are required: without them (or
 * with a disallowed Origin) the socket is closed with 1008.
 */
export const WsConnectQuery = Type.Object({
  tenant_id: Type.Optional(Type.String({ description: 'Required. Your tenant UUID' })),
  public_key: Type.Optional(Type.String({ description: 'Required. Public widget key (vwk_…)' })),
  source_thread_id: Type.Optional(
    Type.String({
      description:
        'Follow and continue this thread (thread_… or a client-chosen id); frames without their own source_thread_id go to it',
    }),
  ),
  sender_email: Type.Optional(
    Type.String({ description: 'Default sender_email of the frames sent on this socket' }),
  ),
  email_token: Type.Optional(
    Type.String({ description: 'Default email_token of the frames sent on this socket' }),
  ),
  after_message_id: Type.Optional(
    Type.String({
      description:
        "Catching up after a reconnect: the id of the last message the client has of `source_thread_id`'s conversation. The server sends every later message (at most 100, as `message` frames), then a `conversation` frame with the current state",
    }),
  ),
})
export type WsConnectQuery = Static<typeof WsConnectQuery>

/** A visitor message frame: `{"body": …}` plus the same optional fields as `POST /widget/messages`. */
export const WsMessageFrame = Type.Object({
  type: Type.Optional(Type.Literal('message')),
  ...VisitorMessageFields,
})
export type WsMessageFrame = Static<typeof WsMessageFrame>

/**
 * The visitor is typing (send at most every 2 s while they type): shown live in the inbox when a
 * person handles the conversation of the socket's current thread. Never answered.
 */
export const WsVisitorTypingFrame = Type.Object({ type: Type.Literal('typing') })
export type WsVisitorTypingFrame = Static<typeof WsVisitorTypingFrame>

/** Application-level keep-alive for clients that cannot see WebSocket pings: answered with `pong`. */
export const WsPingFrame = Type.Object({ type: Type.Literal('ping') })
export type WsPingFrame = Static<typeof WsPingFrame>

const ThreadRef = {
  conversation_id: Type.String(),
  thread_id: Type.String(),
}

/** The assistant is composing a reply to the message just stored. */
export const WsTypingFrame = Type.Object({ type: Type.Literal('typing'), ...ThreadRef })
export type WsTypingFrame = Static<typeof WsTypingFrame>

/** The visitor's message is durably stored: these are its ids. */
export const WsAckFrame = Type.Object({
  type: Type.Literal('ack'),
  ...ThreadRef,
  contact_id: Type.String(),
  user_message_id: Type.String(),
  source_message_id: Type.Union([Type.String(), Type.Null()]),
  deduplicated: Type.Boolean(),
})
export type WsAckFrame = Static<typeof WsAckFrame>

/** One piece of the streamed reply; `index` counts from 0 within one reply. */
export const WsChunkFrame = Type.Object({
  type: Type.Literal('chunk'),
  index: Type.Integer({ minimum: 0 }),
  ...ThreadRef,
  chunk: Type.String(),
})
export type WsChunkFrame = Static<typeof WsChunkFrame>

/** The reply is stored; `ai_response` is its full, authoritative text. */
export const WsDoneFrame = Type.Object({
  type: Type.Literal('done'),
  ...ThreadRef,
  user_message_id: Type.String(),
  ai_message_id: Type.String(),
  ai_response: Type.String(),
  deduplicated: Type.Boolean(),
  ...AnswerExtras,
})
export type WsDoneFrame = Static<typeof WsDoneFrame>

/** A problem with one frame; the socket stays usable. */
export const WsErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: Type.Unsafe<WsErrorCode>(Type.String()),
  message: Type.String(),
  source_message_id: Type.Optional(Type.String()),
  retry_after: Type.Optional(Type.Integer({ description: 'Seconds, for rate_limited' })),
})
export type WsErrorFrame = Static<typeof WsErrorFrame>

/**
 * A message stored through another channel (REST, another tab, a voice transcript, a human
 * agent) in a thread this socket follows.
 */
export const WsThreadMessageFrame = Type.Object({
  type: Type.Literal('message'),
  ...ThreadRef,
  message: Type.Object({
    id: Type.String(),
    sender_type: Type.Union(SENDER_TYPES.map((s) => Type.Literal(s))),
    body: Type.String(),
    channel: Type.Union([Type.Literal('chat'), Type.Literal('voice')]),
    created_at: Type.String(),
    attachments: Type.Array(AttachmentSchema),
    author_name: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description: "A person's message (`sender_type: agent`): their display name",
      }),
    ),
    source_message_id: Type.Optional(
      Type.String({
        description:
          "A visitor's message (`sender_type: contact`) sent with a client id: that id, so the client that sent it shows it once",
      }),
    ),
    ...AnswerExtras,
  }),
})
export type WsThreadMessageFrame = Static<typeof WsThreadMessageFrame>

/** The conversation was resolved (or reopened). */
export const WsConversationStatusFrame = Type.Object({
  type: Type.Literal('conversation_status'),
  ...ThreadRef,
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
})
export type WsConversationStatusFrame = Static<typeof WsConversationStatusFrame>

/**
 * The conversation's state changed (`status`, `handled_by` or `assignee`): a person took it over,
 * was assigned, gave it back to the assistant, resolved or reopened it. Also sent after a
 * catch-up (`after_message_id`).
 */
export const WsConversationFrame = Type.Object({
  type: Type.Literal('conversation'),
  ...ThreadRef,
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
  handled_by: Type.Union(HANDLED_BY.map((h) => Type.Literal(h))),
  assignee: Type.Union([
    Type.Object({ name: Type.String({ description: "The person's display name" }) }),
    Type.Null(),
  ]),
})
export type WsConversationFrame = Static<typeof WsConversationFrame>

/** A person is typing in the conversation (sent every few seconds while they type). */
export const WsAgentTypingFrame = Type.Object({
  type: Type.Literal('typing'),
  conversation_id: Type.String(),
  sender_type: Type.Literal('agent'),
})
export type WsAgentTypingFrame = Static<typeof WsAgentTypingFrame>

/** The answer to a `ping` frame. */
export const WsPongFrame = Type.Object({ type: Type.Literal('pong') })
export type WsPongFrame = Static<typeof WsPongFrame>

/** Every frame the server sends. */
export const WsServerFrame = Type.Union([
  WsTypingFrame,
  WsAckFrame,
  WsChunkFrame,
  WsDoneFrame,
  WsErrorFrame,
  WsThreadMessageFrame,
  WsConversationStatusFrame,
  WsConversationFrame,
  WsAgentTypingFrame,
  WsPongFrame,
])
export type WsServerFrame = Static<typeof WsServerFrame>
