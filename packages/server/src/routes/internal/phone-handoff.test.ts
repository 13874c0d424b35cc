import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { HANDOFF_PHRASES } from '../../agent/phrases/handoff-replies.ts'
import { seedDemoArticles } from '../../knowledge/demo-articles.ts'
import { touchPresence } from '../../team/presence-repo.ts'

const TOKEN = 'internal-token-phone-handoff-0123456789abcdef0123'
const AUTH = { authorization: `Bearer ${TOKEN}` }
const en = HANDOFF_PHRASES.en

interface Line {
  type: string
  ai_response?: string
  end_call?: boolean
  transfer?: boolean
}

// A phone caller asking for a person: transferred when someone is online and the line has a
// transfer number, else asked for a message; the conversation goes to the inbox either way.
forEachDialect('internal API: hand-off on a phone call', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let n = 0
  beforeEach(async () => {
    t = await buildTestApp({ dialect, env: { AURION_INTERNAL_TOKEN: TOKEN } })
    a = await createTestTenant(t.db, {
      name: 'Phones',
      consoleUser: { email: `ada${++n}-${dialect}@acme.test` },
    })
    await seedDemoArticles(t.db, a.tenantId)
  })
  afterEach(() => t.close())

  const online = () =>
    touchPresence(t.db, {
      userId: a.consoleUser!.id,
      tenantId: a.tenantId,
      tabId: 'tab-1',
      now: new Date(),
    })
  const line = (transferTo: string | null) =>
    t.db
      .insertInto('phone_lines')
      .values({
        tenant_id: a.tenantId,
        enabled: 1,
        greeting: null,
        transfer_to: transferTo,
        updated_at: new Date().toISOString(),
      })
      .execute()
  const call = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/internal/v1/phone/calls',
      headers: AUTH,
      payload: { tenant_id: a.tenantId, caller_number: '+15550140' },
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as { conversation_id: string; thread_id: string }
  }
  const say = async (
    c: { conversation_id: string; thread_id: string },
    text: string,
    extra: Record<string, unknown> = {},
  ) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/internal/v1/conversations/${c.conversation_id}/reply`,
      headers: AUTH,
      payload: {
        tenant_id: a.tenantId,
        thread_id: c.thread_id,
        channel: 'phone',
        segment_id: `seg-${Math.random().toString(36).slice(2)}`,
        text,
        ...extra,
      },
    })
    return res
  }
  const done = (body: string): Line =>
    body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line)
      .find((l) => l.type === 'done')!
  const handledBy = async (id: string) =>
    (
      await t.db
        .selectFrom('conversations')
        .select('handled_by')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).handled_by

  it('someone online and a transfer number: the caller is transferred, the inbox has the call', async () => {
    await online()
    await line('+15550199')
    const c = await call()
    const res = await say(c, 'I want to talk to a person')
    expect(res.statusCode, res.body).toBe(200)
    expect(done(res.body)).toMatchObject({
      ai_response: en.phoneTransfer,
      end_call: true,
      transfer: true,
    })
    expect(await handledBy(c.conversation_id)).toBe('human')
  })

  it('no transfer number, or nobody online: the caller leaves a message, which is stored', async () => {
    await online()
    await line(null)
    const c = await call()
    const first = done((await say(c, 'Can I speak to a human please')).body)
    expect(first.transfer).toBeUndefined()
    expect(first).toMatchObject({ end_call: true, ai_response: en.phoneMessage })
    expect(await handledBy(c.conversation_id)).toBe('human')
    // The message: stored as the caller's phone turn, nobody answers it but a person.
    const message = await say(c, 'My printer is on fire, call me back on this number')
    expect(done(message.body)).toMatchObject({ end_call: true, ai_response: '' })
    const rows = await t.db
      .selectFrom('messages')
      .select(['sender_type', 'channel', 'body'])
      .where('conversation_id', '=', c.conversation_id)
      .orderBy('seq')
      .execute()
    expect(rows.map((r) => `${r.sender_type}/${r.channel}`)).toEqual([
      'contact/phone',
      'ai/phone',
      'contact/phone',
    ])
    expect(rows[2]!.body).toMatch(/printer is on fire/)

    // The inbox: the caller's number as the contact, the spoken turns as phone turns.
    const inbox = await t.app.inject({
      url: `/api/v1/conversations/${c.conversation_id}`,
      headers: { 'x-api-key': a.apiKey },
    })
    expect(inbox.statusCode, inbox.body).toBe(200)
    const detail = inbox.json()
    expect(detail).toMatchObject({
      // Like every conversation, named by the caller's first words.
      subject: 'Can I speak to a human please',
      handled_by: 'human',
      contact: { phone: '+15550140', email: null, name: null },
    })
    expect(detail.messages.map((m: { channel: string }) => m.channel)).toEqual([
      'phone',
      'phone',
      'phone',
    ])
  })

  it('nobody online with a transfer number: offline text and a message, no transfer', async () => {
    await line('+15550199')
    const c = await call()
    const d = done((await say(c, 'talk to a person')).body)
    expect(d.transfer).toBeUndefined()
    expect(d.ai_response).toBe(`${en.offline} ${en.phoneMessage}`)
  })

  it('the keypad key for a person is the quick action; any other action is refused', async () => {
    await online()
    await line('+15550199')
    const c = await call()
    // Words that ask for nobody: the action alone hands off.
    const res = await say(c, 'Keypad 0', { action: 'talk_to_person' })
    expect(done(res.body)).toMatchObject({ transfer: true, end_call: true })
    const stored = await t.db
      .selectFrom('messages')
      .select('metadata')
      .where('conversation_id', '=', c.conversation_id)
      .where('sender_type', '=', 'contact')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(stored.metadata!)).toMatchObject({ action: 'talk_to_person' })

    const bad = await say(c, 'hello', { action: 'delete_everything' })
    expect(bad.statusCode).toBeGreaterThanOrEqual(400)
    expect(bad.statusCode).toBeLessThan(500)
    expect(bad.json().detail).toBeDefined()
  })
})
