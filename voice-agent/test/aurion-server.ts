import { resolveWidgetConfig } from '@aurion/contract'
import type { Agent } from '../../packages/server/src/agent/agent.ts'
import { buildApp } from '../../packages/server/src/app.ts'
import { loadConfig } from '../../packages/server/src/config.ts'
import {
  acceptVisitorMessage,
  generateAgentReply,
  openThread,
  type TenantAccess,
} from '../../packages/server/src/conversations/message-service.ts'
import { connectDb } from '../../packages/server/src/db/connect.ts'
import { migrateToLatest } from '../../packages/server/src/db/migrate.ts'
import type { Db } from '../../packages/server/src/db/schema.ts'
import { seedDemoArticles } from '../../packages/server/src/knowledge/demo-articles.ts'
import type { BusEvent } from '../../packages/server/src/realtime/bus.ts'
import { createMemoryBus } from '../../packages/server/src/realtime/memory-bus.ts'
import { createTenant } from '../../packages/server/src/tenants/tenant-repo.ts'
import type { CallTarget } from '../src/internal-client.ts'

export const INTERNAL_TOKEN = 'voice-agent-test-token-0123456789abcdef'

export interface AurionServer {
  /** Base URL of the listening server (127.0.0.1, a random port). */
  url: string
  db: Db
  tenantId: string
  access: TenantAccess
  /** A new conversation + thread of the tenant, as the voice token route opens it. */
  newConversation(): Promise<CallTarget & { threadId: string }>
  /** Resolves with the next realtime frame (what chat panels receive) matching `test`. */
  nextFrame(test: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  /** A visitor types into the chat panel: stored and answered through the chat's service. */
  chat(target: CallTarget, body: string): Promise<string>
  close(): Promise<void>
}

/**
 * The real Aurion server, in process, on in-memory SQLite, listening on a random port — the
 * worker's internal API calls reach it over HTTP like in production. The tenant gets the demo
 * IT help articles; `agent` replaces the brain where the brain is not under test.
 */
export async function startAurionServer(opts: { agent?: Agent } = {}): Promise<AurionServer> {
  const database = await connectDb({ sqliteFile: ':memory:' })
  await migrateToLatest(database)
  const config = loadConfig({
    AURION_SECRET: 'voice-agent-test-secret-0123456789abcdef0123',
    AURION_INTERNAL_TOKEN: INTERNAL_TOKEN,
    AURION_DATA_DIR: '/tmp/aurion-voice-agent-test-unused',
    LOG_LEVEL: 'silent',
  })
  const bus = createMemoryBus()
  const app = await buildApp(config, {
    database,
    bus,
    ...(opts.agent ? { agent: opts.agent } : {}),
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })

  const tenant = await createTenant(database.db, {
    name: 'Acme',
    config: {
      enabled: true,
      allowed_origins: ['https://example.com'],
      welcome_text: 'Hi, this is Acme IT. How can I help?',
    },
  })
  await seedDemoArticles(database.db, tenant.id)
  const access: TenantAccess = { tenant, config: resolveWidgetConfig(JSON.parse(tenant.config)) }
  // The routes' own context is not exposed: the service calls below need only these parts.
  const serviceCtx = {
    db: database.db,
    bus: { publish: async () => {} },
    agent: undefined,
  } as never

  return {
    url,
    db: database.db,
    tenantId: tenant.id,
    access,
    nextFrame(test) {
      return new Promise((resolve) => {
        const off = bus.subscribe((e: BusEvent) => {
          if (e.type === 'thread.frame' && test(e.frame)) {
            off()
            resolve(e.frame)
          }
        })
      })
    },
    async newConversation() {
      const { conversation, thread } = await openThread(
        serviceCtx,
        access,
        { subject: 'Voice call' },
        { trusted: true },
      )
      return { tenantId: tenant.id, conversationId: conversation.id, threadId: thread.id }
    },
    async chat(target, body) {
      const agent =
        opts.agent ??
        (await import('../../packages/server/src/agent/index.ts')).createAgent(config, database.db)
      const ctx = { db: database.db, bus: { publish: async () => {} }, agent } as never
      const accepted = await acceptVisitorMessage(
        ctx,
        access,
        { body, conversationId: target.conversationId, threadId: target.threadId, channel: 'chat' },
        { trusted: true },
      )
      const reply = await generateAgentReply(ctx, access, accepted, { trusted: true })
      return reply.message.body
    },
    async close() {
      await app.close()
      await database.close()
    },
  }
}
