import { type Static, Type } from '@sinclair/typebox'

/** Page limits of `GET /api/v1/audit-log`. */
export const AUDIT_LOG_PAGE = { defaultLimit: 50, maxLimit: 200 } as const

/** Who did it: a console user, an API key, the server itself, or nobody known (a failed sign-in). */
export const AUDIT_ACTOR_TYPES = ['user', 'api_key', 'system', 'anonymous'] as const
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number]

/** The recorded actions (other features add theirs; the listing accepts any). */
export const AUDIT_ACTIONS = [
  'config.updated',
  'api_key.created',
  'api_key.revoked',
  'widget_key.regenerated',
  'identity_secret.rotated',
  'phone.updated',
  'privacy.erased',
  'privacy.exported',
  'console.signed_in',
  'console.sign_in_failed',
  'console.two_factor_enabled',
  'console.two_factor_disabled',
  'console.two_factor_failed',
  'console.recovery_code_used',
  'console.session_revoked',
  'console.sso_login',
  'console.sso_login_failed',
  'sso.updated',
  'user.invited',
  'user.invite_withdrawn',
  'user.invite_accepted',
  'user.role_changed',
  'user.removed',
  'user.provisioned',
] as const

/** One entry of the audit log. */
export const AuditLogEntry = Type.Object({
  id: Type.String({ description: 'Time-ordered id (`aud_…`)' }),
  action: Type.String({ description: 'e.g. `config.updated`, `api_key.created`' }),
  actor: Type.Object({
    type: Type.Union(AUDIT_ACTOR_TYPES.map((t) => Type.Literal(t))),
    id: Type.Union([Type.String(), Type.Null()], {
      description: 'Console user id or API key id; null for the server or an unknown caller',
    }),
  }),
  target: Type.Union([Type.String(), Type.Null()], {
    description: 'What was acted on (a key id, a user id…), when anything',
  }),
  details: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'e.g. `{"fields": [...]}` for a config change, `{"email_sha256": …}` for an erasure; never a secret or a password',
  }),
  ip: Type.Union([Type.String(), Type.Null()], { description: "The caller's address" }),
  created_at: Type.String({ description: 'ISO 8601' }),
})
export type AuditLogEntry = Static<typeof AuditLogEntry>

/** Query of `GET /api/v1/audit-log`. */
export const AuditLogQuery = Type.Object({
  action: Type.Optional(Type.String({ maxLength: 100, description: 'Exact action' })),
  actor: Type.Optional(
    Type.String({ maxLength: 100, description: 'Actor id (console user id or API key id)' }),
  ),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'At or after (ISO 8601)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Before (ISO 8601)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_LOG_PAGE.maxLimit, default: 50 })),
  cursor: Type.Optional(
    Type.String({ maxLength: 200, description: '`next_cursor` of the previous page' }),
  ),
})
export type AuditLogQuery = Static<typeof AuditLogQuery>

/** `GET /api/v1/audit-log`: newest first. */
export const AuditLogResponse = Type.Object({
  entries: Type.Array(AuditLogEntry),
  next_cursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` for the next (older) page; null on the last page',
  }),
})
export type AuditLogResponse = Static<typeof AuditLogResponse>
