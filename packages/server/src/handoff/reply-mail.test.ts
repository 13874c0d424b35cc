import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { codeFromMail, SmtpReceiver } from '../../test/smtp-receiver.ts'
import { createScriptedAgent, ORIGIN } from '../../test/widget-support.ts'
import { listenForTests, openSocket, type TestSocket } from '../../test/ws-client.ts'
import { createAdminSession } from '../admin-users/session-repo.ts'
import { type ReplyMailOutcome, replyMailEvents } from './reply-mail.ts'

/** A person's reply reaches the visitor once: live on their socket, or by mail when they left. */
forEachDialect("a person's reply mailed to a visitor who left", (dialect) => {
  let t: TestApp
  let a: TestTenant
  let smtp: SmtpReceiver
  let owner: string
  let base: string
  let ip = 0
  const sockets: TestSocket[] = []
  const outcomes = new Map<string, ReplyMailOutcome>()
  const waiting = new Map<string, (o: ReplyMailOutcome) => void>()
  const onOutcome = (e: { messageId: string; outcome: ReplyMailOutcome }) => {
    outcomes.set(e.messageId, e.outcome)
    waiting.get(e.messageId)?.(e.outcome)
  }
  /** What became of a reply's mail (the service reports every reply once). */
  const outcomeOf = (messageId: string) =>
    outcomes.has(messageId)
      ? Promise.resolve(outcomes.get(messageId))
      : new Promise<ReplyMailOutcome>((resolve) => waiting.set(messageId, resolve))

  beforeAll(async () => {
    replyMailEvents.on('outcome', onOutcome)
    smtp = new SmtpReceiver()
    const url = await smtp.start()
    t = await buildTestApp({
      dialect,
      env: {
        AURION_SMTP_URL: url,
        AURION_MAIL_FROM: 'Acme Support <help@acme.test>',
        AURION_TRUST_PROXY: '127.0.0.1',
      },
      deps: { agent: createScriptedAgent() },
    })
    a = await createTestTenant(t.db, { consoleUser: true })
    owner = (await createAdminSession(t.db, { userId: a.consoleUser!.id, tenantId: a.tenantId }))
      .token
    base = `${await listenForTests(t.app)}/api/v1/widget/ws`
  })
  afterAll(async () => {
    replyMailEvents.off('outcome', onOutcome)
    for (const s of sockets) s.ws.terminate()
    await t.close()
    await smtp.stop()
  })

  const widgetPost = (url: string, payload: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { origin: ORIGIN },
      remoteAddress: `10.20.0.${++ip}`,
      payload: { tenant_id: a.tenantId, public_key: a.publicKey, ...payload },
    })
  /** A visitor who proved their email with a mailed code, and their first message. */
  const provenVisitor = async (email: string, thread: string) => {
    const token = (await widgetPost('/api/v1/widget/session', { email })).json()
      .email_token as string
    expect(
      (await widgetPost('/api/v1/widget/session/code', { email_token: token })).statusCode,
    ).toBe(202)
    const verified = await widgetPost('/api/v1/widget/session/verify', {
      email_token: token,
      code: codeFromMail(await smtp.next()),
    })
    expect(verified.statusCode, verified.body).toBe(200)
    const proven = verified.json().email_token as string
    const first = await widgetPost('/api/v1/widget/messages', {
      email_token: proven,
      source_thread_id: thread,
      body: 'My parcel never arrived',
    })
    expect(first.statusCode, first.body).toBe(200)
    return { token: proven, conversationId: first.json().conversation_id as string }
  }
  const reply = async (conversationId: string, body: string, extra: object = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conversationId}/messages`,
      headers: { authorization: `Bearer ${owner}` },
      payload: { body, ...extra },
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json().id as string
  }

  it('a visitor who is online sees the reply live and gets no mail', async () => {
    const v = await provenVisitor('online@example.com', 'mail-thread-online')
    const q = new URLSearchParams({
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      source_thread_id: 'mail-thread-online',
      email_token: v.token,
    })
    const s = openSocket(`${base}?${q}`, { origin: ORIGIN, 'x-forwarded-for': '10.21.0.1' })
    sockets.push(s)
    await s.opened
    await s.ready()
    const mailsBefore = smtp.mails.length

    const id = await reply(v.conversationId, 'Ada here: it is with the courier again.')
    const frames = await s.until('message')
    expect(frames.at(-1)).toMatchObject({ message: { id, sender_type: 'agent' } })
    expect(await outcomeOf(id)).toBe('delivered_live')
    expect(smtp.mails.length).toBe(mailsBefore)
  })

  it('a visitor who left gets the reply by mail, once; notes are never mailed', async () => {
    const v = await provenVisitor('left@example.com', 'mail-thread-left')
    await reply(v.conversationId, 'Internal: courier ticket 4711', { private: true })
    const id = await reply(v.conversationId, 'Your parcel arrives tomorrow.')
    expect(await outcomeOf(id)).toBe('sent')
    const mail = await smtp.next()
    expect(mail.to).toEqual(['left@example.com'])
    expect(mail.raw).toMatch(/^Subject: Re: My parcel never arrived/m)
    expect(mail.raw).toContain('Your parcel arrives tomorrow.')
    expect(mail.raw).not.toContain('4711')
    expect(smtp.mails.at(-1)).toBe(mail)
  })

  it('an anonymous visitor (no proven email) who left is not mailed', async () => {
    const first = await widgetPost('/api/v1/widget/messages', {
      sender_email: 'claims@example.com',
      source_thread_id: 'mail-thread-anonymous',
      body: 'Hello?',
    })
    const mailsBefore = smtp.mails.length
    const id = await reply(first.json().conversation_id, 'Hi, how can I help?')
    expect(await outcomeOf(id)).toBe('no_verified_email')
    expect(smtp.mails.length).toBe(mailsBefore)
  })
})
