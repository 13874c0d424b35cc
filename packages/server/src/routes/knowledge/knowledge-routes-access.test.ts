import { describe, expect, it } from 'vitest'
import { createTestTenant, forEachDialect } from '../../../test/helpers.ts'
import { DEMO_ARTICLES, seedDemoArticles } from '../../knowledge/demo-articles.ts'
import { MAX_ARTICLES_PER_TENANT } from './index.ts'
import { ARTICLE, BASE, useKnowledgeApp } from './knowledge-fixture.ts'

forEachDialect('knowledge articles API: validation, isolation, scopes, search', (dialect) => {
  const f = useKnowledgeApp(dialect)
  const { call } = f

  describe('validation', () => {
    it.each([
      ['missing title', { body: 'b' }, ['body', 'title'], 'missing'],
      ['missing body', { title: 't' }, ['body', 'body'], 'missing'],
      ['empty title', { title: '', body: 'b' }, ['body', 'title'], 'string_too_short'],
      ['blank title', { title: '   ', body: 'b' }, ['body', 'title'], 'string_too_short'],
      ['long title', { title: 'x'.repeat(201), body: 'b' }, ['body', 'title'], 'string_too_long'],
      ['empty body', { title: 't', body: '' }, ['body', 'body'], 'string_too_short'],
      ['blank body', { title: 't', body: ' \n ' }, ['body', 'body'], 'string_too_short'],
      ['long body', { title: 't', body: 'x'.repeat(20_001) }, ['body', 'body'], 'string_too_long'],
      ['title not a string', { title: 5, body: 'b' }, ['body', 'title'], 'string_type'],
      ['tags not a list', { title: 't', body: 'b', tags: 'vpn' }, ['body', 'tags'], 'array_type'],
      [
        '21 tags',
        { title: 't', body: 'b', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
        ['body', 'tags'],
        'too_long',
      ],
      [
        'long tag',
        { title: 't', body: 'b', tags: ['ok', 'x'.repeat(41)] },
        ['body', 'tags', 1],
        'string_too_long',
      ],
      [
        'empty tag',
        { title: 't', body: 'b', tags: ['ok', ''] },
        ['body', 'tags', 1],
        'string_too_short',
      ],
      [
        'blank tag',
        { title: 't', body: 'b', tags: ['ok', '  '] },
        ['body', 'tags', 1],
        'string_too_short',
      ],
      [
        'tag not a string',
        { title: 't', body: 'b', tags: [1] },
        ['body', 'tags', 0],
        'string_type',
      ],
    ])('POST with %s is 422 naming the field', async (_name, payload, loc, type) => {
      const res = await call(f.a.apiKey, 'POST', BASE, payload)
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual({ detail: [{ type, loc, msg: expect.any(String) }] })
      expect(await f.t.db.selectFrom('knowledge_articles').selectAll().execute()).toEqual([])
    })

    it('reports every invalid field at once', async () => {
      const res = await call(f.a.apiKey, 'POST', BASE, { title: '', tags: ['x'.repeat(41)] })
      expect(res.statusCode).toBe(422)
      const locs = res.json().detail.map((d: { loc: unknown[] }) => d.loc.join('.'))
      expect(locs.sort()).toEqual(['body.body', 'body.tags.0', 'body.title'])
    })

    it.each([
      ['blank title', { title: '  ' }, ['body', 'title']],
      ['long body', { body: 'x'.repeat(20_001) }, ['body', 'body']],
      ['blank tag', { tags: [' '] }, ['body', 'tags', 0]],
    ])('PATCH with %s is 422 and changes nothing', async (_name, payload, loc) => {
      const created = (await call(f.a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(f.a.apiKey, 'PATCH', `${BASE}/${created.id}`, payload)
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toEqual([expect.objectContaining({ loc })])
      expect((await call(f.a.apiKey, 'GET', `${BASE}/${created.id}`)).json()).toEqual(created)
    })

    it('malformed JSON is 400 {"detail":"Malformed JSON body"}', async () => {
      const res = await f.t.app.inject({
        method: 'POST',
        url: BASE,
        headers: { 'x-api-key': f.a.apiKey, 'content-type': 'application/json' },
        payload: '{"title": ',
      })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual({ detail: 'Malformed JSON body' })
    })

    it(`refuses article ${MAX_ARTICLES_PER_TENANT + 1} with 409`, async () => {
      const now = new Date().toISOString()
      const rows = Array.from({ length: MAX_ARTICLES_PER_TENANT }, (_, i) => ({
        id: `kb_bulk${i}`,
        tenant_id: f.a.tenantId,
        title: `Bulk ${i}`,
        body: 'x',
        tags: '[]',
        slug: `bulk-${i}`,
        created_at: now,
        updated_at: now,
      }))
      for (let i = 0; i < rows.length; i += 500)
        await f.t.db
          .insertInto('knowledge_articles')
          .values(rows.slice(i, i + 500))
          .execute()
      const res = await call(f.a.apiKey, 'POST', BASE, ARTICLE)
      expect(res.statusCode).toBe(409)
      expect(res.json()).toEqual({
        detail: `Knowledge base is full: at most ${MAX_ARTICLES_PER_TENANT} articles per tenant`,
      })
      // Another tenant is not affected.
      expect((await call(f.b.apiKey, 'POST', BASE, ARTICLE)).statusCode).toBe(201)
    })
  })

  describe('tenant isolation', () => {
    it("tenant B's key can neither list, read, change nor delete tenant A's articles", async () => {
      const created = (await call(f.a.apiKey, 'POST', BASE, ARTICLE)).json()
      const url = `${BASE}/${created.id}`
      expect((await call(f.b.apiKey, 'GET', BASE)).json()).toEqual({
        items: [],
        total: 0,
        limit: 20,
        offset: 0,
      })
      for (const [method, payload] of [
        ['GET', undefined],
        ['PUT', { title: 'pwned', body: 'pwned' }],
        ['PATCH', { body: 'pwned' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await call(f.b.apiKey, method, url, payload)
        expect(res.statusCode, method).toBe(404)
        expect(res.json()).toEqual({ detail: 'Article not found' })
      }
      expect((await call(f.a.apiKey, 'GET', url)).json()).toEqual(created)
    })

    it("tenant B's search never returns tenant A's articles", async () => {
      await seedDemoArticles(f.t.db, f.a.tenantId)
      const res = await call(f.b.apiKey, 'POST', '/api/v1/knowledge/search', {
        question: 'How do I reset my password?',
      })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ question: 'How do I reset my password?', results: [] })
    })
  })

  describe('auth and scopes', () => {
    it('no credentials: 401', async () => {
      const res = await f.t.app.inject({ method: 'GET', url: BASE })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Not authenticated' })
    })

    it('an unknown key: 401', async () => {
      const res = await call('itsm_sk_live_nope', 'GET', BASE)
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid or revoked API key' })
    })

    it('a Bearer API key works too', async () => {
      const res = await f.t.app.inject({
        method: 'GET',
        url: BASE,
        headers: { authorization: `Bearer ${f.a.apiKey}` },
      })
      expect(res.statusCode).toBe(200)
    })

    it.each([
      ['POST', BASE, ARTICLE],
      ['PUT', `${BASE}/kb_x`, ARTICLE],
      ['PATCH', `${BASE}/kb_x`, { title: 'x' }],
      ['DELETE', `${BASE}/kb_x`, undefined],
    ] as const)(
      '%s with a read-only key: 403 missing knowledge:write',
      async (method, url, body) => {
        const ro = await createTestTenant(f.t.db, { scopes: ['knowledge:read'] })
        const res = await call(ro.apiKey, method, url, body)
        expect(res.statusCode).toBe(403)
        expect(res.json()).toEqual({ detail: 'API key missing required scope: knowledge:write' })
      },
    )

    it.each([
      ['GET', BASE, undefined],
      ['GET', `${BASE}/kb_x`, undefined],
      ['POST', '/api/v1/knowledge/search', { question: 'vpn' }],
    ] as const)(
      '%s %s with a config-only key: 403 missing knowledge:read',
      async (method, url, body) => {
        const cfg = await createTestTenant(f.t.db, { scopes: ['config:read', 'config:write'] })
        const res = await call(cfg.apiKey, method, url, body)
        expect(res.statusCode).toBe(403)
        expect(res.json()).toEqual({ detail: 'API key missing required scope: knowledge:read' })
      },
    )

    it('search is read-only: a knowledge:read key may use it', async () => {
      const ro = await createTestTenant(f.t.db, { scopes: ['knowledge:read'] })
      const res = await call(ro.apiKey, 'POST', '/api/v1/knowledge/search', { question: 'vpn' })
      expect(res.statusCode).toBe(200)
    })

    it('auth comes before validation: a bad body without a key is 401, not 422', async () => {
      const res = await f.t.app.inject({ method: 'POST', url: BASE, payload: { title: '' } })
      expect(res.statusCode).toBe(401)
    })
  })

  describe('search ("try a question")', () => {
    it('returns the articles the assistant would use, with scores and the passage', async () => {
      await seedDemoArticles(f.t.db, f.a.tenantId)
      const res = await call(f.a.apiKey, 'POST', '/api/v1/knowledge/search', {
        question: 'How do I connect to the VPN on my Mac?',
      })
      expect(res.statusCode).toBe(200)
      const { results } = res.json()
      expect(results[0]).toMatchObject({
        title: 'Connect to the VPN',
        confident: true,
        tags: DEMO_ARTICLES.find((x) => x.title === 'Connect to the VPN')!.tags,
      })
      expect(results[0].excerpt).toMatch(/^On a Mac\n1\. Click the GlobalProtect globe icon/)
      expect(results[0].score).toBeGreaterThan(0)
      expect(results[0].coverage).toBe(1)
      for (let i = 1; i < results.length; i++)
        expect(results[i].score).toBeLessThanOrEqual(results[i - 1].score)
    })

    it('sees an edit at once', async () => {
      const q = { question: 'How do I book a meeting room?' }
      const before = await call(f.a.apiKey, 'POST', '/api/v1/knowledge/search', q)
      expect(before.json().results).toEqual([])
      await call(f.a.apiKey, 'POST', BASE, {
        title: 'Book a meeting room',
        body: 'Use the room calendar in Outlook.',
        tags: ['meeting room'],
      })
      const after = await call(f.a.apiKey, 'POST', '/api/v1/knowledge/search', q)
      expect(after.json().results[0]).toMatchObject({
        title: 'Book a meeting room',
        confident: true,
      })
    })

    it('nonsense gets no confident result', async () => {
      await seedDemoArticles(f.t.db, f.a.tenantId)
      const res = await call(f.a.apiKey, 'POST', '/api/v1/knowledge/search', {
        question: 'blorfing zanzibar quokkas',
      })
      expect(res.json().results.filter((r: { confident: boolean }) => r.confident)).toEqual([])
    })

    it.each([
      [{}, ['body', 'question'], 'missing'],
      [{ question: '' }, ['body', 'question'], 'string_too_short'],
      [{ question: 'x'.repeat(4001) }, ['body', 'question'], 'string_too_long'],
      [{ question: 'vpn', limit: 0 }, ['body', 'limit'], 'greater_than_equal'],
    ])('%j is 422', async (payload, loc, type) => {
      const res = await call(f.a.apiKey, 'POST', '/api/v1/knowledge/search', payload)
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toEqual([expect.objectContaining({ loc, type })])
    })
  })

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await f.t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    expect(Object.keys(doc.paths[BASE])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(Object.keys(doc.paths[`${BASE}/{id}`])).toEqual(
      expect.arrayContaining(['get', 'put', 'patch', 'delete']),
    )
    expect(doc.paths['/api/v1/knowledge/search'].post.requestBody).toBeDefined()
    expect(doc.paths[BASE].post.security).toEqual([{ ApiKey: [] }, { Session: [] }])
  })
})
