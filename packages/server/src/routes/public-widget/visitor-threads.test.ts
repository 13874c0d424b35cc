import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createScriptedAgent, ORIGIN, widgetClient } from '../../../test/widget-support.ts'
import { listenForTests, openSocket, type TestSocket } from '../../../test/ws-client.ts'
import { computeUserHash } from '../../visitors/email-token.ts'

const LK = {
  LIVEKIT_URL: 'https://lk.example.test',
  LIVEKIT_API_KEY: 'APItestkey',
  LIVEKIT_API_SECRET: 'lk-secret-0123456789abcdef0123456789abcdef',
}
const VICTIM = 'victim@example.com'
const NOT_FOUND_THREAD = { detail: 'Thread not found' }

/**
 * "A visitor's thread belongs to that visitor", written out as an attacker would: through HTTP
 * and a real WebSocket, with nothing but the public key, an allowed Origin (curl sets any) and
 * the victim's email address.
 */
forEachDialect('visitor threads: attacks', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let wsBase: string
  const widget = widgetClient(() => ({ t, a }), '10.7')
  const nextIp = widget.nextIp
  const creds = () => ({ tenant_id: a.tenantId, public_key: a.publicKey })

  const post = (url: string, payload: Record<string, unknown>) => widget.post(url, payload)
  const session = async (email: string, extra: Record<string, unknown> = {}) => {
    const res = await post('/api/v1/widget/session', { email, ...extra })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().email_token as string
  }
  const message = (payload: Record<string, unknown>) => post('/api/v1/widget/messages', payload)
  const history = (token: string) =>
    t.app.inject({
      url: `/api/v1/widget/history?${new URLSearchParams({ ...creds(), email_token: token, conversation_limit: '20' })}`,
      headers: { origin: ORIGIN },
      remoteAddress: nextIp(),
    })
  const countMessages = async (conversationId: string) =>
    (
      await t.db
        .selectFrom('messages')
        .select('id')
        .where('conversation_id', '=', conversationId)
        .execute()
    ).length
  const connect = (query: Record<string, string>): TestSocket =>
    openSocket(`${wsBase}?${new URLSearchParams({ ...creds(), ...query })}`, {
      origin: ORIGIN,
      'x-forwarded-for': nextIp(),
    })
  const upload = async (text: string): Promise<string> => {
    const boundary = 'attackBoundary'
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/uploads',
      headers: { origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}` },
      remoteAddress: nextIp(),
      payload: Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="tenant_id"\r\n\r\n${a.tenantId}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="public_key"\r\n\r\n${a.publicKey}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="passport.txt"\r\nContent-Type: text/plain\r\n\r\n` +
          `${text}\r\n--${boundary}--\r\n`,
      ),
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json().upload_id
  }
  const download = (uploadId: string, query: Record<string, string> = {}) =>
    t.app.inject({
      url: `/api/v1/widget/uploads/${uploadId}?${new URLSearchParams({ ...creds(), ...query })}`,
      headers: { origin: ORIGIN },
      remoteAddress: nextIp(),
    })

  /** The victim's own conversation, sent with the victim's own token, with an attachment. */
  let victimToken: string
  let victim: { conversation_id: string; thread_id: string }
  let victimUpload: string

  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: LK, deps: { agent: createScriptedAgent() } })
    a = await createTestTenant(t.db)
    wsBase = `${await listenForTests(t.app)}/api/v1/widget/ws`
    victimToken = await session(VICTIM)
    victimUpload = await upload('passport number X1234567')
    const res = await message({
      body: 'My passport scan, please update my account',
      email_token: victimToken,
      upload_ids: [victimUpload],
    })
    expect(res.statusCode, res.body).toBe(200)
    victim = res.json()
  })
  afterAll(async () => t.close())

  it('history: a token for the victim’s email, from /session alone, lists none of the victim’s conversations', async () => {
    const attacker = await session(VICTIM)
    const res = await history(attacker)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ email: VICTIM, conversations: [], email_verified: false })
    expect(res.body).not.toContain('passport')
    // The victim's browser (same token across reloads) still sees everything.
    const own = (await history(victimToken)).json()
    expect(own.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      victim.conversation_id,
    ])
  })

  it('history: a victim proven by identity verification is not listed for an unproven token either', async () => {
    const hashed = await createTestTenant(t.db, {
      config: { enabled: true, allowed_origins: [ORIGIN] },
    })
    const userHash = computeUserHash(hashed.tenant.identity_secret, 'ceo@example.com')
    const open = (payload: Record<string, unknown>, url = '/api/v1/widget/session') =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { origin: ORIGIN },
        remoteAddress: nextIp(),
        payload: { tenant_id: hashed.tenantId, public_key: hashed.publicKey, ...payload },
      })
    const proven = (await open({ email: 'ceo@example.com', user_hash: userHash })).json()
      .email_token
    expect(
      (await open({ body: 'board pack', email_token: proven }, '/api/v1/widget/messages'))
        .statusCode,
    ).toBe(200)
    const forged = (await open({ email: 'ceo@example.com' })).json().email_token
    const q = (token: string) =>
      `/api/v1/widget/history?tenant_id=${hashed.tenantId}&public_key=${hashed.publicKey}&email_token=${token}`
    const seen = await t.app.inject({ url: q(forged), headers: { origin: ORIGIN } })
    expect(seen.json().conversations).toEqual([])
    const mine = await t.app.inject({ url: q(proven), headers: { origin: ORIGIN } })
    expect(mine.json()).toMatchObject({ email_verified: true })
    expect(mine.json().conversations).toHaveLength(1)
  })

  it('REST: continuing the victim’s thread by source_thread_id is a 404 and stores nothing', async () => {
    const attacker = await session(VICTIM)
    for (const payload of [
      { email_token: attacker },
      { sender_email: VICTIM },
      {},
      // The thread id without a token, and the conversation's first thread by its client id.
    ]) {
      const res = await message({
        body: 'Please change my payout account to IBAN XX00',
        source_thread_id: victim.thread_id,
        ...payload,
      })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual(NOT_FOUND_THREAD)
    }
    expect(await countMessages(victim.conversation_id)).toBe(2)
    const own = await message({
      body: 'follow-up from the victim',
      source_thread_id: victim.thread_id,
      email_token: victimToken,
    })
    expect(own.statusCode).toBe(200)
    expect(own.json().conversation_id).toBe(victim.conversation_id)
  })

  it('REST: a source_message_id replay of the victim’s message returns nothing of theirs', async () => {
    const mine = await message({
      body: 'replayable',
      email_token: victimToken,
      source_message_id: 'victim-msg-0001',
    })
    expect(mine.statusCode).toBe(200)
    const replay = await message({
      body: 'replayable',
      source_message_id: 'victim-msg-0001',
      email_token: await session(VICTIM),
    })
    expect(replay.statusCode).toBe(409)
    expect(replay.body).not.toContain(mine.json().conversation_id)
  })

  it('WS: a frame continuing the victim’s thread is refused with not_found', async () => {
    const attacker = await session(VICTIM)
    const s = connect({ email_token: attacker })
    await s.opened
    const before = await countMessages(victim.conversation_id)
    s.send({ body: 'injected over the socket', source_thread_id: victim.thread_id })
    expect(await s.next()).toEqual({
      type: 'error',
      code: 'not_found',
      message: 'Thread not found',
    })
    expect(await countMessages(victim.conversation_id)).toBe(before)
    s.close()
  })

  it('WS: a socket naming the victim’s thread does not follow it live', async () => {
    const attacker = await session(VICTIM)
    const snoop = connect({ source_thread_id: victim.thread_id, email_token: attacker })
    const owner = connect({ source_thread_id: victim.thread_id, email_token: victimToken })
    await Promise.all([snoop.opened, owner.opened])
    await Promise.all([snoop.ready(), owner.ready()])
    const sent = await message({
      body: 'my new card number ends 4242',
      source_thread_id: victim.thread_id,
      email_token: victimToken,
    })
    expect(sent.statusCode).toBe(200)
    // The owner's socket sees the message and the reply…
    const seen = await owner.until('done')
    expect(JSON.stringify(seen)).toContain('4242')
    // …the snooping socket nothing, not even typing: its next frame is the answer to a ping.
    expect(await snoop.pongNext()).toEqual({ type: 'pong' })
    expect(JSON.stringify(snoop.frames)).not.toContain('4242')
    snoop.close()
    owner.close()
  })

  it('voice: a LiveKit token for the victim’s conversation_id is a 404, as for an unknown one', async () => {
    const attacker = await session(VICTIM)
    for (const payload of [
      { conversation_id: victim.conversation_id, email_token: attacker },
      { conversation_id: victim.conversation_id, user_email: VICTIM },
      { conversation_id: victim.conversation_id },
      { conversation_id: victim.conversation_id, source_thread_id: victim.thread_id },
    ]) {
      const res = await post('/api/v1/voice-widget/embed/token', payload)
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual({ detail: 'Conversation not found' })
    }
    const viaThread = await post('/api/v1/voice-widget/embed/token', {
      source_thread_id: victim.thread_id,
      email_token: attacker,
    })
    expect(viaThread.statusCode).toBe(404)
    const own = await post('/api/v1/voice-widget/embed/token', {
      conversation_id: victim.conversation_id,
      email_token: victimToken,
    })
    expect(own.statusCode).toBe(200)
    expect(own.json().room_name).toBe(`aurion_${victim.conversation_id}`)
  })

  it('uploads: the victim’s attachment is not served with the public key alone, nor with a token for their email', async () => {
    const attacker = await session(VICTIM)
    for (const query of [
      {} as Record<string, string>,
      { email_token: attacker },
      { source_thread_id: victim.thread_id },
      { expires: String(Math.floor(Date.now() / 1000) + 600), signature: '0'.repeat(64) },
    ]) {
      const res = await download(victimUpload, query)
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual({ detail: 'Upload not found' })
    }
    const own = await download(victimUpload, { email_token: victimToken })
    expect(own.statusCode).toBe(200)
    expect(own.body).toBe('passport number X1234567')
  })

  it('uploads: an upload not sent in a message yet is served to nobody', async () => {
    const id = await upload('draft')
    expect((await download(id)).statusCode).toBe(404)
    expect((await download(id, { email_token: victimToken })).statusCode).toBe(404)
  })

  it('an anonymous chat is reached through its thread only, and is claimed by signing in', async () => {
    const anon = await message({
      body: 'question before signing in',
      sender_email: 'late@example.com',
    })
    expect(anon.statusCode).toBe(200)
    const { conversation_id, thread_id } = anon.json()
    // The conversation id alone (shown in answers) is no key to it.
    const byId = await post('/api/v1/voice-widget/embed/token', { conversation_id })
    expect(byId.statusCode).toBe(404)
    // An attacker signing in with that email, without the thread, gets nothing.
    const attacker = await session('late@example.com')
    expect((await history(attacker)).json().conversations).toEqual([])
    // The visitor signs in from the browser that holds the thread: it is theirs now…
    const mine = await session('late@example.com', { source_thread_id: thread_id })
    const listed = (await history(mine)).json()
    expect(listed.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(
      [conversation_id],
    )
    // …so the bare thread reference no longer reaches it, and a late claim changes nothing.
    const bare = await message({ body: 'me too', source_thread_id: thread_id })
    expect(bare.statusCode).toBe(404)
    const late = await session('late@example.com', { source_thread_id: thread_id })
    expect((await history(late)).json().conversations).toEqual([])
    expect(
      (await message({ body: 'still mine', source_thread_id: thread_id, email_token: mine }))
        .statusCode,
    ).toBe(200)
  })
})

