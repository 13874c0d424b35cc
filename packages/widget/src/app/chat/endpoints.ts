import type { VoiceTokenResponse, WsErrorCode } from '@aurion/contract'
/** Where and as whom the widget calls the public API. */
export interface ApiTarget {
  apiBase: string
  tenantId: string
  publicKey: string
}

/** A request as data (`fetch(r.url, r.init)`), so each one is testable without a network. */
export interface ApiRequest {
  url: string
  init: RequestInit
}

/** One visitor message, as `POST /widget/messages` and the WebSocket take it. */
export interface OutgoingMessage {
  body: string
  source_message_id: string
  source_thread_id: string
  sender_email?: string
  /** Marks the conversation as this verified visitor's (and is needed to continue it). */
  email_token?: string
  upload_ids?: string[]
  metadata?: Record<string, unknown>
}

// Answers of the API are the contract's types (type-only: nothing of it reaches the bundle).
export type {
  AnswerSource,
  HistoryConversation,
  HistoryMessage,
  WidgetHistoryResponse,
  WidgetMessageResponse,
} from '@aurion/contract'

export interface UploadResponse {
  upload_id: string
  file_name: string
  content_type: string
  size_bytes: number
}

export type { VoiceTokenResponse }

export const json = (url: string, method: string, body: unknown): ApiRequest => ({
  url,
  init: {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
  },
})

export const ids = (t: ApiTarget) => ({ tenant_id: t.tenantId, public_key: t.publicKey })

/** `sourceThreadId`: the thread this browser chatted in, which signing in makes the visitor's. */
export function sessionRequest(
  t: ApiTarget,
  email: string,
  userHash?: string,
  sourceThreadId?: string,
): ApiRequest {
  return json(`${t.apiBase}/api/v1/widget/session`, 'POST', {
    ...ids(t),
    email,
    ...(userHash ? { user_hash: userHash } : {}),
    ...(sourceThreadId ? { source_thread_id: sourceThreadId } : {}),
  })
}

export function messageRequest(t: ApiTarget, m: OutgoingMessage): ApiRequest {
  return json(`${t.apiBase}/api/v1/widget/messages`, 'POST', { ...ids(t), ...m })
}

/**
 * `POST /voice-widget/embed/token`. `source_thread_id` is an extension the server may use to
 * put the call in the chat's conversation.
 */
export function voiceTokenRequest(
  t: ApiTarget,
  opts: { userEmail?: string; sourceThreadId?: string } = {},
): ApiRequest {
  return json(`${t.apiBase}/api/v1/voice-widget/embed/token`, 'POST', {
    ...ids(t),
    ...(opts.userEmail ? { user_email: opts.userEmail } : {}),
    ...(opts.sourceThreadId ? { source_thread_id: opts.sourceThreadId } : {}),
  })
}

/** An attachment of the visitor's conversation, proven by their token or (unclaimed) thread. */
export function attachmentRequest(
  t: ApiTarget,
  uploadId: string,
  proof: { emailToken?: string | undefined; sourceThreadId?: string | undefined } = {},
): ApiRequest {
  const q = new URLSearchParams(ids(t))
  if (proof.emailToken) q.set('email_token', proof.emailToken)
  if (proof.sourceThreadId) q.set('source_thread_id', proof.sourceThreadId)
  return {
    url: `${t.apiBase}/api/v1/widget/uploads/${encodeURIComponent(uploadId)}?${q}`,
    init: { method: 'GET', credentials: 'omit' },
  }
}

export function socketUrl(
  t: ApiTarget,
  opts: {
    sourceThreadId: string
    senderEmail?: string | undefined
    emailToken?: string | undefined
    /** The newest stored message we have: the server sends what came after it. */
    after?: string | undefined
  },
): string {
  const q = new URLSearchParams({ ...ids(t), source_thread_id: opts.sourceThreadId })
  if (opts.senderEmail) q.set('sender_email', opts.senderEmail)
  if (opts.emailToken) q.set('email_token', opts.emailToken)
  if (opts.after) q.set('after_message_id', opts.after)
  return `${t.apiBase.replace(/^http/, 'ws')}/api/v1/widget/ws?${q}`
}

/**
 * A non-2xx answer: `status`, the server's `detail`, `Retry-After` seconds when given and the
 * error catalogue's code (`X-Error-Code`).
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly retryAfter?: number,
    readonly code?: WsErrorCode,
  ) {
    super(detail)
    this.name = 'ApiFailure'
  }
}

/** Runs a request; resolves the JSON body or rejects with {@link ApiFailure} (status 0: network). */
export async function callApi<T>(req: ApiRequest): Promise<T> {
  let res: Response
  try {
    res = await fetch(req.url, req.init)
  } catch {
    throw new ApiFailure(0, 'network error')
  }
  const body = (await res.json().catch(() => null)) as { detail?: unknown } | null
  if (!res.ok) {
    const d = body?.detail
    const detail =
      typeof d === 'string'
        ? d
        : Array.isArray(d)
          ? d.map((i: { msg?: string }) => i.msg ?? '').join('; ')
          : `HTTP ${res.status}`
    const ra = Number(res.headers.get('Retry-After'))
    const code = (res.headers.get('X-Error-Code') ?? undefined) as WsErrorCode | undefined
    throw new ApiFailure(res.status, detail, ra > 0 ? ra : undefined, code)
  }
  return body as T
}
