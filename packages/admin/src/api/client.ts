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
    /** Fields of the body besides `detail`, e.g. `two_factor_required` of a sign-in. */
    readonly extra: Record<string, unknown> = {},
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
  const extra: Record<string, unknown> =
    body !== null && typeof body === 'object' && !Array.isArray(body)
      ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'detail'))
      : {}
  if (Array.isArray(detail)) {
    const issues = detail.filter(
      (d): d is FieldIssue =>
        d !== null && typeof d === 'object' && Array.isArray(d.loc) && typeof d.msg === 'string',
    )
    return new ApiRequestError(res.status, describeIssues(issues), issues, retryAfter)
  }
  if (typeof detail === 'string') {
    return new ApiRequestError(res.status, detail, [], retryAfter, extra)
  }
  const fallback =
    res.status >= 500
      ? 'The server had a problem. Please try again.'
      : `Request failed (HTTP ${res.status})`
  return new ApiRequestError(res.status, fallback, [], retryAfter)
}

export interface ApiClientOptions {
  /** The session's CSRF token, sent as `X-CSRF-Token` on writes (the session is the cookie). */
  csrfToken: () => string | undefined
  /** Called on a 401 (session expired or revoked, maybe in another tab): the console signs out. */
  onUnauthorized: () => void
  fetch?: typeof fetch
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Sends endpoint requests with the session cookie (same origin only) and, on writes, the
 * session's CSRF token; parses JSON answers.
 */
export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  async send<T>(req: ApiRequest): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...(req.init.headers as Record<string, string>),
    }
    const csrf = this.opts.csrfToken()
    if (csrf && !SAFE_METHODS.has(req.init.method.toUpperCase())) headers['X-CSRF-Token'] = csrf
    let res: Response
    try {
      res = await (this.opts.fetch ?? fetch)(req.url, {
        ...req.init,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
      })
    } catch {
      throw new ApiRequestError(0, 'Cannot reach the server. Check your connection and retry.')
    }
    if (res.status === 401) this.opts.onUnauthorized()
    if (!res.ok) throw await toApiError(res)
    if (res.status === 204) return undefined as T
    return (await res.json()) as T
  }

  /**
   * Sends a request whose body is a form (a file upload) like {@link send}, reporting the bytes
   * sent as they go (`fetch` cannot: hence XMLHttpRequest).
   */
  upload<T>(req: ApiRequest, onProgress: (sent: number, total: number) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open(req.init.method, req.url)
      xhr.setRequestHeader('Accept', 'application/json')
      for (const [k, v] of Object.entries(req.init.headers)) xhr.setRequestHeader(k, v)
      const csrf = this.opts.csrfToken()
      if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf)
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded, e.total)
      }
      xhr.onerror = () =>
        reject(new ApiRequestError(0, 'Cannot reach the server. Check your connection and retry.'))
      xhr.onabort = () => reject(new ApiRequestError(0, 'The upload was cancelled'))
      xhr.onload = () => {
        if (xhr.status === 401) this.opts.onUnauthorized()
        const res = new Response(xhr.status === 204 ? null : xhr.responseText, {
          status: xhr.status,
          headers: { 'Content-Type': xhr.getResponseHeader('Content-Type') ?? 'text/plain' },
        })
        if (!res.ok) {
          void toApiError(res).then(reject)
          return
        }
        res.json().then(
          (body) => resolve(body as T),
          () => resolve(undefined as T),
        )
      }
      xhr.send(req.init.body as XMLHttpRequestBodyInit)
    })
  }
}
