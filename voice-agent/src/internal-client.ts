import type {
  InternalConversationMessage,
  InternalConversationSnapshot,
  InternalPhoneCall,
  InternalStoredMessage,
  VoiceAgentHeartbeat,
  VoiceAgentHeartbeatResult,
  VoiceReplyLine,
} from '@aurion/contract'

// The internal API's shapes are the contract's.
export type ConversationMessage = InternalConversationMessage
export type ConversationSnapshot = InternalConversationSnapshot
export type StoredMessage = InternalStoredMessage
export type PhoneCallStart = InternalPhoneCall
/** One line of the `/reply` NDJSON stream. */
export type ReplyEvent = VoiceReplyLine

/** Where a call belongs: read from the job's dispatch metadata (or a phone call's start). */
export interface CallTarget {
  tenantId: string
  conversationId: string
  threadId: string | undefined
  /** `phone` for a call through the tenant's phone line; turns are stored with it. */
  channel?: 'voice' | 'phone'
}

/** The body fields that place a request in the call's conversation. */
function where(target: CallTarget): Record<string, string> {
  return {
    tenant_id: target.tenantId,
    ...(target.threadId ? { thread_id: target.threadId } : {}),
    ...(target.channel ? { channel: target.channel } : {}),
  }
}

/** The server answered with an error status (or an `error` line in a reply stream). */
export class InternalApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly code?: string,
  ) {
    super(`internal API ${status}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`)
    this.name = 'InternalApiError'
  }
}

/** The server could not be reached or the connection broke. */
export class InternalApiConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'InternalApiConnectionError'
  }
}

export type HeartbeatInput = VoiceAgentHeartbeat
export type HeartbeatResult = VoiceAgentHeartbeatResult

/**
 * Client of the Aurion server's internal API (`/internal/v1/*`), authenticated with the shared
 * `AURION_INTERNAL_TOKEN`. Every call can be cancelled with an AbortSignal.
 */
export class InternalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
  ) {}

  /** The conversation so far, its thread and the tenant's greeting. */
  async getConversation(target: CallTarget, signal?: AbortSignal): Promise<ConversationSnapshot> {
    const q = new URLSearchParams({ tenant_id: target.tenantId })
    if (target.threadId) q.set('thread_id', target.threadId)
    return this.json<ConversationSnapshot>(
      'GET',
      `/internal/v1/conversations/${encodeURIComponent(target.conversationId)}?${q}`,
      undefined,
      signal,
    )
  }

  /** Stores a final visitor transcript or an agent utterance; idempotent by `segmentId`. */
  async postMessage(
    target: CallTarget,
    input: {
      sender: 'contact' | 'ai'
      body: string
      segmentId: string
      metadata?: Record<string, unknown>
    },
    signal?: AbortSignal,
  ): Promise<StoredMessage> {
    return this.json<StoredMessage>(
      'POST',
      `/internal/v1/conversations/${encodeURIComponent(target.conversationId)}/messages`,
      {
        ...where(target),
        sender: input.sender,
        body: input.body,
        segment_id: input.segmentId,
        ...(input.metadata ? { metadata: input.metadata } : {}),
      },
      signal,
    )
  }

  /**
   * Stores the visitor's final transcript and streams the agent's reply, line by line.
   * @throws InternalApiError for an error status before the stream starts.
   */
  async *streamReply(
    target: CallTarget,
    input: { segmentId: string; text: string; action?: 'talk_to_person' },
    signal?: AbortSignal,
  ): AsyncGenerator<ReplyEvent> {
    const res = await this.request(
      'POST',
      `/internal/v1/conversations/${encodeURIComponent(target.conversationId)}/reply`,
      {
        ...where(target),
        segment_id: input.segmentId,
        text: input.text,
        ...(input.action ? { action: input.action } : {}),
      },
      signal,
      false,
    )
    if (!res.body) throw new InternalApiConnectionError('reply stream has no body')
    let buffer = ''
    const decoder = new TextDecoder()
    try {
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(part, { stream: true })
        let nl = buffer.indexOf('\n')
        while (nl !== -1) {
          const line = buffer.slice(0, nl).trim()
          buffer = buffer.slice(nl + 1)
          if (line !== '') yield JSON.parse(line) as ReplyEvent
          nl = buffer.indexOf('\n')
        }
      }
    } catch (err) {
      if (signal?.aborted) throw err
      throw new InternalApiConnectionError('reply stream broke', { cause: err })
    }
    const rest = (buffer + decoder.decode()).trim()
    if (rest !== '') yield JSON.parse(rest) as ReplyEvent
  }

  /** Reports that the call ended: the server sends the tenant's `voice.call.ended` event. */
  async callEnded(
    target: CallTarget,
    input: { room: string | undefined; durationSeconds: number },
    signal?: AbortSignal,
  ): Promise<void> {
    const res = await this.request(
      'POST',
      `/internal/v1/conversations/${encodeURIComponent(target.conversationId)}/call-ended`,
      {
        ...where(target),
        ...(input.room ? { room: input.room } : {}),
        duration_seconds: Math.max(0, Math.round(input.durationSeconds)),
      },
      signal,
      true,
    )
    await res.arrayBuffer()
  }

  /**
   * A phone call reached the tenant's line: the caller (by number; `null` when withheld) gets
   * their open conversation continued, or a new one.
   */
  async startPhoneCall(
    input: { tenantId: string; callerNumber: string | null },
    signal?: AbortSignal,
  ): Promise<PhoneCallStart> {
    return this.json<PhoneCallStart>(
      'POST',
      '/internal/v1/phone/calls',
      { tenant_id: input.tenantId, caller_number: input.callerNumber },
      signal,
    )
  }

  /** Reports the worker's registration so the server's readiness check can see it. */
  async heartbeat(input: HeartbeatInput, signal?: AbortSignal): Promise<HeartbeatResult> {
    return this.json<HeartbeatResult>('POST', '/internal/v1/voice-agent/heartbeat', input, signal)
  }

  private async json<T>(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const res = await this.request(method, path, body, signal, true)
    return (await res.json()) as T
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    timeoutWholeBody: boolean,
  ): Promise<Response> {
    const doFetch = this.opts.fetch ?? fetch
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000)
    // Streams may last longer than the timeout: only the response head is bounded by it.
    const headController = new AbortController()
    const onTimeout = () => headController.abort(timeout.reason)
    timeout.addEventListener('abort', onTimeout)
    const signals = [headController.signal, ...(signal ? [signal] : [])]
    let res: Response
    try {
      res = await doFetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json, application/x-ndjson',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any(signals),
      })
    } catch (err) {
      timeout.removeEventListener('abort', onTimeout)
      if (signal?.aborted) throw err
      throw new InternalApiConnectionError(
        `cannot reach the Aurion server at ${this.baseUrl}: ${(err as Error).message}`,
        { cause: err },
      )
    }
    if (!timeoutWholeBody) timeout.removeEventListener('abort', onTimeout)
    if (!res.ok) {
      timeout.removeEventListener('abort', onTimeout)
      let detail: unknown = res.statusText
      try {
        detail = ((await res.json()) as { detail?: unknown }).detail ?? detail
      } catch {
        // A proxy's HTML error page: the status says enough.
      }
      throw new InternalApiError(res.status, detail)
    }
    return res
  }
}
