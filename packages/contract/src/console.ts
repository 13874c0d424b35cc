import { type Static, Type } from '@sinclair/typebox'
import { ConversationStateFields, HandoffMetricFields, MessageAuthor } from './inbox.ts'
import { TeamRoleSchema } from './team.ts'

/** `POST /api/v1/auth/login` body. */
export const LoginRequest = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320, examples: ['admin@example.com'] }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  code: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        'With two-factor sign-in on: the 6-digit code of the authenticator app, or one unused recovery code',
    }),
  ),
})
export type LoginRequest = Static<typeof LoginRequest>

/** A console user as the API shows it (never the password hash). */
export const AdminUserInfo = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  tenant_id: Type.String(),
  role: TeamRoleSchema,
})
export type AdminUserInfo = Static<typeof AdminUserInfo>

/**
 * `POST /api/v1/auth/login` → 200: a session token to send as `Authorization: Bearer …`; the
 * same session also arrives as the console's HttpOnly cookie.
 */
export const LoginResponse = Type.Object({
  token: Type.String({ description: 'Session token (`ases_…`); shown once, stored hashed' }),
  token_type: Type.Literal('bearer'),
  expires_at: Type.String({ description: 'When the session ends (ISO 8601)' }),
  csrf_token: Type.String({
    description:
      'Send as `X-CSRF-Token` on writes authenticated by the session cookie (not needed with Bearer)',
  }),
  user: AdminUserInfo,
})
export type LoginResponse = Static<typeof LoginResponse>

/** `GET /api/v1/auth/me`: the signed-in user, their tenant and the session's expiry. */
export const MeResponse = Type.Object({
  user: AdminUserInfo,
  tenant: Type.Object({ id: Type.String(), name: Type.String() }),
  scopes: Type.Array(Type.String()),
  expires_at: Type.String(),
  csrf_token: Type.String({ description: "The session's `X-CSRF-Token` for cookie writes" }),
})
export type MeResponse = Static<typeof MeResponse>

/** Page limits of `GET /api/v1/conversations`. */
export const CONSOLE_CONVERSATION_PAGE = { defaultLimit: 25, maxLimit: 100 } as const
/** Message limits of `GET /api/v1/conversations/{id}`. */
export const CONSOLE_CONVERSATION_MESSAGES = { defaultLimit: 200, maxLimit: 500 } as const

/** Query of `GET /api/v1/conversations`. */
export const ConsoleConversationListQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description: "Text in the subject, the visitor's email or any message (case-insensitive)",
    }),
  ),
  status: Type.Optional(Type.String({ maxLength: 40, description: 'e.g. `open`' })),
  handled_by: Type.Optional(
    Type.Union([Type.Literal('ai'), Type.Literal('human')], {
      description: 'Who answers: `ai` (the assistant) or `human` (a person)',
    }),
  ),
  assignee: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 320,
      description:
        "`me` (the signed-in user), `none` (the team queue: nobody assigned) or a console user's email",
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: CONSOLE_CONVERSATION_PAGE.maxLimit,
      default: CONSOLE_CONVERSATION_PAGE.defaultLimit,
    }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
})
export type ConsoleConversationListQuery = Static<typeof ConsoleConversationListQuery>

const Contact = Type.Union([
  Type.Object({
    id: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    email_verified: Type.Boolean({
      description:
        'true: the visitor proved `email` (identity verification or a mailed code). false: `email` is only what the visitor typed',
    }),
    phone: Type.Union([Type.String(), Type.Null()], {
      description: "A phone caller's number (E.164); `null` for other contacts",
    }),
  }),
  Type.Null(),
])

/** One conversation in the console's list. */
export const ConsoleConversationSummary = Type.Object({
  id: Type.String(),
  subject: Type.String(),
  status: Type.String(),
  contact: Contact,
  message_count: Type.Integer(),
  /** The newest message, its body cut to 200 characters. */
  last_message: Type.Union([
    Type.Object({
      sender_type: Type.String(),
      body: Type.String(),
      channel: Type.String(),
      created_at: Type.String(),
    }),
    Type.Null(),
  ]),
  created_at: Type.String(),
  updated_at: Type.String(),
  ...ConversationStateFields,
  ...HandoffMetricFields,
})
export type ConsoleConversationSummary = Static<typeof ConsoleConversationSummary>

/** `GET /api/v1/conversations`, most recently updated first. */
export const ConsoleConversationList = Type.Object({
  items: Type.Array(ConsoleConversationSummary),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
})
export type ConsoleConversationList = Static<typeof ConsoleConversationList>

/** A message as the console shows it. */
export const ConsoleConversationMessage = Type.Object({
  id: Type.String(),
  thread_id: Type.String(),
  sender_type: Type.String({ description: '`contact` (visitor), `ai` or `agent`' }),
  body: Type.String(),
  channel: Type.String({ description: '`chat`, `voice` (a browser or app call) or `phone`' }),
  created_at: Type.String(),
  metadata: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  private: Type.Boolean({
    description: 'A private note of the team: never shown to the visitor',
  }),
  author: MessageAuthor,
  attachments: Type.Array(
    Type.Object({
      upload_id: Type.String(),
      file_name: Type.String(),
      content_type: Type.String(),
      size_bytes: Type.Integer(),
    }),
  ),
})
export type ConsoleConversationMessage = Static<typeof ConsoleConversationMessage>

/** `GET /api/v1/conversations/{id}`: the conversation and its newest messages, oldest first. */
export const ConsoleConversationDetail = Type.Composite([
  ConsoleConversationSummary,
  Type.Object({
    messages: Type.Array(ConsoleConversationMessage),
    messages_truncated: Type.Boolean({
      description: 'true when older messages exist beyond `message_limit`',
    }),
  }),
])
export type ConsoleConversationDetail = Static<typeof ConsoleConversationDetail>
