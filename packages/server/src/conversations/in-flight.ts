import type { StoredReply } from './assistant-messages.ts'

/**
 * The conversation work of one server in progress: visitor messages being stored and agent
 * replies being produced. One per app, on the route context (`buildApp` makes it, or takes the
 * one `main.ts` settles before closing the database).
 */
export interface MessagesInFlight {
  /** Counts `work` (a visitor message being stored) until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T>
  /** The reply being produced for this visitor message id, if one is. */
  reply(messageId: string): Promise<StoredReply> | undefined
  /** Registers the reply being produced for this visitor message id until `endReply`. */
  startReply(messageId: string, reply: Promise<StoredReply>): void
  endReply(messageId: string): void
  /**
   * Waits, at most `timeoutMs`, until no visitor message is being stored and no agent reply is
   * being produced; true if that happened in time. A graceful stop calls it after the last
   * connection closed and before closing the database: a visitor who hung up (a REST client
   * gone, a socket closed by the stop itself) still gets the reply stored, found in the history
   * on their next visit, instead of the work meeting a closed database halfway.
   */
  settle(timeoutMs: number): Promise<boolean>
}

export function createMessagesInFlight(): MessagesInFlight {
  const accepting = new Set<Promise<unknown>>()
  const replies = new Map<string, Promise<StoredReply>>()
  return {
    track(work) {
      accepting.add(work)
      const forget = () => accepting.delete(work)
      work.then(forget, forget)
      return work
    },
    reply: (messageId) => replies.get(messageId),
    startReply(messageId, reply) {
      replies.set(messageId, reply)
    },
    endReply(messageId) {
      replies.delete(messageId)
    },
    async settle(timeoutMs) {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const pending = [...accepting, ...replies.values()]
        if (pending.length === 0) return true
        const left = deadline - performance.now()
        if (left <= 0) return false
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          Promise.allSettled(pending),
          new Promise((resolve) => {
            timer = setTimeout(resolve, left)
          }),
        ])
        clearTimeout(timer)
        // A stored message's reply starts in its caller's next step: let it register.
        await new Promise((resolve) => setImmediate(resolve))
      }
    },
  }
}
