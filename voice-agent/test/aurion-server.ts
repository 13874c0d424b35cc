import {
  type Agent,
  type BusEvent,
  chatInConversation,
  type Db,
  openConversation,
  provisionTenant,
  startTestServer,
} from '@aurion/server/test-support'
import type { CallTarget } from '../src/internal-client.ts'

export const INTERNAL_TOKEN = 'voice-agent-test-token-0123456789abcdef'

export interface AurionServer {
  /** Base URL of the listening server (127.0.0.1, a random port). */
  url: string
  db: Db
  tenantId: string
  /** The tenant's console user (a person of the team), when asked for. */
  consoleUserId: string | undefined
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
export async function startAurionServer(
  opts: { agent?: Agent; consoleUser?: boolean } = {},
): Promise<AurionServer> {
  const server = await startTestServer({
    storage: 'memory',
    env: { AURION_INTERNAL_TOKEN: INTERNAL_TOKEN },
    ...(opts.agent ? { deps: { agent: opts.agent } } : {}),
  })
  const provisioned = await provisionTenant(server.db, {
    config: {
      enabled: true,
      allowed_origins: ['https://example.com'],
      welcome_text: 'Hi, this is Acme IT. How can I help?',
    },
    articles: true,
    ...(opts.consoleUser ? { consoleUser: true } : {}),
  })

  const { tenant } = provisioned
  return {
    url: server.url,
    db: server.db,
    tenantId: tenant.id,
    consoleUserId: provisioned.consoleUser?.id,
    nextFrame(test) {
      return new Promise((resolve) => {
        const off = server.bus.subscribe((e: BusEvent) => {
          if (e.type === 'thread.frame' && test(e.frame)) {
            off()
            resolve(e.frame)
          }
        })
      })
    },
    newConversation: () => openConversation(server, tenant, { subject: 'Voice call' }),
    chat: (target, body) => chatInConversation(server, tenant, target, body),
    close: () => server.close(),
  }
}
