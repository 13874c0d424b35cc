import { type Static, Type } from '@sinclair/typebox'

/** `POST /api/v1/auth/login` body. */
export const LoginRequest = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320, examples: ['admin@example.com'] }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
})
export type LoginRequest = Static<typeof LoginRequest>

/** A console user as the API shows it (never the password hash). */
export const AdminUserInfo = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  tenant_id: Type.String(),
})
export type AdminUserInfo = Static<typeof AdminUserInfo>

/** `POST /api/v1/auth/login` → 200: a session token to send as `Authorization: Bearer …`. */
export const LoginResponse = Type.Object({
  token: Type.String({ description: 'Session token (`ases_…`); shown once, stored hashed' }),
  token_type: Type.Literal('bearer'),
  expires_at: Type.String({ description: 'When the session ends (ISO 8601)' }),
  user: AdminUserInfo,
})
export type LoginResponse = Static<typeof LoginResponse>

/** `GET /api/v1/auth/me`: the signed-in user, their tenant and the session's expiry. */
export const MeResponse = Type.Object({
  user: AdminUserInfo,
  tenant: Type.Object({ id: Type.String(), name: Type.String() }),
  scopes: Type.Array(Type.String()),
  expires_at: Type.String(),
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
  channel: Type.String({ description: '`chat` or `voice`' }),
  created_at: Type.String(),
  metadata: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
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