forEachDialect('visitor threads: claimed emails in the console', (dialect) => {
  let t: TestApp
  let a: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    a = await createTestTenant(t.db)
  })
  afterAll(async () => t.close())

  const post = (url: string, payload: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { origin: ORIGIN },
      payload: { tenant_id: a.tenantId, public_key: a.publicKey, ...payload },
    })
  const consoleView = async (id: string) => {
    const res = await t.app.inject({
      url: `/api/v1/conversations/${id}`,
      headers: { 'x-api-key': a.apiKey },
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }

  it('labels an unproven sender_email unverified and never merges it into the proven contact', async () => {
    const userHash = computeUserHash(a.tenant.identity_secret, 'boss@example.com')
    const proven = (
      await post('/api/v1/widget/session', { email: 'boss@example.com', user_hash: userHash })
    ).json().email_token
    const real = (
      await post('/api/v1/widget/messages', { body: 'real', email_token: proven })
    ).json()
    const claimed = (
      await post('/api/v1/widget/messages', {
        body: 'wire money',
        sender_email: 'Boss@Example.com',
      })
    ).json()
    const viaToken = (
      await post('/api/v1/widget/messages', {
        body: 'also me',
        email_token: (await post('/api/v1/widget/session', { email: 'boss@example.com' })).json()
          .email_token,
      })
    ).json()

    const realView = await consoleView(real.conversation_id)
    expect(realView.contact).toMatchObject({ email: 'boss@example.com', email_verified: true })
    for (const c of [claimed, viaToken]) {
      const view = await consoleView(c.conversation_id)
      expect(view.contact).toMatchObject({ email: 'boss@example.com', email_verified: false })
      expect(view.contact.id).not.toBe(realView.contact.id)
      expect(c.contact_id).not.toBe(real.contact_id)
    }
    const list = await t.app.inject({
      url: '/api/v1/conversations?q=boss%40example.com',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(
      list
        .json()
        .items.map((i: { contact: { email_verified: boolean } }) => i.contact.email_verified)
        .sort(),
    ).toEqual([false, false, true])
  })
})

describe('visitor threads: legacy tokens', () => {
  it('refuses a token issued before token ids (it proved nothing but the typed email)', async () => {
    const t = await buildTestApp()
    try {
      const a = await createTestTenant(t.db)
      const { createHmac } = await import('node:crypto')
      const now = Math.floor(Date.now() / 1000)
      const body = Buffer.from(
        JSON.stringify({ tid: a.tenantId, email: VICTIM, iat: now, exp: now + 3600 }),
      ).toString('base64url')
      const token = `${body}.${createHmac('sha256', t.config.secret).update(body).digest('hex')}`
      const res = await t.app.inject({
        url: `/api/v1/widget/history?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${token}`,
        headers: { origin: ORIGIN },
      })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid or expired email token' })
    } finally {
      await t.close()
    }
  })
})
