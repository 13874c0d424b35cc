import { ErrorResponse, RateLimitedResponse, ValidationErrorResponse } from '@aurion/contract'

/** OpenAPI `security` of every admin route: an API key or a dashboard session. */
export const ADMIN_SECURITY: { [scheme: string]: string[] }[] = [{ ApiKey: [] }, { Session: [] }]

/**
 * Error answers every `adminAuth` route can give, for its `schema.response`. They double as
 * serializers, so each keeps every field the error handler sends (`limit` on 429).
 */
export const ADMIN_ERROR_RESPONSES = {
  401: { ...ErrorResponse, description: 'Missing, unknown or revoked API key / session' },
  403: { ...ErrorResponse, description: 'The key lacks the scope, e.g. config:write' },
  429: { ...RateLimitedResponse, description: '300 requests/minute per API key exceeded' },
} as const

/**
 * {@link ADMIN_ERROR_RESPONSES} whose 403 names a scope of the routes' own area as its example
 * (`knowledge:write`).
 */
export function adminErrorResponses(scopeExample: string) {
  return {
    ...ADMIN_ERROR_RESPONSES,
    403: { ...ErrorResponse, description: `The key lacks the scope, e.g. ${scopeExample}` },
  } as const
}

/** Errors of admin routes that take a JSON body. */
export const ADMIN_BODY_ERROR_RESPONSES = {
  ...ADMIN_ERROR_RESPONSES,
  400: { ...ErrorResponse, description: 'Malformed JSON body' },
  422: ValidationErrorResponse,
} as const
