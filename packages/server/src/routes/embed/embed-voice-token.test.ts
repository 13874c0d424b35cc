import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { ORIGIN, postWidget } from '../../../test/widget-support.ts'
import {
  addContact,
  BAD_ORIGIN,
  DENIED,
  expectValidVoiceToken,
  freshIp,
  LK,
  verify,
} from './embed-test-support.ts'

forEachDialect('embed voice token', (dialect) => {
  let t: TestApp
  let tenant: TestTenant
  let noAuth: TestTenant
  let other: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: LK })
    tenant = await createTestTenant(t.db)
    noAuth = await createTestTenant(t.db, {
      name: 'No voice auth',
      config: { enabled: true, allowed_origins: [ORIGIN], voice_auth_enabled: false },
    })
    other = await createTestTenant(t.db, { name: 'Other' })
  })
  afterAll(async () => t.close())

  const token = (
    payload: Record<string, unknown>,
    origin: string | null = ORIGIN,
    ip = freshIp(),
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/embed/token',
      headers: origin === null ? {} : { origin },
      remoteAddress: ip,
      payload,
    })
  const creds = (x: TestTenant) => ({ tenant_id: x.tenantId, public_key: x.publicKey })

  it('mints a room-scoped token with server-chosen identity, metadata and agent dispatch', async () => {
    const res = await token(creds(tenant))
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(
      [
        'conversation_id',
        'expires_in_seconds',
        'livekit_url',
        'participant_identity',
        'participant_token',
        'pre_authenticated',
        'room_name',
        'server_url',
        'thread_id',
        'token',
      ].sort(),
    )
    expect(body.participant_identity).toMatch(/^visitor_[0-9A-Za-z]{16}$/)
    expect(body.pre_authenticated).toBe(false)
    expect(body.room_name).toBe(`aurion_${body.conversation_id}`)
    const { meta } = await expectValidVoiceToken(body, tenant.tenantId)
    expect(meta.source).toBe('widget')
    const conv = await t.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', body.conversation_id)
      .executeTakeFirst()
    expect(conv).toMatchObject({ tenant_id: tenant.tenantId, status: 'open' })
    const thread = await t.db
      .selectFrom('threads')
      .selectAll()
      .where('id', '=', body.thread_id)
      .executeTakeFirst()
    expect(thread?.conversation_id).toBe(body.conversation_id)
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
  })

  it('ignores identity, room and grant fields a client tries to choose', async () => {
    const res = await token({
      ...creds(tenant),
      participant_identity: 'admin',
      identity: 'admin',
      room_name: 'victim-room',
      roomAdmin: true,
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.participant_identity).toMatch(/^visitor_/)
    expect(body.room_name).not.toBe('victim-room')
    const claims = await verify(body.token)
    expect(claims.video.roomAdmin).toBeUndefined()
  })

  it('gives every visitor a distinct identity and a new conversation by default', async () => {
    const a = (await token(creds(tenant))).json()
    const b = (await token(creds(tenant))).json()
    expect(a.participant_identity).not.toBe(b.participant_identity)
    expect(a.conversation_id).not.toBe(b.conversation_id)
  })

  it('continues one conversation by source_thread_id, with or without conversation_id (voice and chat share it)', async () => {
    const first = (
      await token({ ...creds(tenant), source_thread_id: 'thread-from-widget-1' })
    ).json()
    const again = (
      await token({ ...creds(tenant), source_thread_id: 'thread-from-widget-1' })
    ).json()
    expect(again.conversation_id).toBe(first.conversation_id)
    expect(again.thread_id).toBe(first.thread_id)
    expect(again.room_name).toBe(first.room_name)
    const byConv = (
      await token({
        ...creds(tenant),
        conversation_id: first.conversation_id,
        source_thread_id: 'thread-from-widget-1',
      })
    ).json()
    expect(byConv.conversation_id).toBe(first.conversation_id)
    expect(byConv.thread_id).toBe(first.thread_id)
    // The conversation id alone proves nothing: it is shown to more people than its visitor.
    const byIdAlone = await token({ ...creds(tenant), conversation_id: first.conversation_id })
    expect(byIdAlone.statusCode).toBe(404)
    expect(byIdAlone.json()).toEqual({ detail: 'Conversation not found' })
    // The same client thread id in another tenant is another conversation.
    const otherTenant = (
      await token({ ...creds(other), source_thread_id: 'thread-from-widget-1' })
    ).json()
    expect(otherTenant.conversation_id).not.toBe(first.conversation_id)
  })

  it('a call continues the chat conversation: same conversation, thread and room as chat', async () => {
    const chat = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: { origin: ORIGIN },
      remoteAddress: freshIp(),
      payload: { ...creds(tenant), body: 'How do I reset my password?' },
    })
    expect(chat.statusCode).toBe(200)
    const { conversation_id, thread_id } = chat.json()
    const byThread = (await token({ ...creds(tenant), source_thread_id: thread_id })).json()
    expect(byThread.conversation_id).toBe(conversation_id)
    expect(byThread.thread_id).toBe(thread_id)
    const byConversation = (
      await token({ ...creds(tenant), conversation_id, source_thread_id: thread_id })
    ).json()
    expect(byConversation.conversation_id).toBe(conversation_id)
    expect(byConversation.room_name).toBe(byThread.room_name)
    const { meta } = await expectValidVoiceToken(byConversation, tenant.tenantId)
    expect(meta.thread_id).toBe(thread_id)
    // The subject chat gave the conversation is kept.
    const conv = await t.db
      .selectFrom('conversations')
      .select('subject')
      .where('id', '=', conversation_id)
      .executeTakeFirstOrThrow()
    expect(conv.subject).not.toBe('Voice call')
  })

  it('a conversation proven by an email token is continued by voice only with that token', async () => {
    const session = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/session',
      headers: { origin: ORIGIN },
      remoteAddress: freshIp(),
      payload: { ...creds(tenant), email: 'verified@example.com' },
    })
    expect(session.statusCode).toBe(200)
    const { email_token } = session.json()
    const chat = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: { origin: ORIGIN },
      remoteAddress: freshIp(),
      payload: { ...creds(tenant), body: 'My VPN drops', email_token },
    })
    expect(chat.statusCode).toBe(200)
    const { conversation_id } = chat.json()
    const stranger = await token({ ...creds(tenant), conversation_id })
    expect(stranger.statusCode).toBe(404)
    expect(stranger.json()).toEqual({ detail: 'Conversation not found' })
    const claimed = await token({
      ...creds(tenant),
      conversation_id,
      user_email: 'verified@example.com',
    })
    expect(claimed.statusCode).toBe(404)
    const owner = await token({ ...creds(tenant), conversation_id, email_token })
    expect(owner.statusCode).toBe(200)
    const { meta } = await expectValidVoiceToken(owner.json(), tenant.tenantId)
    // The token was not proven (no identity verification, no code): the email is a claim.
    expect(meta).toMatchObject({ user_email: 'verified@example.com', email_verified: false })
    const contradicting = await token({
      ...creds(tenant),
      email_token,
      user_email: 'x@example.com',
    })
    expect(contradicting.statusCode).toBe(422)
    expect(contradicting.json().detail[0].loc).toEqual(['body', 'user_email'])
    const forged = await token({
      ...creds(tenant),
      conversation_id,
      email_token: `${email_token}0`,
    })
    expect(forged.statusCode).toBe(401)
    expect(forged.json()).toEqual({ detail: 'Invalid or expired email token' })
  })

  it('404 for a source_thread_id outside the named conversation, 422 for one of bad shape', async () => {
    const a = (await token(creds(tenant))).json()
    const b = (await token(creds(tenant))).json()
    const res = await token({
      ...creds(tenant),
      conversation_id: a.conversation_id,
      source_thread_id: b.thread_id,
    })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ detail: 'Conversation not found' })
    const bad = await token({ ...creds(tenant), source_thread_id: '../../etc' })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().detail[0].loc).toEqual(['body', 'source_thread_id'])
  })

  it('creates one conversation under concurrent first calls with one source_thread_id', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => token({ ...creds(tenant), source_thread_id: 'race-thread' })),
    )
    expect(results.map((r) => r.statusCode)).toEqual(Array(6).fill(200))
    expect(new Set(results.map((r) => r.json().conversation_id)).size).toBe(1)
    const threads = await t.db
      .selectFrom('threads')
      .select('id')
      .where('tenant_id', '=', tenant.tenantId)
      .where('source_thread_id', '=', 'race-thread')
      .execute()
    expect(threads).toHaveLength(1)
  })

  it('404 for an unknown or another tenant’s conversation_id, 422 for a malformed user_email', async () => {
    const theirs = (await token(creds(other))).json()
    for (const conversation_id of ['conv_doesnotexist', theirs.conversation_id]) {
      const res = await token({
        ...creds(tenant),
        conversation_id,
        source_thread_id: theirs.thread_id,
      })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual({ detail: 'Conversation not found' })
    }
    const bad = await token({ ...creds(tenant), user_email: 'not-an-email' })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().detail[0].loc).toEqual(['body', 'user_email'])
  })

  describe('pre_authenticated', () => {
    it('is false when voice auth is on, even for an existing contact', async () => {
      const jane = await addContact(t.db, tenant.tenantId, 'jane@example.com')
      const body = (await token({ ...creds(tenant), user_email: 'jane@example.com' })).json()
      expect(body.pre_authenticated).toBe(false)
      const { meta } = await expectValidVoiceToken(body, tenant.tenantId)
      // A typed email is a claim: never merged into the contact that has it.
      expect(meta.contact_id).not.toBe(jane)
      expect(meta.user_email).toBe('jane@example.com')
      expect(meta.email_verified).toBe(false)
    })

    it('is true when voice auth is off and the email matches an existing contact (any case)', async () => {
      const contactId = await addContact(t.db, noAuth.tenantId, 'sam@example.com')
      const body = (await token({ ...creds(noAuth), user_email: 'Sam@Example.COM' })).json()
      expect(body.pre_authenticated).toBe(true)
      const { meta } = await expectValidVoiceToken(body, noAuth.tenantId)
      expect(meta.user_email).toBe('sam@example.com')
      // Pre-authenticated as the contract allows, but still a claim: not merged into the contact.
      expect(meta.contact_id).not.toBe(contactId)
      const conv = await t.db
        .selectFrom('conversations')
        .select(['contact_id', 'claimed_email', 'contact_verified'])
        .where('id', '=', body.conversation_id)
        .executeTakeFirst()
      expect(conv).toEqual({
        contact_id: meta.contact_id,
        claimed_email: 'sam@example.com',
        contact_verified: 0,
      })
    })

    it('is false for an unknown email, no email, or another tenant’s contact', async () => {
      await addContact(t.db, other.tenantId, 'other@example.com')
      for (const extra of [
        { user_email: 'first-time@example.com' },
        {},
        { user_email: 'other@example.com' },
      ]) {
        const body = (await token({ ...creds(noAuth), ...extra })).json()
        expect(body.pre_authenticated).toBe(false)
      }
    })

    it('is false when continuing a conversation that belongs to another contact', async () => {
      await addContact(t.db, noAuth.tenantId, 'owner@example.com')
      await addContact(t.db, noAuth.tenantId, 'intruder@example.com')
      const start = (await token({ ...creds(noAuth), user_email: 'owner@example.com' })).json()
      expect(start.pre_authenticated).toBe(true)
      const res = await token({
        ...creds(noAuth),
        user_email: 'intruder@example.com',
        conversation_id: start.conversation_id,
        source_thread_id: start.thread_id,
      })
      expect(res.json().pre_authenticated).toBe(false)
      expect(JSON.parse((await verify(res.json().token)).metadata).contact_id).toBe(
        JSON.parse((await verify(start.token)).metadata).contact_id,
      )
    })
  })

  it('refuses bad credentials, disallowed origins and chat-only widgets with 403', async () => {
    expect((await token({ ...creds(tenant), public_key: other.publicKey })).json()).toEqual(DENIED)
    const res = await token(creds(tenant), 'https://example.com.evil.test')
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual(BAD_ORIGIN)
    const chatOnly = await createTestTenant(t.db, {
      config: { enabled: true, allowed_origins: [ORIGIN], mode: 'chat' },
    })
    const r2 = await token(creds(chatOnly))
    expect(r2.statusCode).toBe(403)
    expect(r2.json()).toEqual({ detail: 'Voice is not enabled for this widget' })
  })

  it('is rate limited per client IP', async () => {
    const ip = freshIp()
    for (let i = 0; i < 10; i++)
      expect((await token(creds(tenant), ORIGIN, ip)).statusCode).toBe(200)
    const res = await token(creds(tenant), ORIGIN, ip)
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ detail: 'Rate limit exceeded', limit: 10 })
    expect(res.headers['retry-after']).toBeDefined()
  })

  it('503 {"detail"} when LiveKit is not configured, without creating a conversation', async () => {
    const noLk = await buildTestApp({ dialect })
    try {
      const tt = await createTestTenant(noLk.db)
      const res = await postWidget(noLk.app, '/api/v1/voice-widget/embed/token', creds(tt))
      expect(res.statusCode).toBe(503)
      expect(res.json()).toEqual({
        detail: 'Voice is not configured on this server (LiveKit settings missing)',
      })
      expect(await noLk.db.selectFrom('conversations').select('id').execute()).toEqual([])
    } finally {
      await noLk.close()
    }
  })
})
