import { type Static, Type } from '@sinclair/typebox'
import { PeriodBounds } from './analytics.ts'
import { CONVERSATION_STATUSES, clientId } from './widget-api.ts'

/**
 * The inbox's side of a conversation: who answers it (`handled_by`), who owns it (`assignee`),
 * people's messages and private notes, the hand-off metrics, and the console's live channel.
 */

export const HANDLED_BY = ['ai', 'human'] as const
export type HandledBy = (typeof HANDLED_BY)[number]
/** `body` of a person's message or note: 1–4000 characters. */
export const AGENT_MESSAGE_MAX_LENGTH = 4000

const Status = Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s)))
const HandledByField = Type.Union(
  HANDLED_BY.map((s) => Type.Literal(s)),
  {
    description:
      '`ai`: the assistant answers; `human`: a person does and the assistant stays silent',
  },
)

/** A console user a conversation is assigned to; `null` = the team's queue. */
export const ConversationAssignee = Type.Union([
  Type.Object({
    id: Type.String(),
    email: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Null(),
])
export type ConversationAssignee = Static<typeof ConversationAssignee>

/** `handled_by` and `assignee` of a conversation (beside its `status`). */
export const ConversationStateFields = {
  handled_by: HandledByField,
  assignee: ConversationAssignee,
}

/** Hand-off metrics of one conversation (its latest hand-off). */
export const HandoffMetricFields = {
  handoff_requested_at: Type.Union([Type.String(), Type.Null()], {
    description: 'When the conversation was last handed to a person',
  }),
  handoff_reason: Type.Union([Type.String(), Type.Null()], {
    description:
      '`visitor_request`, `unanswered_twice`, `quick_action` or `agent_takeover`; null if never handed off',
  }),
  first_human_reply_at: Type.Union([Type.String(), Type.Null()], {
    description:
      "When a person first replied to the visitor after that hand-off (notes don't count)",
  }),
  first_human_reply_seconds: Type.Union([Type.Number(), Type.Null()], {
    description: 'Seconds from the hand-off to that reply',
  }),
}

/** Who wrote a person's message: the console user, or `null` (written with an API key). */
export const MessageAuthor = Type.Union([
  Type.Object({ name: Type.Union([Type.String(), Type.Null()]), email: Type.String() }),
  Type.Null(),
])
export type MessageAuthor = Static<typeof MessageAuthor>

export const ConversationIdParams = Type.Object({
  conversation_id: Type.String({ minLength: 1, maxLength: 100 }),
})

/** `POST /api/v1/conversations/{conversation_id}/messages` body. */
export const AgentMessageRequest = Type.Object({
  body: Type.String({ minLength: 1, maxLength: AGENT_MESSAGE_MAX_LENGTH }),
  private: Type.Optional(
    Type.Boolean({
      description: 'A note for the team: never sent to the visitor, never in /widget/history',
    }),
  ),
  upload_ids: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 10,
      description: "This tenant's uploads, not attached to another message",
    }),
  ),
  source_message_id: Type.Optional(
    clientId(
      'Idempotency key chosen by the caller: sending the same value again (same conversation, body and `private`) stores nothing new and returns the original message (201); another message under a used key is a 409',
    ),
  ),
})
export type AgentMessageRequest = Static<typeof AgentMessageRequest>

/** `POST /api/v1/conversations/{conversation_id}/messages` → 201. */
export const AgentMessageResponse = Type.Object({
  id: Type.String(),
  conversation_id: Type.String(),
  thread_id: Type.String(),
  sender_type: Type.Literal('agent'),
  body: Type.String(),
  private: Type.Boolean(),
  created_at: Type.String(),
  author: MessageAuthor,
})
export type AgentMessageResponse = Static<typeof AgentMessageResponse>

/** `PATCH /api/v1/conversations/{conversation_id}` body (the response is the conversation). */
export const ConversationPatchRequest = Type.Object({
  status: Type.Optional(Status),
  handled_by: Type.Optional(HandledByField),
  assignee_email: Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 320 }), Type.Null()], {
      description: "A console user's email of this tenant, or null for the team's queue",
    }),
  ),
})
export type ConversationPatchRequest = Static<typeof ConversationPatchRequest>

