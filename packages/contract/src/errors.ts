/**
 * Every `code` of the server's error catalogue (`packages/server/src/errors.ts` can only build
 * errors with these). REST answers carry `{"detail": …}` and the code in the `X-Error-Code`
 * header (exposed to the widget's cross-origin scripts); WebSocket `error` frames carry it as
 * `code`.
 */
export const ERROR_CODES = [
  'agent_unavailable',
  'bad_request',
  'conflict',
  'csrf_rejected',
  'database_unavailable',
  'email_already_verified',
  'forbidden',
  'identity_verification_failed',
  'internal_api_disabled',
  'invalid_api_key',
  'invalid_code',
  'invalid_credentials',
  'invalid_email_token',
  'invalid_invite',
  'invalid_internal_token',
  'invalid_metrics_token',
  'invalid_password',
  'invalid_session',
  'invalid_two_factor_code',
  'livekit_error',
  'mail_not_configured',
  'mail_send_failed',
  'missing_scope',
  'not_authenticated',
  'not_found',
  'origin_not_allowed',
  'payload_too_large',
  'rate_limit_store_unavailable',
  'rate_limited',
  'role_forbidden',
  'service_unavailable',
  'session_required',
  'too_many_login_attempts',
  'two_factor_required',
  'unsupported_media_type',
  'upload_quota_exceeded',
  'validation_error',
  'voice_not_configured',
  'widget_access_denied',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]
