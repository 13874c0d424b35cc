/** One turn of the conversation as the agent sees it, oldest first. */
export interface AgentTurn {
  role: 'visitor' | 'assistant' | 'agent'
  text: string
  channel: 'chat' | 'voice'
  createdAt: string
  /** Titles of the articles an assistant reply cited (stored with it; older replies cite in text). */
  sources?: readonly string[] | undefined
}

/** A knowledge article the reply was grounded in. */
export interface AgentSource {
  id: string
  title: string
  /** The article's page, when it has one. */
  url?: string | undefined
}

/** A file the visitor attached to their latest message (metadata; bytes via `readAttachment`). */
export interface AgentAttachment {
  id: string
  fileName: string
  contentType: string
  sizeBytes: number
}

export interface AgentRequest {
  tenantId: string
  conversationId: string
  /** Earlier turns plus the visitor's new message as the last item. */
  history: AgentTurn[]
  /** Tenant's `agent_instructions` (system prompt extension), if any. */
  instructions?: string | undefined
  /** Tenant's `redact_pii`: mask emails, phones, cards and IBANs before a model sees the text. */
  redactPii?: boolean | undefined
  /** The visitor's browser locale (BCP-47), a hint for the reply's language. */
  locale?: string | undefined
  /** Files attached to the visitor's latest message. */
  attachments?: readonly AgentAttachment[] | undefined
  /** Reads an attachment's bytes (this tenant's uploads only); for vision-capable models. */
  readAttachment?: ((id: string) => Promise<Buffer | undefined>) | undefined
  /**
   * The tenant's knowledge revision, read together with `history` (saves the agent a look-up);
   * omitted → the agent reads it.
   */
  knowledgeRevision?: number | undefined
  /**
   * Aborting stops the work (and any upstream request); the iteration then throws the signal's
   * reason (an `AbortError`), so a partial reply is never mistaken for a complete one.
   */
  signal?: AbortSignal | undefined
}

/**
 * A streamed reply: iterate for text chunks; `sources` resolves once retrieval is done,
 * `followUps` (questions to offer the visitor next) once the text is complete.
 */
export interface AgentReply extends AsyncIterable<string> {
  readonly sources: Promise<AgentSource[]>
  readonly followUps?: Promise<string[]> | undefined
}

/** The brain behind chat and voice: built-in knowledge-base agent or an OpenAI-compatible LLM. */
export interface Agent {
  readonly kind: string
  reply(request: AgentRequest): AgentReply
  /** Readiness probe: is the provider reachable / usable? */
  check(): Promise<{ ok: boolean; reason: string | null }>
}

/** Thrown by agents when the upstream fails; routes turn it into 503 / `agent_unavailable`. */
export class AgentUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AgentUnavailableError'
  }
}

/** The error an aborted reply ends with: the signal's reason, or an `AbortError`. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The reply was aborted', 'AbortError')
}
