import { type Static, Type } from '@sinclair/typebox'

const EMAIL = Type.String({ minLength: 3, maxLength: 320, examples: ['visitor@example.com'] })

/** `POST /api/v1/privacy/erase` body. */
export const PrivacyEraseRequest = Type.Object({ email: EMAIL })
export type PrivacyEraseRequest = Static<typeof PrivacyEraseRequest>

/** `POST /api/v1/privacy/erase` → 200: what was removed. */
export const PrivacyEraseResponse = Type.Object({
  email: Type.String({ description: 'The erased email, lower-cased' }),
  contacts: Type.Integer({ description: 'Contacts removed' }),
  conversations: Type.Integer({ description: 'Conversations removed' }),
  messages: Type.Integer({ description: 'Messages removed' }),
  uploads: Type.Integer({ description: 'Attachments removed' }),
})
export type PrivacyEraseResponse = Static<typeof PrivacyEraseResponse>

/** `GET /api/v1/privacy/export` query. */
export const PrivacyExportQuery = Type.Object({ email: EMAIL })
export type PrivacyExportQuery = Static<typeof PrivacyExportQuery>

const nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()])

export const PrivacyExportAttachment = Type.Object({
  upload_id: Type.String(),
  file_name: Type.String(),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
  url: Type.String({ description: 'Download link (admin API: send the same credentials)' }),
})

export const PrivacyExportMessage = Type.Object({
  id: Type.String(),
  sender_type: Type.String({ description: '`contact`, `ai` or `agent`' }),
  body: Type.String(),
  channel: Type.String(),
  created_at: Type.String(),
  attachments: Type.Array(PrivacyExportAttachment),
})

export const PrivacyExportConversation = Type.Object({
  id: Type.String(),
  subject: Type.String(),
  status: Type.String(),
  claimed_email: nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
  messages: Type.Array(PrivacyExportMessage),
})

/** `GET /api/v1/privacy/export` → 200: everything stored about the visitor. */
export const PrivacyExportResponse = Type.Object({
  email: Type.String(),
  exported_at: Type.String(),
  contacts: Type.Array(
    Type.Object({
      id: Type.String(),
      email: nullable(Type.String()),
      name: nullable(Type.String()),
      created_at: Type.String(),
      updated_at: Type.String(),
    }),
  ),
  conversations: Type.Array(PrivacyExportConversation),
  feedback: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    description: 'Ratings and comments the visitor left (empty while none are stored)',
  }),
})
export type PrivacyExportResponse = Static<typeof PrivacyExportResponse>
