import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createTestTenant,
  forEachDialect,
  startTestServer,
  type TestServer,
  type TestTenant,
} from '../../test/helpers.ts'
import { type HttpReceiver, startHttpReceiver } from '../../test/http-receiver.ts'
import { QUICK_WEBHOOK_ENV } from '../../test/webhook-support.ts'

const ORIGIN = 'https://example.com'

// The worker of a listening server delivers the outbox to a real receiver on loopback; retries
// are driven by a short backoff (AURION_WEBHOOK_RETRY_BASE_MS), never by sleeping.
forEachDialect('webhook deliveries from a listening server', (dialect) => {
  let s: TestServer
  let receiver: HttpReceiver
  let acme: TestTenant
  let secret: string
  beforeAll(async () => {
    s = await startTestServer({ dialect, env: QUICK_WEBHOOK_ENV })
    receiver = await startHttpReceiver()
    acme = await createTestTenant(s.db)
    const res = await fetch(`${s.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { 'x-api-key': acme.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `${receiver.url}/in`,
        events: ['message.created', 'conversation.created', 'conversation.resolved'],
      }),
    })
    expect(res.status).toBe(201)
    secret = ((await res.json()) as { secret: string }).secret
  })
  afterAll(async () => {
    await s.close()
    await receiver.close()
  })

  const send = async (body: string, source: string) => {
    const res = await fetch(`${s.url}/api/v1/widget/messages`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({
        tenant_id: acme.tenantId,
        public_key: acme.publicKey,
        body,
        source_message_id: source,
      }),
    })
    expect(res.status).toBe(200)
    return (await res.json()) as { conversation_id: string; message_id?: string }
  }
  const verified = (n: number) => {
    const r = receiver.requests[n - 1]!
    return new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as {
      type: string
      timestamp: string
      data: Record<string, Record<string, unknown>>
    }
  }
  type Verified = ReturnType<typeof verified>
  /**
   * Waits until the receiver holds, after request `from`, an event matching each test (in any
   * order: deliveries are concurrent); returns them all.
   */
  const eventsUntil = async (tests: ((e: Verified) => boolean)[], from: number) => {
    for (let n = from + 1; ; n++) {
      await receiver.waitFor(n)
      const got = receiver.requests.slice(from).map((_, i) => verified(from + i + 1))
      if (tests.every((t) => got.some(t))) return got
    }
  }
  const ofType = (type: string) => (e: Verified) => e.type === type
  const messageBy = (sender: string) => (e: Verified) =>
    e.type === 'message.created' && e.data.message!.sender_type === sender

  it('a visitor message: conversation.created and message.created for the visitor and the assistant, signed', async () => {
    const before = receiver.requests.length
    const sent = await send('How do I reset my password?', 'wh-src-1')
    const got = await eventsUntil(
      [ofType('conversation.created'), messageBy('contact'), messageBy('ai')],
      before,
    )
    const created = got.find((e) => e.type === 'conversation.created')!
    expect(created.data.conversation!.id).toBe(sent.conversation_id)
    const visitor = got.find(messageBy('contact'))
    expect(visitor?.data.message).toMatchObject({
      body: 'How do I reset my password?',
      source_message_id: 'wh-src-1',
      conversation_id: sent.conversation_id,
    })
    // The assistant's reply is its own message.created (waited for above).
    for (const r of receiver.requests.slice(before)) {
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
      expect(Number(r.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60)
    }
  })
})
