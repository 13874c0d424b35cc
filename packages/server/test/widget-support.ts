import type { FastifyInstance } from 'fastify'
import {
  type Agent,
  type AgentReply,
  type AgentRequest,
  type AgentSource,
  AgentUnavailableError,
} from '../src/agent/agent.ts'

/** Test-only agent: answers in chunks naming the question and how many turns it was shown. */
export interface ScriptedAgent extends Agent {
  readonly calls: AgentRequest[]
  /** Make the next `n` replies fail (after `afterChunks` chunks) with AgentUnavailableError. */
  failNext(n?: number, afterChunks?: number): void
  /** Hold every reply until the returned function is called. */
  hold(): () => void
}

export function createScriptedAgent(
  opts: { sources?: AgentSource[]; chunks?: (req: AgentRequest) => string[] } = {},
): ScriptedAgent {
  const calls: AgentRequest[] = []
  let failures = 0
  let failAfter = 0
  let gate: Promise<void> | undefined
  const chunksFor =
    opts.chunks ??
    ((req: AgentRequest) => {
      const last = req.history[req.history.length - 1]
      return ['Happy to help', ` with "${last?.text ?? ''}"`, ` (turn ${req.history.length}).`]
    })
  return {
    kind: 'scripted-test',
    calls,
    failNext(n = 1, afterChunks = 0) {
      failures = n
      failAfter = afterChunks
    },
    hold() {
      let release!: () => void
      gate = new Promise((r) => {
        release = r
      })
      return () => {
        gate = undefined
        release()
      }
    },
    reply(req: AgentRequest): AgentReply {
      calls.push(req)
      const fail = failures > 0
      if (fail) failures--
      const after = failAfter
      const waitFor = gate
      const parts = chunksFor(req)
      const iterate = async function* () {
        if (waitFor) await waitFor
        let i = 0
        for (const p of parts) {
          if (fail && i === after) throw new AgentUnavailableError('scripted failure')
          i++
          yield p
        }
        if (fail) throw new AgentUnavailableError('scripted failure')
      }
      return Object.assign(iterate(), {
        sources: Promise.resolve(opts.sources ?? []),
      }) as AgentReply
    },
    async check() {
      return { ok: true, reason: null }
    },
  }
}

export const ORIGIN = 'https://example.com'

/** POST JSON to a public widget route with an Origin header (`null`: without one). */
export function postWidget(
  app: FastifyInstance,
  url: string,
  payload: unknown,
  origin: string | null = ORIGIN,
) {
  return app.inject({
    method: 'POST',
    url,
    payload: payload as Record<string, unknown>,
    headers: origin === null ? {} : { origin },
  })
}
