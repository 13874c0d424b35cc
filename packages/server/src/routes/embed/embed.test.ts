import { PUBLIC_CONFIG_FIELDS } from '@aurion/contract'
import { TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { addMember } from '../../../test/team-support.ts'
import { ORIGIN, postWidget } from '../../../test/widget-support.ts'
import type { Db } from '../../db/schema.ts'
import { newId, nowIso } from '../../ids.ts'

const LK = {
  LIVEKIT_URL: 'https://lk.example.test',
  LIVEKIT_API_KEY: 'APItestkey',
  LIVEKIT_API_SECRET: 'lk-secret-0123456789abcdef0123456789abcdef',
  AURION_VOICE_AGENT_NAME: 'aurion-test-agent',
}
const verifier = new TokenVerifier(LK.LIVEKIT_API_KEY, LK.LIVEKIT_API_SECRET)

let ipCounter = 0
/** A fresh client address per test, so per-IP buckets never leak between tests. */
const freshIp = () => `10.1.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`

async function addContact(db: Db, tenantId: string, email: string): Promise<string> {
  const id = newId('contact')
  await db
    .insertInto('contacts')
    .values({
      id,
      tenant_id: tenantId,
      email,
      name: null,
      created_at: nowIso(),
      updated_at: nowIso(),
    })
    .execute()
  return id
}

const DENIED = { detail: 'Invalid widget credentials or widget disabled' }
const BAD_ORIGIN = { detail: 'Origin not allowed' }

forEachDialect('embed config', (dialect) => {
  let t: TestApp
  let tenant: TestTenant
  let other: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: LK })
    tenant = await createTestTenant(t.db, {
      config: {
        enabled: true,
        display_title: 'Acme Help',
        launcher_label: 'Ask us',
        allowed_origins: [ORIGIN, 'https://app.example.com'],
        primary_color: '#112233',
        mode: 'both',
        agent_instructions: 'internal instructions',
        welcome_text_translations: { de: 'Hallo!' },
      },
    })
    other = await createTestTenant(t.db, { name: 'Other' })
  })
  afterAll(async () => t.close())

  const post = (payload: unknown, origin: string | null = ORIGIN, ip = freshIp()) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/embed/config',
      headers: origin === null ? {} : { origin },
      remoteAddress: ip,
      payload: payload as Record<string, unknown>,
    })

  it('returns exactly the public fields, with CORS for the allowed origin', async () => {
    const res = await post({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(
      [...PUBLIC_CONFIG_FIELDS, 'voice_available', 'handoff_quick_action'].sort(),
    )
    expect(body).toMatchObject({
      display_title: 'Acme Help',
      launcher_label: 'Ask us',
      primary_color: '#112233',
      mode: 'both',
      welcome_text_translations: { de: 'Hallo!' },
      voice_available: true,
    })
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers.vary).toMatch(/Origin/)
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('never carries the public key, identity secret, API key or private settings', async () => {
    const res = await post({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
    const text = res.body
    expect(text).not.toContain(tenant.publicKey)
    expect(text).not.toContain(tenant.tenant.identity_secret)
    expect(text).not.toContain(tenant.apiKey)
    expect(text).not.toContain('vwk_')
    expect(text).not.toContain('internal instructions')
    for (const k of [
      'public_widget_key',
      'identity_secret',
      'allowed_origins',
      'agent_instructions',
      'voice_auth_enabled',
      'enabled',
    ]) {
      expect(res.json()).not.toHaveProperty(k)
    }
  })

  it('reports voice_available false when LiveKit is not configured', async () => {
    const noLk = await buildTestApp({ dialect })
    try {
      const tt = await createTestTenant(noLk.db)
      const res = await postWidget(noLk.app, '/api/v1/voice-widget/embed/config', {
        tenant_id: tt.tenantId,
        public_key: tt.publicKey,
      })
      expect(res.statusCode).toBe(200)
      expect(res.json().voice_available).toBe(false)
    } finally {
      await noLk.close()
    }
  })

  it('answers one 403 body for unknown tenant, wrong key, another tenant’s key and a disabled widget', async () => {
    const disabled = await createTestTenant(t.db, {
      config: { enabled: false, allowed_origins: [ORIGIN] },
    })
    const cases = [
      { tenant_id: '00000000-0000-4000-8000-000000000000', public_key: tenant.publicKey },
      { tenant_id: tenant.tenantId, public_key: 'vwk_000000000000000000000000' },
      { tenant_id: tenant.tenantId, public_key: other.publicKey },
      { tenant_id: disabled.tenantId, public_key: disabled.publicKey },
      { tenant_id: 'not-a-uuid', public_key: tenant.publicKey },
    ]
    for (const c of cases) {
      const res = await post(c)
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual(DENIED)
    }
  })

  it('refuses origin look-alikes, a missing origin and "null"', async () => {
    for (const origin of [
      'https://example.com.evil.test',
      'http://example.com',
      'https://example.com:8443',
      'https://evil.example.com',
      'null',
      'https://example.com/path',
      null,
    ]) {
      const res = await post({ tenant_id: tenant.tenantId, public_key: tenant.publicKey }, origin)
      expect(res.statusCode, String(origin)).toBe(403)
      expect(res.json()).toEqual(BAD_ORIGIN)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    }
  })

  it('answers a preflight from an allowed origin', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/voice-widget/embed/config',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers['access-control-allow-methods']).toContain('POST')
  })

  it('422 names a missing or mistyped field', async () => {
    const res = await post({ public_key: tenant.publicKey })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail).toContainEqual(
      expect.objectContaining({ loc: ['body', 'tenant_id'], type: 'missing' }),
    )
    const res2 = await post({ tenant_id: tenant.tenantId, public_key: 42 })
    expect(res2.statusCode).toBe(422)
    expect(res2.json().detail[0].loc).toEqual(['body', 'public_key'])
  })

  it('is rate limited per client IP (120/minute) with the contract’s 429 headers', async () => {
    const ip = freshIp()
    const payload = { tenant_id: tenant.tenantId, public_key: tenant.publicKey }
    for (let i = 0; i < 120; i++) {
      const ok = await post(payload, ORIGIN, ip)
      expect(ok.statusCode).toBe(200)
    }
    const res = await post(payload, ORIGIN, ip)
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ detail: 'Rate limit exceeded', limit: 120 })
    expect(res.headers['x-ratelimit-limit']).toBe('120')
    expect(res.headers['x-ratelimit-remaining']).toBe('0')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect((await post(payload, ORIGIN, freshIp())).statusCode).toBe(200)
  })
})

