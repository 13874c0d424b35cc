/**
 * Test support for everything that runs an Aurion server: the server's own tests, e2e, bench and
 * the voice agent (`@aurion/server/test-support`). Starting a server (in process, listening, or
 * as a process), provisioning tenants, test databases and a private Redis. Nothing here imports
 * Vitest: the voice agent runs its own.
 */

// Types and the agent's error, for callers that script an agent or read the database directly.
export {
  type Agent,
  type AgentReply,
  type AgentRequest,
  AgentUnavailableError,
} from '../src/agent/agent.ts'
export type { Config } from '../src/config.ts'
export type { DbHandle } from '../src/db/connect.ts'
export type { Db, Dialect } from '../src/db/schema.ts'
export { seedDemoArticles } from '../src/knowledge/demo-articles.ts'
export type { RateLimiter } from '../src/limits/rate-limiter.ts'
export type { BusEvent, RealtimeBus } from '../src/realtime/bus.ts'
export { seededRandom } from '../src/seeded-random.ts'
export {
  type FakeLiveKit,
  type FakeParticipant,
  type LiveKitCall,
  startFakeLiveKit,
} from '../test/fake-livekit.ts'
export {
  buildTestApp,
  startTestServer,
  type TestApp,
  type TestDeps,
  type TestServer,
} from './app.ts'
export { TEST_SECRET, testConfig } from './config.ts'
export {
  type ConversationHost,
  type ConversationRef,
  chatInConversation,
  openConversation,
  tenantAccess,
} from './conversations.ts'
export {
  createTestDatabase,
  dropStore,
  openStore,
  type StoreLocation,
  storeDatabaseUrl,
  testDialects,
} from './database.ts'
export { freeLoopbackPort } from './ports.ts'
export * from './process.ts'
export * from './redis.ts'
export {
  addConsoleUser,
  type ProvisionTenantOptions,
  provisionTenant,
  type TestConsoleUser,
  type TestTenant,
} from './tenant.ts'
export { putTestWidgetConfig, rotateTestIdentitySecret } from './tenant-admin.ts'
