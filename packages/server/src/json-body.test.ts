import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, type TestApp, type TestTenant } from '../test/helpers.ts'
import { createScriptedAgent, ORIGIN } from '../test/widget-support.ts'
import { listenForTests, openSocket } from '../test/ws-client.ts'
import { LONE_SURROGATE_MSG, loneSurrogatePath } from './validation.ts'

describe('loneSurrogatePath', () => {
  const check = (text: string) => loneSurrogatePath(JSON.parse(text), text)

  it('finds a lone surrogate escape anywhere and names where', () => {
    expect(check('{"body":"\\ud800"}')).toEqual(['body'])
    expect(check('{"a":[1,{"b":"ok \\udfff"}]}')).toEqual(['a', 1, 'b'])
    expect(check('{"\\ud83d":1}')).toEqual(['\ud83d'])
    expect(check('["\\ud83d\\ud83d"]')).toEqual([0])
  })

  it('accepts surrogate pairs and text without escapes', () => {
    expect(check('{"body":"\\ud83d\\ude00"}')).toBeUndefined()
    expect(check('{"body":"😀 héllo"}')).toBeUndefined()
    expect(check('{"body":"\\\\ud800 is how you write it"}')).toBeUndefined()
  })

  it('walks JSON nested 100,000 deep without overflowing the stack', () => {
    const text = `${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`
    expect(check(text)).toHaveLength(100_000)
  })
})

describe('JSON bodies with a lone UTF-16 surrogate are refused, never stored as U+FFFD', () => {
  let t: TestApp
  let tenant: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ deps: { agent: createScriptedAgent() } })
    tenant = await createTestTenant(t.db)
  })
  afterAll(async () => t.close())

  const post = (url: string, text: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
      payload: text,
    })
  const creds = () => `"tenant_id":"${tenant.tenantId}","public_key":"${tenant.publicKey}"`

  it('POST /widget/messages: 422 naming the field, and nothing stored', async () => {
    const res = await post(
      '/api/v1/widget/messages',
      `{${creds()},"body":"help \\ud800","source_message_id":"lone-1"}`,
    )
    expect(res.statusCode).toBe(422)
    expect(res.json()).toEqual({
      detail: [{ type: 'json_invalid', loc: ['body', 'body'], msg: LONE_SURROGATE_MSG }],
    })
    const stored = await t.db
      .selectFrom('messages')
      .select('id')
      .where('source_message_id', '=', 'lone-1')
      .execute()
    expect(stored).toEqual([])
  })

  it('POST /widget/messages: a surrogate pair is an emoji, stored as sent', async () => {
    const res = await post(
      '/api/v1/widget/messages',
      `{${creds()},"body":"thanks \\ud83d\\ude00","source_message_id":"pair-1"}`,
    )
    expect(res.statusCode).toBe(200)
    const row = await t.db
      .selectFrom('messages')
      .select('body')
      .where('source_message_id', '=', 'pair-1')
      .executeTakeFirstOrThrow()
    expect(row.body).toBe('thanks 😀')
  })

  it('the admin API refuses one in the widget config (and deep inside metadata)', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/voice-widget/config',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey },
      payload: '{"enabled":true,"display_title":"Help \\udc00","launcher_label":"Chat"}',
    })
    expect(put.statusCode).toBe(422)
    expect(put.json().detail[0].loc).toEqual(['body', 'display_title'])
    const deep = await post(
      '/api/v1/widget/messages',
      `{${creds()},"body":"hi","metadata":{"a":{"b":["x","\\ud801"]}}}`,
    )
    expect(deep.statusCode).toBe(422)
    expect(deep.json().detail[0].loc).toEqual(['body', 'metadata', 'a', 'b', 1])
  })

  it('embed config over a real socket: 422 too (the fast path leaves it to the route)', async () => {
    const base = (await listenForTests(t.app)).replace('ws:', 'http:')
    const res = await fetch(`${base}/api/v1/voice-widget/embed/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: `{${creds()},"note":"\\ud800"}`,
    })
    expect(res.status).toBe(422)
    expect((await res.json()).detail[0].loc).toEqual(['body', 'note'])
  })

  it('a WebSocket frame with one gets a validation_error frame; the socket stays usable', async () => {
    const base = await listenForTests(t.app)
    const s = openSocket(
      `${base}/api/v1/widget/ws?tenant_id=${tenant.tenantId}&public_key=${tenant.publicKey}`,
      { origin: ORIGIN },
    )
    await s.opened
    s.send('{"body":"hi \\ud800","source_message_id":"ws-lone-1"}')
    expect(await s.next()).toEqual({
      type: 'error',
      code: 'validation_error',
      message: `body: ${LONE_SURROGATE_MSG}`,
      source_message_id: 'ws-lone-1',
    })
    expect(await s.pongNext()).toEqual({ type: 'pong' })
    s.close()
  })
})
