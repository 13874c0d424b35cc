import type { WsServerFrame } from '@aurion/contract'
import {
  ApiFailure,
  type ApiTarget,
  callApi,
  messageRequest,
  type OutgoingMessage,
  type WidgetMessageResponse,
} from './endpoints.ts'
import type { ChatState, Link, MessageError } from './types.ts'

/** What the REST path needs of the conversation. */
export interface RestTarget {
  readonly api: ApiTarget
  /** How the conversation is connected now. */
  link(): Link
  /** The outbox: messages awaiting their reply, in the order they were sent. */
  outbox: Map<string, OutgoingMessage>
  /** Still on REST (the socket may have opened meanwhile). */
  active(): boolean
  /** An answer as the frames the socket would have sent. */
  frame(f: WsServerFrame): void
  fail(key: string, error: MessageError, detail?: string): void
  set(p: Partial<ChatState>): void
  showTyping(ms: number): void
}

/**
 * Sends the outbox over `POST /widget/messages` when the socket can't open (proxy, CSP…), one
 * message at a time in order; a network or server failure pauses it with backoff (2 s doubling
 * to 30 s), a refusal fails that message and goes on.
 */
export class RestDelivery {
  private busy = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private attempt = 0

  constructor(private readonly t: RestTarget) {}

  flush(): void {
    if (this.busy) return
    this.busy = true
    this.stop()
    void this.run().finally(() => {
      this.busy = false
      this.t.set({ typing: false })
    })
  }

  stop(): void {
    clearTimeout(this.timer)
  }

  private async run(): Promise<void> {
    const t = this.t
    for (const [id, msg] of t.outbox) {
      if (!t.active()) return
      let r: WidgetMessageResponse
      try {
        t.showTyping(3e4)
        r = await callApi<WidgetMessageResponse>(messageRequest(t.api, msg))
      } catch (err) {
        const f = err instanceof ApiFailure ? err : new ApiFailure(0, String(err))
        if (f.code === 'agent_unavailable') t.fail(id, 'agentDown')
        else if (f.status === 0 || f.status >= 500) {
          t.set({ typing: false, link: 'offline' })
          this.timer = setTimeout(() => this.flush(), Math.min(30_000, 2000 * 2 ** this.attempt++))
          return
        } else t.fail(id, f.status === 429 ? 'rateLimited' : 'rejected', f.detail)
        continue
      }
      this.attempt = 0
      if (t.link() !== 'rest') t.set({ link: 'rest' })
      t.frame({ type: 'ack', ...r, source_message_id: id })
      // `""` when a person handles the conversation: done all the same (their reply comes later).
      if (r.ai_response !== null && r.ai_response !== undefined)
        t.frame({ type: 'done', ...r, source_message_id: id } as WsServerFrame)
    }
  }
}
