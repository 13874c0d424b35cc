import type { ServerResponse } from 'node:http'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createTestTenant,
  eventually,
  forEachDialect,
  startTestServer,
  type TestServer,
  type TestTenant,
} from '../../test/helpers.ts'
import {
  answer,
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from '../../test/http-receiver.ts'
import { QUICK_WEBHOOK_ENV } from '../../test/webhook-support.ts'

const ORIGIN = 'https://example.com'

interface Delivery {
  id: string
  event_id: string
  event: string
  status: string
  attempt_count: number
  attempts: { attempt: number; status_code: number | null; error: string | null }[]
}

// Retries against real receivers on loopback, driven by a short backoff
// (AURION_WEBHOOK_RETRY_BASE_MS=40), never by sleeping.
forEachDialect('webhook retries from a listening server', (dialect) => {
  let s: TestServer
  let acme: TestTenant
  const receivers: HttpReceiver[] = []
  beforeAll(async () => {
    s = await startTestServer({ dialect, env: QUICK_WEBHOOK_ENV })
    acme = await createTestTenant(s.db)
  })
  afterAll(async () => {
    await s.close()
    await Promise.all(receivers.map((r) => r.close()))
  })

  const receiver = async () => {
    const r = await startHttpReceiver()
    receivers.push(r)
    return r
  }
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.url}/api/v1/webhooks${path}`, {
      method,
      headers: {
        'x-api-key': acme.apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> }
  }
  const endpoint = async (url: string) => {
    const r = await api('POST', '', { url, events: ['message.created'] })
    expect(r.status).toBe(201)
    return r.json as { id: string; secret: string }
  }
  const deliveries = async (endpointId: string) =>
    (await api('GET', `/${endpointId}/deliveries`)).json.deliveries as Delivery[]
  const send = async (body: string) => {
    const res = await fetch(`${s.url}/api/v1/widget/messages`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant_id: acme.tenantId, public_key: acme.publicKey, body }),
    })
    expect(res.status).toBe(200)
    return (await res.json()) as { user_message_id: string }
  }
  /** The visitor's message.created among what a receiver got (retries of it included). */
  const visitorEvents = (r: HttpReceiver, secret: string, messageId: string) =>
    r.requests.filter((q) => {
      const e = new Webhook(secret).verify(q.body, q.headers as Record<string, string>) as {
        data: { message: { id: string } }
      }
      return e.data.message.id === messageId
    })

  it('a receiver answering 500 then 200 gets the same webhook-id twice; both attempts are logged', async () => {
    const r = await receiver()
    const seen = new Set<string>()
    // Each event's first delivery fails, its retry succeeds.
    r.respond((q, res) => {
      const id = String(q.headers['webhook-id'])
      if (seen.has(id)) return answer(200, 'ok')(q, res)
      seen.add(id)
      answer(500, 'database is down')(q, res)
    })
    const ep = await endpoint(`${r.url}/flaky`)
    const sent = await send('500 then 200, please')
    const mine = await eventually(async () => {
      const got = visitorEvents(r, ep.secret, sent.user_message_id)
      expect(got).toHaveLength(2)
      return got
    })
    expect(mine[1]!.headers['webhook-id']).toBe(mine[0]!.headers['webhook-id'])
    const d = await eventually(async () => {
      const found = (await deliveries(ep.id)).find(
        (x) => x.event_id === mine[0]!.headers['webhook-id'],
      )
      expect(found?.status).toBe('succeeded')
      return found!
    })
    expect(d.attempt_count).toBe(2)
    expect(d.attempts.map((a) => a.status_code)).toEqual([500, 200])
    expect(d.attempts[0]!.error).toContain('database is down')
    expect(d.attempts[1]!.error).toBeNull()
  })

  it('a receiver that is down gets the events once it is back (attempts recorded meanwhile)', async () => {
    const r = await receiver()
    const ep = await endpoint(`${r.url}/down`)
    await r.stop()
    const sent = await send('delivered after the outage')
    // Every delivery (the visitor's message and the assistant's reply) failed at least twice.
    const failing = await eventually(async () => {
      const ds = await deliveries(ep.id)
      expect(ds.length).toBeGreaterThanOrEqual(1)
      expect(ds.every((d) => d.attempt_count >= 2)).toBe(true)
      return ds
    })
    for (const d of failing) {
      expect(d.status).toBe('pending')
      expect(d.attempts[0]!.status_code).toBeNull()
      expect(d.attempts[0]!.error).toBeTruthy()
    }
    await r.start()
    await eventually(async () => {
      expect(visitorEvents(r, ep.secret, sent.user_message_id)).toHaveLength(1)
      const ds = await deliveries(ep.id)
      expect(ds.every((d) => d.status === 'succeeded')).toBe(true)
    })
    const got = visitorEvents(r, ep.secret, sent.user_message_id)[0]!
    expect(failing.map((d) => d.event_id)).toContain(got.headers['webhook-id'])
  })

  it('a receiver that never answers does not hold up messages: they are stored and acknowledged', async () => {
    const r = await receiver()
    const held: ServerResponse[] = []
    r.respond((_q: ReceivedRequest, res) => held.push(res))
    const ep = await endpoint(`${r.url}/slow`)
    await send('the first message, delivery hangs')
    await r.waitFor(1)
    // Deliveries hang (nothing answered); visitors' messages still go through at once.
    for (let i = 0; i < 3; i++) await send(`message ${i} while the receiver hangs`)
    expect(held.length).toBeGreaterThanOrEqual(1)
    expect(held.every((res) => !res.writableEnded)).toBe(true)
    const stored = await s.db
      .selectFrom('messages')
      .select('body')
      .where('tenant_id', '=', acme.tenantId)
      .where('body', 'like', '% while the receiver hangs')
      .execute()
    expect(stored).toHaveLength(3)
    for (const res of held) res.end()
    await api('DELETE', `/${ep.id}`)
  })
})
