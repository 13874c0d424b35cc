import { describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError, toApiError } from './client.ts'
import { endpoints } from './endpoints.ts'

describe('console endpoints', () => {
  it.each([
    [
      endpoints.login({ email: 'a@b.co', password: 'pw' }),
      'POST',
      '/api/v1/auth/login',
      { email: 'a@b.co', password: 'pw' },
    ],
    [endpoints.me(), 'GET', '/api/v1/auth/me', undefined],
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
  it('sends the session as a bearer token, never cookies', async () => {
    const seen: RequestInit[] = []
    const client = new ApiClient({
      token: () => 'ases_abc',
      onUnauthorized: () => {},
      fetch: async (_url, init) => {
        seen.push(init ?? {})
        return res(200, { ok: true })
      },
    })
    expect(await client.send(endpoints.me())).toEqual({ ok: true })
    const headers = seen[0]!.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer ases_abc')
    expect(seen[0]!.credentials).toBe('omit')
  })

  it('a 401 with a session signs the console out; 204 resolves to undefined', async () => {
    let signedOut = 0
    let status = 401
    const client = new ApiClient({
      token: () => 'ases_old',
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
  })

  it('a network failure is a readable error, not a TypeError', async () => {
    const client = new ApiClient({
      token: () => undefined,
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
