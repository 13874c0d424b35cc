import { type Static, Type } from '@sinclair/typebox'

/** How many recovery codes enabling two-factor sign-in hands out (each works once). */
export const RECOVERY_CODE_COUNT = 10

/** `GET /api/v1/auth/two-factor`: the signed-in user's two-factor state. */
export const TwoFactorStatus = Type.Object({
  enabled: Type.Boolean(),
  enabled_at: Type.Union([Type.String(), Type.Null()]),
  recovery_codes_remaining: Type.Integer({ minimum: 0 }),
})
export type TwoFactorStatus = Static<typeof TwoFactorStatus>

/** `POST /api/v1/auth/two-factor/setup` body: the current password, asked again. */
export const TwoFactorSetupRequest = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 1024 }),
})
export type TwoFactorSetupRequest = Static<typeof TwoFactorSetupRequest>

/**
 * `POST /api/v1/auth/two-factor/setup` → 200: a new secret for the authenticator app, pending
 * until confirmed with a code (`/enable`).
 */
export const TwoFactorSetupResponse = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for typing into the app by hand' }),
  otpauth_uri: Type.String({ description: '`otpauth://totp/…` (what the QR code holds)' }),
  qr_svg: Type.String({ description: 'The URI as a QR code (SVG document)' }),
})
export type TwoFactorSetupResponse = Static<typeof TwoFactorSetupResponse>

/** `POST /api/v1/auth/two-factor/enable` body: a current code from the app. */
export const TwoFactorEnableRequest = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64 }),
})
export type TwoFactorEnableRequest = Static<typeof TwoFactorEnableRequest>

/** `POST /api/v1/auth/two-factor/enable` → 200: the recovery codes, shown this once. */
export const TwoFactorEnableResponse = Type.Object({
  enabled: Type.Literal(true),
  recovery_codes: Type.Array(Type.String()),
})
export type TwoFactorEnableResponse = Static<typeof TwoFactorEnableResponse>

/** `POST /api/v1/auth/two-factor/disable` body: a code (app or recovery) or the password. */
export const TwoFactorDisableRequest = Type.Object({
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
})
export type TwoFactorDisableRequest = Static<typeof TwoFactorDisableRequest>

/** One open console session of the signed-in user (`GET /api/v1/auth/sessions`). */
export const ConsoleSession = Type.Object({
  id: Type.String(),
  created_at: Type.String(),
  expires_at: Type.String(),
  last_seen_at: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'The session of this request' }),
})
export type ConsoleSession = Static<typeof ConsoleSession>

export const ConsoleSessionList = Type.Object({ sessions: Type.Array(ConsoleSession) })
export type ConsoleSessionList = Static<typeof ConsoleSessionList>

/** `POST /api/v1/auth/sessions/revoke-others` → how many sessions were signed out. */
export const SessionsRevokedResponse = Type.Object({ revoked: Type.Integer({ minimum: 0 }) })
export type SessionsRevokedResponse = Static<typeof SessionsRevokedResponse>

/**
 * `POST /api/v1/auth/login` → 401: wrong email or password, or (`two_factor_required: true`)
 * right ones for a user who signs in with a second factor and sent no `code`.
 */
export const LoginErrorResponse = Type.Object(
  {
    detail: Type.String(),
    two_factor_required: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: true, description: 'Sign-in refused' },
)
