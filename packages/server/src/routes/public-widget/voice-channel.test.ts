import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { ORIGIN, postWidget } from '../../../test/widget-support.ts'
import { listenForTests, openSocket } from '../../../test/ws-client.ts'
import { seedDemoArticles } from '../../knowledge/demo-articles.ts'

// A browser-speech call sends what the visitor said as a chat message marked
// `metadata.channel: "voice"`; its answer is read out, so it must come in the spoken style.
forEachDialect('a spoken turn through the public widget API', (dialect) => {
  let t: TestApp
  let a: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect })
    a = await createTestTenant(t.db)
    await seedDemoArticles(t.db, a.tenantId)
  })
  afterAll(async () => t.close())

  const channelOf = async (id: string) =>
    (
      await t.db
        .selectFrom('messages')
        .select('channel')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).channel

  it('REST: stored as a voice turn and answered in sentences, without "Source:" or "Just ask."', async () => {
    const res = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'How do I connect to the VPN?',
      metadata: { channel: 'voice', locale: 'en' },
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.ai_response).toContain('That\'s from our help article "Connect to the VPN".')
    expect(body.ai_response).not.toMatch(/Source:|Just ask\.|^\s*(?:\d+\.|-)\s/m)
    expect(await channelOf(body.user_message_id)).toBe('voice')
    expect(await channelOf(body.ai_message_id)).toBe('voice')
  })

  it('REST: the same question typed (or with any other channel claim) gets the chat style', async () => {
    for (const metadata of [undefined, { channel: 'chat' }, { channel: 'VOICE' }, { channel: 1 }]) {
      const res = await postWidget(t.app, '/api/v1/widget/messages', {
        tenant_id: a.tenantId,
        public_key: a.publicKey,
        body: 'How do I connect to the VPN?',
        ...(metadata ? { metadata } : {}),
      })
      expect(res.statusCode).toBe(200)
      // Chat style: the source is a card beside the text, not a spoken sentence in it.
      expect(res.json().ai_response).not.toContain("That's from our help article")
      expect(res.json().sources).toEqual([{ title: 'Connect to the VPN' }])
      expect(await channelOf(res.json().user_message_id)).toBe('chat')
    }
  })

  it('WebSocket: a voice-marked frame streams a spoken answer', async () => {
    const url = `${await listenForTests(t.app)}/api/v1/widget/ws?tenant_id=${a.tenantId}&public_key=${a.publicKey}`
    const s = openSocket(url, { origin: ORIGIN })
    await s.opened
    s.send({ body: 'I forgot my password', metadata: { channel: 'voice' } })
    const done = (await s.until('done')).at(-1)!
    expect(done.ai_response).toContain('That\'s from our help article "Reset your password".')
    expect(done.ai_response).not.toMatch(/Source:|Just ask\./)
    s.close()
  })
})
