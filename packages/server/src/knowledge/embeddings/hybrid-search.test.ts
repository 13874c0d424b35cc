import type { KnowledgeSearchResponse } from '@aurion/contract'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type EmbeddingsServer, startEmbeddingsServer } from '../../../test/embeddings-server.ts'
import {
  buildTestApp,
  createTestTenant,
  eventually,
  forEachDialect,
  type TestApp,
  type TestTenant,
  testConfig,
} from '../../../test/helpers.ts'
import { createAgent } from '../../agent/index.ts'
import { findKnowledgeRevision } from '../article-repo.ts'
import { knowledgeBaseFor } from '../knowledge-base.ts'
import { embedPassagesJob, queueEmbeddingWork } from './embed-job.ts'
import { createEmbeddingsClient, EmbeddingsError } from './embeddings-client.ts'
import { createSemanticSearch } from './semantic-search.ts'
import { findEmbeddingState, loadVectors, tenantsBehind } from './vector-repo.ts'

const REFUNDS = {
  title: 'Refunds for damaged deliveries',
  body: 'If your package arrives broken, tell us within 14 days and we return your money to the card you paid with.\n\n## Photos\nA photo of the damaged box helps us decide faster.',
  tags: ['refund'],
}
const SHIPPING = {
  title: 'Shipping times',
  body: 'Orders leave the warehouse within two days; delivery takes three to five days.',
  tags: ['delivery'],
}
const HOURS = {
  title: 'Opening hours',
  body: 'The shop opens at eight on weekdays and at nine on Saturdays.',
  tags: [],
}
/** Not one word in common with the refunds article (nor its stems, nor a fuzzy match). */
const QUESTION = 'Can I be reimbursed when a parcel shows up cracked?'
const MODEL = 'concept-test-1'

