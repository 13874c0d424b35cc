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

/** Answer of `POST /widget/messages`. */
export interface MessageResponse {
  tenant_id: string
  conversation_id: string
  thread_id: string
  contact_id: string | null
  user_message_id: string
  ai_message_id: string | null
  ai_response: string | null
  deduplicated: boolean
}

export interface HistoryMessage {
  id: string
  sender_type: string
  body: string
  created_at: string
  channel?: string
  attachments?: { upload_id: string; file_name: string; content_type: string; size_bytes: number }[]
}

export interface HistoryConversation {
  conversation_id: string
  thread_id: string
  subject: string
  status: string
  updated_at: string
  messages: HistoryMessage[]
}

export interface HistoryResponse {
  tenant_id: string
  email: string
  conversations: HistoryConversation[]
}

export interface UploadResponse {
  upload_id: string
  file_name: string
  content_type: string
  size_bytes: number
}

export interface VoiceTokenResponse {
  token: string
  livekit_url: string
  room_name: string
  participant_identity: string
  pre_authenticated: boolean
  expires_in_seconds: number
}

const json = (url: string, method: string, body: unknown): ApiRequest => ({
  url,
  init: {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
  },
})

const ids = (t: ApiTarget) => ({ tenant_id: t.tenantId, public_key: t.publicKey })

export function sessionRequest(t: ApiTarget, email: string, userHash?: string): ApiRequest {
  return json(`${t.apiBase}/api/v1/widget/session`, 'POST', {
    ...ids(t),
    email,
    ...(userHash ? { user_hash: userHash } : {}),
  })
}

export function messageRequest(t: ApiTarget, m: OutgoingMessage): ApiRequest {
  return json(`${t.apiBase}/api/v1/widget/messages`, 'POST', { ...ids(t), ...m })
}

export function historyRequest(
  t: ApiTarget,
  emailToken: string,
  limits: { conversations?: number; messages?: number } = {},
): ApiRequest {
  const q = new URLSearchParams({ ...ids(t), email_token: emailToken })
  if (limits.conversations) q.set('conversation_limit', String(limits.conversations))
  if (limits.messages) q.set('message_limit', String(limits.messages))
  return {
    url: `${t.apiBase}/api/v1/widget/history?${q}`,
    init: { method: 'GET', credentials: 'omit' },
  }
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

/** Multipart body of `POST /widget/uploads` (sent with XHR for progress events). */
export function uploadRequest(t: ApiTarget, file: Blob, fileName: string) {
  const form = new FormData()
  form.set('tenant_id', t.tenantId)
  form.set('public_key', t.publicKey)
  form.set('file', file, fileName)
  return { url: `${t.apiBase}/api/v1/widget/uploads`, form }
}

export function attachmentRequest(t: ApiTarget, uploadId: string): ApiRequest {
  const q = new URLSearchParams(ids(t))
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
  },
): string {
  const q = new URLSearchParams({ ...ids(t), source_thread_id: opts.sourceThreadId })
  if (opts.senderEmail) q.set('sender_email', opts.senderEmail)
  if (opts.emailToken) q.set('email_token', opts.emailToken)
  return `${t.apiBase.replace(/^http/, 'ws')}/api/v1/widget/ws?${q}`
}

/** A non-2xx answer: `status`, the server's `detail` and `Retry-After` seconds when given. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly retryAfter?: number,
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
    throw new ApiFailure(res.status, detail, Number.isFinite(ra) && ra > 0 ? ra : undefined)
  }
  return body as T
}
