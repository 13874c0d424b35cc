import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { slugify } from '../../knowledge/article-slug.ts'

const BASE = '/api/v1/knowledge/articles'

describe('slugify', () => {
  it.each([
    ['Reset your password', 'reset-your-password'],
    ['  Café & Crème: 2 ways!  ', 'cafe-creme-2-ways'],
    ['Wi-Fi -- at the office', 'wi-fi-at-the-office'],
    ['日本語', 'article'],
    ['x'.repeat(200), 'x'.repeat(80)],
  ])('%s → %s', (title, slug) => expect(slugify(title)).toBe(slug))

  it('is linear on hostile input', () => {
    const started = performance.now()
    slugify('-'.repeat(200_000) + 'a'.repeat(200_000))
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

forEachDialect('article category, slug and status', (dialect) => {
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

  const call = (key: string, method: string, url: string, payload?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { 'x-api-key': key },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    })
  const create = async (key: string, body: Record<string, unknown>) => {
    const res = await call(key, 'POST', BASE, { body: 'Some text.', ...body })
    expect(res.statusCode).toBe(201)
    return res.json()
  }

  it('makes unique slugs from titles per tenant; another tenant may reuse one', async () => {
    const one = await create(a.apiKey, { title: 'Reset your password' })
    const two = await create(a.apiKey, { title: 'Reset your password!' })
    const other = await create(b.apiKey, { title: 'Reset your password' })
    expect([one.slug, two.slug, other.slug]).toEqual([
      'reset-your-password',
      'reset-your-password-2',
      'reset-your-password',
    ])
  })

  it('keeps the slug when the title changes; an edited slug is kept as written', async () => {
    const art = await create(a.apiKey, { title: 'VPN', category: ' Network ' })
    expect(art.category).toBe('Network')
    const renamed = await call(a.apiKey, 'PATCH', `${BASE}/${art.id}`, { title: 'The VPN' })
    expect(renamed.json().slug).toBe('vpn')
    const edited = await call(a.apiKey, 'PATCH', `${BASE}/${art.id}`, { slug: 'remote-access' })
    expect(edited.statusCode).toBe(200)
    expect(edited.json()).toMatchObject({ slug: 'remote-access', category: 'Network' })
    const cleared = await call(a.apiKey, 'PATCH', `${BASE}/${art.id}`, { category: '  ' })
    expect(cleared.json().category).toBeNull()
  })

  it('409 when a chosen slug is another article’s, on create, PUT and PATCH', async () => {
    await create(a.apiKey, { title: 'First', slug: 'taken' })
    const second = await create(a.apiKey, { title: 'Second' })
    const dup = await call(a.apiKey, 'POST', BASE, { title: 'X', body: 'y', slug: 'taken' })
    expect(dup.statusCode).toBe(409)
    expect(dup.json()).toEqual({ detail: 'Another article already has the slug "taken"' })
    const put = await call(a.apiKey, 'PUT', `${BASE}/${second.id}`, {
      title: 'Second',
      body: 'y',
      slug: 'taken',
    })
    expect(put.statusCode).toBe(409)
    const patch = await call(a.apiKey, 'PATCH', `${BASE}/${second.id}`, { slug: 'taken' })
    expect(patch.statusCode).toBe(409)
    expect((await call(a.apiKey, 'GET', `${BASE}/${second.id}`)).json().slug).toBe('second')
    // Another tenant's slug is no conflict.
    expect(
      (await call(b.apiKey, 'POST', BASE, { title: 'X', body: 'y', slug: 'taken' })).statusCode,
    ).toBe(201)
  })

  it.each([
    ['Upper', { slug: 'Upper' }],
    ['double hyphen', { slug: 'a--b' }],
    ['trailing hyphen', { slug: 'a-' }],
    ['too long', { slug: 'a'.repeat(81) }],
    ['unknown status', { status: 'archived' }],
    ['long category', { category: 'c'.repeat(81) }],
  ])('422 for a bad field: %s', async (_name, field) => {
    const res = await call(a.apiKey, 'POST', BASE, { title: 'T', body: 'b', ...field })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0].loc[0]).toBe('body')
  })

  it('drafts: listed with ?status=draft, never used by the assistant until published', async () => {
    const draft = await create(a.apiKey, {
      title: 'Quantum flux capacitor',
      body: 'Recalibrate the quantum flux capacitor weekly.',
      status: 'draft',
    })
    expect(draft.status).toBe('draft')
    const drafts = await call(a.apiKey, 'GET', `${BASE}?status=draft`)
    expect(drafts.json().items.map((x: { id: string }) => x.id)).toEqual([draft.id])
    expect((await call(a.apiKey, 'GET', `${BASE}?status=published`)).json().total).toBe(0)
    const search = () =>
      call(a.apiKey, 'POST', '/api/v1/knowledge/search', {
        question: 'quantum flux capacitor',
      }).then((r) => r.json().results.map((x: { id: string }) => x.id))
    expect(await search()).toEqual([])
    await call(a.apiKey, 'PATCH', `${BASE}/${draft.id}`, { status: 'published' })
    expect(await search()).toEqual([draft.id])
    // PUT without a status keeps it.
    await call(a.apiKey, 'PUT', `${BASE}/${draft.id}`, { title: 'Quantum', body: 'x y z' })
    expect((await call(a.apiKey, 'GET', `${BASE}/${draft.id}`)).json().status).toBe('published')
  })
})
