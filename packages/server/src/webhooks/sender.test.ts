import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_SECRET } from '../../test/helpers.ts'
import { answer, type HttpReceiver, startHttpReceiver } from '../../test/http-receiver.ts'
import type { AttemptRequest } from './attempt.ts'
import { newWebhookSecret, sealSecret } from './secret-box.ts'
import { createInlineSender, createThreadSender, type DeliverySender } from './sender.ts'

const secret = newWebhookSecret()
const payload = JSON.stringify({ type: 'message.created', timestamp: 'now', data: { message: {} } })

// The same attempts made on the event loop and in the send thread: same requests, same results.
describe.each([
  ['on the event loop', createInlineSender],
  ['in the send thread', createThreadSender],
] as const)('webhook attempts %s', (_, make) => {
  let receiver: HttpReceiver
  let sender: DeliverySender
  beforeAll(async () => {
    receiver = await startHttpReceiver()
    sender = make({ serverSecret: TEST_SECRET, allowPrivate: true, timeoutMs: 2000 })
  })
  afterAll(async () => {
    await sender.close()
    await receiver.close()
  })
  const request = (over: Partial<AttemptRequest> = {}): AttemptRequest => ({
    url: `${receiver.url}/in`,
    format: 'standard',
    secret_enc: sealSecret(TEST_SECRET, secret),
    event_id: 'evt_1',
    type: 'message.created',
    payload,
    timestampSec: Math.floor(Date.now() / 1000),
    ...over,
  })

  it('sends the event signed with the endpoint’s secret; a 2xx is a success', async () => {
    receiver.respond(answer(204, ''))
    const before = receiver.requests.length
    const r = await sender.send(request())
    expect(r).toMatchObject({ statusCode: 204, error: null })
    const got = receiver.requests[before]!
    expect(got.body).toBe(payload)
    expect(got.headers['webhook-id']).toBe('evt_1')
    expect(got.headers['user-agent']).toBe('Aurion-Webhooks/1')
    expect(() =>
      new Webhook(secret).verify(got.body, got.headers as Record<string, string>),
    ).not.toThrow()
  })

  it('another answer is an error quoting the endpoint; a refused target and an unreadable secret say why', async () => {
    receiver.respond(answer(503, 'down   for\nmaintenance'))
    expect(await sender.send(request())).toMatchObject({
      statusCode: 503,
      error: 'Endpoint answered 503: down for maintenance',
    })
    const strict = make({ serverSecret: TEST_SECRET, allowPrivate: false, timeoutMs: 2000 })
    try {
      const refused = await strict.send(request())
      expect(refused.statusCode).toBeNull()
      expect(refused.error).toMatch(/https|private|loopback/i)
    } finally {
      await strict.close()
    }
    const sealedElsewhere = sealSecret('another-server-secret-0123456789abcdef', secret)
    expect(await sender.send(request({ secret_enc: sealedElsewhere }))).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/signing secret cannot be read/),
    })
  })

  it('slack endpoints get the team chat text', async () => {
    receiver.respond(answer(200, 'ok'))
    const before = receiver.requests.length
    await sender.send(request({ format: 'slack' }))
    expect(JSON.parse(receiver.requests[before]!.body)).toHaveProperty('text')
  })

  it('closing with an attempt in flight ends it as a failure (sent again later), never hangs', async () => {
    const hanging = make({ serverSecret: TEST_SECRET, allowPrivate: true, timeoutMs: 2000 })
    receiver.respond(() => {})
    const before = receiver.requests.length
    const pending = hanging.send(request())
    await receiver.waitFor(before + 1)
    const closed = hanging.close()
    const r = await pending
    await closed
    if (make === createThreadSender)
      expect(r).toMatchObject({ statusCode: null, error: 'The webhook sender was closed' })
    // On the event loop the request runs to its time limit.
    else
      expect(r).toMatchObject({ statusCode: null, error: expect.stringMatching(/within 2000 ms/) })
    receiver.respond(answer(200, 'ok'))
  })
})
