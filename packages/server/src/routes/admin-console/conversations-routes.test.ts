import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
} from '../../../test/helpers.ts'
import { insertConversation } from '../../../test/seed-conversation.ts'
import { createAdminSession } from '../../admin-users/session-repo.ts'
import { createApiKey } from '../../auth/api-key-repo.ts'
import type { Db } from '../../db/schema.ts'
import { newId } from '../../ids.ts'

interface Seeded {
  id: string
  messageIds: string[]
}

/** A conversation with alternating visitor/assistant messages, one minute apart. */
async function seedConversation(
  db: Db,
  tenantId: string,
  opts: { subject: string; email?: string; bodies: string[]; at: Date; status?: string },
): Promise<Seeded> {
  const at = (i: number) => new Date(opts.at.getTime() + i * 60_000).toISOString()
  let contactId: string | null = null
  if (opts.email) {
    contactId = newId('contact')
    await db
      .insertInto('contacts')
      .values({
        id: contactId,
        tenant_id: tenantId,
        email: opts.email,
        name: null,
        created_at: at(0),
        updated_at: at(0),
      })
      .execute()
  }
  const { id, threadId } = await insertConversation(db, {
    tenant_id: tenantId,
    contact_id: contactId,
    subject: opts.subject,
    status: opts.status ?? 'open',
    created_at: at(0),
    updated_at: at(opts.bodies.length),
  })
  const messageIds: string[] = []
  for (const [i, body] of opts.bodies.entries()) {
    const mid = newId('msg')
    messageIds.push(mid)
    await db
      .insertInto('messages')
      .values({
        id: mid,
        tenant_id: tenantId,
        conversation_id: id,
        thread_id: threadId,
        sender_type: i % 2 === 0 ? 'contact' : 'ai',
        body,
        source_message_id: null,
        reply_to_id: i % 2 === 1 ? messageIds[i - 1]! : null,
        channel: i === 0 ? 'voice' : 'chat',
        metadata: i === 1 ? JSON.stringify({ sources: [{ id: 'kb_1', title: 'Reset' }] }) : null,
        created_at: at(i),
      })
      .execute()
  }
  return { id, messageIds }
}

