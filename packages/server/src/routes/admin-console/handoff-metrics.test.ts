import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { insertConversation } from '../../../test/seed-conversation.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { percentile } from '../../analytics/handoff-metrics.ts'
import { createApiKey } from '../../auth/api-key-repo.ts'
import type { Db } from '../../db/schema.ts'
import { newId } from '../../ids.ts'

const RANGE = 'from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z'

interface Reply {
  by: string
  afterSeconds: number
  private?: boolean
}

/**
 * A conversation started at `at`; with `handoffAfter`, handed to a person that many seconds
 * later; `firstReply` stamps who answered it first; `replies` are people's messages.
 */
async function seed(
  db: Db,
  tenantId: string,
  opts: {
    at: string
    handoff?: boolean
    firstReply?: { by: string; afterSeconds: number }
    replies?: Reply[]
  },
): Promise<string> {
  const start = Date.parse(opts.at)
  const iso = (s: number) => new Date(start + s * 1000).toISOString()
  const handoffAt = opts.handoff ? iso(30) : null
  const { id, threadId } = await insertConversation(db, {
    tenant_id: tenantId,
    contact_id: null,
    subject: 'Help',
    status: 'open',
    handled_by: opts.handoff ? 'human' : 'ai',
    handoff_requested_at: handoffAt,
    handoff_reason: opts.handoff ? 'visitor_request' : null,
    first_human_reply_at: opts.firstReply ? iso(30 + opts.firstReply.afterSeconds) : null,
    first_human_reply_user_id: opts.firstReply?.by ?? null,
    created_at: iso(0),
    updated_at: iso(0),
  })
  const messages = [
    { sender_type: 'contact', author_user_id: null, private: 0, s: 0 },
    { sender_type: 'ai', author_user_id: null, private: 0, s: 1 },
    ...(opts.replies ?? []).map((r) => ({
      sender_type: 'agent',
      author_user_id: r.by,
      private: r.private ? 1 : 0,
      s: 30 + r.afterSeconds,
    })),
  ]
  for (const m of messages) {
    await db
      .insertInto('messages')
      .values({
        id: newId('msg'),
        tenant_id: tenantId,
        conversation_id: id,
        thread_id: threadId,
        sender_type: m.sender_type,
        body: 'text',
        source_message_id: null,
        reply_to_id: null,
        channel: 'chat',
        metadata: null,
        private: m.private,
        author_user_id: m.author_user_id,
        created_at: iso(m.s),
      })
      .execute()
  }
  return id
}

