import { randomBytes } from 'node:crypto'
import type WebSocket from 'ws'
import { forkServer } from './child.ts'
import { createFanOut, type FanOutResult, type FanOutTarget } from './fanout.ts'
import { closeAll, openMany, sourceAddress } from './sockets.ts'

/**
 * Agents 0…n/2-1 work on the first instance, the rest on the second; visitor i is on instance
 * i % 2 and is answered by agent i % agents, so half the replies cross instances.
 */
export const agentInstance = (j: number, agents: number) => (j < agents / 2 ? 0 : 1)

/** What both targets of the hand-off bench are given. */
export interface FanOutLoad {
  visitors: number
  agents: number
  replies: number
  durationSec: number
  redisUrl: string
}

const bodyOf = (d: WebSocket.RawData) =>
  String((JSON.parse(String(d)) as { message?: { body?: unknown } }).message?.body ?? '')

/**
 * The baseline of `handoff-scale.ts`: the same clients and schedule through two bare Redis
 * pub/sub relay processes (`servers/redis-relay.ts`) instead of Aurion.
 */
export async function measureRelay(o: FanOutLoad): Promise<FanOutResult> {
  const env = {
    REDIS_URL: o.redisUrl,
    RELAY_CHANNEL: `bench-relay-${randomBytes(4).toString('hex')}`,
  }
  const relays = await Promise.all([forkServer('redis-relay', env), forkServer('redis-relay', env)])
  let visitors: WebSocket[] = []
  let agents: WebSocket[] = []
  try {
    const fan = createFanOut({ durationMs: o.durationSec * 1000 })
    const ws = (k: number, path: string) => `ws://127.0.0.1:${relays[k]!.port}${path}`
    visitors = await openMany(o.visitors, (i) => ws(i % 2, `/visitor?id=${i}`), {
      address: (i) => sourceAddress(Math.floor(i / 40)),
      concurrency: 50,
    })
    agents = await openMany(o.agents, (j) => ws(agentInstance(j, o.agents), '/agent'))
    for (const v of visitors) {
      v.on('message', (d) => fan.meter.replyShown(bodyOf(d)))
    }
    for (const a of agents) {
      a.on('message', (d) => fan.meter.inboxShown(bodyOf(d)))
    }
    const target: FanOutTarget = {
      visitors: o.visitors,
      agents: o.agents,
      replies: o.replies,
      async reply(i, text) {
        const k = agentInstance(i % o.agents, o.agents)
        const res = await fetch(`http://127.0.0.1:${relays[k]!.port}/reply`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to: String(i), body: text }),
        })
        await res.text()
        if (res.status !== 201) throw new Error(`relay answered ${res.status}`)
      },
      say: (i, text) => visitors[i]!.send(JSON.stringify({ body: text })),
    }
    return await fan.run(target)
  } finally {
    closeAll([...visitors, ...agents])
    await Promise.all(relays.map((r) => r.stop()))
  }
}