interface Claims {
  sub: string
  exp: number
  nbf: number
  iss: string
  name?: string
  metadata: string
  attributes: Record<string, string>
  video: Record<string, unknown>
  roomConfig: { agents: { agentName: string; metadata: string }[] }
}

async function verify(token: string): Promise<Claims> {
  return (await verifier.verify(token)) as unknown as Claims
}

/** Checks everything a participant token must (and must not) grant. */
async function expectValidVoiceToken(body: Record<string, unknown>, tenantId: string) {
  expect(body.token).toBe(body.participant_token)
  expect(body.livekit_url).toBe('wss://lk.example.test')
  expect(body.server_url).toBe(body.livekit_url)
  expect(body.expires_in_seconds).toBe(3600)
  const claims = await verify(body.token as string)
  expect(claims.iss).toBe(LK.LIVEKIT_API_KEY)
  expect(claims.sub).toBe(body.participant_identity)
  // The SDK reads the clock once for nbf and again for exp: they may fall in two seconds.
  expect(claims.exp - claims.nbf).toBeGreaterThanOrEqual(3599)
  expect(claims.exp - claims.nbf).toBeLessThanOrEqual(3600)
  expect(claims.video).toEqual({
    room: body.room_name,
    roomJoin: true,
    canPublish: true,
    canPublishSources: ['microphone'],
    canSubscribe: true,
    canPublishData: true,
  })
  const meta = JSON.parse(claims.metadata)
  expect(meta).toMatchObject({
    tenant_id: tenantId,
    conversation_id: body.conversation_id,
    thread_id: body.thread_id,
    pre_authenticated: body.pre_authenticated,
    channel: 'voice',
  })
  expect(claims.attributes).toEqual({
    tenant_id: tenantId,
    conversation_id: body.conversation_id,
    thread_id: body.thread_id,
  })
  expect(claims.roomConfig.agents).toHaveLength(1)
  expect(claims.roomConfig.agents[0]!.agentName).toBe('aurion-test-agent')
  expect(JSON.parse(claims.roomConfig.agents[0]!.metadata)).toEqual(meta)
  return { claims, meta }
}

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

