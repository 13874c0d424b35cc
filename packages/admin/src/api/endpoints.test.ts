import { describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError, toApiError } from './client.ts'
import { endpoints } from './endpoints.ts'

describe('console endpoints', () => {
  it('a document import is a multipart form with the file as "file" (the browser sets the boundary)', async () => {
    const r = endpoints.importDocument(new File(['# Hi'], 'notes.md', { type: 'text/markdown' }))
    expect(r.url).toBe('/api/v1/knowledge/import')
    expect(r.init.method).toBe('POST')
    expect(r.init.headers).toEqual({})
    const file = (r.init.body as FormData).get('file') as File
    expect(file.name).toBe('notes.md')
    expect(await file.text()).toBe('# Hi')
  })

  it('a closing heartbeat is sent with keepalive, so it outlives the page', () => {
    expect(endpoints.heartbeat('tab_1', true).init.keepalive).toBe(true)
    expect(JSON.parse(String(endpoints.heartbeat('tab_1', true).init.body))).toEqual({
      tab_id: 'tab_1',
      closing: true,
    })
    expect(endpoints.heartbeat('tab_1').init.keepalive).toBeUndefined()
  })

  it.each([
    [
      endpoints.login({ email: 'a@b.co', password: 'pw' }),
      'POST',
      '/api/v1/auth/login',
      { email: 'a@b.co', password: 'pw' },
    ],
    [endpoints.me(), 'GET', '/api/v1/auth/me', undefined],
    [endpoints.ssoSettings(), 'GET', '/api/v1/auth/sso', undefined],
    [endpoints.lookupInvite('ainv_x'), 'POST', '/api/v1/auth/invites/lookup', { token: 'ainv_x' }],
    [
      endpoints.acceptInvite({ token: 'ainv_x', password: 'pw' }),
      'POST',
      '/api/v1/auth/invites/accept',
      { token: 'ainv_x', password: 'pw' },
    ],
    [endpoints.listMembers(), 'GET', '/api/v1/team/members', undefined],
    [
      endpoints.changeRole('usr/1', 'agent'),
      'PATCH',
      '/api/v1/team/members/usr%2F1',
      { role: 'agent' },
    ],
    [endpoints.removeMember('usr_1'), 'DELETE', '/api/v1/team/members/usr_1', undefined],
    [
      endpoints.createInvite({ email: 'a@b.co', role: 'admin' }),
      'POST',
      '/api/v1/team/invites',
      { email: 'a@b.co', role: 'admin' },
    ],
    [endpoints.withdrawInvite('inv_1'), 'DELETE', '/api/v1/team/invites/inv_1', undefined],
    [endpoints.setAvailability('away'), 'PATCH', '/api/v1/team/me', { availability: 'away' }],
    [endpoints.heartbeat('tab_1'), 'POST', '/api/v1/team/me/heartbeat', { tab_id: 'tab_1' }],
    [endpoints.logout(), 'POST', '/api/v1/auth/logout', undefined],
    [endpoints.getConfig(), 'GET', '/api/v1/voice-widget/config', undefined],
    [endpoints.regenerateKey(), 'POST', '/api/v1/voice-widget/config/regenerate-key', undefined],
    [endpoints.gaReadiness(), 'GET', '/api/v1/voice-widget/ga-readiness', undefined],
    [endpoints.listApiKeys(), 'GET', '/api/v1/api-keys', undefined],
    [
      endpoints.createApiKey({ name: 'CI', scopes: ['config:read'] }),
      'POST',
      '/api/v1/api-keys',
      { name: 'CI', scopes: ['config:read'] },
    ],
    [endpoints.revokeApiKey('key_1'), 'DELETE', '/api/v1/api-keys/key_1', undefined],
    [
      endpoints.listArticles({ q: 'vpn', limit: 20, offset: 0 }),
      'GET',
      '/api/v1/knowledge/articles?q=vpn&limit=20&offset=0',
      undefined,
    ],
    [endpoints.listArticles({ q: '' }), 'GET', '/api/v1/knowledge/articles', undefined],
    [endpoints.deleteArticle('kb_1'), 'DELETE', '/api/v1/knowledge/articles/kb_1', undefined],
    [endpoints.listSources(), 'GET', '/api/v1/knowledge/sources', undefined],
    [endpoints.getSource('ks/1'), 'GET', '/api/v1/knowledge/sources/ks%2F1', undefined],
    [
      endpoints.addSource({ type: 'sitemap', url: 'https://a.co/sitemap.xml', max_pages: 50 }),
      'POST',
      '/api/v1/knowledge/sources',
      { type: 'sitemap', url: 'https://a.co/sitemap.xml', max_pages: 50 },
    ],
    [endpoints.syncSource('ks_1'), 'POST', '/api/v1/knowledge/sources/ks_1/sync', undefined],
    [endpoints.deleteSource('ks_1'), 'DELETE', '/api/v1/knowledge/sources/ks_1', undefined],
    [
      endpoints.searchKnowledge('How?'),
      'POST',
      '/api/v1/knowledge/search',
      { question: 'How?', limit: 5 },
    ],
    [
      endpoints.listConversations({ status: 'open' }),
      'GET',
      '/api/v1/conversations?status=open',
      undefined,
    ],
  ])('%#: %s', (req, method, url, body) => {
    expect(req.init.method).toBe(method)
    expect(req.url).toBe(url)
    if (body === undefined) {
      expect(req.init.body).toBeUndefined()
      expect(req.init.headers['Content-Type']).toBeUndefined()
    } else {
      expect(JSON.parse(String(req.init.body))).toEqual(body)
      expect(req.init.headers['Content-Type']).toBe('application/json')
    }
  })

  it('the single sign-on start is a URL the browser navigates to, the email escaped', () => {
    expect(endpoints.ssoStartUrl('ada+x@acme.com')).toBe(
      '/api/v1/auth/sso/start?email=ada%2Bx%40acme.com',
    )
  })

  it('escapes ids into one path segment (no traversal into other routes)', () => {
    expect(endpoints.getConversation('../../auth/logout').url).toBe(
      '/api/v1/conversations/..%2F..%2Fauth%2Flogout',
    )
    expect(endpoints.updateArticle('a/b?c', { title: 't', body: 'b' }).url).toBe(
      '/api/v1/knowledge/articles/a%2Fb%3Fc',
    )
  })
})