forEachDialect('console conversations API', (dialect) => {
  let t: TestApp
  let a: { tenantId: string; apiKey: string; session: string }
  let b: { tenantId: string; apiKey: string }
  let older: Seeded
  let newer: Seeded
  let other: Seeded

  beforeEach(async () => {
    t = await buildTestApp({ dialect })
    const ta = await createTestTenant(t.db, { name: 'A' })
    const tb = await createTestTenant(t.db, { name: 'B' })
    await t.db
      .insertInto('admin_users')
      .values({
        id: 'usr_a',
        tenant_id: ta.tenantId,
        email: 'a@a.test',
        name: null,
        password_hash: 'x',
        created_at: new Date().toISOString(),
        role: 'owner',
        availability: 'online',
      })
      .execute()
    const { token } = await createAdminSession(t.db, { userId: 'usr_a', tenantId: ta.tenantId })
    a = { tenantId: ta.tenantId, apiKey: ta.apiKey, session: token }
    b = { tenantId: tb.tenantId, apiKey: tb.apiKey }
    older = await seedConversation(t.db, a.tenantId, {
      subject: 'VPN will not connect',
      email: 'jane@example.com',
      bodies: [
        'My VPN drops every 5 minutes',
        'Try reconnecting with the 100% split tunnel option',
      ],
      at: new Date('2026-01-01T10:00:00Z'),
    })
    newer = await seedConversation(t.db, a.tenantId, {
      subject: 'Password reset',
      bodies: ['I forgot my password', 'Open the reset page', 'Thanks!'],
      at: new Date('2026-01-02T10:00:00Z'),
      status: 'resolved',
    })
    other = await seedConversation(t.db, b.tenantId, {
      subject: 'Secret of tenant B',
      email: 'bob@b.test',
      bodies: ['tenant B private question'],
      at: new Date('2026-01-03T10:00:00Z'),
    })
  })
  afterEach(async () => {
    await t.close()
  })

  const get = (
    url: string,
    headers: Record<string, string> = { authorization: `Bearer ${a.session}` },
  ) => t.app.inject({ url, headers })

  it('lists only the caller tenant conversations, newest first, with counts and the last message', async () => {
    const res = await get('/api/v1/conversations')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ total: 2, limit: 25, offset: 0 })
    expect(body.items.map((c: { id: string }) => c.id)).toEqual([newer.id, older.id])
    expect(body.items[0]).toEqual({
      id: newer.id,
      subject: 'Password reset',
      status: 'resolved',
      contact: null,
      message_count: 3,
      last_message: {
        sender_type: 'contact',
        body: 'Thanks!',
        channel: 'chat',
        created_at: '2026-01-02T10:02:00.000Z',
      },
      created_at: '2026-01-02T10:00:00.000Z',
      updated_at: '2026-01-02T10:03:00.000Z',
      handled_by: 'ai',
      assignee: null,
      handoff_requested_at: null,
      handoff_reason: null,
      first_human_reply_at: null,
      first_human_reply_seconds: null,
    })
    // Seeded without proof (contact_verified 0): the email is labelled a claim.
    expect(body.items[1].contact).toEqual({
      id: expect.any(String),
      email: 'jane@example.com',
      name: null,
      email_verified: false,
      phone: null,
    })
    expect(JSON.stringify(body)).not.toContain('tenant B')
  })

  it('tenant B sees only its own conversation (API key with conversations:read)', async () => {
    const res = await get('/api/v1/conversations', { 'x-api-key': b.apiKey })
    expect(res.statusCode).toBe(200)
    expect(res.json().items.map((c: { id: string }) => c.id)).toEqual([other.id])
  })

  it("another tenant's conversation is 404, not 403: ids do not leak", async () => {
    const res = await get(`/api/v1/conversations/${other.id}`)
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ detail: 'Conversation not found' })
    expect((await get('/api/v1/conversations/conv_doesnotexist')).statusCode).toBe(404)
  })

  it('returns a conversation with its messages oldest first, metadata and attachments', async () => {
    await t.db
      .insertInto('uploads')
      .values({
        id: 'upl_1',
        tenant_id: a.tenantId,
        file_name: 'screenshot.png',
        content_type: 'image/png',
        size_bytes: 3,
        sha256: 'abc',
        data: Buffer.from([1, 2, 3]),
        message_id: older.messageIds[0]!,
        created_at: new Date().toISOString(),
      })
      .execute()
    const res = await get(`/api/v1/conversations/${older.id}`)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.subject).toBe('VPN will not connect')
    expect(body.messages_truncated).toBe(false)
    expect(body.messages).toEqual([
      {
        id: older.messageIds[0],
        thread_id: expect.any(String),
        sender_type: 'contact',
        body: 'My VPN drops every 5 minutes',
        channel: 'voice',
        created_at: '2026-01-01T10:00:00.000Z',
        metadata: null,
        private: false,
        author: null,
        attachments: [
          {
            upload_id: 'upl_1',
            file_name: 'screenshot.png',
            content_type: 'image/png',
            size_bytes: 3,
          },
        ],
      },
      {
        id: older.messageIds[1],
        thread_id: expect.any(String),
        sender_type: 'ai',
        body: 'Try reconnecting with the 100% split tunnel option',
        channel: 'chat',
        created_at: '2026-01-01T10:01:00.000Z',
        metadata: { sources: [{ id: 'kb_1', title: 'Reset' }] },
        private: false,
        author: null,
        attachments: [],
      },
    ])
  })

  it('message_limit keeps the newest messages and says older ones exist', async () => {
    const res = await get(`/api/v1/conversations/${newer.id}?message_limit=2`)
    const body = res.json()
    expect(body.messages.map((m: { body: string }) => m.body)).toEqual([
      'Open the reset page',
      'Thanks!',
    ])
    expect(body.messages_truncated).toBe(true)
    expect(body.message_count).toBe(3)
  })

  it.each([
    ['vpn', ['older']],
    ['JANE@', ['older']],
    ['forgot my', ['newer']],
    ['100%', ['older']],
    ['%', ['older']],
    ['_', []],
    ['tenant B', []],
  ])('q=%j searches subject, email and messages of the tenant only', async (q, expected) => {
    const ids = { older: older.id, newer: newer.id }
    const res = await get(`/api/v1/conversations?q=${encodeURIComponent(q)}`)
    expect(res.statusCode).toBe(200)
    expect(res.json().items.map((c: { id: string }) => c.id)).toEqual(
      expected.map((k) => ids[k as keyof typeof ids]),
    )
    expect(res.json().total).toBe(expected.length)
  })

  it('filters by status and pages with limit/offset', async () => {
    const resolved = (await get('/api/v1/conversations?status=resolved')).json()
    expect(resolved.items.map((c: { id: string }) => c.id)).toEqual([newer.id])
    const page2 = (await get('/api/v1/conversations?limit=1&offset=1')).json()
    expect(page2).toMatchObject({ total: 2, limit: 1, offset: 1 })
    expect(page2.items.map((c: { id: string }) => c.id)).toEqual([older.id])
  })

  it.each([
    ['/api/v1/conversations?limit=0', ['query', 'limit']],
    ['/api/v1/conversations?limit=101', ['query', 'limit']],
    ['/api/v1/conversations?offset=-1', ['query', 'offset']],
    ['/api/v1/conversations?limit=abc', ['query', 'limit']],
    ['/api/v1/conversations/x?message_limit=501', ['query', 'message_limit']],
  ])('%s is 422', async (url, loc) => {
    const res = await get(url)
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0].loc).toEqual(loc)
  })

  it('needs conversations:read: a config-only key gets 403 with the scope named', async () => {
    const { key } = await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:read'] })
    for (const url of ['/api/v1/conversations', `/api/v1/conversations/${older.id}`]) {
      const res = await get(url, { 'x-api-key': key })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual({ detail: 'API key missing required scope: conversations:read' })
    }
  })

  it('no credentials is 401', async () => {
    const res = await get('/api/v1/conversations', {})
    expect(res.statusCode).toBe(401)
  })
})
