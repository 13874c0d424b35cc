import type { ErrorCode } from '@aurion/contract'

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
    readonly code: ErrorCode,
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

  /**
   * The answer's headers: its own (e.g. `Retry-After`) and `X-Error-Code`, the catalogue code,
   * so a client acts on the code (`agent_unavailable`: the message is stored), not the text.
   */
  responseHeaders(): Record<string, string | number> {
    return { ...this.headers, 'X-Error-Code': this.code }
  }
}

export const badRequest = (detail: string) => new ApiError(400, 'bad_request', detail)
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
/**
 * Right email and password, but the user signs in with a second factor: send `code` too. The
 * body says so in `two_factor_required: true`.
 */
export const twoFactorRequired = () =>
  new ApiError(
    401,
    'two_factor_required',
    'Enter the code from your authenticator app',
    {},
    { two_factor_required: true },
  )
/** A wrong, expired or already used two-factor or recovery code. */
export const invalidTwoFactorCode = (status: 401 | 403 = 401) =>
  new ApiError(status, 'invalid_two_factor_code', 'Invalid or already used code')
/** A signed-in user's password, asked again before a security change, was wrong. */
export const invalidPassword = () => new ApiError(403, 'invalid_password', 'Wrong password')
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
/** A cookie-authenticated write without the session's CSRF token, or from another site. */
export const csrfRejected = () =>
  new ApiError(
    403,
    'csrf_rejected',
    'Cross-site request refused: send the X-CSRF-Token of your session from the console',
  )
/**
 * A console user whose role does not include what the route needs (an agent on API keys…):
 * `needs` is a scope such as `config:read`, or a role such as `the owner role`.
 */
export const roleForbidden = (role: string, needs: string) =>
  new ApiError(
    403,
    'role_forbidden',
    `Your role (${role}) does not allow this: it needs ${needs}. Ask an owner or admin of your team.`,
  )
/** A forged, expired, used or withdrawn invitation (one body for all: nothing to probe). */
export const invalidInvite = () =>
  new ApiError(400, 'invalid_invite', 'Invalid or expired invitation link')
export const forbidden = (detail: string) => new ApiError(403, 'forbidden', detail)
export const notFound = (detail = 'Not Found') => new ApiError(404, 'not_found', detail)
export const conflict = (detail: string) => new ApiError(409, 'conflict', detail)
export const payloadTooLarge = (detail = 'Payload too large') =>
  new ApiError(413, 'payload_too_large', detail)
/** The tenant's attachments would exceed `AURION_UPLOAD_QUOTA_MB`. */
export const uploadQuotaExceeded = (quotaBytes: number, usedBytes: number) =>
  new ApiError(
    413,
    'upload_quota_exceeded',
    `Upload quota exceeded: this widget's attachments may use ${mb(quotaBytes)} MB in total and ${mb(usedBytes)} MB are in use; unattached uploads expire after 24 hours`,
  )
const mb = (bytes: number) => String(Math.round((bytes / 1048576) * 10) / 10)
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
/** Too many failed sign-ins from this address; says when to retry, not whether the account exists. */
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
/**
 * A console single sign-on that cannot go on: a used or expired sign-in link (400), a response
 * the provider did not vouch for (401), an account the workspace's settings refuse (403).
 */
export const ssoFailed = (status: 400 | 401 | 403 | 404, detail: string) =>
  new ApiError(status, 'sso_failed', detail)
/** The OpenID provider could not be reached or answered something unusable. */
export const ssoProviderError = (detail: string) => new ApiError(502, 'sso_provider_error', detail)
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
/** LiveKit refused or could not be reached while the server changed something there. */
export const liveKitError = (detail: string) => new ApiError(502, 'livekit_error', detail)
/** Internal API (voice agent worker): missing or wrong `Authorization: Bearer <AURION_INTERNAL_TOKEN>`. */
export const invalidInternalToken = () =>
  new ApiError(401, 'invalid_internal_token', 'Invalid or missing internal token', {
    'WWW-Authenticate': 'Bearer',
  })
/** `/metrics` with `AURION_METRICS_TOKEN` set: missing or wrong `Authorization: Bearer …`. */
export const invalidMetricsToken = () =>
  new ApiError(401, 'invalid_metrics_token', 'Invalid or missing metrics token', {
    'WWW-Authenticate': 'Bearer',
  })
/** The internal API is off: the server has no `AURION_INTERNAL_TOKEN`. */
export const internalApiDisabled = () =>
  new ApiError(
    503,
    'internal_api_disabled',
    'The internal API is disabled on this server (AURION_INTERNAL_TOKEN is not set)',
  )
/** The server sends no mail (`AURION_SMTP_URL` unset), so no code can prove an email. */
export const mailNotConfigured = () =>
  new ApiError(
    503,
    'mail_not_configured',
    'Email verification is not available: this server sends no email',
  )
/** The mail server refused or could not be reached; nothing was stored as sent. */
export const mailSendFailed = () =>
  new ApiError(503, 'mail_send_failed', 'The verification email could not be sent. Please retry.', {
    'Retry-After': 30,
  })
/** A wrong, expired, used or never-sent verification code (one body for all: nothing to probe). */
export const invalidVerificationCode = () =>
  new ApiError(400, 'invalid_code', 'Invalid or expired verification code')
/** The token already proves its email: no code needed. */
export const emailAlreadyVerified = () =>
  new ApiError(409, 'email_already_verified', 'The email of this token is already verified')
