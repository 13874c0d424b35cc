import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { type FakeOpenAi, startFakeOpenAi } from '../../test/fake-openai.ts'
import { createTestDatabase, createTestTenant } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { seedDemoArticles } from '../knowledge/demo-articles.ts'
import { createKnowledgeBase, type KnowledgeBase } from '../knowledge/knowledge-base.ts'
import type { Agent, AgentTurn } from './agent.ts'
import { createOpenAiAgent, type OpenAiAgentOptions } from './openai-agent.ts'

/** The short limit of the timeout tests; the others use a generous one (a loaded CI machine). */
export const TIMEOUT_MS = 300

export type Message = { role: string; content: string }

/**
 * The OpenAI-compatible agent's tests: a SQLite database with the demo articles, and a fake
 * upstream on loopback started afresh for each test.
 */
export function useOpenAiAgentFixture() {
  const f = {
    database: undefined as unknown as DbHandle,
    tenantId: '',
    knowledge: undefined as unknown as KnowledgeBase,
    fake: undefined as unknown as FakeOpenAi,
    makeAgent: (over: Partial<OpenAiAgentOptions> = {}): Agent =>
      createOpenAiAgent({
        knowledge: f.knowledge,
        baseUrl: f.fake.baseUrl,
        apiKey: 'sk-test',
        model: 'fake-model',
        temperature: 0.3,
        maxTokens: 256,
        timeoutMs: 10_000,
        retries: 2,
        backoffMs: 10,
        ...over,
      }),
    async run(agent: Agent, history: AgentTurn[], instructions?: string) {
      const reply = agent.reply({
        tenantId: f.tenantId,
        conversationId: 'conv_1',
        history,
        instructions,
      })
      const chunks: string[] = []
      const started = performance.now()
      let error: unknown
      try {
        for await (const c of reply) chunks.push(c)
      } catch (err) {
        error = err
      }
      return { chunks, error, ms: performance.now() - started, sources: reply.sources }
    },
    messagesOf: (i = 0): Message[] => f.fake.requests[i]!.body.messages,
  }
  beforeAll(async () => {
    f.database = await createTestDatabase('sqlite')
    f.tenantId = (await createTestTenant(f.database.db)).tenantId
    await seedDemoArticles(f.database.db, f.tenantId)
    f.knowledge = createKnowledgeBase(f.database.db)
  })
  afterAll(async () => f.database.close())
  beforeEach(async () => {
    f.fake = await startFakeOpenAi({ apiKey: 'sk-test', models: ['fake-model', 'other'] })
  })
  afterEach(async () => f.fake.close())
  return f
}
