/** One validation problem, FastAPI style: `loc` like `["body", "display_title"]`. */
export interface ValidationIssue {
  type: string
  loc: (string | number)[]
  msg: string
}

/**
 * The one error type routes throw. Made only by the factories below; the root error
 * handler turns it into `{"detail": …}` (plus `extra` fields) with `status` and `headers`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string | ValidationIssue[],
    readonly headers: Record<string, string | number> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(typeof detail === 'string' ? detail : 'Validation error')
    this.name = 'ApiError'
  }

  toBody(): Record<string, unknown> {
    return { detail: this.detail, ...this.extra }
  }
}

export const badRequest = (detail: string) => new ApiError(400, 'bad_request', detail)
export const invalidJson = () => new ApiError(400, 'invalid_json', 'Malformed JSON body')
export const notAuthenticated = () =>
  new ApiError(401, 'not_authenticated', 'Not authenticated', { 'WWW-Authenticate': 'ApiKey' })
export const invalidApiKey = () =>
  new ApiError(401, 'invalid_api_key', 'Invalid or revoked API key', {
    'WWW-Authenticate': 'ApiKey',
  })
export const invalidSession = () =>
  new ApiError(401, 'invalid_session', 'Invalid or expired session', {
    'WWW-Authenticate': 'Bearer',
  })
export const invalidEmailToken = () =>
  new ApiError(401, 'invalid_email_token', 'Invalid or expired email token')
export const invalidCredentials = () =>
  new ApiError(401, 'invalid_credentials', 'Invalid email or password')
export const missingScope = (scope: string) =>
  new ApiError(403, 'missing_scope', `API key missing required scope: ${scope}`)
/** One body for every unknown tenant / wrong key / disabled widget case: no tenant enumeration. */
export const widgetAccessDenied = () =>
  new ApiError(403, 'widget_access_denied', 'Invalid widget credentials or widget disabled')
export const originNotAllowed = () => new ApiError(403, 'origin_not_allowed', 'Origin not allowed')
export const identityVerificationFailed = () =>
  new ApiError(
    403,
    'identity_verification_failed',
    'Identity verification failed: user_hash is missing or invalid',
  )
export const forbidden = (detail: string) => new ApiError(403, 'forbidden', detail)
export const notFound = (detail = 'Not Found') => new ApiError(404, 'not_found', detail)
export const conflict = (detail: string) => new ApiError(409, 'conflict', detail)
export const payloadTooLarge = (detail = 'Payload too large') =>
  new ApiError(413, 'payload_too_large', detail)
export const unsupportedMediaType = (detail: string) =>
  new ApiError(415, 'unsupported_media_type', detail)
export const validationError = (issues: ValidationIssue[]) =>
  new ApiError(422, 'validation_error', issues)
/** A single-field 422, e.g. `invalidField(['body','allowed_origins',0], 'must be a full origin')`. */
export const invalidField = (loc: (string | number)[], msg: string, type = 'value_error') =>
  validationError([{ type, loc, msg }])
export const apiKeyRateLimited = (limit: number, retryAfterSec: number) =>
  new ApiError(
    429,
    'rate_limited',
    'API key rate limit exceeded',
    { 'Retry-After': retryAfterSec, 'X-RateLimit-Limit': limit, 'X-RateLimit-Remaining': 0 },
    { limit },
  )
export const rateLimited = (limit: number, retryAfterSec: number) =>
  new ApiError(
    429,
    'rate_limited',
    'Rate limit exceeded',
    { 'Retry-After': retryAfterSec, 'X-RateLimit-Limit': limit, 'X-RateLimit-Remaining': 0 },
    { limit },
  )
/** Login attempts over the per IP+email limit; says when to retry, not whether the account exists. */
export const tooManyLoginAttempts = (retryAfterSec: number) =>
  new ApiError(
    429,
    'too_many_login_attempts',
    `Too many sign-in attempts. Try again in ${retryAfterSec} seconds.`,
    { 'Retry-After': retryAfterSec },
  )
/** An endpoint of the console that needs a signed-in user, called with an API key. */
export const sessionRequired = () =>
  new ApiError(403, 'session_required', 'This endpoint needs a console session, not an API key')
export const agentUnavailable = (
  detail = 'The assistant is temporarily unavailable; your message was saved. Please retry.',
) => new ApiError(503, 'agent_unavailable', detail, { 'Retry-After': 5 })
export const serviceUnavailable = (detail: string) =>
  new ApiError(503, 'service_unavailable', detail, { 'Retry-After': 5 })
/** The shared rate-limit store (Redis) cannot be reached: refuse rather than count per instance. */
export const rateLimitStoreUnavailable = () =>
  new ApiError(
    503,
    'rate_limit_store_unavailable',
    'Service temporarily unavailable (rate-limit store unreachable). Please retry.',
    { 'Retry-After': 2 },
  )
/** The database cannot be reached (connection refused, lost, or timed out); nothing was written. */
export const databaseUnavailable = () =>
  new ApiError(
    503,
    'database_unavailable',
    'Service temporarily unavailable (database unreachable). Please retry.',
    { 'Retry-After': 2 },
  )
export const voiceNotConfigured = () =>
  new ApiError(
    503,
    'voice_not_configured',
    'Voice is not configured on this server (LiveKit settings missing)',
  )
/** Internal API (voice agent worker): missing or wrong `Authorization: Bearer <AURION_INTERNAL_TOKEN>`. */
export const invalidInternalToken = () =>
  new ApiError(401, 'invalid_internal_token', 'Invalid or missing internal token', {
    'WWW-Authenticate': 'Bearer',
  })
/** The internal API is off: the server has no `AURION_INTERNAL_TOKEN`. */
export const internalApiDisabled = () =>
  new ApiError(
    503,
    'internal_api_disabled',
    'The internal API is disabled on this server (AURION_INTERNAL_TOKEN is not set)',
  )