forEachDialect('authenticated voice token', (dialect) => {
  let t: TestApp
  let tenant: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: LK })
    tenant = await createTestTenant(t.db)
  })
  afterAll(async () => t.close())

  const post = (headers: Record<string, string>, payload?: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/voice-widget/token', headers, payload })

  it('mints a pre-authenticated token for an API key with config:write', async () => {
    const key = await createTestTenant(t.db, { scopes: ['config:write'] })
    const res = await post({ 'x-api-key': key.apiKey })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.pre_authenticated).toBe(true)
    expect(body.participant_identity).toMatch(/^apikey_key_/)
    const { meta } = await expectValidVoiceToken(body, key.tenantId)
    expect(meta.source).toBe('api')
  })

  it('derives the identity from a dashboard session and ignores an empty JSON body', async () => {
    const { user, headers } = await addMember(t.db, tenant.tenantId, 'owner')
    const res = await post({ ...headers, 'content-type': 'application/json' }, '')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.participant_identity).toBe(`user_${user.id}`)
    const { meta } = await expectValidVoiceToken(body, tenant.tenantId)
    expect(meta.source).toBe('dashboard')
  })

  it('403 with the contract body for a key without config:write; 401 without credentials', async () => {
    const readOnly = await createTestTenant(t.db, { scopes: ['config:read'] })
    const res = await post({ 'x-api-key': readOnly.apiKey })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'API key missing required scope: config:write' })
    const anon = await post({})
    expect(anon.statusCode).toBe(401)
    expect(anon.json()).toHaveProperty('detail')
    const bad = await post({ 'x-api-key': 'itsm_sk_live_nope' })
    expect(bad.statusCode).toBe(401)
  })

  it('allows 5 tokens a minute per principal; the 6th is 429 with the contract headers', async () => {
    const a = await createTestTenant(t.db, { scopes: ['config:write'] })
    for (let i = 0; i < 5; i++) {
      const ok = await post({ 'x-api-key': a.apiKey })
      expect(ok.statusCode).toBe(200)
      expect(ok.headers['x-ratelimit-limit']).toBe('5')
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(4 - i))
    }
    const res = await post({ 'x-api-key': a.apiKey })
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ detail: 'Rate limit exceeded', limit: 5 })
    expect(res.headers['x-ratelimit-limit']).toBe('5')
    expect(res.headers['x-ratelimit-remaining']).toBe('0')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    // Another principal has its own budget.
    const b = await createTestTenant(t.db, { scopes: ['config:write'] })
    expect((await post({ 'x-api-key': b.apiKey })).statusCode).toBe(200)
  })

  it('503 {"detail"} when LiveKit is not configured', async () => {
    const noLk = await buildTestApp({ dialect })
    try {
      const tt = await createTestTenant(noLk.db)
      const res = await noLk.app.inject({
        method: 'POST',
        url: '/api/v1/voice-widget/token',
        headers: { 'x-api-key': tt.apiKey },
      })
      expect(res.statusCode).toBe(503)
      expect(res.json().detail).toMatch(/LiveKit/)
    } finally {
      await noLk.close()
    }
  })
})
