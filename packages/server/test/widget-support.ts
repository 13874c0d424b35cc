import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import {
  type Agent,
  type AgentReply,
  type AgentRequest,
  type AgentSource,
  AgentUnavailableError,
} from '../src/agent/agent.ts'
import type { TestApp, TestTenant } from './helpers.ts'

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

/** The email token `POST /api/v1/widget/session` of the tenant's widget answers for `email`. */
export async function widgetSessionToken(
  app: FastifyInstance,
  tenant: TestTenant,
  email: string,
  origin: string | null = ORIGIN,
): Promise<string> {
  const res = await postWidget(
    app,
    '/api/v1/widget/session',
    { tenant_id: tenant.tenantId, public_key: tenant.publicKey, email },
    origin,
  )
  return res.json().email_token as string
}

/** What `POST /api/v1/widget/messages` answers, as far as the tests read it. */
export interface WidgetChatAnswer {
  conversation_id: string
  thread_id: string
  user_message_id: string
  ai_message_id: string
  sources?: unknown[]
}

/**
 * The public widget API as a tenant's widget: `post` adds the tenant's id and public key to the
 * payload, sends an allowed Origin and comes from a new client address each time
 * (`<net>.x.y`, from {@link nextIp}), so per-IP limits never carry over between tests; `chat`
 * sends a message and expects 200. App and default tenant are read at call time, so a suite
 * makes its client before `beforeAll` builds them.
 */
export function widgetClient(world: () => { t: TestApp; a: TestTenant }, net: string) {
  let ip = 0
  const nextIp = () => `${net}.${Math.floor(ip / 200)}.${ip++ % 200}`
  const post = (
    url: string,
    payload: Record<string, unknown>,
    tenant = world().a,
    remoteAddress = nextIp(),
  ) =>
    world().t.app.inject({
      method: 'POST',
      url,
      headers: { origin: ORIGIN },
      remoteAddress,
      payload: { tenant_id: tenant.tenantId, public_key: tenant.publicKey, ...payload },
    })
  const chat = async (body: string, extra: Record<string, unknown> = {}, tenant = world().a) => {
    const res = await post('/api/v1/widget/messages', { body, ...extra }, tenant)
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as WidgetChatAnswer
  }
  return { nextIp, post, chat }
}
