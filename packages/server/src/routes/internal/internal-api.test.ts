import { beforeEach, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import type { Dialect } from '../../db/schema.ts'
import {
  bearerToken,
  INTERNAL_AUTH_FAILURES_PER_MINUTE,
  internalTokenMatches,
} from '../../internal/internal-auth.ts'
import {
  AUTH,
  countMessages,
  newConversation,
  TOKEN,
  useInternalApi,
} from './internal-api-test-support.ts'

describe('internalTokenMatches / bearerToken', () => {
  it('accepts only the exact token, whatever the length of the guess', () => {
    expect(internalTokenMatches(TOKEN, TOKEN)).toBe(true)
    expect(internalTokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false)
    expect(internalTokenMatches(`${TOKEN}x`, TOKEN)).toBe(false)
    expect(internalTokenMatches('', TOKEN)).toBe(false)
    expect(internalTokenMatches(TOKEN.toUpperCase(), TOKEN)).toBe(false)
  })
  it('parses only the Bearer scheme', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN)
    expect(bearerToken(`bearer ${TOKEN}`)).toBe(TOKEN)
    expect(bearerToken(`Basic ${TOKEN}`)).toBeUndefined()
    expect(bearerToken(`Bearer ${TOKEN} extra`)).toBeUndefined()
    expect(bearerToken('Bearer')).toBeUndefined()
    expect(bearerToken(undefined)).toBeUndefined()
  })
})