/** `POST /api/v1/conversations/{conversation_id}/suggest-reply` → 200: a draft to edit. */
export const SuggestReplyResponse = Type.Object({
  body: Type.String({ description: "The assistant's draft; nothing is sent or stored" }),
  sources: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
})
export type SuggestReplyResponse = Static<typeof SuggestReplyResponse>

/** Path of the console's live channel (server-sent events on the console session). */
export const INBOX_EVENTS_PATH = '/api/v1/inbox/events'

/** A message as the inbox receives it live (the console's message shape plus its conversation). */
export interface InboxMessage {
  id: string
  thread_id: string
  sender_type: 'contact' | 'ai' | 'agent'
  body: string
  channel: 'chat' | 'voice'
  created_at: string
  private: boolean
  author: MessageAuthor
  attachments: { upload_id: string; file_name: string; content_type: string; size_bytes: number }[]
  metadata: Record<string, unknown> | null
}

/** State of a conversation as inbox events carry it. */
export interface InboxConversationState {
  conversation_id: string
  status: 'open' | 'resolved'
  handled_by: HandledBy
  assignee: ConversationAssignee
  updated_at: string
}

/**
 * Events of `GET /api/v1/inbox/events`: each SSE `data:` line is one of these as JSON (no SSE
 * `event:` field, so `EventSource.onmessage` receives them all; dispatch on `type`):
 * - `ready`: the stream is open (after a reconnect, reload the lists: nothing is replayed);
 * - `handoff`: a conversation was handed to a person (why, and its state);
 * - `conversation`: its status, handled_by or assignee changed;
 * - `message`: a message was stored (the visitor's, the assistant's, a person's or a note);
 * - `typing`: the visitor (`contact`) or a person (`agent`) is typing.
 */
export type InboxEvent =
  | { type: 'ready' }
  | ({
      type: 'handoff'
      reason: string
      subject: string
      thread_id: string | null
    } & InboxConversationState)
  | ({ type: 'conversation' } & InboxConversationState)
  | { type: 'message'; conversation_id: string; message: InboxMessage }
  | {
      type: 'typing'
      conversation_id: string
      sender_type: 'contact' | 'agent'
      author_name?: string | null
    }

/** `GET /api/v1/conversations/handoff-metrics`: the period, `[from, to)` (ISO 8601). */
export const HandoffMetricsQuery = Type.Object({ ...PeriodBounds })
export type HandoffMetricsQuery = Static<typeof HandoffMetricsQuery>

const Seconds = (description: string) =>
  Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description })

/**
 * Hand-off figures of the conversations started in `[from, to)`: how many went to a person, how
 * many a person answered and how fast (seconds from the hand-off to the first reply), per person.
 */
export const HandoffMetricsResponse = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  handoffs: Type.Integer({ minimum: 0, description: 'Conversations handed to a person' }),
  handoffs_answered: Type.Integer({
    minimum: 0,
    description: 'Of those, the ones a person has replied to since',
  }),
  first_human_reply_seconds: Type.Object({
    p50: Seconds('Median wait for the first reply of a person; null without any'),
    p90: Seconds('90th percentile of that wait; null without any'),
  }),
  agents: Type.Array(
    Type.Object({
      user_id: Type.String(),
      name: Type.Union([Type.String(), Type.Null()]),
      handoffs_answered: Type.Integer({
        minimum: 0,
        description: 'Hand-offs whose first reply was theirs',
      }),
      first_reply_seconds_p50: Seconds('Median wait for their first replies; null without any'),
      replies: Type.Integer({
        minimum: 0,
        description: 'Messages they sent visitors in these conversations (private notes excluded)',
      }),
    }),
  ),
})
export type HandoffMetricsResponse = Static<typeof HandoffMetricsResponse>