forEachDialect('hybrid search', (dialect) => {
  let server: EmbeddingsServer
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    server = await startEmbeddingsServer()
    t = await buildTestApp({
      dialect,
      env: {
        AURION_EMBEDDINGS_URL: server.url,
        AURION_EMBEDDINGS_MODEL: MODEL,
        AURION_EMBEDDINGS_API_KEY: 'emb-key-123',
        AURION_EMBEDDINGS_BATCH: '2',
        AURION_FETCH_ALLOW_PRIVATE: 'true',
      },
    })
    a = await createTestTenant(t.db, { name: 'A' })
    b = await createTestTenant(t.db, { name: 'B' })
    for (const [name, article] of Object.entries({ REFUNDS, SHIPPING, HOURS }))
      ids[name] = (await post(a, '/api/v1/knowledge/articles', article)).id
    // Tenant B holds the same refunds article: its vectors must never answer tenant A.
    ids.B_REFUNDS = (await post(b, '/api/v1/knowledge/articles', REFUNDS)).id
    await Promise.all([embedded(a), embedded(b)])
  }, 60_000)
  afterEach(() => {
    server.mode = 'ok'
  })
  afterAll(async () => {
    await t?.close()
    await server?.close()
  })

  async function post(tenant: TestTenant, url: string, payload: unknown) {
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': tenant.apiKey },
      payload: payload as Record<string, unknown>,
    })
    expect(res.statusCode, res.body).toBeLessThan(300)
    return res.json()
  }

  /** Waits (bounded) until the tenant's vectors are up to date with its articles. */
  function embedded(tenant: TestTenant) {
    return eventually(
      async () => {
        const revision = await findKnowledgeRevision(t.db, tenant.tenantId)
        const state = await findEmbeddingState(t.db, tenant.tenantId)
        expect(state?.failures).toBe(0)
        expect(Number(state?.revision)).toBe(revision)
      },
      { timeoutMs: 20_000 },
    )
  }

  const search = async (question: string, tenant = a) =>
    (await post(tenant, '/api/v1/knowledge/search', { question })) as KnowledgeSearchResponse

  it('embeds every passage in the background, in batches, with the key, per tenant', async () => {
    const inputs = server.requests.flatMap((r) => r.input)
    // Tenant A: refunds (intro + "Photos"), shipping, hours; tenant B: refunds.
    expect(inputs).toHaveLength(6)
    expect(inputs).toContain(
      'Refunds for damaged deliveries\nPhotos\nA photo of the damaged box helps us decide faster.',
    )
    for (const r of server.requests) {
      expect(r.input.length).toBeLessThanOrEqual(2)
      expect(r.model).toBe(MODEL)
      expect(r.headers.authorization).toBe('Bearer emb-key-123')
    }
    const rows = await loadVectors(t.db, a.tenantId, MODEL)
    expect(rows).toHaveLength(4)
    expect(rows[0]!.vector.byteLength).toBe(4 * 37)
  })

  it('finds with hybrid search an article that shares no word with the question; lexical alone does not', async () => {
    const kb = await knowledgeBaseFor(t.db).forTenant(a.tenantId)
    const lexical = kb.search(QUESTION, { limit: 10 })
    expect(lexical.map((h) => h.article.id)).not.toContain(ids.REFUNDS)

    const { results } = await search(QUESTION)
    expect(results[0]).toMatchObject({ id: ids.REFUNDS, confident: true })
    expect(results[0]!.similarity).toBeGreaterThan(0.7)
    // Only tenant A's articles.
    expect(results.map((r) => r.id)).not.toContain(ids.B_REFUNDS)
    // A question lexical search already answers keeps its answer.
    expect((await search('what are your opening hours on saturdays?')).results[0]?.id).toBe(
      ids.HOURS,
    )
  })

  it('lets the built-in agent answer from it, citing it', async () => {
    const agent = createAgent(t.config, t.db)
    const reply = agent.reply({
      tenantId: a.tenantId,
      conversationId: 'conv_hybrid',
      history: [
        { role: 'visitor', text: QUESTION, channel: 'chat', createdAt: new Date().toISOString() },
      ],
    })
    let text = ''
    for await (const chunk of reply) text += chunk
    expect(await reply.sources).toEqual([expect.objectContaining({ id: ids.REFUNDS })])
    expect(text).toContain('14 days')
  })

  it('re-embeds only the passages that changed and drops those of deleted articles', async () => {
    const before = server.requests.length
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/knowledge/articles/${ids.HOURS}`,
      headers: { 'x-api-key': a.apiKey },
      payload: { body: 'The shop opens at seven on weekdays and at nine on Saturdays.' },
    })
    expect(res.statusCode).toBe(200)
    await embedded(a)
    const inputs = server.requests.slice(before).flatMap((r) => r.input)
    expect(inputs).toEqual([
      'Opening hours\nThe shop opens at seven on weekdays and at nine on Saturdays.',
    ])

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/knowledge/articles/${ids.SHIPPING}`,
      headers: { 'x-api-key': a.apiKey },
    })
    expect(del.statusCode).toBe(204)
    await embedded(a)
    const rows = await loadVectors(t.db, a.tenantId, MODEL)
    expect(rows.map((r) => r.article_id)).not.toContain(ids.SHIPPING)
    expect(rows).toHaveLength(3)
  })

  it('falls back to lexical search when the embeddings server fails, and records the failed pass', async () => {
    server.mode = 503
    const { results } = await search('what are your opening hours?')
    expect(results[0]).toMatchObject({ id: ids.HOURS })
    expect(results[0]!.similarity).toBeUndefined()
    // The semantic-only question finds nothing confident now.
    const missed = await search(QUESTION)
    expect(missed.results.find((r) => r.id === ids.REFUNDS)).toBeUndefined()

    // A change while the server is down: the pass fails and waits before the next try.
    await post(a, '/api/v1/knowledge/articles', {
      title: 'Gift cards',
      body: 'Gift cards never expire.',
      tags: [],
    })
    const state = await eventually(
      async () => {
        const s = await findEmbeddingState(t.db, a.tenantId)
        expect(s?.failures).toBeGreaterThanOrEqual(1)
        return s!
      },
      { timeoutMs: 20_000 },
    )
    expect(state.last_error).toContain('503')
    expect(Date.parse(state.retry_after!)).toBeGreaterThan(Date.now())
    expect(await tenantsBehind(t.db, MODEL, 10)).not.toContain(a.tenantId)
  })
})

