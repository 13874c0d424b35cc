import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { DEMO_ARTICLES, seedDemoArticles } from '../../knowledge/demo-articles.ts'
import { MAX_ARTICLES_PER_TENANT } from './index.ts'

const BASE = '/api/v1/knowledge/articles'
const ARTICLE = {
  title: 'Reset your password',
  body: 'Open the IT portal and choose "Forgot password".',
  tags: ['password', 'reset'],
}

forEachDialect('knowledge articles API', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant

  beforeAll(async () => {
    t = await buildTestApp({ dialect })
  })
  afterAll(async () => t.close())
  beforeEach(async () => {
    await t.db.deleteFrom('knowledge_articles').execute()
    a = await createTestTenant(t.db, { name: 'A' })
    b = await createTestTenant(t.db, { name: 'B' })
  })

  const call = (
    key: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: { 'x-api-key': key },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    })

  describe('CRUD', () => {
    it('creates an article: 201, Location, the stored fields', async () => {
      const res = await call(a.apiKey, 'POST', BASE, ARTICLE)
      expect(res.statusCode).toBe(201)
      const body = res.json()
      expect(body).toEqual({
        id: expect.stringMatching(/^kb_[0-9A-Za-z]{22}$/),
        ...ARTICLE,
        category: null,
        slug: 'reset-your-password',
        status: 'published',
        helpful_count: 0,
        not_helpful_count: 0,
        // Written by hand: imported from no page and no file.
        source_url: null,
        source_file: null,
        created_at: expect.any(String),
        updated_at: body.created_at,
      })
      expect(new Date(body.created_at).toISOString()).toBe(body.created_at)
      expect(res.headers.location).toBe(`${BASE}/${body.id}`)
      const got = await call(a.apiKey, 'GET', `${BASE}/${body.id}`)
      expect(got.statusCode).toBe(200)
      expect(got.json()).toEqual(body)
    })

    it('trims the title and tags, drops duplicate tags, defaults tags to []', async () => {
      const res = await call(a.apiKey, 'POST', BASE, {
        title: '  VPN  ',
        body: 'Connect with GlobalProtect.',
        tags: [' vpn ', 'VPN', 'remote'],
      })
      expect(res.statusCode).toBe(201)
      expect(res.json()).toMatchObject({ title: 'VPN', tags: ['vpn', 'remote'] })
      const noTags = await call(a.apiKey, 'POST', BASE, { title: 'Wi-Fi', body: 'Join Corp.' })
      expect(noTags.json().tags).toEqual([])
    })

    it('ignores unknown fields (ids and timestamps are the server’s)', async () => {
      const res = await call(a.apiKey, 'POST', BASE, {
        ...ARTICLE,
        id: 'kb_mine',
        tenant_id: b.tenantId,
        created_at: '2000-01-01T00:00:00.000Z',
      })
      expect(res.statusCode).toBe(201)
      expect(res.json().id).not.toBe('kb_mine')
      expect(res.json().created_at).not.toBe('2000-01-01T00:00:00.000Z')
      const row = await t.db
        .selectFrom('knowledge_articles')
        .selectAll()
        .where('id', '=', res.json().id)
        .executeTakeFirstOrThrow()
      expect(row.tenant_id).toBe(a.tenantId)
    })

    it('replaces with PUT (omitted tags become []) and bumps updated_at', async () => {
      const created = (await call(a.apiKey, 'POST', BASE, ARTICLE)).json()
      await new Promise((r) => setTimeout(r, 5))
      const res = await call(a.apiKey, 'PUT', `${BASE}/${created.id}`, {
        title: 'Reset a forgotten password',
        body: 'New body',
      })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        ...created,
        title: 'Reset a forgotten password',
        body: 'New body',
        tags: [],
        updated_at: expect.any(String),
      })
      expect(res.json().updated_at > created.updated_at).toBe(true)
    })

    it('PUT without a required field is 422 and changes nothing', async () => {
      const created = (await call(a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(a.apiKey, 'PUT', `${BASE}/${created.id}`, { title: 'Only title' })
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual({
        detail: [{ type: 'missing', loc: ['body', 'body'], msg: 'Field required' }],
      })
      expect((await call(a.apiKey, 'GET', `${BASE}/${created.id}`)).json()).toEqual(created)
    })

    it('PATCH changes only the given fields; an empty PATCH changes nothing', async () => {
      const created = (await call(a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(a.apiKey, 'PATCH', `${BASE}/${created.id}`, { tags: ['login'] })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({
        title: ARTICLE.title,
        body: ARTICLE.body,
        tags: ['login'],
      })
      const empty = await call(a.apiKey, 'PATCH', `${BASE}/${created.id}`, {})
      expect(empty.statusCode).toBe(200)
      expect(empty.json()).toEqual(res.json())
    })

    it('deletes: 204 with no body, then 404', async () => {
      const created = (await call(a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(a.apiKey, 'DELETE', `${BASE}/${created.id}`)
      expect(res.statusCode).toBe(204)
      expect(res.body).toBe('')
      const again = await call(a.apiKey, 'DELETE', `${BASE}/${created.id}`)
      expect(again.statusCode).toBe(404)
      expect(again.json()).toEqual({ detail: 'Article not found' })
      expect((await call(a.apiKey, 'GET', `${BASE}/${created.id}`)).statusCode).toBe(404)
    })

    it.each([
      ['GET', undefined],
      ['PUT', ARTICLE],
      ['PATCH', { title: 'x' }],
      ['DELETE', undefined],
    ] as const)(
      '%s of a missing id is 404 {"detail":"Article not found"}',
      async (method, body) => {
        const res = await call(a.apiKey, method, `${BASE}/kb_doesnotexist`, body)
        expect(res.statusCode).toBe(404)
        expect(res.json()).toEqual({ detail: 'Article not found' })
      },
    )
  })

  describe('list', () => {
    it('pages newest first with total, limit and offset', async () => {
      for (const i of [1, 2, 3]) {
        await call(a.apiKey, 'POST', BASE, { title: `Article ${i}`, body: `Body ${i}` })
        await new Promise((r) => setTimeout(r, 3))
      }
      const first = await call(a.apiKey, 'GET', `${BASE}?limit=2`)
      expect(first.statusCode).toBe(200)
      expect(first.json()).toMatchObject({ total: 3, limit: 2, offset: 0 })
      expect(first.json().items.map((x: { title: string }) => x.title)).toEqual([
        'Article 3',
        'Article 2',
      ])
      const second = await call(a.apiKey, 'GET', `${BASE}?limit=2&offset=2`)
      expect(second.json().items.map((x: { title: string }) => x.title)).toEqual(['Article 1'])
      const all = await call(a.apiKey, 'GET', BASE)
      expect(all.json()).toMatchObject({ total: 3, limit: 20, offset: 0 })
    })

    it('filters with q: every word, case-insensitive, in title, body or tags', async () => {
      await seedDemoArticles(t.db, a.tenantId)
      const titles = async (q: string) =>
        (await call(a.apiKey, 'GET', `${BASE}?q=${encodeURIComponent(q)}`))
          .json()
          .items.map((x: { title: string }) => x.title)
      expect(await titles('VPN')).toContain('Connect to the VPN')
      expect(await titles('globalprotect keychain')).toEqual([])
      expect(await titles('GLOBALPROTECT')).toContain('Connect to the VPN')
      expect(await titles('paper jam')).toEqual(['Add a printer and fix printing problems'])
      expect(await titles('admin rights')).toEqual(['Request new software'])
    })

    it('treats % and _ in q literally', async () => {
      await call(a.apiKey, 'POST', BASE, { title: '100% uptime', body: 'x' })
      await call(a.apiKey, 'POST', BASE, { title: 'snake_case names', body: 'y' })
      await call(a.apiKey, 'POST', BASE, { title: 'Plain', body: 'z' })
      const q = async (s: string) =>
        (await call(a.apiKey, 'GET', `${BASE}?q=${encodeURIComponent(s)}`)).json().total
      expect(await q('%')).toBe(1)
      expect(await q('_')).toBe(1)
      expect(await q('\\')).toBe(0)
    })

    it.each([
      ['limit=0', 'limit', 'greater_than_equal'],
      ['limit=101', 'limit', 'less_than_equal'],
      ['limit=abc', 'limit', 'integer_type'],
      ['offset=-1', 'offset', 'greater_than_equal'],
      [`q=${'x'.repeat(201)}`, 'q', 'string_too_long'],
    ])('?%s is 422 naming query.%s', async (qs, field, type) => {
      const res = await call(a.apiKey, 'GET', `${BASE}?${qs}`)
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toEqual([expect.objectContaining({ loc: ['query', field], type })])
    })
  })

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
      const res = await call(a.apiKey, 'POST', BASE, payload)
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual({ detail: [{ type, loc, msg: expect.any(String) }] })
      expect(await t.db.selectFrom('knowledge_articles').selectAll().execute()).toEqual([])
    })

    it('reports every invalid field at once', async () => {
      const res = await call(a.apiKey, 'POST', BASE, { title: '', tags: ['x'.repeat(41)] })
      expect(res.statusCode).toBe(422)
      const locs = res.json().detail.map((d: { loc: unknown[] }) => d.loc.join('.'))
      expect(locs.sort()).toEqual(['body.body', 'body.tags.0', 'body.title'])
    })

    it.each([
      ['blank title', { title: '  ' }, ['body', 'title']],
      ['long body', { body: 'x'.repeat(20_001) }, ['body', 'body']],
      ['blank tag', { tags: [' '] }, ['body', 'tags', 0]],
    ])('PATCH with %s is 422 and changes nothing', async (_name, payload, loc) => {
      const created = (await call(a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(a.apiKey, 'PATCH', `${BASE}/${created.id}`, payload)
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toEqual([expect.objectContaining({ loc })])
      expect((await call(a.apiKey, 'GET', `${BASE}/${created.id}`)).json()).toEqual(created)
    })

    it('malformed JSON is 400 {"detail":"Malformed JSON body"}', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: BASE,
        headers: { 'x-api-key': a.apiKey, 'content-type': 'application/json' },
        payload: '{"title": ',
      })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual({ detail: 'Malformed JSON body' })
    })

    it(`refuses article ${MAX_ARTICLES_PER_TENANT + 1} with 409`, async () => {
      const now = new Date().toISOString()
      const rows = Array.from({ length: MAX_ARTICLES_PER_TENANT }, (_, i) => ({
        id: `kb_bulk${i}`,
        tenant_id: a.tenantId,
        title: `Bulk ${i}`,
        body: 'x',
        tags: '[]',
        slug: `bulk-${i}`,
        created_at: now,
        updated_at: now,
      }))
      for (let i = 0; i < rows.length; i += 500)
        await t.db
          .insertInto('knowledge_articles')
          .values(rows.slice(i, i + 500))
          .execute()
      const res = await call(a.apiKey, 'POST', BASE, ARTICLE)
      expect(res.statusCode).toBe(409)
      expect(res.json()).toEqual({
        detail: `Knowledge base is full: at most ${MAX_ARTICLES_PER_TENANT} articles per tenant`,
      })
      // Another tenant is not affected.
      expect((await call(b.apiKey, 'POST', BASE, ARTICLE)).statusCode).toBe(201)
    })
  })

  describe('tenant isolation', () => {
    it("tenant B's key can neither list, read, change nor delete tenant A's articles", async () => {
      const created = (await call(a.apiKey, 'POST', BASE, ARTICLE)).json()
      const url = `${BASE}/${created.id}`
      expect((await call(b.apiKey, 'GET', BASE)).json()).toEqual({
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
        const res = await call(b.apiKey, method, url, payload)
        expect(res.statusCode, method).toBe(404)
        expect(res.json()).toEqual({ detail: 'Article not found' })
      }
      expect((await call(a.apiKey, 'GET', url)).json()).toEqual(created)
    })

    it("tenant B's search never returns tenant A's articles", async () => {
      await seedDemoArticles(t.db, a.tenantId)
      const res = await call(b.apiKey, 'POST', '/api/v1/knowledge/search', {
        question: 'How do I reset my password?',
      })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ question: 'How do I reset my password?', results: [] })
    })
  })

  describe('auth and scopes', () => {
    it('no credentials: 401', async () => {
      const res = await t.app.inject({ method: 'GET', url: BASE })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Not authenticated' })
    })

    it('an unknown key: 401', async () => {
      const res = await call('itsm_sk_live_nope', 'GET', BASE)
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid or revoked API key' })
    })

    it('a Bearer API key works too', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: BASE,
        headers: { authorization: `Bearer ${a.apiKey}` },
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
        const ro = await createTestTenant(t.db, { scopes: ['knowledge:read'] })
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
        const cfg = await createTestTenant(t.db, { scopes: ['config:read', 'config:write'] })
        const res = await call(cfg.apiKey, method, url, body)
        expect(res.statusCode).toBe(403)
        expect(res.json()).toEqual({ detail: 'API key missing required scope: knowledge:read' })
      },
    )

    it('search is read-only: a knowledge:read key may use it', async () => {
      const ro = await createTestTenant(t.db, { scopes: ['knowledge:read'] })
      const res = await call(ro.apiKey, 'POST', '/api/v1/knowledge/search', { question: 'vpn' })
      expect(res.statusCode).toBe(200)
    })

    it('auth comes before validation: a bad body without a key is 401, not 422', async () => {
      const res = await t.app.inject({ method: 'POST', url: BASE, payload: { title: '' } })
      expect(res.statusCode).toBe(401)
    })
  })

  describe('search ("try a question")', () => {
    it('returns the articles the assistant would use, with scores and the passage', async () => {
      await seedDemoArticles(t.db, a.tenantId)
      const res = await call(a.apiKey, 'POST', '/api/v1/knowledge/search', {
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
      const before = await call(a.apiKey, 'POST', '/api/v1/knowledge/search', q)
      expect(before.json().results).toEqual([])
      await call(a.apiKey, 'POST', BASE, {
        title: 'Book a meeting room',
        body: 'Use the room calendar in Outlook.',
        tags: ['meeting room'],
      })
      const after = await call(a.apiKey, 'POST', '/api/v1/knowledge/search', q)
      expect(after.json().results[0]).toMatchObject({
        title: 'Book a meeting room',
        confident: true,
      })
    })

    it('nonsense gets no confident result', async () => {
      await seedDemoArticles(t.db, a.tenantId)
      const res = await call(a.apiKey, 'POST', '/api/v1/knowledge/search', {
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
      const res = await call(a.apiKey, 'POST', '/api/v1/knowledge/search', payload)
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toEqual([expect.objectContaining({ loc, type })])
    })
  })

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    expect(Object.keys(doc.paths[BASE])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(Object.keys(doc.paths[`${BASE}/{id}`])).toEqual(
      expect.arrayContaining(['get', 'put', 'patch', 'delete']),
    )
    expect(doc.paths['/api/v1/knowledge/search'].post.requestBody).toBeDefined()
    expect(doc.paths[BASE].post.security).toEqual([{ ApiKey: [] }, { Session: [] }])
  })
})
