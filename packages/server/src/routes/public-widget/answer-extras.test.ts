import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { ORIGIN, widgetSessionToken } from '../../../test/widget-support.ts'
import { listenForTests, openSocket, type TestSocket } from '../../../test/ws-client.ts'
import { recordAssistantMessage } from '../../conversations/assistant-messages.ts'
import { findTenantById } from '../../tenants/tenant-repo.ts'

/**
 * The built-in agent's replies through the public widget API: sources and follow-ups as the
 * contract's optional structured fields (REST, WebSocket `done`, history), the text a plain
 * answer, a follow-up sent back continuing the article, the visitor's language.
 */
forEachDialect('structured replies through the widget API', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let wsBase: string
  let token: string
  const sockets: TestSocket[] = []
  let ip = 0
  const headers = () => ({ origin: ORIGIN, 'x-forwarded-for': `192.0.2.${++ip}` })

  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: { AURION_TRUST_PROXY: '127.0.0.1' } })
    a = await createTestTenant(t.db, { articles: true })
    wsBase = `${await listenForTests(t.app)}/api/v1/widget/ws`
    token = await widgetSessionToken(t.app, a, 'sam@example.com')
  })
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await t.close()
  })

  const send = (body: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: headers(),
      payload: { tenant_id: a.tenantId, public_key: a.publicKey, body, ...extra },
    })

  it('REST: a plain answer, the article as a source, its other sections as follow-ups', async () => {
    const res = await send('How do I connect to the VPN on my Mac?', { email_token: token })
    expect(res.statusCode).toBe(200)
    const r = res.json()
    expect(r.ai_response).toContain('On a Mac:')
    expect(r.ai_response).not.toMatch(/Source:|This article also covers|Just ask/)
    expect(r.sources).toEqual([{ title: 'Connect to the VPN' }])
    expect(r.follow_ups).toEqual(expect.arrayContaining(['On Windows']))

    // The follow-up, sent back as offered, continues the article without echoing the heading.
    const next = await send('On Windows', { email_token: token, source_thread_id: r.thread_id })
    expect(next.statusCode).toBe(200)
    expect(next.json().sources).toEqual([{ title: 'Connect to the VPN' }])
    expect(next.json().ai_response).not.toMatch(/^On Windows/)
    expect(next.json().ai_response).toContain('system tray')
    expect(next.json().follow_ups ?? []).not.toContain('On Windows')

    // History carries the same fields on the assistant's messages only.
    const q = new URLSearchParams({
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      email_token: token,
    })
    const h = await t.app.inject({ url: `/api/v1/widget/history?${q}`, headers: headers() })
    expect(h.statusCode).toBe(200)
    const [visitor, ai] = h.json().conversations[0].messages
    expect(visitor.sources).toBeUndefined()
    expect(visitor.follow_ups).toBeUndefined()
    expect(ai.sources).toEqual([{ title: 'Connect to the VPN' }])
    expect(ai.follow_ups).toEqual(r.follow_ups)
  })

  it('WebSocket: the done frame carries sources and follow-ups; chunks add up to the text', async () => {
    const params = new URLSearchParams({ tenant_id: a.tenantId, public_key: a.publicKey })
    const s = openSocket(`${wsBase}?${params}`, headers())
    sockets.push(s)
    await s.opened
    s.send({ body: 'hello', source_message_id: 'extras-ws-1' })
    let text = ''
    for (;;) {
      const f = await s.next()
      if (f.type === 'chunk') text += f.chunk as string
      if (f.type === 'done') {
        expect(f.ai_response).toBe(text)
        expect(f.sources).toBeUndefined()
        expect((f.follow_ups as string[]).length).toBeGreaterThanOrEqual(3)
        break
      }
    }
  })

  it('an Arabic question is answered in Arabic, honestly', async () => {
    const res = await send('كيف أعيد تعيين كلمة المرور؟')
    expect(res.statusCode).toBe(200)
    expect(res.json().ai_response).toContain('الإنجليزية')
    expect(res.json().sources).toBeUndefined()
  })

  it('the browser locale the widget sends picks the language of an unclear message', async () => {
    const res = await send('zzzz qqqq', { metadata: { locale: 'de-DE' } })
    expect(res.json().ai_response).toMatch(/^Dazu habe ich in unseren Hilfeartikeln nichts/)
  })

  it('stored metadata from elsewhere is shown only when well-formed: no script links', async () => {
    const first = await send('bye', { email_token: token })
    const tenant = (await findTenantById(t.db, a.tenantId))!
    await recordAssistantMessage(
      { db: t.db, bus: { publish: async () => {} } as never },
      { tenant, config: {} as never },
      {
        conversationId: first.json().conversation_id,
        body: 'See these',
        metadata: {
          sources: [
            { title: 'Bad', url: 'javascript:alert(1)' },
            { title: 'Good', url: 'https://help.example.com/a' },
            { url: 'https://no-title.example.com' },
            'junk',
          ],
          follow_ups: ['Ask this', 42, ''],
        },
      },
    )
    const q = new URLSearchParams({
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      email_token: token,
    })
    const h = await t.app.inject({ url: `/api/v1/widget/history?${q}`, headers: headers() })
    const conv = h
      .json()
      .conversations.find(
        (c: { conversation_id: string }) => c.conversation_id === first.json().conversation_id,
      )
    const shown = conv.messages.at(-1)
    expect(shown.body).toBe('See these')
    expect(shown.sources).toEqual([
      { title: 'Bad' },
      { title: 'Good', url: 'https://help.example.com/a' },
    ])
    expect(shown.follow_ups).toEqual(['Ask this'])
  })
})
