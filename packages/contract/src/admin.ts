import { type Static, Type } from '@sinclair/typebox'
import { ValidationIssueSchema } from './widget-api.ts'

/**
 * Every scope an API key can hold (`resource:read` / `resource:write`). The contract's rule for
 * `/api/v1/voice-widget`: GET/HEAD need `config:read`, every other method `config:write`.
 */
export const API_KEY_SCOPES = [
  'config:read',
  'config:write',
  'knowledge:read',
  'knowledge:write',
  'conversations:read',
  'conversations:write',
  'audit:read',
  'privacy:read',
  'privacy:write',
  'help-center:read',
  'help-center:write',
  'webhooks:read',
  'webhooks:write',
  'analytics:read',
] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

/** 422: `{"detail": [{"type", "loc", "msg"}]}`. */
export const ValidationErrorResponse = Type.Object(
  { detail: Type.Array(ValidationIssueSchema) },
  { description: 'Validation error' },
)
/** 429 of the API-key limit: `{"detail": "API key rate limit exceeded", "limit": 300}`. */
export const RateLimitedResponse = Type.Object(
  { detail: Type.String(), limit: Type.Integer() },
  { description: 'Rate limit exceeded; see Retry-After' },
)

/** `POST /api/v1/voice-widget/config/regenerate-key`. */
export const RegenerateKeyResponse = Type.Object({
  public_widget_key: Type.String({ description: 'The new public widget key (`vwk_…`)' }),
  embed_snippet: Type.String({
    description: 'The inline snippet with the new key, ready to paste',
  }),
})
export type RegenerateKeyResponse = Static<typeof RegenerateKeyResponse>

/** `POST /api/v1/voice-widget/config/rotate-identity-secret`. */
export const RotateIdentitySecretResponse = Type.Object({
  identity_secret: Type.String({
    description:
      'The new identity-verification secret, shown this once (GET /config never returns it); hashes made with the old one fail at once',
  }),
})
export type RotateIdentitySecretResponse = Static<typeof RotateIdentitySecretResponse>

/** Names of the GA readiness checks, in the order they are reported. */
export const GA_READINESS_CHECKS = [
  'allowed_origins_configured',
  'widget_enabled',
  'voice_configured',
  'agent_configured',
] as const
export type GaReadinessCheckName = (typeof GA_READINESS_CHECKS)[number]

/** One GA readiness check: `reason` says what is wrong (or why a check passes vacuously). */
export const GaReadinessCheck = Type.Object({
  passed: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
})
export type GaReadinessCheck = Static<typeof GaReadinessCheck>

/** `GET /api/v1/voice-widget/ga-readiness`. */
export const GaReadinessResponse = Type.Object({
  ready: Type.Boolean({ description: 'false when any check fails' }),
  failed_checks: Type.Array(Type.String(), { description: 'Keys of the failing checks' }),
  checks: Type.Record(Type.String(), GaReadinessCheck),
})
export type GaReadinessResponse = Static<typeof GaReadinessResponse>

/** An API key as admins see it: never the key itself nor its hash. */
export const ApiKeyInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'First characters of the key, e.g. `itsm_sk_live_AbCd`' }),
  scopes: Type.Array(Type.String()),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()], {
    description: 'Last use, recorded at most once a minute',
  }),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
})
export type ApiKeyInfo = Static<typeof ApiKeyInfo>

/** `GET /api/v1/api-keys`. */
export const ApiKeyListResponse = Type.Object({ api_keys: Type.Array(ApiKeyInfo) })
export type ApiKeyListResponse = Static<typeof ApiKeyListResponse>

/** `POST /api/v1/api-keys` body. */
export const ApiKeyCreateRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Array(Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s))), {
    minItems: 1,
    maxItems: 20,
  }),
})
export type ApiKeyCreateRequest = Static<typeof ApiKeyCreateRequest>

/** `POST /api/v1/api-keys` → 201: the key in plaintext, shown this once. */
export const ApiKeyCreatedResponse = Type.Composite([
  ApiKeyInfo,
  Type.Object({
    api_key: Type.String({ description: 'The key itself (`itsm_sk_live_…`); shown only once' }),
  }),
])
export type ApiKeyCreatedResponse = Static<typeof ApiKeyCreatedResponse>
