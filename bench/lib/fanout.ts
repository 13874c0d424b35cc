import { seededRandom } from '@aurion/server/test-support'
import { sorted } from './stats.ts'

/**
 * One side of the hand-off fan-out bench (Aurion, or the bare relay it is compared with): the
 * visitors' sockets and the agents' live channels are open, and each reports what arrives to
 * the {@link FanOutMeter}.
 */
export interface FanOutTarget {
  visitors: number
  agents: number
  /** Visitors 0…replies-1 get a reply from a person (at most `visitors`). */
  replies: number
  /** A person's reply with `text` to visitor `i`; resolves once the server accepted it. */
  reply(i: number, text: string): Promise<void>
  /** Visitor `i` says `text` on its socket. */
  say(i: number, text: string): void
}

/** Where the bench's clients report arrivals (the tag in the text says which send it was). */
export interface FanOutMeter {
  /** A person's reply with `text` arrived on a visitor's socket. */
  replyShown(text: string): void
  /** A visitor's message with `text` arrived on one agent's live channel. */
  inboxShown(text: string): void
  /** The server acknowledged (stored) the visitor's message with this tag. */
  acked(tag: string): void
}

export interface FanOutResult {
  /** Reply sent → frame on the visitor's socket (ms), ascending. */
  reply: number[]
  /** Visitor message sent → event on an agent's live channel (ms), one per agent, ascending. */
  inbox: number[]
  /** Reply sent → the server's answer to it (ms), ascending. */
  accepted: number[]
  /** Visitor message sent → its `ack` (stored), when the target sends one (ms), ascending. */
  acked: number[]
  /**
   * The fan-out alone: a visitor message's `ack` → its event on an agent's live channel (ms,
   * negative when the event came first), ascending; empty without acks.
   */
  ackToInbox: number[]
  /** Replies the server refused or that failed. */
  failed: number
  /** Expected arrivals that never came (replies + inbox events). */
  missing: number
  /** Sends per second actually reached (replies + visitor messages). */
  rate: number
}

const TAG = /\b([RV]\d+)\b/

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Every visitor says one message, and the first `replies` visitors get one reply from a person,
 * each at a random moment of `durationMs` (the same moments for every target with the same `seed`), and every agent's
 * live channel should show every visitor message. Measures each arrival against its send, then
 * waits up to `settleMs` for late ones.
 */
export function createFanOut(opts: { durationMs: number; seed?: number; settleMs?: number }): {
  meter: FanOutMeter
  run(target: FanOutTarget): Promise<FanOutResult>
} {
  const sentAt = new Map<string, number>()
  const replyTimes: number[] = []
  const inboxTimes: number[] = []
  const ackTimes: number[] = []
  const ackAt = new Map<string, number>()
  const inboxAt: [tag: string, at: number][] = []
  let expected = 0
  let arrived = 0
  let done: (() => void) | undefined
  const arrive = (text: string, into: number[]) => {
    const at = performance.now()
    const tag = TAG.exec(text)?.[1]
    const t0 = tag === undefined ? undefined : sentAt.get(tag)
    if (t0 === undefined) return
    into.push(at - t0)
    if (into === inboxTimes) inboxAt.push([tag!, at])
    if (++arrived >= expected) done?.()
  }
  const meter: FanOutMeter = {
    replyShown: (text) => arrive(text, replyTimes),
    inboxShown: (text) => arrive(text, inboxTimes),
    acked: (tag) => {
      const at = performance.now()
      const t0 = sentAt.get(tag)
      if (t0 === undefined) return
      ackTimes.push(at - t0)
      ackAt.set(tag, at)
    },
  }

  const run = async (target: FanOutTarget): Promise<FanOutResult> => {
    const rnd = seededRandom(opts.seed ?? 23)
    const events: { at: number; i: number; kind: 'R' | 'V' }[] = []
    const replies = Math.min(target.replies, target.visitors)
    for (let i = 0; i < target.visitors; i++) {
      events.push({ at: rnd() * opts.durationMs, i, kind: 'V' })
      const at = rnd() * opts.durationMs
      if (i < replies) events.push({ at, i, kind: 'R' })
    }
    events.sort((a, b) => a.at - b.at)
    expected = replies + target.visitors * target.agents
    const all = new Promise<void>((r) => {
      done = r
    })
    let failed = 0
    const accepted: number[] = []
    const pending: Promise<void>[] = []
    const start = performance.now()
    for (const e of events) {
      const wait = start + e.at - performance.now()
      if (wait >= 1) await sleep(wait)
      const tag = `${e.kind}${e.i}`
      const t0 = performance.now()
      sentAt.set(tag, t0)
      if (e.kind === 'V') {
        target.say(e.i, `Visitor ${tag}: my order never arrived, where is it?`)
      } else {
        pending.push(
          target.reply(e.i, `Reply ${tag}: sorry about that, I am looking into it now.`).then(
            () => {
              accepted.push(performance.now() - t0)
            },
            () => {
              failed++
            },
          ),
        )
      }
    }
    const sent = performance.now() - start
    await Promise.all(pending)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      all,
      new Promise((r) => {
        timer = setTimeout(r, opts.settleMs ?? 10_000)
      }),
    ])
    clearTimeout(timer)
    done = undefined
    return {
      reply: sorted(replyTimes),
      accepted: sorted(accepted),
      acked: sorted(ackTimes),
      ackToInbox: sorted(
        inboxAt.flatMap(([tag, at]) => {
          const acked = ackAt.get(tag)
          return acked === undefined ? [] : [at - acked]
        }),
      ),
      inbox: sorted(inboxTimes),
      failed,
      missing: expected - arrived,
      rate: events.length / (sent / 1000),
    }
  }
  return { meter, run }
}