describe('hybrid search: the embeddings job and client', () => {
  let server: EmbeddingsServer
  let t: TestApp
  let tenant: TestTenant
  beforeAll(async () => {
    server = await startEmbeddingsServer()
    // No embeddings configured: the app's own runner leaves the work to this test.
    t = await buildTestApp()
    tenant = await createTestTenant(t.db)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/articles',
      headers: { 'x-api-key': tenant.apiKey },
      payload: REFUNDS,
    })
    expect(res.statusCode).toBe(201)
  })
  afterAll(async () => {
    await t?.close()
    await server?.close()
  })
  const config = (over: Partial<NonNullable<TestApp['config']['embeddings']>> = {}) => ({
    baseUrl: server.url,
    apiKey: undefined,
    model: MODEL,
    batchSize: 16,
    timeoutMs: 2000,
    minSimilarity: 0.5,
    ...over,
  })
  const job = (attempt = 1) => ({ tenant_id: tenant.tenantId, attempts: attempt }) as never
  const signal = new AbortController().signal

  it('retries a failed pass after its backoff, then succeeds', async () => {
    const client = createEmbeddingsClient(config(), { allowPrivate: true })
    const handler = embedPassagesJob({ db: t.db, client, backoffMs: () => 0 })
    server.mode = 500
    await expect(handler(job(), { signal })).rejects.toThrow(EmbeddingsError)
    expect((await findEmbeddingState(t.db, tenant.tenantId))?.failures).toBe(1)
    // Due again at once (backoff 0): the poll queues it…
    expect(await tenantsBehind(t.db, MODEL, 10)).toContain(tenant.tenantId)
    await queueEmbeddingWork(t.db, MODEL)
    const queued = await t.db
      .selectFrom('jobs')
      .selectAll()
      .where('ref_id', '=', `embed:${tenant.tenantId}`)
      .execute()
    expect(queued.map((j) => j.status)).toEqual(['queued'])
    // …and the next pass succeeds.
    server.mode = 'ok'
    await handler(job(2), { signal })
    const state = await findEmbeddingState(t.db, tenant.tenantId)
    expect(state).toMatchObject({ failures: 0, model: MODEL, last_error: null })
    expect(Number(state!.revision)).toBe(await findKnowledgeRevision(t.db, tenant.tenantId))
    expect(await tenantsBehind(t.db, MODEL, 10)).not.toContain(tenant.tenantId)
  })

  it('recovers hybrid search once the endpoint answers again', async () => {
    const client = createEmbeddingsClient(config(), { allowPrivate: true })
    const semantic = createSemanticSearch({ db: t.db, client, minSimilarity: 0.5, cooldownMs: 0 })
    server.mode = 502
    expect(await semantic.scores(tenant.tenantId, QUESTION)).toBeUndefined()
    server.mode = 'ok'
    const scores = await semantic.scores(tenant.tenantId, QUESTION)
    expect([...(scores?.similarity.values() ?? [])][0]).toBeGreaterThan(0.7)
    // Another model's vectors are not compared with this one's.
    const other = createEmbeddingsClient(config({ model: 'other' }), { allowPrivate: true })
    const otherSearch = createSemanticSearch({ db: t.db, client: other, minSimilarity: 0.5 })
    expect(await otherSearch.scores(tenant.tenantId, QUESTION)).toBeUndefined()
  })

  it('refuses a loopback endpoint unless private targets are allowed', async () => {
    const before = server.requests.length
    const client = createEmbeddingsClient(config(), { allowPrivate: false })
    await expect(client.embed(['hello'])).rejects.toThrow(EmbeddingsError)
    await expect(client.embed(['hello'])).rejects.toThrow(/https|public/)
    expect(server.requests.length).toBe(before)
  })

  it('rejects an answer with the wrong number of vectors', async () => {
    server.mode = 'short'
    const client = createEmbeddingsClient(config(), { allowPrivate: true })
    await expect(client.embed(['one', 'two'])).rejects.toThrow(/2 vectors/)
    server.mode = 'ok'
  })

  it('is configured by environment, reusing the language model endpoint when it has none', () => {
    expect(testConfig().embeddings).toBeUndefined()
    expect(() => testConfig({ AURION_EMBEDDINGS_URL: 'http://127.0.0.1:1/v1' })).toThrow(
      /AURION_EMBEDDINGS_MODEL/,
    )
    const reuse = testConfig({
      AURION_LLM_BASE_URL: 'http://127.0.0.1:11434/v1/',
      AURION_LLM_API_KEY: 'llm-key',
      AURION_EMBEDDINGS_MODEL: 'nomic-embed-text',
    }).embeddings
    expect(reuse).toMatchObject({
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: 'llm-key',
      model: 'nomic-embed-text',
    })
    const own = testConfig({
      AURION_LLM_API_KEY: 'llm-key',
      AURION_EMBEDDINGS_URL: 'https://embed.example/v1',
      AURION_EMBEDDINGS_MODEL: 'm',
    }).embeddings
    // The language model's key never goes to another endpoint.
    expect(own).toMatchObject({ baseUrl: 'https://embed.example/v1', apiKey: undefined })
  })
})