forEachDialect('GET /api/v1/conversations/handoff-metrics', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  let ana: string
  let ben: string
  let bob: string
  const get = (query: string, key = a.apiKey) =>
    t.app.inject({
      url: `/api/v1/conversations/handoff-metrics${query}`,
      headers: { 'x-api-key': key },
    })

  beforeAll(async () => {
    t = await buildTestApp({ dialect })
    a = await createTestTenant(t.db, { consoleUser: { name: 'Ana Silva', email: 'ana@a.test' } })
    b = await createTestTenant(t.db, { name: 'Other', consoleUser: { email: 'bob@b.test' } })
    ana = a.consoleUser!.id
    bob = b.consoleUser!.id
    ben = (
      await createAdminUser(t.db, {
        tenantId: a.tenantId,
        email: 'ben@a.test',
        name: 'Ben Okafor',
        password: 'correct horse battery staple',
        role: 'agent',
      })
    ).id
    // Answered by Ana in 60 s: two replies and a private note (not a reply).
    await seed(t.db, a.tenantId, {
      at: '2026-03-02T10:00:00Z',
      handoff: true,
      firstReply: { by: ana, afterSeconds: 60 },
      replies: [
        { by: ana, afterSeconds: 60 },
        { by: ana, afterSeconds: 90 },
        { by: ana, afterSeconds: 95, private: true },
      ],
    })
    // Answered by Ana in 180 s.
    await seed(t.db, a.tenantId, {
      at: '2026-03-03T10:00:00Z',
      handoff: true,
      firstReply: { by: ana, afterSeconds: 180 },
      replies: [{ by: ana, afterSeconds: 180 }],
    })
    // Answered by Ben in 600 s; Ana joins later.
    await seed(t.db, a.tenantId, {
      at: '2026-03-04T10:00:00Z',
      handoff: true,
      firstReply: { by: ben, afterSeconds: 600 },
      replies: [
        { by: ben, afterSeconds: 600 },
        { by: ana, afterSeconds: 700 },
      ],
    })
    // Handed off, nobody answered yet.
    await seed(t.db, a.tenantId, { at: '2026-03-05T10:00:00Z', handoff: true })
    // The assistant alone.
    await seed(t.db, a.tenantId, { at: '2026-03-06T10:00:00Z' })
    // Before the period: answered by Ben in 30 s, not counted.
    await seed(t.db, a.tenantId, {
      at: '2026-02-20T10:00:00Z',
      handoff: true,
      firstReply: { by: ben, afterSeconds: 30 },
      replies: [{ by: ben, afterSeconds: 30 }],
    })
    // Another tenant's hand-offs in the same period, answered fast by its own person.
    for (const day of ['02', '03']) {
      await seed(t.db, b.tenantId, {
        at: `2026-03-${day}T10:00:00Z`,
        handoff: true,
        firstReply: { by: bob, afterSeconds: 5 },
        replies: [{ by: bob, afterSeconds: 5 }],
      })
    }
  })
  afterAll(async () => {
    await t?.close()
  })

  it('figures of the seeded period: totals, p50/p90 and per person', async () => {
    const res = await get(`?${RANGE}`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.json()).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      handoffs: 4,
      handoffs_answered: 3,
      // Waits 60, 180, 600: median 180; p90 between 180 and 600 at 0.8.
      first_human_reply_seconds: { p50: 180, p90: 516 },
      agents: [
        {
          user_id: ana,
          name: 'Ana Silva',
          handoffs_answered: 2,
          first_reply_seconds_p50: 120,
          replies: 4,
        },
        {
          user_id: ben,
          name: 'Ben Okafor',
          handoffs_answered: 1,
          first_reply_seconds_p50: 600,
          replies: 1,
        },
      ],
    })
  })

  it("another tenant's hand-offs are never counted, either way", async () => {
    const res = await get(`?${RANGE}`, b.apiKey)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      handoffs: 2,
      handoffs_answered: 2,
      first_human_reply_seconds: { p50: 5, p90: 5 },
      agents: [{ user_id: bob, handoffs_answered: 2, first_reply_seconds_p50: 5, replies: 2 }],
    })
    expect(res.json().agents).toHaveLength(1)
  })

  it('nulls where there is no data; the default period is the last 30 days', async () => {
    const empty = await get('?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z')
    expect(empty.statusCode, empty.body).toBe(200)
    expect(empty.json()).toEqual({
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-02-01T00:00:00.000Z',
      handoffs: 0,
      handoffs_answered: 0,
      first_human_reply_seconds: { p50: null, p90: null },
      agents: [],
    })
    const before = Date.now()
    const res = await get('')
    expect(res.statusCode, res.body).toBe(200)
    const { from, to } = res.json()
    expect(Date.parse(to)).toBeGreaterThanOrEqual(before)
    expect(Date.parse(to) - Date.parse(from)).toBe(30 * 86_400_000)
  })

  it('is its own route, not GET /api/v1/conversations/{id}', async () => {
    const res = await get(`?${RANGE}`)
    expect(res.statusCode).toBe(200)
    expect(res.json()).not.toHaveProperty('messages')
    expect(res.json()).toHaveProperty('handoffs', 4)
    // An id still reaches the conversation route.
    const other = await t.app.inject({
      url: '/api/v1/conversations/conv_nope',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(other.statusCode).toBe(404)
  })

  it('needs conversations:read: 401 without a key, 403 without the scope', async () => {
    expect((await t.app.inject({ url: '/api/v1/conversations/handoff-metrics' })).statusCode).toBe(
      401,
    )
    const { key: analyticsOnly } = await createApiKey(t.db, {
      tenantId: a.tenantId,
      scopes: ['analytics:read'],
    })
    const denied = await get('', analyticsOnly)
    expect(denied.statusCode, denied.body).toBe(403)
    expect(denied.json().detail).toBe('API key missing required scope: conversations:read')
    const { key: reader } = await createApiKey(t.db, {
      tenantId: a.tenantId,
      scopes: ['conversations:read'],
    })
    expect((await get(`?${RANGE}`, reader)).json().handoffs).toBe(4)
  })

  describe('bad ranges: 422 with a detail', () => {
    it.each([
      ['from after to', 'from=2026-05-01T00:00:00Z&to=2026-04-01T00:00:00Z', 'from'],
      ['from equal to to', 'from=2026-04-01T00:00:00Z&to=2026-04-01T00:00:00Z', 'from'],
      ['more than 366 days', 'from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z', 'from'],
      ['from not a date-time', 'from=yesterday', 'from'],
      ['to not a date-time', 'to=2026-13-45', 'to'],
    ])('%s', async (_name, query, field) => {
      const res = await get(`?${query}`)
      expect(res.statusCode, res.body).toBe(422)
      expect(JSON.stringify(res.json().detail)).toContain(field)
    })

    it('exactly 366 days is fine', async () => {
      const res = await get('?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z')
      expect(res.statusCode, res.body).toBe(200)
    })
  })
})

describe('percentile', () => {
  it('interpolates between ranks and is null without values', () => {
    expect(percentile([], 90)).toBeNull()
    expect(percentile([7], 90)).toBe(7)
    expect(percentile([600, 60, 180], 50)).toBe(180)
    expect(percentile([60, 180, 600], 90)).toBe(516)
    expect(percentile([1, 2, 3, 4], 90)).toBe(3.7)
  })
})
