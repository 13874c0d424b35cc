import {
  APIConnectionError,
  type APIConnectOptions,
  APIStatusError,
  DEFAULT_API_CONNECT_OPTIONS,
  llm,
} from '@livekit/agents'
import { isStoredMessage } from './chat-history.ts'
import {
  type CallTarget,
  InternalApiConnectionError,
  InternalApiError,
  type InternalClient,
} from './internal-client.ts'

/** A reply the brain produced, as stored by the server. */
export interface BrainReply {
  segmentId: string
  userMessageId: string
  aiMessageId: string
  text: string
  /**
   * A person takes over (this turn handed the conversation off, or a person already has it):
   * the reply says what happens next; the call ends once it is spoken, the chat goes on.
   */
  endCall: boolean
  /** A phone caller is transferred to the line's number once the reply is spoken. */
  transfer: boolean
}

/** Callbacks the worker uses to keep the conversation complete. */
export interface BrainHooks {
  /** Visitor turns the framework committed before the latest one without a reply between. */
  onEarlierUserTurn?: (segmentId: string, text: string) => Promise<void>
  /** Awaited before the reply is requested: earlier writes must land first to keep the order. */
  beforeReply?: () => Promise<void>
  onReply?: (reply: BrainReply) => void
  /**
   * Called as each reply stream starts, with a function that stops it. The worker ties it to
   * the speech the reply is for: when the visitor barges in, the stream stops at once instead of
   * holding the next turn until the server finishes generating.
   */
  onStreamStart?: (stop: () => void) => void
}

/**
 * The voice session's "LLM": the same agent that answers chat, reached through the server's
 * internal API. The server stores the visitor's transcript, runs the tenant's agent (built-in
 * knowledge agent or LLM provider) over the whole conversation — typed and spoken turns — and
 * streams the reply back; this class only turns that stream into chat chunks for TTS.
 */
export class AurionBrainLLM extends llm.LLM {
  constructor(
    readonly client: InternalClient,
    readonly target: CallTarget,
    private readonly hooks: BrainHooks = {},
  ) {
    super()
  }

  label(): string {
    return 'aurion.BrainLLM'
  }

  override get model(): string {
    return 'aurion-agent'
  }

  override get provider(): string {
    return 'aurion'
  }

  chat({
    chatCtx,
    toolCtx,
    connOptions = DEFAULT_API_CONNECT_OPTIONS,
  }: {
    chatCtx: llm.ChatContext
    toolCtx?: llm.ToolContextLike
    connOptions?: APIConnectOptions
    parallelToolCalls?: boolean
    toolChoice?: llm.ToolChoice
    extraKwargs?: Record<string, unknown>
  }): llm.LLMStream {
    const stream = new AurionBrainStream(this, { chatCtx, toolCtx, connOptions, hooks: this.hooks })
    this.hooks.onStreamStart?.(() => stream.close())
    return stream
  }
}

/** The visitor turns after the agent's last message: the ones the reply must answer. */
export function pendingUserTurns(chatCtx: llm.ChatContext): { id: string; text: string }[] {
  const out: { id: string; text: string }[] = []
  for (let i = chatCtx.items.length - 1; i >= 0; i--) {
    const item = chatCtx.items[i]!
    if (item.type !== 'message') continue
    if (item.role === 'assistant') break
    // Turns loaded from the server are stored already (answered or not, in the chat).
    if (item.role !== 'user' || isStoredMessage(item)) continue
    const text = (item.textContent ?? '').trim()
    if (text !== '') out.unshift({ id: item.id, text })
  }
  return out
}

class AurionBrainStream extends llm.LLMStream {
  readonly #brain: AurionBrainLLM
  readonly #hooks: BrainHooks

  constructor(
    brain: AurionBrainLLM,
    params: {
      chatCtx: llm.ChatContext
      toolCtx?: llm.ToolContextLike
      connOptions: APIConnectOptions
      hooks: BrainHooks
    },
  ) {
    super(brain, params)
    this.#brain = brain
    this.#hooks = params.hooks
  }

  protected async run(): Promise<void> {
    const turns = pendingUserTurns(this.chatCtx)
    const last = turns.at(-1)
    // Nothing new from the visitor (e.g. a reply asked for by instructions only): the shared
    // brain answers visitor messages, so there is nothing to say.
    if (!last) return
    const signal = this.abortController.signal
    const hooks = this.#hooks
    let emitted = false
    try {
      for (const earlier of turns.slice(0, -1)) {
        await hooks.onEarlierUserTurn?.(earlier.id, earlier.text)
      }
      await hooks.beforeReply?.()
      if (signal.aborted) return
      let userMessageId = ''
      for await (const ev of this.#brain.client.streamReply(
        this.#brain.target,
        { segmentId: last.id, text: last.text },
        signal,
      )) {
        if (signal.aborted) return
        if (ev.type === 'ack') userMessageId = ev.user_message_id
        else if (ev.type === 'chunk') {
          emitted = true
          this.queue.put({
            id: userMessageId || last.id,
            delta: { role: 'assistant', content: ev.chunk },
          })
        } else if (ev.type === 'done') {
          hooks.onReply?.({
            segmentId: last.id,
            userMessageId,
            aiMessageId: ev.ai_message_id,
            text: ev.ai_response,
            endCall: ev.end_call === true,
            transfer: ev.transfer === true,
          })
          return
        } else if (ev.type === 'error') {
          throw new InternalApiError(503, ev.message, ev.code)
        }
      }
      if (!signal.aborted) throw new InternalApiConnectionError('reply stream ended early')
    } catch (err) {
      if (signal.aborted) return
      // Chunks already spoken cannot be taken back: a retry would repeat them.
      const retryable = !emitted
      if (err instanceof InternalApiError) {
        throw new APIStatusError({
          message: `Aurion agent: ${err.message}`,
          options: { statusCode: err.status, body: { detail: err.detail }, retryable },
        })
      }
      throw new APIConnectionError({
        message: `Aurion agent: ${(err as Error).message}`,
        options: { retryable },
      })
    }
  }
}
