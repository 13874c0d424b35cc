import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { ORIGIN, postWidget, widgetSessionToken } from '../../../test/widget-support.ts'
import { listenForTests, openSocket } from '../../../test/ws-client.ts'
import { createArticle } from '../../knowledge/article-repo.ts'

// The real default agent (AURION_AGENT=builtin) behind the public API: no test double.
forEachDialect('public widget API with the built-in knowledge agent', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let token: string
  beforeAll(async () => {
    t = await buildTestApp({ dialect })
    a = await createTestTenant(t.db, { articles: true })
    token = await widgetSessionToken(t.app, a, 'jane@example.com')
  })
  afterAll(async () => t.close())

  it('answers from the knowledge base, names the conversation after the article, follows up', async () => {
    const res = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'I forgot my password',
      email_token: token,
    })
    expect(res.statusCode).toBe(200)
    const first = res.json()
    // The article is cited as a source (a card in the widget), not as prose in the reply.
    expect(first.sources.map((x: { title: string }) => x.title)).toContain('Reset your password')
    expect(first.ai_response).toMatch(/self-service password portal/)

    // The follow-up streams over a real socket, in the same thread, with the context.
    const url = `${await listenForTests(t.app)}/api/v1/widget/ws?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${token}&source_thread_id=${first.thread_id}`
    const s = openSocket(url, { origin: ORIGIN })
    await s.opened
    s.send({ body: 'And how do I set up the authenticator app?' })
    const frames = await s.until('done')
    const chunks = frames.filter((f) => f.type === 'chunk')
    const done = frames.at(-1)!
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i))
    expect(done.ai_response).toBe(chunks.map((c) => c.chunk).join(''))
    expect(done.ai_response).toMatch(/multi-factor|MFA|authenticator/i)
    expect(done.conversation_id).toBe(first.conversation_id)
    s.close()

    const history = await t.app.inject({
      url: `/api/v1/widget/history?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${token}`,
      headers: { origin: ORIGIN },
    })
    const [conv] = history.json().conversations
    expect(conv.subject).toBe('Reset your password')
    expect(conv.messages.map((m: { sender_type: string }) => m.sender_type)).toEqual([
      'contact',
      'ai',
      'contact',
      'ai',
    ])
  })

  it('answers from an article written a moment before the message', async () => {
    const ask = async (body: string) =>
      (
        await postWidget(t.app, '/api/v1/widget/messages', {
          tenant_id: a.tenantId,
          public_key: a.publicKey,
          body,
          source_thread_id: 'thread-badge-reader',
        })
      ).json() as { ai_response: string; sources?: { title: string }[] }
    const titles = (r: { sources?: { title: string }[] }) => (r.sources ?? []).map((x) => x.title)
    const before = await ask('The badge reader at the door blinks red')
    expect(titles(before)).not.toContain('Badge reader blinks red')
    expect(before.ai_response).not.toContain('badge expired')
    await createArticle(t.db, a.tenantId, {
      title: 'Badge reader blinks red',
      body: 'A red blinking badge reader means your badge expired. Renew it at reception.',
      tags: ['badge', 'door'],
    })
    // The revision read with the message (in its transaction) already includes the article.
    const after = await ask('The badge reader at the door blinks red, what now?')
    expect(titles(after)).toContain('Badge reader blinks red')
    expect(after.ai_response).toContain('badge expired')
  })

  it('says honestly when nothing in the knowledge base matches', async () => {
    const res = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'What is the airspeed velocity of an unladen swallow?',
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().ai_response).toMatch(/couldn.t find|could not find/i)
  })
})
