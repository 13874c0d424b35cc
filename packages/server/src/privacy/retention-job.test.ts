import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  putTestWidgetConfig,
  type TestApp,
} from '../../test/helpers.ts'
import { insertConversation } from '../../test/seed-conversation.ts'
import type { Db } from '../db/schema.ts'
import { newId } from '../ids.ts'
import { applyTenantRetention, RETENTION_BATCH, runRetention } from './retention-job.ts'

const DAY = 24 * 60 * 60 * 1000
const NOW = Date.parse('2026-06-01T12:00:00.000Z')

/** A conversation whose last activity was at `updatedAt`, with two messages and an attachment. */
async function conversationAt(db: Db, tenantId: string, updatedAt: string): Promise<string> {
  const { id, threadId: thread } = await insertConversation(db, {
    tenant_id: tenantId,
    contact_id: null,
    subject: 's',
    status: 'open',
    owner_token_id: null,
    claimed_email: null,
    created_at: updatedAt,
    updated_at: updatedAt,
  })
  for (const sender of ['contact', 'ai']) {
    const msg = newId('msg')
    await db
      .insertInto('messages')
      .values({
        id: msg,
        tenant_id: tenantId,
        conversation_id: id,
        thread_id: thread,
        sender_type: sender,
        body: 'hello',
        source_message_id: null,
        reply_to_id: null,
        channel: 'chat',
        metadata: null,
        created_at: updatedAt,
      })
      .execute()
    if (sender === 'contact') {
      await db
        .insertInto('uploads')
        .values({
          id: newId('upl'),
          tenant_id: tenantId,
          file_name: 'a.pdf',
          content_type: 'application/pdf',
          size_bytes: 4,
          sha256: 'x',
          data: Buffer.from('%PDF'),
          message_id: msg,
          created_at: updatedAt,
        })
        .execute()
    }
  }
  return id
}

const remaining = async (db: Db, tenantId: string) =>
  (
    await db.selectFrom('conversations').select('id').where('tenant_id', '=', tenantId).execute()
  ).map((r) => r.id)

forEachDialect('retention', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ dialect })
  })
  afterAll(async () => t.close())

  it('removes exactly what is older than the policy since its last activity', async () => {
    const a = await createTestTenant(t.db)
    const cutoff = NOW - 30 * DAY
    const iso = (ms: number) => new Date(ms).toISOString()
    const due = await conversationAt(t.db, a.tenantId, iso(cutoff - 1))
    const old = await conversationAt(t.db, a.tenantId, iso(cutoff - 400 * DAY))
    const atCutoff = await conversationAt(t.db, a.tenantId, iso(cutoff))
    const fresh = await conversationAt(t.db, a.tenantId, iso(cutoff + 1))
    const recent = await conversationAt(t.db, a.tenantId, iso(NOW - DAY))
    const counts = await applyTenantRetention(t.db, a.tenantId, 30, NOW)
    expect(counts).toEqual({ conversations: 2, messages: 4, uploads: 2, feedback: 0, outbox: 0 })
    expect((await remaining(t.db, a.tenantId)).sort()).toEqual([atCutoff, fresh, recent].sort())
    for (const gone of [due, old]) {
      const msgs = await t.db
        .selectFrom('messages')
        .select('id')
        .where('conversation_id', '=', gone)
        .execute()
      expect(msgs).toEqual([])
    }
    const uploads = await t.db
      .selectFrom('uploads')
      .select('id')
      .where('tenant_id', '=', a.tenantId)
      .execute()
    expect(uploads).toHaveLength(3)
    // Nothing more is due on a second run.
    expect(await applyTenantRetention(t.db, a.tenantId, 30, NOW)).toMatchObject({
      conversations: 0,
    })
  })

  it('works in batches, only for tenants with a policy, and shows the last run', async () => {
    const a = await createTestTenant(t.db)
    const none = await createTestTenant(t.db)
    await putTestWidgetConfig(t.app, a, { retention_days: 7 })
    const cfg = await t.app.inject({
      url: '/api/v1/voice-widget/config',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(cfg.json().retention_days).toBe(7)
    const old = new Date(Date.now() - 8 * DAY).toISOString()
    const n = RETENTION_BATCH + 3
    for (let i = 0; i < n; i++) await conversationAt(t.db, a.tenantId, old)
    const kept = await conversationAt(
      t.db,
      a.tenantId,
      new Date(Date.now() - 6 * DAY).toISOString(),
    )
    const untouched = await conversationAt(t.db, none.tenantId, old)
    const before = await t.app.inject({
      url: '/api/v1/privacy/retention',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(before.json()).toEqual({ retention_days: 7, last_run: null })

    const out = await runRetention(t.database)
    expect(out?.get(a.tenantId)).toEqual({
      conversations: n,
      messages: 2 * n,
      uploads: n,
      feedback: 0,
      outbox: 0,
    })
    expect(out?.has(none.tenantId)).toBe(false)
    expect(await remaining(t.db, a.tenantId)).toEqual([kept])
    expect(await remaining(t.db, none.tenantId)).toEqual([untouched])

    const status = await t.app.inject({
      url: '/api/v1/privacy/retention',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(status.statusCode).toBe(200)
    expect(status.json()).toMatchObject({
      retention_days: 7,
      last_run: { conversations: n, messages: 2 * n, uploads: n, feedback: 0, outbox: 0 },
    })
    // retention_days must be a whole number of days in range; null turns it off.
    for (const bad of [0, -1, 1.5, 100000, 'ten']) {
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/voice-widget/config',
        headers: { 'x-api-key': a.apiKey },
        payload: {
          enabled: true,
          display_title: 'Help',
          launcher_label: 'Chat',
          retention_days: bad,
        },
      })
      expect(res.statusCode, String(bad)).toBe(422)
    }
    await putTestWidgetConfig(t.app, a, { retention_days: null })
    const off = await t.app.inject({
      url: '/api/v1/privacy/retention',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(off.json().retention_days).toBeNull()
  })

  if (dialect === 'postgres') {
    it('runs on one instance at a time (advisory lock)', async () => {
      const held = await t.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${0x41757231})`.execute(conn)
        try {
          return await runRetention(t.database)
        } finally {
          await sql`select pg_advisory_unlock(${0x41757231})`.execute(conn)
        }
      })
      expect(held).toBeUndefined()
      expect(await runRetention(t.database)).toBeInstanceOf(Map)
    })
  }
})
