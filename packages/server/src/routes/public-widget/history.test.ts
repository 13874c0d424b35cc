import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  TEST_SECRET,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import {
  createScriptedAgent,
  ORIGIN,
  postWidget,
  widgetSessionToken,
} from '../../../test/widget-support.ts'
import { signEmailToken } from '../../visitors/email-token.ts'

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
const INVALID_TOKEN = { detail: 'Invalid or expired email token' }

forEachDialect('GET /api/v1/widget/history', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  let janeToken: string
  let bobToken: string
  const conversations: { conversation_id: string; thread_id: string }[] = []

  let ip = 0
  const send = async (body: Record<string, unknown>, tenant: TestTenant = a) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      remoteAddress: `10.1.${Math.floor(ip / 50)}.${ip++ % 50}`,
      headers: { origin: tenant === a ? ORIGIN : 'https://beta.test' },
      payload: { tenant_id: tenant.tenantId, public_key: tenant.publicKey, ...body },
    })
    expect(res.statusCode).toBe(200)
    return res.json()
  }
  const token = (email: string, tenant: TestTenant = a) =>
    widgetSessionToken(t.app, tenant, email, tenant === a ? ORIGIN : 'https://beta.test')
  const history = (query: Record<string, string | number | undefined>, origin = ORIGIN) => {
    const q = new URLSearchParams()
    const all = { tenant_id: a.tenantId, public_key: a.publicKey, email_token: janeToken, ...query }
    for (const [k, v] of Object.entries(all)) if (v !== undefined) q.set(k, String(v))
    return t.app.inject({ url: `/api/v1/widget/history?${q}`, headers: { origin } })
  }

  beforeAll(async () => {
    t = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    a = await createTestTenant(t.db)
    b = await createTestTenant(t.db, {
      name: 'Beta',
      config: { enabled: true, allowed_origins: ['https://beta.test'] },
    })
    janeToken = await token('Jane@Example.com')
    // Seven conversations of Jane's, oldest first, the first with three exchanges.
    for (let i = 0; i < 7; i++) {
      const r = await send({ body: `Question ${i}`, email_token: janeToken })
      conversations.push(r)
    }
    await send({
      body: 'Follow-up A',
      email_token: janeToken,
      source_thread_id: conversations[0]!.thread_id,
    })
    await send({
      body: 'Follow-up B',
      email_token: janeToken,
      source_thread_id: conversations[0]!.thread_id,
    })
    // Someone else's conversation in the same tenant, and Jane's address at another tenant.
    bobToken = await token('bob@example.com')
    await send({ body: 'Bob private', email_token: bobToken })
    await send({ body: 'Jane at Beta', email_token: await token('jane@example.com', b) }, b)
  })
  afterAll(async () => t.close())

  it('answers the contract shape: newest conversations first, messages in order', async () => {
    const res = await history({})
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers.vary).toContain('Origin')
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json()
    expect(Object.keys(body)).toEqual([
      'tenant_id',
      'email',
      'conversations',
      'email_verified',
      'email_code_available',
    ])
    // A token from /session alone proves nothing; this server sends no mail to prove it.
    expect(body).toMatchObject({ email_verified: false, email_code_available: false })
    expect(body.tenant_id).toBe(a.tenantId)
    expect(body.email).toBe('jane@example.com')
    // Default conversation_limit 5; conversation 0 was updated last by the follow-ups.
    expect(body.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      conversations[0]!.conversation_id,
      conversations[6]!.conversation_id,
      conversations[5]!.conversation_id,
      conversations[4]!.conversation_id,
      conversations[3]!.conversation_id,
    ])
    const first = body.conversations[0]
    expect(Object.keys(first)).toEqual([
      'conversation_id',
      'thread_id',
      'subject',
      'status',
      'updated_at',
      'messages',
    ])
    expect(first).toMatchObject({
      thread_id: conversations[0]!.thread_id,
      subject: 'Question 0',
      status: 'open',
      updated_at: expect.stringMatching(TS),
    })
    expect(
      first.messages.map((m: { sender_type: string; body: string }) => [m.sender_type, m.body]),
    ).toEqual([
      ['contact', 'Question 0'],
      ['ai', 'Happy to help with "Question 0" (turn 1).'],
      ['contact', 'Follow-up A'],
      ['ai', 'Happy to help with "Follow-up A" (turn 3).'],
      ['contact', 'Follow-up B'],
      ['ai', 'Happy to help with "Follow-up B" (turn 5).'],
    ])
    expect(first.messages[0]).toEqual({
      id: expect.stringMatching(/^msg_/),
      sender_type: 'contact',
      body: 'Question 0',
      created_at: expect.stringMatching(TS),
      channel: 'chat',
      attachments: [],
    })
    expect(JSON.stringify(body)).not.toContain('Bob private')
    expect(JSON.stringify(body)).not.toContain('Jane at Beta')
  })

  it('honours conversation_limit and message_limit (the most recent messages, in order)', async () => {
    const res = await history({ conversation_limit: 1, message_limit: 3 })
    expect(res.statusCode).toBe(200)
    const [only] = res.json().conversations
    expect(res.json().conversations).toHaveLength(1)
    expect(only.messages.map((m: { body: string }) => m.body)).toEqual([
      'Happy to help with "Follow-up A" (turn 3).',
      'Follow-up B',
      'Happy to help with "Follow-up B" (turn 5).',
    ])
    const all = await history({ conversation_limit: 20, message_limit: 100 })
    expect(all.json().conversations).toHaveLength(7)
  })

  it('lists the files attached to messages (uploaded through /widget/uploads)', async () => {
    const boundary = 'historyBoundary'
    const payload = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="tenant_id"\r\n\r\n${a.tenantId}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="public_key"\r\n\r\n${a.publicKey}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="error-log.txt"\r\nContent-Type: text/plain\r\n\r\n` +
        `printer error 0x41\r\n--${boundary}--\r\n`,
    )
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/uploads',
      headers: { origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    })
    expect(up.statusCode).toBe(201)
    const upload = up.json()
    const sent = await send({
      body: 'Here is the log',
      email_token: janeToken,
      upload_ids: [upload.upload_id],
    })
    const h = (await history({ conversation_limit: 1 })).json()
    expect(h.conversations[0].conversation_id).toBe(sent.conversation_id)
    const [visitor, ai] = h.conversations[0].messages
    expect(visitor.attachments).toEqual([
      {
        upload_id: upload.upload_id,
        file_name: 'error-log.txt',
        content_type: upload.content_type,
        size_bytes: upload.size_bytes,
        url: expect.stringMatching(
          new RegExp(
            `^http://localhost:\\d+/api/v1/widget/uploads/${upload.upload_id}\\?tenant_id=${a.tenantId}&expires=\\d+&signature=[0-9a-f]{64}$`,
          ),
        ),
      },
    ])
    // The signed URL works on its own (no key, no Origin, no token), like an <img src>.
    const signed = new URL(visitor.attachments[0].url)
    const file = await t.app.inject({ url: `${signed.pathname}${signed.search}` })
    expect(file.statusCode).toBe(200)
    expect(file.body).toBe('printer error 0x41')
    // …and only for that upload, unchanged.
    const tampered = await t.app.inject({
      url: `${signed.pathname}${signed.search.replace(/expires=(\d+)/, (_m, e) => `expires=${Number(e) - 1}`)}`,
    })
    expect(tampered.statusCode).toBe(404)
    expect(ai.attachments).toEqual([])
    // Attached once: another message cannot take it.
    const again = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'reuse',
      upload_ids: [upload.upload_id],
    })
    expect(again.statusCode).toBe(422)
    expect(again.json().detail[0].loc).toEqual(['body', 'upload_ids', 0])
  })

  it.each([
    ['conversation_limit', 0],
    ['conversation_limit', 21],
    ['conversation_limit', 'abc'],
    ['conversation_limit', 1.5],
    ['message_limit', 0],
    ['message_limit', 101],
    ['message_limit', 'x'],
  ])('answers 422 for %s=%s', async (field, value) => {
    const res = await history({ [field]: value })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0].loc).toEqual(['query', field])
  })

  it.each(['email_token', 'tenant_id', 'public_key'])(
    'answers 422 naming a missing %s',
    async (f) => {
      const res = await history({ [f]: undefined })
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toEqual([
        { type: 'missing', loc: ['query', f], msg: 'Field required' },
      ])
    },
  )

  it('answers 401 for tampered, expired, foreign-tenant and malformed tokens', async () => {
    const [payload, sig] = janeToken.split('.') as [string, string]
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        email: 'bob@example.com',
      }),
    ).toString('base64url')
    const past = Math.floor(Date.now() / 1000) - 31 * 24 * 3600
    const cases = [
      `${forged}.${sig}`,
      `${payload}.${'0'.repeat(64)}`,
      signEmailToken(TEST_SECRET, {
        tenantId: a.tenantId,
        email: 'jane@example.com',
        nowSec: past,
      }),
      signEmailToken('another-secret-another-secret-0123456789', {
        tenantId: a.tenantId,
        email: 'jane@example.com',
      }),
      await token('jane@example.com', b),
      'not-a-token',
      `${payload}.${sig}.${sig}`,
    ]
    for (const email_token of cases) {
      const res = await history({ email_token })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual(INVALID_TOKEN)
    }
  })

  it("never shows one visitor another's history", async () => {
    const bob = (await history({ email_token: bobToken })).json()
    expect(bob.email).toBe('bob@example.com')
    expect(bob.conversations).toHaveLength(1)
    expect(bob.conversations[0].messages[0].body).toBe('Bob private')
    // Anyone can get a token for Bob's address: it shows nothing of Bob's.
    const impostor = (await history({ email_token: await token('bob@example.com') })).json()
    expect(impostor).toEqual({
      tenant_id: a.tenantId,
      email: 'bob@example.com',
      conversations: [],
      email_verified: false,
      email_code_available: false,
    })
  })

  it("refuses tenant B's key with tenant A's id, and disallowed origins", async () => {
    const cross = await history({ public_key: b.publicKey })
    expect(cross.statusCode).toBe(403)
    expect(cross.json()).toEqual({ detail: 'Invalid widget credentials or widget disabled' })
    // Tenant B's credentials with tenant A's token: the token names another tenant.
    const foreign = await history(
      { tenant_id: b.tenantId, public_key: b.publicKey },
      'https://beta.test',
    )
    expect(foreign.statusCode).toBe(401)
    for (const origin of ['https://example.com.evil.test', 'http://example.com', 'null']) {
      const res = await history({}, origin)
      expect(res.statusCode).toBe(403)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    }
  })

  it('limits history reads to 60 per minute per IP', async () => {
    const own = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    try {
      const c = await createTestTenant(own.db)
      const tok = (
        await postWidget(own.app, '/api/v1/widget/session', {
          tenant_id: c.tenantId,
          public_key: c.publicKey,
          email: 'x@example.com',
        })
      ).json().email_token
      const url = `/api/v1/widget/history?tenant_id=${c.tenantId}&public_key=${c.publicKey}&email_token=${tok}`
      for (let i = 0; i < 60; i++) {
        expect((await own.app.inject({ url, headers: { origin: ORIGIN } })).statusCode).toBe(200)
      }
      const limited = await own.app.inject({ url, headers: { origin: ORIGIN } })
      expect(limited.statusCode).toBe(429)
      expect(limited.headers['x-ratelimit-limit']).toBe('60')
      expect(limited.headers['x-ratelimit-remaining']).toBe('0')
      expect(limited.headers['retry-after']).toBeDefined()
    } finally {
      await own.close()
    }
  })

  describe('POST /api/v1/widget/conversations/:id/resolve', () => {
    const resolve = (id: string, body: Record<string, unknown>, tenant: TestTenant = a) =>
      postWidget(
        t.app,
        `/api/v1/widget/conversations/${id}/resolve`,
        { tenant_id: tenant.tenantId, public_key: tenant.publicKey, ...body },
        tenant === a ? ORIGIN : 'https://beta.test',
      )

    it('lets the token holder resolve their conversation; history shows it; a message reopens it', async () => {
      const target = conversations[6]!
      const res = await resolve(target.conversation_id, { email_token: janeToken })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        tenant_id: a.tenantId,
        conversation_id: target.conversation_id,
        status: 'resolved',
        updated_at: expect.stringMatching(TS),
      })
      const h = (await history({ conversation_limit: 20 })).json()
      const row = h.conversations.find(
        (c: { conversation_id: string }) => c.conversation_id === target.conversation_id,
      )
      expect(row.status).toBe('resolved')
      await send({ body: 'one more', email_token: janeToken, source_thread_id: target.thread_id })
      const again = (await history({ conversation_limit: 1 })).json()
      expect(again.conversations[0]).toMatchObject({
        conversation_id: target.conversation_id,
        status: 'open',
      })
    })

    it('refuses anyone else with one 404, across tenants too', async () => {
      const target = conversations[5]!
      const NOT_FOUND = { detail: 'Conversation not found' }
      const cases = [
        await resolve(target.conversation_id, {}),
        await resolve(target.conversation_id, { source_thread_id: target.thread_id }),
        await resolve(target.conversation_id, { email_token: await token('bob@example.com') }),
        await resolve('conv_doesNotExist000000000', { email_token: janeToken }),
        await resolve(
          target.conversation_id,
          { email_token: await token('jane@example.com', b) },
          b,
        ),
      ]
      for (const res of cases) {
        expect(res.statusCode).toBe(404)
        expect(res.json()).toEqual(NOT_FOUND)
      }
    })

    it('resolves a conversation sent without a token given one of its threads', async () => {
      const anon = await send({ body: 'anonymous', source_thread_id: 'anon-tab-1' })
      expect((await resolve(anon.conversation_id, { source_thread_id: 'other' })).statusCode).toBe(
        404,
      )
      const res = await resolve(anon.conversation_id, { source_thread_id: 'anon-tab-1' })
      expect(res.statusCode).toBe(200)
      expect(res.json().status).toBe('resolved')
    })

    it('answers 401 for a bad token and 422 for a bad thread reference', async () => {
      const t401 = await resolve(conversations[4]!.conversation_id, { email_token: 'bad' })
      expect(t401.statusCode).toBe(401)
      const t422 = await resolve(conversations[4]!.conversation_id, { source_thread_id: 'a b' })
      expect(t422.statusCode).toBe(422)
      expect(t422.json().detail[0].loc).toEqual(['body', 'source_thread_id'])
    })
  })
})
