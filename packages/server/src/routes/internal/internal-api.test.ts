import { resolveWidgetConfig } from '@aurion/contract'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import type { Agent, AgentRequest } from '../../agent/agent.ts'
import { AgentUnavailableError } from '../../agent/agent.ts'
import { openThread } from '../../conversations/locate-thread.ts'
import type { Dialect } from '../../db/schema.ts'
import {
  bearerToken,
  INTERNAL_AUTH_FAILURES_PER_MINUTE,
  internalTokenMatches,
} from '../../internal/internal-auth.ts'
import { seedDemoArticles } from '../../knowledge/demo-articles.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import { createMemoryBus } from '../../realtime/memory-bus.ts'

const TOKEN = 'internal-token-0123456789abcdef0123456789abcdef'
const AUTH = { authorization: `Bearer ${TOKEN}` }

interface Line {
  type: string
  [k: string]: unknown
}
const ndjson = (payload: string): Line[] =>
  payload
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line)

/** A conversation with one thread, as the voice token route opens it. */
async function newConversation(t: TestApp, tenant: TestTenant) {
  const access = {
    tenant: tenant.tenant,
    config: resolveWidgetConfig(JSON.parse(tenant.tenant.config)),
  }
  const { conversation, thread } = await openThread(
    { db: t.db } as never,
    access,
    { subject: 'Voice call' },
    { trusted: true },
  )
  return { conversationId: conversation.id, threadId: thread.id }
}

/** Types of the realtime frames published to a thread, in order. */
function frameTypes(events: BusEvent[], threadId: string): string[] {
  return events.flatMap((e) =>
    e.type === 'thread.frame' && e.threadId === threadId ? [String(e.frame.type)] : [],
  )
}

