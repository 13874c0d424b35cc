import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { codeFromMail, SmtpReceiver } from '../../../test/smtp-receiver.ts'
import { createScriptedAgent, ORIGIN, widgetClient } from '../../../test/widget-support.ts'
import { computeUserHash } from '../../visitors/email-token.ts'

const INVALID_CODE = { detail: 'Invalid or expired verification code' }

/** Proving a token's email with a mailed code, against a real SMTP server on 127.0.0.1. */
forEachDialect('POST /api/v1/widget/session/code and /verify', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let smtp: SmtpReceiver
  const widget = widgetClient(() => ({ t, a }), '10.9')
  const nextIp = widget.nextIp

  beforeAll(async () => {
    smtp = new SmtpReceiver()
    const url = await smtp.start()
    t = await buildTestApp({
      dialect,
      env: { AURION_SMTP_URL: url, AURION_MAIL_FROM: 'Acme Support <help@acme.test>' },
      deps: { agent: createScriptedAgent() },
    })
    a = await createTestTenant(t.db)
  })
  afterAll(async () => {
    await t.close()
    await smtp.stop()
  })

  const post = (url: string, payload: Record<string, unknown>, remoteAddress?: string) =>
    widget.post(url, payload, undefined, remoteAddress)
  const session = async (email: string, extra: Record<string, unknown> = {}) =>
    (await post('/api/v1/widget/session', { email, ...extra })).json().email_token as string
  const sendCode = (token: string, remoteAddress?: string) =>
    post('/api/v1/widget/session/code', { email_token: token }, remoteAddress)
  const verify = (token: string, code: string, remoteAddress?: string) =>
    post('/api/v1/widget/session/verify', { email_token: token, code }, remoteAddress)
  const history = async (token: string) => {
    const res = await t.app.inject({
      url: `/api/v1/widget/history?${new URLSearchParams({ tenant_id: a.tenantId, public_key: a.publicKey, email_token: token })}`,
      headers: { origin: ORIGIN },
      remoteAddress: nextIp(),
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }
  /** Asks for a code and reads it from the mail the SMTP server received. */
  const mailedCode = async (token: string, to: string) => {
    const res = await sendCode(token)
    expect(res.statusCode, res.body).toBe(202)
    expect(res.json()).toEqual({ sent: true, expires_in_seconds: 600 })
    const mail = await smtp.next()
    expect(mail.to).toEqual([to])
    return codeFromMail(mail)
  }

  it('proves the email end to end: the other device then lists (and continues) the conversation', async () => {
    const email = 'traveller@example.com'
    // Phone: chats with a token from /session, then proves the email with a code.
    const phone = await session(email)
    const chat = await post('/api/v1/widget/messages', {
      body: 'sent from my phone',
      email_token: phone,
    })
    expect(chat.statusCode).toBe(200)
    const sent = await sendCode(phone)
    expect(sent.statusCode).toBe(202)
    const mail = await smtp.next()
    expect(mail.to).toEqual([email])
    expect(mail.from).toBe('help@acme.test')
    expect(mail.raw).toMatch(/^From: Acme Support <help@acme\.test>/m)
    const phoneProven = await verify(phone, codeFromMail(mail))
    expect(phoneProven.statusCode, phoneProven.body).toBe(200)
    expect(Object.keys(phoneProven.json())).toEqual(['email_token'])
    expect(phoneProven.headers['cache-control']).toBe('no-store')

    // Laptop: a token for the same email sees nothing of the phone's until it proves it too.
    const laptop = await session(email)
    expect(await history(laptop)).toMatchObject({
      conversations: [],
      email_verified: false,
      email_code_available: true,
    })
    const code = await mailedCode(laptop, email)
    const proven = await verify(laptop, code)
    expect(proven.statusCode).toBe(200)
    const laptopProven = proven.json().email_token as string
    const listed = await history(laptopProven)
    expect(listed).toMatchObject({ email_verified: true, email_code_available: false })
    expect(listed.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(
      [chat.json().conversation_id],
    )
    const cont = await post('/api/v1/widget/messages', {
      body: 'and now from my laptop',
      email_token: laptopProven,
      source_thread_id: chat.json().thread_id,
    })
    expect(cont.statusCode).toBe(200)
    expect(cont.json().conversation_id).toBe(chat.json().conversation_id)
    // A code works once.
    expect((await verify(laptop, code)).json()).toEqual(INVALID_CODE)
    // A proven token needs no code.
    const again = await sendCode(laptopProven)
    expect(again.statusCode).toBe(409)
    expect(again.json()).toEqual({ detail: 'The email of this token is already verified' })
  })

  it('refuses after 5 wrong codes, even the right one; a new code starts over', async () => {
    const email = 'fumbler@example.com'
    const token = await session(email)
    const code = await mailedCode(token, email)
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) {
      const res = await verify(token, i === 2 ? 'not a code' : wrong)
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual(INVALID_CODE)
    }
    const locked = await verify(token, code)
    expect(locked.statusCode).toBe(400)
    expect(locked.json()).toEqual(INVALID_CODE)
    const fresh = await mailedCode(token, email)
    expect((await verify(token, ` ${fresh.slice(0, 3)} ${fresh.slice(3)} `)).statusCode).toBe(200)
  })

  it('concurrent guesses share the 5 tries', async () => {
    const email = 'racer@example.com'
    const token = await session(email)
    const code = await mailedCode(token, email)
    const wrong = code === '999999' ? '888888' : '999999'
    const guesses = await Promise.all(Array.from({ length: 12 }, () => verify(token, wrong)))
    expect(guesses.map((g) => g.statusCode)).toEqual(Array(12).fill(400))
    const row = await t.db
      .selectFrom('visitor_email_codes')
      .select('failed_attempts')
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
    expect(Number(row.failed_attempts)).toBe(5)
    expect((await verify(token, code)).json()).toEqual(INVALID_CODE)
  })

  it('a code expires after 10 minutes', async () => {
    const email = 'slow@example.com'
    const token = await session(email)
    const code = await mailedCode(token, email)
    const row = await t.db
      .selectFrom('visitor_email_codes')
      .select(['expires_at', 'created_at', 'code_hash'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(600_000)
    expect(row.code_hash).not.toContain(code)
    await t.db
      .updateTable('visitor_email_codes')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('email', '=', email)
      .execute()
    expect((await verify(token, code)).json()).toEqual(INVALID_CODE)
  })

  it('a code proves only the token it was sent for', async () => {
    const email = 'pair@example.com'
    const mine = await session(email)
    const code = await mailedCode(mine, email)
    const other = await session(email)
    expect((await verify(other, code)).json()).toEqual(INVALID_CODE)
    expect((await verify(mine, code)).statusCode).toBe(200)
  })

  it('rate limits codes per email (3 per 15 minutes) and tries per IP (20 a minute)', async () => {
    const email = 'flooded@example.com'
    const token = await session(email)
    for (let i = 0; i < 3; i++) await mailedCode(token, email)
    // Another token for the same mailbox counts too: nobody floods an inbox.
    const res = await sendCode(await session(email))
    expect(res.statusCode).toBe(429)
    expect(res.json()).toMatchObject({ detail: 'Rate limit exceeded' })
    expect(res.headers['retry-after']).toBeDefined()
    const before = smtp.mails.length

    const addr = nextIp()
    const guesser = await session('guessed@example.com')
    for (let i = 0; i < 20; i++)
      expect((await verify(guesser, '123456', addr)).statusCode).toBe(400)
    const limited = await verify(guesser, '123456', addr)
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['x-ratelimit-limit']).toBe('20')
    expect(smtp.mails.length).toBe(before)
  })

  it('503 when the mail server refuses; no code is left behind', async () => {
    const email = 'bounced@example.com'
    const token = await session(email)
    smtp.refuse = true
    try {
      const res = await sendCode(token)
      expect(res.statusCode).toBe(503)
      expect(res.json()).toEqual({
        detail: 'The verification email could not be sent. Please retry.',
      })
    } finally {
      smtp.refuse = false
    }
    const left = await t.db
      .selectFrom('visitor_email_codes')
      .select('token_id')
      .where('email', '=', email)
      .execute()
    expect(left).toEqual([])
  })

  it('answers bad input with 4xx {"detail"}', async () => {
    const token = await session('input@example.com')
    const empty = await verify(token, '')
    expect(empty.statusCode).toBe(422)
    expect(empty.json().detail[0].loc).toEqual(['body', 'code'])
    const noToken = await post('/api/v1/widget/session/code', {})
    expect(noToken.statusCode).toBe(422)
    const forged = await verify(`${token}0`, '123456')
    expect(forged.statusCode).toBe(401)
    expect(forged.json()).toEqual({ detail: 'Invalid or expired email token' })
    const foreignOrigin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/session/code',
      headers: { origin: 'https://evil.test' },
      payload: { tenant_id: a.tenantId, public_key: a.publicKey, email_token: token },
    })
    expect(foreignOrigin.statusCode).toBe(403)
    // Identity verification already proves the email.
    const hash = computeUserHash(a.tenant.identity_secret, 'sso@example.com')
    const sso = await session('sso@example.com', { user_hash: hash })
    expect((await sendCode(sso)).statusCode).toBe(409)
  })
})

describe('email codes without mail', () => {
  let t: TestApp
  let a: TestTenant
  beforeAll(async () => {
    t = await buildTestApp()
    a = await createTestTenant(t.db)
  })
  afterAll(async () => t.close())

  it('503 "not available" and history says so (email_code_available: false)', async () => {
    const post = (url: string, payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { origin: ORIGIN },
        payload: { tenant_id: a.tenantId, public_key: a.publicKey, ...payload },
      })
    const token = (await post('/api/v1/widget/session', { email: 'x@example.com' })).json()
      .email_token
    const res = await post('/api/v1/widget/session/code', { email_token: token })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({
      detail: 'Email verification is not available: this server sends no email',
    })
    const h = await t.app.inject({
      url: `/api/v1/widget/history?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${token}`,
      headers: { origin: ORIGIN },
    })
    expect(h.json()).toMatchObject({ email_verified: false, email_code_available: false })
  })
})
