import { resolveWidgetConfig } from '@aurion/contract'
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import { createMessagesInFlight, type MessagesInFlight } from '../src/conversations/in-flight.ts'
import type { TenantAccess } from '../src/conversations/types.ts'
import type { DbHandle } from '../src/db/connect.ts'
import type { Dialect } from '../src/db/schema.ts'
import { ApiError } from '../src/errors.ts'
import type { BusEvent, RealtimeBus } from '../src/realtime/bus.ts'
import { createMemoryBus } from '../src/realtime/memory-bus.ts'
import { createTestDatabase, createTestTenant } from './helpers.ts'
import { createScriptedAgent, type ScriptedAgent } from './widget-support.ts'

/** What the conversation service tests run on (filled in by the suite's `beforeAll`). */
export interface ConversationServiceFixture {
  database: DbHandle
  agent: ScriptedAgent
  bus: RealtimeBus
  /** The services' context: database, bus, scripted agent, work in flight. */
  ctx: { db: DbHandle['db']; bus: RealtimeBus; agent: ScriptedAgent; inflight: MessagesInFlight }
  /** Two tenants: the visitor's and another. */
  access: TenantAccess
  other: TenantAccess
  /** Bus events of the current test. */
  events: BusEvent[]
  /** Messages stored in a conversation (of one sender type). */
  countMessages(conversationId: string, sender?: string): Promise<number>
}

/**
 * Registers the suite's hooks: a fresh database of `dialect`, a memory bus whose events are
 * collected per test, a scripted agent citing one article, two tenants.
 */
export function useConversationService(dialect: Dialect): ConversationServiceFixture {
  const f = { events: [] as BusEvent[] } as ConversationServiceFixture
  beforeAll(async () => {
    f.database = await createTestDatabase(dialect)
    f.agent = createScriptedAgent({ sources: [{ id: 'kb_1', title: 'Password reset' }] })
    f.bus = createMemoryBus()
    f.bus.subscribe((e) => f.events.push(e))
    f.ctx = { db: f.database.db, bus: f.bus, agent: f.agent, inflight: createMessagesInFlight() }
    const a = await createTestTenant(f.database.db)
    const b = await createTestTenant(f.database.db, { name: 'Other' })
    f.access = { tenant: a.tenant, config: resolveWidgetConfig(JSON.parse(a.tenant.config)) }
    f.other = { tenant: b.tenant, config: resolveWidgetConfig(JSON.parse(b.tenant.config)) }
  })
  afterAll(async () => {
    await f.bus.close()
    await f.database.close()
  })
  beforeEach(() => {
    f.events.length = 0
  })
  f.countMessages = async (conversationId, sender) => {
    let q = f.database.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('conversation_id', '=', conversationId)
    if (sender) q = q.where('sender_type', '=', sender)
    return Number((await q.executeTakeFirstOrThrow()).n)
  }
  return f
}

/** Awaits `p`, expecting it to fail with an ApiError of `status`; returns that error. */
export async function expectApiError(p: Promise<unknown>, status: number): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ApiError)
  expect((err as ApiError).status).toBe(status)
  return err as ApiError
}
