import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createApiKey } from '../../auth/api-key-repo.ts'

const URL_ = '/api/v1/help-center'
const SETTINGS = { enabled: true, slug: 'acme', title: 'Acme Help Center' }

forEachDialect('Help Center settings API', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant

  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: { AURION_PUBLIC_URL: 'https://support.example.com' } })
  })
  afterAll(async () => t.close())
  beforeEach(async () => {
    await t.db.deleteFrom('help_centers').execute()
    a = await createTestTenant(t.db, { name: 'A', consoleUser: { email: `a${Date.now()}@a.test` } })
    b = await createTestTenant(t.db, { name: 'B' })
  })

  const call = (key: string, method: 'GET' | 'PUT', payload?: unknown) =>
    t.app.inject({
      method,
      url: URL_,
      headers: { 'x-api-key': key },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    })

  it('404 before the first PUT; PUT stores and GET returns it with the live URL', async () => {
    const before = await call(a.apiKey, 'GET')
    expect(before.statusCode).toBe(404)
    expect(before.json()).toEqual({ detail: 'The Help Center is not set up yet' })
    const put = await call(a.apiKey, 'PUT', {
      ...SETTINGS,
      description: '  Answers to everything.  ',
      logo_url: 'https://cdn.example.com/logo.png',
      primary_color: '#0F766E',
    })
    expect(put.statusCode, put.body).toBe(200)
    const body = put.json()
    expect(body).toEqual({
      enabled: true,
      slug: 'acme',
      title: 'Acme Help Center',
      description: 'Answers to everything.',
      logo_url: 'https://cdn.example.com/logo.png',
      primary_color: '#0f766e',
      url: 'https://support.example.com/hc/acme',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    })
    expect((await call(a.apiKey, 'GET')).json()).toEqual(body)
    // A second PUT replaces: optional fields left out are cleared.
    const again = await call(a.apiKey, 'PUT', { ...SETTINGS, enabled: false, slug: 'acme-help' })
    expect(again.json()).toMatchObject({
      enabled: false,
      slug: 'acme-help',
      description: null,
      logo_url: null,
      primary_color: null,
      url: 'https://support.example.com/hc/acme-help',
    })
  })

  it('409 when another tenant has the slug; the slug is free again once released', async () => {
    expect((await call(a.apiKey, 'PUT', SETTINGS)).statusCode).toBe(200)
    const taken = await call(b.apiKey, 'PUT', { ...SETTINGS, title: 'B' })
    expect(taken.statusCode).toBe(409)
    expect(taken.json()).toEqual({ detail: 'The Help Center slug "acme" is taken' })
    expect((await call(b.apiKey, 'GET')).statusCode).toBe(404)
    // Disabled still holds the slug; a new slug frees it.
    await call(a.apiKey, 'PUT', { ...SETTINGS, enabled: false })
    expect((await call(b.apiKey, 'PUT', SETTINGS)).statusCode).toBe(409)
    await call(a.apiKey, 'PUT', { ...SETTINGS, slug: 'acme-old' })
    expect((await call(b.apiKey, 'PUT', SETTINGS)).statusCode).toBe(200)
  })

  it.each([
    ['uppercase', { slug: 'Acme' }, 'slug'],
    ['leading digit', { slug: '1acme' }, 'slug'],
    ['leading hyphen', { slug: '-acme' }, 'slug'],
    ['trailing hyphen', { slug: 'acme-' }, 'slug'],
    ['double hyphen (punycode look-alike)', { slug: 'xn--acme' }, 'slug'],
    ['dot', { slug: 'acme.help' }, 'slug'],
    ['too long for a DNS label', { slug: `a${'b'.repeat(63)}` }, 'slug'],
    ['too short', { slug: 'a' }, 'slug'],
    ['reserved', { slug: 'www' }, 'slug'],
    ['blank title', { title: '   ' }, 'title'],
    ['logo not https', { logo_url: 'http://cdn.example.com/x.png' }, 'logo_url'],
    ['logo javascript:', { logo_url: 'javascript:alert(1)' }, 'logo_url'],
    ['colour not hex', { primary_color: 'red' }, 'primary_color'],
    ['enabled missing', { enabled: undefined }, 'enabled'],
  ])('422 for %s', async (_name, patch, field) => {
    const res = await call(a.apiKey, 'PUT', { ...SETTINGS, ...patch })
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().detail[0].loc).toEqual(['body', field])
  })

  describe('scopes', () => {
    it('GET needs help-center:read, PUT help-center:write', async () => {
      const { key: readOnly } = await createApiKey(t.db, {
        tenantId: a.tenantId,
        scopes: ['help-center:read'],
      })
      const { key: none } = await createApiKey(t.db, {
        tenantId: a.tenantId,
        scopes: ['config:read', 'config:write', 'knowledge:write'],
      })
      const put = await call(readOnly, 'PUT', SETTINGS)
      expect(put.statusCode).toBe(403)
      expect(put.json()).toEqual({ detail: 'API key missing required scope: help-center:write' })
      expect((await call(a.apiKey, 'PUT', SETTINGS)).statusCode).toBe(200)
      expect((await call(readOnly, 'GET')).statusCode).toBe(200)
      const get = await call(none, 'GET')
      expect(get.statusCode).toBe(403)
      expect(get.json()).toEqual({ detail: 'API key missing required scope: help-center:read' })
      expect((await t.app.inject({ method: 'GET', url: URL_ })).statusCode).toBe(401)
    })

    it('a console session (owner) reads and writes it', async () => {
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: a.consoleUser!.email, password: a.consoleUser!.password },
      })
      const headers = { authorization: `Bearer ${login.json().token}` }
      const put = await t.app.inject({ method: 'PUT', url: URL_, headers, payload: SETTINGS })
      expect(put.statusCode, put.body).toBe(200)
      const get = await t.app.inject({ method: 'GET', url: URL_, headers })
      expect(get.json().slug).toBe('acme')
    })
  })
})