async function countMessages(t: TestApp, conversationId: string): Promise<number> {
  const r = await t.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

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
  let t: TestApp
  let tenant: TestTenant
  let events: BusEvent[]
  let failNext: number
  let agentCalls: AgentRequest[]

  /** The built-in agent, except that it can be told to fail the next N replies. */
  function flakyAgent(real: () => Agent): Agent {
    return {
      kind: 'test',
      reply(request) {
        agentCalls.push(request)
        if (failNext > 0) {
          failNext--
          throw new AgentUnavailableError('upstream down')
        }
        return real().reply(request)
      },
      check: async () => ({ ok: true, reason: null }),
    }
  }

  beforeEach(async () => {
    events = []
    failNext = 0
    agentCalls = []
    const bus = createMemoryBus()
    bus.subscribe((e) => events.push(e))
    let builtin: Agent | undefined
    const { createAgent } = await import('../../agent/index.ts')
    t = await buildTestApp({
      dialect,
      env: { AURION_INTERNAL_TOKEN: TOKEN },
      deps: { bus, agent: flakyAgent(() => builtin!) },
    })
    builtin = createAgent(t.config, t.db)
    tenant = await createTestTenant(t.db, {
      config: {
        enabled: true,
        allowed_origins: ['https://example.com'],
        welcome_text: 'Hello from Acme IT! What can I do for you?',
        welcome_text_translations: { es: '¡Hola desde Acme IT!' },
      },
    })
    await seedDemoArticles(t.db, tenant.tenantId)
  })
  afterEach(async () => {
    await t.close()
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

  describe('POST /internal/v1/conversations/:id/messages', () => {
    const post = (conversationId: string, payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${conversationId}/messages`,
        headers: AUTH,
        payload,
      })

    it('stores a transcript once per segment: a repeat returns the original ids', async () => {
      const { conversationId, threadId } = await newConversation(t, tenant)
      const payload = {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: '  My VPN keeps dropping  ',
        segment_id: 'SG_abc.1',
      }
      const first = await post(conversationId, payload)
      expect(first.statusCode).toBe(200)
      expect(first.json()).toMatchObject({
        conversation_id: conversationId,
        thread_id: threadId,
        sender_type: 'contact',
        deduplicated: false,
      })
      const again = await post(conversationId, payload)
      expect(again.json()).toEqual({ ...first.json(), deduplicated: true })
      const row = await t.db
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', first.json().message_id)
        .executeTakeFirstOrThrow()
      expect(row).toMatchObject({
        body: 'My VPN keeps dropping',
        channel: 'voice',
        sender_type: 'contact',
      })
      expect(await countMessages(t, conversationId)).toBe(1)
      // The frame reached the chat panels following the thread, once.
      expect(frameTypes(events, threadId)).toEqual(['message'])
    })

    it('20 concurrent writes of one segment store exactly one message', async () => {
      const { conversationId } = await newConversation(t, tenant)
      const payload = {
        tenant_id: tenant.tenantId,
        sender: 'ai',
        body: 'Hello!',
        segment_id: 'greeting-job1',
      }
      const all = await Promise.all(Array.from({ length: 20 }, () => post(conversationId, payload)))
      expect(all.map((r) => r.statusCode)).toEqual(Array(20).fill(200))
      expect(new Set(all.map((r) => r.json().message_id)).size).toBe(1)
      expect(all.filter((r) => !r.json().deduplicated)).toHaveLength(1)
      expect(await countMessages(t, conversationId)).toBe(1)
    })

    it('the same segment id in another conversation is another message', async () => {
      const a = await newConversation(t, tenant)
      const b = await newConversation(t, tenant)
      const payload = {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'hello',
        segment_id: 'seg1',
      }
      const ra = await post(a.conversationId, payload)
      const rb = await post(b.conversationId, payload)
      expect(rb.json().deduplicated).toBe(false)
      expect(rb.json().message_id).not.toBe(ra.json().message_id)
      expect(rb.json().conversation_id).toBe(b.conversationId)
    })

    it('409 when a segment id is reused for different words', async () => {
      const { conversationId } = await newConversation(t, tenant)
      await post(conversationId, {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'one',
        segment_id: 's',
      })
      const res = await post(conversationId, {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'two',
        segment_id: 's',
      })
      expect(res.statusCode).toBe(409)
      expect(res.json()).toEqual({ detail: expect.any(String) })
      expect(await countMessages(t, conversationId)).toBe(1)
    })

    it.each([
      ['sender', { sender: 'agent' }],
      ['body', { body: '' }],
      ['body', { body: '   ' }],
      ['body', { body: 'x'.repeat(4001) }],
      ['segment_id', { segment_id: 'has space' }],
      ['segment_id', { segment_id: 'x'.repeat(129) }],
      ['metadata', { metadata: { blob: 'x'.repeat(5000) } }],
      ['tenant_id', { tenant_id: undefined }],
      ['thread_id', { thread_id: 'a/b' }],
    ])('422 naming %s', async (field, patch) => {
      const { conversationId } = await newConversation(t, tenant)
      const res = await post(conversationId, {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'hello',
        segment_id: 'ok',
        ...patch,
      })
      expect(res.statusCode).toBe(422)
      const locs = res.json().detail.map((d: { loc: (string | number)[] }) => d.loc.join('.'))
      expect(locs.some((l: string) => l.startsWith(`body.${field}`))).toBe(true)
      expect(await countMessages(t, conversationId)).toBe(0)
    })
  })

  describe('POST /internal/v1/conversations/:id/reply', () => {
    const ask = (conversationId: string, segment: string, text: string, extra = {}) =>
      t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${conversationId}/reply`,
        headers: AUTH,
        payload: { tenant_id: tenant.tenantId, segment_id: segment, text, ...extra },
      })

    it('stores the transcript, streams the knowledge-base answer and stores it', async () => {
      const { conversationId, threadId } = await newConversation(t, tenant)
      const res = await ask(conversationId, 'u1', 'How do I reset my password?')
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-store')
      const lines = ndjson(res.payload)
      expect(lines[0]).toMatchObject({
        type: 'ack',
        conversation_id: conversationId,
        thread_id: threadId,
        deduplicated: false,
      })
      const chunks = lines.filter((l) => l.type === 'chunk')
      expect(chunks.length).toBeGreaterThan(0)
      expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i))
      const done = lines.at(-1)!
      expect(done.type).toBe('done')
      expect(done.ai_response).toBe(chunks.map((c) => c.chunk).join(''))
      expect(done.ai_response).toMatch(/password/i)
      expect(done.sources).toEqual([{ id: expect.any(String), title: 'Reset your password' }])
      // The agent was told this turn was spoken (it answers in a voice style).
      expect(agentCalls.at(-1)!.history.at(-1)).toMatchObject({
        role: 'visitor',
        channel: 'voice',
        text: 'How do I reset my password?',
      })
      const rows = await t.db
        .selectFrom('messages')
        .select(['id', 'sender_type', 'channel', 'reply_to_id', 'body'])
        .where('conversation_id', '=', conversationId)
        .orderBy('seq')
        .execute()
      expect(rows).toEqual([
        expect.objectContaining({
          id: lines[0]!.user_message_id,
          sender_type: 'contact',
          channel: 'voice',
        }),
        expect.objectContaining({
          id: done.ai_message_id,
          sender_type: 'ai',
          channel: 'voice',
          reply_to_id: lines[0]!.user_message_id,
          body: done.ai_response,
        }),
      ])
      // An open chat panel on the thread saw the spoken turn live: message, typing, chunks, done.
      const types = frameTypes(events, threadId)
      expect(types[0]).toBe('message')
      expect(types[1]).toBe('typing')
      expect(types.at(-1)).toBe('done')
      expect(types.filter((x) => x === 'chunk')).toHaveLength(chunks.length)
    })

    it('a retried segment returns the stored answer without running the agent again', async () => {
      const { conversationId } = await newConversation(t, tenant)
      const first = ndjson(
        (await ask(conversationId, 'u1', 'How do I connect to the VPN?')).payload,
      )
      const calls = agentCalls.length
      const again = ndjson(
        (await ask(conversationId, 'u1', 'How do I connect to the VPN?')).payload,
      )
      expect(agentCalls.length).toBe(calls)
      expect(again[0]).toMatchObject({
        type: 'ack',
        user_message_id: first[0]!.user_message_id,
        deduplicated: true,
      })
      expect(again.at(-1)).toMatchObject({
        type: 'done',
        ai_message_id: first.at(-1)!.ai_message_id,
        ai_response: first.at(-1)!.ai_response,
        deduplicated: true,
      })
      expect(await countMessages(t, conversationId)).toBe(2)
    })

    it('agent failure: the transcript stays stored, a retry answers it without a second copy', async () => {
      const { conversationId } = await newConversation(t, tenant)
      failNext = 1
      const failed = ndjson((await ask(conversationId, 'u1', 'My printer does not print')).payload)
      expect(failed[0]).toMatchObject({ type: 'ack', deduplicated: false })
      expect(failed.at(-1)).toEqual({
        type: 'error',
        code: 'agent_unavailable',
        message: expect.any(String),
      })
      expect(await countMessages(t, conversationId)).toBe(1)
      const retry = ndjson((await ask(conversationId, 'u1', 'My printer does not print')).payload)
      expect(retry[0]).toMatchObject({
        type: 'ack',
        user_message_id: failed[0]!.user_message_id,
        deduplicated: true,
      })
      expect(retry.at(-1)).toMatchObject({ type: 'done', deduplicated: false })
      expect(String(retry.at(-1)!.ai_response)).toMatch(/print/i)
      expect(await countMessages(t, conversationId)).toBe(2)
    })

    it('answers a follow-up with what was said before in the conversation', async () => {
      const { conversationId } = await newConversation(t, tenant)
      ndjson((await ask(conversationId, 'u1', 'How do I reset my password?')).payload)
      const followUp = ndjson((await ask(conversationId, 'u2', 'And on a Mac?')).payload)
      const done = followUp.at(-1)!
      expect(done.type).toBe('done')
      expect(String(done.ai_response)).toMatch(/keychain/i)
      expect(agentCalls.at(-1)!.history.map((h) => h.role)).toEqual([
        'visitor',
        'assistant',
        'visitor',
      ])
    })

    it('422 before anything is stored for a blank or missing transcript', async () => {
      const { conversationId } = await newConversation(t, tenant)
      for (const text of ['', '   \n ']) {
        const res = await ask(conversationId, 'u1', text)
        expect(res.statusCode).toBe(422)
      }
      const noSegment = await t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${conversationId}/reply`,
        headers: AUTH,
        payload: { tenant_id: tenant.tenantId, text: 'hi' },
      })
      expect(noSegment.statusCode).toBe(422)
      expect(noSegment.json().detail[0].loc).toEqual(['body', 'segment_id'])
      expect(await countMessages(t, conversationId)).toBe(0)
    })
  })

  describe('heartbeat and voice readiness', () => {
    const beat = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/internal/v1/voice-agent/heartbeat',
        headers: AUTH,
        payload,
      })
    const status = async () =>
      (
        await t.app.inject({ method: 'GET', url: '/internal/v1/voice-agent/status', headers: AUTH })
      ).json()

    it('a registered worker under the dispatched name makes voice ready', async () => {
      expect(await status()).toMatchObject({ registered: false, workers: 0, last_seen_at: null })
      const connecting = await beat({
        worker_id: 'host-1-abc',
        agent_name: 'aurion-voice-agent',
        status: 'connecting',
        active_jobs: 0,
      })
      expect(connecting.json()).toEqual({
        ok: true,
        agent_name: 'aurion-voice-agent',
        agent_name_matches: true,
      })
      expect((await status()).registered).toBe(false)
      await beat({
        worker_id: 'host-1-abc',
        agent_name: 'aurion-voice-agent',
        status: 'registered',
        active_jobs: 2,
        version: '1.9.0',
        livekit_worker_id: 'AW_123',
      })
      expect(await status()).toMatchObject({ registered: true, workers: 1, active_jobs: 2 })
      await beat({
        worker_id: 'host-1-abc',
        agent_name: 'aurion-voice-agent',
        status: 'stopped',
        active_jobs: 0,
      })
      expect((await status()).registered).toBe(false)
    })

    it('a worker under another agent name is reported, and does not count', async () => {
      const res = await beat({
        worker_id: 'w2',
        agent_name: 'someone-else',
        status: 'registered',
        active_jobs: 0,
      })
      expect(res.json()).toEqual({
        ok: true,
        agent_name: 'aurion-voice-agent',
        agent_name_matches: false,
      })
      expect((await status()).registered).toBe(false)
    })

    it('a worker that stopped reporting goes stale', async () => {
      const { getVoiceAgentStatus, recordVoiceAgentHeartbeat } = await import(
        '../../internal/voice-agent-status.ts'
      )
      const then = new Date('2030-01-01T00:00:00Z')
      await recordVoiceAgentHeartbeat(
        t.db,
        {
          workerId: 'w',
          agentName: 'a',
          status: 'registered',
          activeJobs: 0,
          version: null,
          livekitWorkerId: null,
        },
        then,
      )
      expect(
        (await getVoiceAgentStatus(t.db, 'a', { now: new Date(then.getTime() + 59_000) }))
          .registered,
      ).toBe(true)
      const later = await getVoiceAgentStatus(t.db, 'a', { now: new Date(then.getTime() + 61_000) })
      expect(later).toMatchObject({ registered: false, lastSeenAt: then.toISOString() })
    })

    it.each([
      ['worker_id', { worker_id: '' }],
      ['worker_id', { worker_id: 'a b' }],
      ['status', { status: 'dancing' }],
      ['active_jobs', { active_jobs: -1 }],
      ['agent_name', { agent_name: undefined }],
    ])('422 naming %s', async (field, patch) => {
      const res = await beat({
        worker_id: 'w',
        agent_name: 'n',
        status: 'registered',
        active_jobs: 0,
        ...patch,
      })
      expect(res.statusCode).toBe(422)
      expect(res.json().detail.map((d: { loc: string[] }) => d.loc.at(-1))).toContain(field)
    })
  })
})
