import { describe, expect, it } from 'vitest'
import { forEachDialect } from '../../../test/helpers.ts'
import { seedDemoArticles } from '../../knowledge/demo-articles.ts'
import { ARTICLE, BASE, useKnowledgeApp } from './knowledge-fixture.ts'

forEachDialect('knowledge articles API', (dialect) => {
  const f = useKnowledgeApp(dialect)
  const { call } = f

  describe('CRUD', () => {
    it('creates an article: 201, Location, the stored fields', async () => {
      const res = await call(f.a.apiKey, 'POST', BASE, ARTICLE)
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
      const got = await call(f.a.apiKey, 'GET', `${BASE}/${body.id}`)
      expect(got.statusCode).toBe(200)
      expect(got.json()).toEqual(body)
    })

    it('trims the title and tags, drops duplicate tags, defaults tags to []', async () => {
      const res = await call(f.a.apiKey, 'POST', BASE, {
        title: '  VPN  ',
        body: 'Connect with GlobalProtect.',
        tags: [' vpn ', 'VPN', 'remote'],
      })
      expect(res.statusCode).toBe(201)
      expect(res.json()).toMatchObject({ title: 'VPN', tags: ['vpn', 'remote'] })
      const noTags = await call(f.a.apiKey, 'POST', BASE, { title: 'Wi-Fi', body: 'Join Corp.' })
      expect(noTags.json().tags).toEqual([])
    })

    it('ignores unknown fields (ids and timestamps are the server’s)', async () => {
      const res = await call(f.a.apiKey, 'POST', BASE, {
        ...ARTICLE,
        id: 'kb_mine',
        tenant_id: f.b.tenantId,
        created_at: '2000-01-01T00:00:00.000Z',
      })
      expect(res.statusCode).toBe(201)
      expect(res.json().id).not.toBe('kb_mine')
      expect(res.json().created_at).not.toBe('2000-01-01T00:00:00.000Z')
      const row = await f.t.db
        .selectFrom('knowledge_articles')
        .selectAll()
        .where('id', '=', res.json().id)
        .executeTakeFirstOrThrow()
      expect(row.tenant_id).toBe(f.a.tenantId)
    })

    it('replaces with PUT (omitted tags become []) and bumps updated_at', async () => {
      const created = (await call(f.a.apiKey, 'POST', BASE, ARTICLE)).json()
      await new Promise((r) => setTimeout(r, 5))
      const res = await call(f.a.apiKey, 'PUT', `${BASE}/${created.id}`, {
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
      const created = (await call(f.a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(f.a.apiKey, 'PUT', `${BASE}/${created.id}`, { title: 'Only title' })
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual({
        detail: [{ type: 'missing', loc: ['body', 'body'], msg: 'Field required' }],
      })
      expect((await call(f.a.apiKey, 'GET', `${BASE}/${created.id}`)).json()).toEqual(created)
    })

    it('PATCH changes only the given fields; an empty PATCH changes nothing', async () => {
      const created = (await call(f.a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(f.a.apiKey, 'PATCH', `${BASE}/${created.id}`, { tags: ['login'] })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({
        title: ARTICLE.title,
        body: ARTICLE.body,
        tags: ['login'],
      })
      const empty = await call(f.a.apiKey, 'PATCH', `${BASE}/${created.id}`, {})
      expect(empty.statusCode).toBe(200)
      expect(empty.json()).toEqual(res.json())
    })

    it('deletes: 204 with no body, then 404', async () => {
      const created = (await call(f.a.apiKey, 'POST', BASE, ARTICLE)).json()
      const res = await call(f.a.apiKey, 'DELETE', `${BASE}/${created.id}`)
      expect(res.statusCode).toBe(204)
      expect(res.body).toBe('')
      const again = await call(f.a.apiKey, 'DELETE', `${BASE}/${created.id}`)
      expect(again.statusCode).toBe(404)
      expect(again.json()).toEqual({ detail: 'Article not found' })
      expect((await call(f.a.apiKey, 'GET', `${BASE}/${created.id}`)).statusCode).toBe(404)
    })

    it.each([
      ['GET', undefined],
      ['PUT', ARTICLE],
      ['PATCH', { title: 'x' }],
      ['DELETE', undefined],
    ] as const)(
      '%s of a missing id is 404 {"detail":"Article not found"}',
      async (method, body) => {
        const res = await call(f.a.apiKey, method, `${BASE}/kb_doesnotexist`, body)
        expect(res.statusCode).toBe(404)
        expect(res.json()).toEqual({ detail: 'Article not found' })
      },
    )
  })

  describe('list', () => {
    it('pages newest first with total, limit and offset', async () => {
      for (const i of [1, 2, 3]) {
        await call(f.a.apiKey, 'POST', BASE, { title: `Article ${i}`, body: `Body ${i}` })
        await new Promise((r) => setTimeout(r, 3))
      }
      const first = await call(f.a.apiKey, 'GET', `${BASE}?limit=2`)
      expect(first.statusCode).toBe(200)
      expect(first.json()).toMatchObject({ total: 3, limit: 2, offset: 0 })
      expect(first.json().items.map((x: { title: string }) => x.title)).toEqual([
        'Article 3',
        'Article 2',
      ])
      const second = await call(f.a.apiKey, 'GET', `${BASE}?limit=2&offset=2`)
      expect(second.json().items.map((x: { title: string }) => x.title)).toEqual(['Article 1'])
      const all = await call(f.a.apiKey, 'GET', BASE)
      expect(all.json()).toMatchObject({ total: 3, limit: 20, offset: 0 })
    })

    it('filters with q: every word, case-insensitive, in title, body or tags', async () => {
      await seedDemoArticles(f.t.db, f.a.tenantId)
      const titles = async (q: string) =>
        (await call(f.a.apiKey, 'GET', `${BASE}?q=${encodeURIComponent(q)}`))
          .json()
          .items.map((x: { title: string }) => x.title)
      expect(await titles('VPN')).toContain('Connect to the VPN')
      expect(await titles('globalprotect keychain')).toEqual([])
      expect(await titles('GLOBALPROTECT')).toContain('Connect to the VPN')
      expect(await titles('paper jam')).toEqual(['Add a printer and fix printing problems'])
      expect(await titles('admin rights')).toEqual(['Request new software'])
    })

    it('treats % and _ in q literally', async () => {
      await call(f.a.apiKey, 'POST', BASE, { title: '100% uptime', body: 'x' })
      await call(f.a.apiKey, 'POST', BASE, { title: 'snake_case names', body: 'y' })
      await call(f.a.apiKey, 'POST', BASE, { title: 'Plain', body: 'z' })
      const q = async (s: string) =>
        (await call(f.a.apiKey, 'GET', `${BASE}?q=${encodeURIComponent(s)}`)).json().total
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
      const res = await call(f.a.apiKey, 'GET', `${BASE}?${qs}`)
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toEqual([expect.objectContaining({ loc: ['query', field], type })])
    })
  })
})