forEachDialect('internal API', (dialect: Dialect) => {
  const f = useInternalApi(dialect)
  let t: TestApp
  let tenant: TestTenant
  beforeEach(() => {
    ;({ t, tenant } = f)
  })

  describe('authentication', () => {
    const routes = (conv: string) => [
      { method: 'GET' as const, url: `/internal/v1/conversations/${conv}?tenant_id=x` },
      { method: 'POST' as const, url: `/internal/v1/conversations/${conv}/messages` },
      { method: 'POST' as const, url: `/internal/v1/conversations/${conv}/reply` },
      { method: 'POST' as const, url: '/internal/v1/voice-agent/heartbeat' },
      { method: 'GET' as const, url: '/internal/v1/voice-agent/status' },
    ]

    it.each([
      ['no Authorization header', undefined],
      ['a wrong token of the same length', `Bearer ${'x'.repeat(TOKEN.length)}`],
      ['a prefix of the token', `Bearer ${TOKEN.slice(0, 20)}`],
      ['the token plus a character', `Bearer ${TOKEN}0`],
      ['the token as Basic credentials', `Basic ${TOKEN}`],
      ['the bare token without a scheme', TOKEN],
      ['an empty Bearer', 'Bearer '],
    ])('%s → 401 on every route, before the body is even validated', async (_n, header) => {
      const { conversationId } = await newConversation(t, tenant)
      for (const route of routes(conversationId)) {
        const res = await t.app.inject({
          ...route,
          headers: header === undefined ? {} : { authorization: header },
          ...(route.method === 'POST' ? { payload: { nonsense: true } } : {}),
        })
        expect(res.statusCode, route.url).toBe(401)
        expect(res.json()).toEqual({ detail: 'Invalid or missing internal token' })
        expect(res.headers['www-authenticate']).toBe('Bearer')
      }
      expect(await countMessages(t, conversationId)).toBe(0)
    })

    it('is off (503) when the server has no AURION_INTERNAL_TOKEN, even with a token', async () => {
      const off = await buildTestApp({ dialect })
      try {
        for (const route of routes('conv_x')) {
          const res = await off.app.inject({ ...route, headers: AUTH })
          expect(res.statusCode).toBe(503)
          expect(res.json()).toEqual({
            detail:
              'The internal API is disabled on this server (AURION_INTERNAL_TOKEN is not set)',
          })
        }
      } finally {
        await off.close()
      }
    })

    it('throttles guessing: 429 after repeated failures, the real token still passes', async () => {
      const wrong = { authorization: `Bearer ${'g'.repeat(48)}` }
      for (let i = 0; i < INTERNAL_AUTH_FAILURES_PER_MINUTE; i++) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/internal/v1/voice-agent/status',
          headers: wrong,
        })
        expect(res.statusCode).toBe(401)
      }
      const blocked = await t.app.inject({
        method: 'GET',
        url: '/internal/v1/voice-agent/status',
        headers: wrong,
      })
      expect(blocked.statusCode).toBe(429)
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
      const ok = await t.app.inject({
        method: 'GET',
        url: '/internal/v1/voice-agent/status',
        headers: AUTH,
      })
      expect(ok.statusCode).toBe(200)
    })

    it('is not part of the public OpenAPI document', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
      expect(Object.keys(res.json().paths ?? {}).filter((p) => p.includes('internal'))).toEqual([])
    })
  })

  describe('GET /internal/v1/conversations/:id', () => {
    it('returns the thread, the messages so far and the tenant greeting', async () => {
      const { conversationId, threadId } = await newConversation(t, tenant)
      await t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${conversationId}/messages`,
        headers: AUTH,
        payload: {
          tenant_id: tenant.tenantId,
          sender: 'contact',
          body: 'Hi there',
          segment_id: 's1',
        },
      })
      const res = await t.app.inject({
        method: 'GET',
        url: `/internal/v1/conversations/${conversationId}?tenant_id=${tenant.tenantId}`,
        headers: AUTH,
      })
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body).toMatchObject({
        tenant_id: tenant.tenantId,
        conversation_id: conversationId,
        thread_id: threadId,
        status: 'open',
        greeting: 'Hello from Acme IT! What can I do for you?',
      })
      expect(body.messages).toEqual([
        {
          id: expect.stringMatching(/^msg_/),
          sender_type: 'contact',
          body: 'Hi there',
          channel: 'voice',
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        },
      ])
      const es = await t.app.inject({
        method: 'GET',
        url: `/internal/v1/conversations/${conversationId}?tenant_id=${tenant.tenantId}&locale=es-MX`,
        headers: AUTH,
      })
      expect(es.json().greeting).toBe('¡Hola desde Acme IT!')
    })

    it('422 for bad query and path values', async () => {
      const { conversationId } = await newConversation(t, tenant)
      const bad = [
        [`/internal/v1/conversations/${conversationId}`, 'tenant_id'],
        [
          `/internal/v1/conversations/${conversationId}?tenant_id=${tenant.tenantId}&message_limit=0`,
          'message_limit',
        ],
        [
          `/internal/v1/conversations/${conversationId}?tenant_id=${tenant.tenantId}&locale=%3Cscript%3E`,
          'locale',
        ],
        [`/internal/v1/conversations/conv..%2Fx?tenant_id=${tenant.tenantId}`, 'conversation_id'],
      ]
      for (const [url, field] of bad) {
        const res = await t.app.inject({ method: 'GET', url: url!, headers: AUTH })
        expect(res.statusCode, url).toBe(422)
        expect(res.json().detail.map((d: { loc: string[] }) => d.loc.at(-1))).toContain(field)
      }
    })
  })

  describe('tenant isolation', () => {
    it("another tenant's id never reads or writes this tenant's conversation", async () => {
      const { conversationId, threadId } = await newConversation(t, tenant)
      const other = await createTestTenant(t.db, { name: 'Other' })
      const otherConv = await newConversation(t, other)
      const attempts = [
        {
          method: 'GET' as const,
          url: `/internal/v1/conversations/${conversationId}?tenant_id=${other.tenantId}`,
        },
        {
          method: 'POST' as const,
          url: `/internal/v1/conversations/${conversationId}/messages`,
          payload: { tenant_id: other.tenantId, sender: 'contact', body: 'hi', segment_id: 'a' },
        },
        {
          method: 'POST' as const,
          url: `/internal/v1/conversations/${conversationId}/reply`,
          payload: { tenant_id: other.tenantId, segment_id: 'b', text: 'reset my password' },
        },
        {
          method: 'POST' as const,
          url: `/internal/v1/conversations/${conversationId}/messages`,
          payload: {
            tenant_id: '00000000-0000-0000-0000-000000000000',
            sender: 'ai',
            body: 'x',
            segment_id: 'c',
          },
        },
      ]
      for (const a of attempts) {
        const res = await t.app.inject({ ...a, headers: AUTH })
        expect(res.statusCode, a.url).toBe(404)
        expect(res.json()).toEqual({ detail: 'Conversation not found' })
      }
      // A thread of another conversation (even of the same tenant) is refused as well.
      const mine2 = await newConversation(t, tenant)
      for (const threadRef of [otherConv.threadId, mine2.threadId]) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/internal/v1/conversations/${conversationId}/messages`,
          headers: AUTH,
          payload: {
            tenant_id: tenant.tenantId,
            thread_id: threadRef,
            sender: 'contact',
            body: 'hi',
            segment_id: 'd',
          },
        })
        expect(res.statusCode).toBe(404)
      }
      expect(await countMessages(t, conversationId)).toBe(0)
      expect(await countMessages(t, otherConv.conversationId)).toBe(0)
      expect(threadId).toMatch(/^thread_/)
    })
  })
})
