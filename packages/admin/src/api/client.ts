import type { ApiRequest } from './endpoints.ts'

/** One problem of a 422 answer: `loc` like `["body", "allowed_origins", 2]`. */
export interface FieldIssue {
  type: string
  loc: (string | number)[]
  msg: string
}

/** A non-2xx answer, with the server's `detail` (text, or the 422 issues). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly issues: FieldIssue[] = [],
    readonly retryAfterSec?: number,
  ) {
    super(detail)
    this.name = 'ApiRequestError'
  }
}

function describeIssues(issues: FieldIssue[]): string {
  const first = issues[0]
  if (!first) return 'The request was not valid'
  const field = first.loc.filter((p) => p !== 'body').join('.')
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  return `${field ? `${field}: ` : ''}${first.msg}${more}`
}

/** Turns any answer body into an ApiRequestError; never throws while doing so. */
export async function toApiError(res: Response): Promise<ApiRequestError> {
  let body: unknown
  try {
    body = await res.json()
  } catch {
    body = undefined
  }
  const retry = Number(res.headers.get('Retry-After'))
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined
  const detail = (body as { detail?: unknown } | undefined)?.detail
  if (Array.isArray(detail)) {
    const issues = detail.filter(
      (d): d is FieldIssue =>
        d !== null && typeof d === 'object' && Array.isArray(d.loc) && typeof d.msg === 'string',
    )
    return new ApiRequestError(res.status, describeIssues(issues), issues, retryAfter)
  }
  if (typeof detail === 'string') return new ApiRequestError(res.status, detail, [], retryAfter)
  const fallback =
    res.status >= 500
      ? 'The server had a problem. Please try again.'
      : `Request failed (HTTP ${res.status})`
  return new ApiRequestError(res.status, fallback, [], retryAfter)
}

export interface ApiClientOptions {
  token: () => string | undefined
  /** Called when the server refuses the session (expired, revoked): the console signs out. */
  onUnauthorized: () => void
  fetch?: typeof fetch
}

/** Sends endpoint requests with the session as `Authorization: Bearer`, parses JSON answers. */
export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  async send<T>(req: ApiRequest): Promise<T> {
    const token = this.opts.token()
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...(req.init.headers as Record<string, string>),
    }
    if (token) headers.Authorization = `Bearer ${token}`
    let res: Response
    try {
      res = await (this.opts.fetch ?? fetch)(req.url, {
        ...req.init,
        headers,
        credentials: 'omit',
        cache: 'no-store',
      })
    } catch {
      throw new ApiRequestError(0, 'Cannot reach the server. Check your connection and retry.')
    }
    if (res.status === 401 && token) this.opts.onUnauthorized()
    if (!res.ok) throw await toApiError(res)
    if (res.status === 204) return undefined as T
    return (await res.json()) as T
  }
}