const res = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })

describe('API errors', () => {
  it('keeps 422 issues with their loc and summarizes the first', async () => {
    const err = await toApiError(
      res(422, {
        detail: [
          {
            type: 'string_too_long',
            loc: ['body', 'display_title'],
            msg: 'String should have at most 80 characters',
          },
          {
            type: 'value_error',
            loc: ['body', 'allowed_origins', 1],
            msg: 'Origin must not contain a path',
          },
        ],
      }),
    )
    expect(err.status).toBe(422)
    expect(err.issues.map((i) => i.loc)).toEqual([
      ['body', 'display_title'],
      ['body', 'allowed_origins', 1],
    ])
    expect(err.detail).toBe('display_title: String should have at most 80 characters (and 1 more)')
  })

  it('string details, Retry-After, and bodies that are not JSON', async () => {
    const limited = await toApiError(
      res(429, { detail: 'Too many sign-in attempts.' }, { 'Retry-After': '30' }),
    )
    expect(limited.detail).toBe('Too many sign-in attempts.')
    expect(limited.retryAfterSec).toBe(30)
    const html = await toApiError(new Response('<html>bad gateway</html>', { status: 502 }))
    expect(html.detail).toBe('The server had a problem. Please try again.')
    const odd = await toApiError(res(409, { detail: 42 }))
    expect(odd.detail).toBe('Request failed (HTTP 409)')
  })
})

describe('ApiClient', () => {
  it('sends the session cookie (same origin only), the CSRF token on writes only, never a bearer token', async () => {
    const seen: RequestInit[] = []
    const client = new ApiClient({
      csrfToken: () => 'csrf-abc',
      onUnauthorized: () => {},
      fetch: async (_url, init) => {
        seen.push(init ?? {})
        return res(200, { ok: true })
      },
    })
    expect(await client.send(endpoints.me())).toEqual({ ok: true })
    await client.send(endpoints.putConfig({ enabled: true } as never))
    await client.send(endpoints.revokeApiKey('k1'))
    const [read, put, del] = seen.map((i) => i.headers as Record<string, string>)
    for (const init of seen) expect(init.credentials).toBe('same-origin')
    for (const h of [read, put, del]) expect(h!.Authorization).toBeUndefined()
    expect(read!['X-CSRF-Token']).toBeUndefined()
    expect(put!['X-CSRF-Token']).toBe('csrf-abc')
    expect(del!['X-CSRF-Token']).toBe('csrf-abc')
  })

  it('a 401 tells the console (it signs out if signed in); 204 resolves to undefined', async () => {
    let signedOut = 0
    let status = 401
    const client = new ApiClient({
      csrfToken: () => undefined,
      onUnauthorized: () => signedOut++,
      fetch: async () =>
        status === 204
          ? new Response(null, { status })
          : res(status, { detail: 'Invalid or expired session' }),
    })
    await expect(client.send(endpoints.me())).rejects.toBeInstanceOf(ApiRequestError)
    expect(signedOut).toBe(1)
    status = 204
    expect(await client.send(endpoints.logout())).toBeUndefined()
    expect(signedOut).toBe(1)
  })

  it('a network failure is a readable error, not a TypeError', async () => {
    const client = new ApiClient({
      csrfToken: () => undefined,
      onUnauthorized: () => {},
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      },
    })
    await expect(client.send(endpoints.me())).rejects.toMatchObject({
      status: 0,
      detail: 'Cannot reach the server. Check your connection and retry.',
    })
  })
})
