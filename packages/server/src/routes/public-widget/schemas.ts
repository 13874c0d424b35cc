import { ErrorResponse } from '@aurion/contract'

/** OpenAPI tag of the public widget surface. */
export const TAGS = ['widget']

/** Error statuses every public widget route can answer. */
export const PUBLIC_ERROR_RESPONSES = {
  403: {
    ...ErrorResponse,
    description: 'Unknown tenant, wrong key, widget disabled, or Origin not allowed',
  },
  422: { ...ErrorResponse, description: 'Validation error: {"detail":[{"type","loc","msg"}]}' },
  429: {
    ...ErrorResponse,
    description: 'Rate limit exceeded (per client IP); see Retry-After and X-RateLimit-* headers',
  },
}

export const INVALID_TOKEN_RESPONSE = {
  401: { ...ErrorResponse, description: '{"detail": "Invalid or expired email token"}' },
}

/** Errors of the routes where a visitor acts on a conversation they must prove is theirs. */
export const VISITOR_CONVERSATION_ERRORS = {
  ...INVALID_TOKEN_RESPONSE,
  ...PUBLIC_ERROR_RESPONSES,
  404: { ...ErrorResponse, description: 'Unknown conversation, or not yours' },
}
