import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { widgetClient } from '../../../test/widget-support.ts'
import { seedDemoArticles } from '../../knowledge/demo-articles.ts'

const DAY = 86_400_000

/**
 * The analytics API over conversations made through the public widget API with the real
 * built-in agent (demo knowledge: IT help): answers, hand-offs, votes, CSAT, unanswered questions.
 */
forEachDialect('analytics API', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let other: TestTenant
  const { post: widget, chat } = widgetClient(() => ({ t, a }), '10.8')

  const get = (url: string, key = a.apiKey) => t.app.inject({ url, headers: { 'x-api-key': key } })
  /** Moves a conversation and its messages back in time (as if it happened `days` ago). */
  const backdate = async (conversationId: string, days: number) => {
    const shift = (iso: string) => new Date(Date.parse(iso) - days * DAY).toISOString()
    const conv = await t.db
      .selectFrom('conversations')
      .select([
        'created_at',
        'updated_at',
        'stat_first_visitor_at',
        'stat_first_ai_at',
        'stat_last_message_at',
      ])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow()
    // The message times the analytics read are kept on the conversation as messages are stored
    // (migration 0030); messages are never updated, so a past written here is written there too.
    const shiftOrNull = (iso: string | null) => (iso === null ? null : shift(iso))
    await t.db
      .updateTable('conversations')
      .set({
        created_at: shift(conv.created_at),
        updated_at: shift(conv.updated_at),
        stat_first_visitor_at: shiftOrNull(conv.stat_first_visitor_at),
        stat_first_ai_at: shiftOrNull(conv.stat_first_ai_at),
        stat_last_message_at: shiftOrNull(conv.stat_last_message_at),
      })
      .where('id', '=', conversationId)
      .execute()
    const messages = await t.db
      .selectFrom('messages')
      .select(['id', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .execute()
    for (const m of messages) {
      await t.db
        .updateTable('messages')
        .set({ created_at: shift(m.created_at) })
        .where('id', '=', m.id)
        .execute()
    }
  }

  let expected: { resolved: string[]; handedOff: string; unresolved: string[] }

  beforeAll(async () => {
    t = await buildTestApp({ dialect })
    a = await createTestTenant(t.db, { consoleUser: { name: 'Dana Reyes' } })
    other = await createTestTenant(t.db, { name: 'Other' })
    await seedDemoArticles(t.db, a.tenantId)

    // Confirmed: answered, then the visitor resolves it.
    const confirmed = await chat('I forgot my password')
    expect(confirmed.sources?.length).toBeGreaterThan(0)
    const resolve = await widget(
      `/api/v1/widget/conversations/${confirmed.conversation_id}/resolve`,
      { source_thread_id: confirmed.thread_id },
    )
    expect(resolve.statusCode, resolve.body).toBe(200)
    // Confirmed: a thumbs-up on the answer.
    const liked = await chat('How do I connect to the VPN?')
    await widget('/api/v1/widget/feedback', {
      thread_id: liked.thread_id,
      message_id: liked.ai_message_id,
      rating: 'up',
    })
    // Assumed: answered two days ago, nothing since.
    const assumed = await chat('How do I add a printer?')
    await backdate(assumed.conversation_id, 2)
    // Not resolved: answered, but the answer got a thumbs-down (with a comment).
    const disliked = await chat('My computer is slow')
    await widget('/api/v1/widget/feedback', {
      thread_id: disliked.thread_id,
      message_id: disliked.ai_message_id,
      rating: 'down',
      comment: 'Did not help',
    })
    // Not resolved: answered less than 24 hours ago, nothing since (may still come back).
    const recent = await chat('How do I set up MFA?')
    // Handed off: the visitor asks for a person.
    const handoff = await chat('I want to talk to a person please')
    // A person answers it from the console.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.consoleUser!.email, password: a.consoleUser!.password },
    })
    expect(login.statusCode, login.body).toBe(200)
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${handoff.conversation_id}/messages`,
      headers: { authorization: `Bearer ${login.json().token}` },
      payload: { body: 'Hi, Dana here. How can I help?' },
    })
    expect(reply.statusCode, reply.body).toBeLessThan(300)
    // Unanswered (no knowledge), the same question three times in different words, and another.
    await chat('Do you ship to Mars?')
    await chat('Can you deliver parcels to Mars?')
    await chat('Is shipping to Mars possible?')
    await chat('Is there a student discount on laptops for interns?')
    // CSAT on two conversations.
    await widget('/api/v1/widget/csat', { thread_id: confirmed.thread_id, score: 5 })
    await widget('/api/v1/widget/csat', { thread_id: disliked.thread_id, score: 2 })
    // Another tenant's activity never shows.
    const theirs = await chat('I forgot my password', {}, other)
    await widget(
      '/api/v1/widget/feedback',
      { thread_id: theirs.thread_id, message_id: theirs.ai_message_id, rating: 'down' },
      other,
    )
    await chat('Do you ship to Mars?', {}, other)
    expected = {
      resolved: [confirmed.conversation_id, liked.conversation_id, assumed.conversation_id],
      handedOff: handoff.conversation_id,
      unresolved: [disliked.conversation_id, recent.conversation_id],
    }
  })
  afterAll(async () => t.close())

  describe('GET /api/v1/analytics/overview', () => {
    it('counts conversations, resolutions (Fin definition), hand-offs, votes and CSAT', async () => {
      const from = new Date(Date.now() - 7 * DAY).toISOString()
      const to = new Date(Date.now() + 60_000).toISOString()
      const res = await get(`/api/v1/analytics/overview?${new URLSearchParams({ from, to })}`)
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(Object.keys(body).sort()).toEqual(
        [
          'ai_resolution_rate',
          'conversations',
          'csat',
          'feedback',
          'first_response_seconds',
          'handed_off',
          'handoff_rate',
          'resolved_by_ai',
          'series',
          'visitor_messages',
        ].sort(),
      )
      expect(body.conversations).toBe(10)
      expect(body.resolved_by_ai).toBe(expected.resolved.length)
      expect(body.handed_off).toBe(1)
      expect(body.ai_resolution_rate).toBeCloseTo(0.3, 4)
      expect(body.handoff_rate).toBeCloseTo(0.1, 4)
      // Messages sent in the period: ten conversations with one visitor message each.
      expect(body.visitor_messages).toBe(10)
      expect(body.feedback).toEqual({ up: 1, down: 1 })
      expect(body.csat).toEqual({ average: 3.5, responses: 2 })
      expect(body.first_response_seconds.ai_p50).toBeGreaterThanOrEqual(0)
      expect(body.first_response_seconds.human_p50).toBeGreaterThanOrEqual(0)
      // A day per entry, the last 8 calendar days in UTC; the total matches.
      expect(body.series.length).toBe(8)
      const sum = (k: string) =>
        body.series.reduce((n: number, p: Record<string, number>) => n + p[k]!, 0)
      expect(sum('conversations')).toBe(10)
      expect(sum('resolved_by_ai')).toBe(3)
      expect(sum('handed_off')).toBe(1)
      for (const p of body.series) expect(p.start).toMatch(/T00:00:00\.000Z$/)
    })

    it('a vote changed later replaces the first in the counts', async () => {
      const m = await chat('How do I reset my password?')
      for (const rating of ['down', 'up']) {
        await widget('/api/v1/widget/feedback', {
          thread_id: m.thread_id,
          message_id: m.ai_message_id,
          rating,
        })
      }
      const body = (await get('/api/v1/analytics/overview')).json()
      expect(body.feedback).toEqual({ up: 2, down: 1 })
      // The thumbs-up confirms the answer: one more resolution.
      expect(body.resolved_by_ai).toBe(4)
    })

    it('weeks start on Monday at midnight in the time zone asked for', async () => {
      const res = await get(
        `/api/v1/analytics/overview?${new URLSearchParams({
          from: '2026-03-01T00:00:00Z',
          to: '2026-04-15T00:00:00Z',
          interval: 'week',
          tz: 'Europe/Berlin',
        })}`,
      )
      expect(res.statusCode, res.body).toBe(200)
      const starts = res.json().series.map((p: { start: string }) => p.start)
      // Monday 23 February 2026, 00:00 in Berlin (UTC+1); after 29 March, UTC+2.
      expect(starts[0]).toBe('2026-02-22T23:00:00.000Z')
      expect(starts).toContain('2026-03-22T23:00:00.000Z')
      expect(starts).toContain('2026-03-29T22:00:00.000Z')
      expect(starts.at(-1)).toBe('2026-04-12T22:00:00.000Z')
      expect(res.json().conversations).toBe(0)
      expect(res.json().ai_resolution_rate).toBeNull()
    })

    it.each([
      ['interval=month', 'interval'],
      ['tz=Mars/Olympus_Mons', 'tz'],
      ['from=2026-05-01T00:00:00Z&to=2026-04-01T00:00:00Z', 'from'],
      ['from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['from=yesterday', 'from'],
    ])('bad query %s: 422', async (query, field) => {
      const res = await get(`/api/v1/analytics/overview?${query}`)
      expect(res.statusCode, res.body).toBe(422)
      expect(JSON.stringify(res.json().detail)).toContain(field)
    })

    it('needs analytics:read: 401 without a key, 403 without the scope', async () => {
      expect((await t.app.inject({ url: '/api/v1/analytics/overview' })).statusCode).toBe(401)
      const narrow = await createTestTenant(t.db, { scopes: ['conversations:read'] })
      const res = await get('/api/v1/analytics/overview', narrow.apiKey)
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual({ detail: 'API key missing required scope: analytics:read' })
      const ok = await createTestTenant(t.db, { scopes: ['analytics:read'] })
      expect((await get('/api/v1/analytics/unanswered', ok.apiKey)).statusCode).toBe(200)
    })
  })

  describe('GET /api/v1/analytics/unanswered', () => {
    it('groups one uncovered question asked three ways: count 3, an example, its conversations', async () => {
      const res = await get('/api/v1/analytics/unanswered')
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      const mars = body.groups.filter((g: { example: string }) => /mars/i.test(g.example))
      expect(mars).toHaveLength(1)
      expect(mars[0].count).toBe(3)
      expect(mars[0].example).toBe('Is shipping to Mars possible?')
      expect(mars[0].wordings).toHaveLength(3)
      expect(mars[0].reasons).toEqual({ no_answer: 3, thumbs_down: 0 })
      expect(mars[0].conversations).toHaveLength(3)
      for (const link of mars[0].conversations) {
        expect(link.url).toMatch(/\/api\/v1\/conversations\/conv_/)
        const conv = await get(link.url.replace(/^https?:\/\/[^/]+/, ''))
        expect(conv.statusCode).toBe(200)
      }
      // The biggest group first; the other question is its own group.
      expect(body.groups[0]).toEqual(mars[0])
      expect(
        body.groups.some((g: { example: string; count: number }) =>
          g.example.includes('student discount'),
        ),
      ).toBe(true)
    })

    it('an answer voted down lists its question with the reason', async () => {
      const body = (await get('/api/v1/analytics/unanswered')).json()
      const slow = body.groups.find((g: { example: string }) => g.example === 'My computer is slow')
      expect(slow).toMatchObject({ count: 1, reasons: { no_answer: 0, thumbs_down: 1 } })
      // The other tenant's down vote is not here.
      expect(body.total).toBe(
        body.groups.reduce((n: number, g: { count: number }) => n + g.count, 0),
      )
    })

    it('a period without them is empty; limit caps the groups', async () => {
      const old = await get(
        '/api/v1/analytics/unanswered?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z',
      )
      expect(old.json()).toEqual({ total: 0, groups: [] })
      const one = (await get('/api/v1/analytics/unanswered?limit=1')).json()
      expect(one.groups).toHaveLength(1)
      expect((await get('/api/v1/analytics/unanswered?limit=0')).statusCode).toBe(422)
    })
  })

  describe('GET /api/v1/analytics/articles and /agents', () => {
    it('the most cited articles, most first', async () => {
      const res = await get('/api/v1/analytics/articles?limit=3')
      expect(res.statusCode, res.body).toBe(200)
      const { articles } = res.json()
      expect(articles.length).toBeGreaterThan(0)
      expect(articles.length).toBeLessThanOrEqual(3)
      expect(articles.map((x: { title: string }) => x.title)).toContain('Reset your password')
      const counts = articles.map((x: { citations: number }) => x.citations)
      expect(counts).toEqual([...counts].sort((x: number, y: number) => y - x))
    })

    it("the person who answered the hand-off, with their first reply's median", async () => {
      const res = await get('/api/v1/analytics/agents')
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().agents).toEqual([
        {
          user_id: a.consoleUser!.id,
          name: 'Dana Reyes',
          email: a.consoleUser!.email,
          conversations: 1,
          first_reply_p50: expect.any(Number),
        },
      ])
      expect((await get('/api/v1/analytics/agents', other.apiKey)).json()).toEqual({ agents: [] })
    })
  })
})
