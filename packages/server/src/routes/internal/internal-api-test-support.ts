import { resolveWidgetConfig } from '@aurion/contract'
import { afterEach, beforeEach } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import type { Agent, AgentRequest } from '../../agent/agent.ts'
import { AgentUnavailableError } from '../../agent/agent.ts'
import { openThread } from '../../conversations/locate-thread.ts'
import type { Dialect } from '../../db/schema.ts'
import { seedDemoArticles } from '../../knowledge/demo-articles.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import { createMemoryBus } from '../../realtime/memory-bus.ts'

export const TOKEN = 'internal-token-0123456789abcdef0123456789abcdef'
export const AUTH = { authorization: `Bearer ${TOKEN}` }

export interface Line {
  type: string
  [k: string]: unknown
}
export const ndjson = (payload: string): Line[] =>
  payload
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line)

/** A conversation with one thread, as the voice token route opens it. */
export async function newConversation(t: TestApp, tenant: TestTenant) {
  const access = {
    tenant: tenant.tenant,
    config: resolveWidgetConfig(JSON.parse(tenant.tenant.config)),
  }
  const { conversation, thread } = await openThread(
    { db: t.db } as never,
    access,
    { subject: 'Voice call' },
    { trusted: true },
  )
  return { conversationId: conversation.id, threadId: thread.id }
}

/** Types of the realtime frames published to a thread, in order. */
export function frameTypes(events: BusEvent[], threadId: string): string[] {
  return events.flatMap((e) =>
    e.type === 'thread.frame' && e.threadId === threadId ? [String(e.frame.type)] : [],
  )
}

export async function countMessages(t: TestApp, conversationId: string): Promise<number> {
  const r = await t.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** What the internal API suites run on, refreshed before each test. */
export interface InternalApiFixture {
  t: TestApp
  tenant: TestTenant
  /** Bus events of the current test. */
  events: BusEvent[]
  /** The agent fails this many of the next replies (AgentUnavailableError). */
  failNext: number
  /** Every request the agent was asked to reply to. */
  agentCalls: AgentRequest[]
}

/**
 * Registers the suite's hooks: an app with the internal API on (its token), a memory bus whose
 * events are collected, the built-in agent behind a switch that makes it fail, a tenant with a
 * greeting and the demo articles.
 */
export function useInternalApi(dialect: Dialect): InternalApiFixture {
  const f = {} as InternalApiFixture

  /** The built-in agent, except that it can be told to fail the next N replies. */
  function flakyAgent(real: () => Agent): Agent {
    return {
      kind: 'test',
      reply(request) {
        f.agentCalls.push(request)
        if (f.failNext > 0) {
          f.failNext--
          throw new AgentUnavailableError('upstream down')
        }
        return real().reply(request)
      },
      check: async () => ({ ok: true, reason: null }),
    }
  }

  beforeEach(async () => {
    f.events = []
    f.failNext = 0
    f.agentCalls = []
    const bus = createMemoryBus()
    bus.subscribe((e) => f.events.push(e))
    let builtin: Agent | undefined
    const { createAgent } = await import('../../agent/index.ts')
    f.t = await buildTestApp({
      dialect,
      env: { AURION_INTERNAL_TOKEN: TOKEN },
      deps: { bus, agent: flakyAgent(() => builtin!) },
    })
    builtin = createAgent(f.t.config, f.t.db)
    f.tenant = await createTestTenant(f.t.db, {
      config: {
        enabled: true,
        allowed_origins: ['https://example.com'],
        welcome_text: 'Hello from Acme IT! What can I do for you?',
        welcome_text_translations: { es: '¡Hola desde Acme IT!' },
      },
    })
    await seedDemoArticles(f.t.db, f.tenant.tenantId)
  })
  afterEach(async () => {
    await f.t.close()
  })
  return f
}
