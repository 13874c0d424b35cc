import { beforeAll, expect, it } from 'vitest'
import {
  createTestTenant,
  forEachDialect,
  putTestWidgetConfig,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { ORIGIN } from '../../../test/widget-support.ts'
import type { TestSocket } from '../../../test/ws-client.ts'
import { useWidgetSocket } from './socket-test-support.ts'

forEachDialect('WS /api/v1/widget/ws: access and limits', (dialect) => {
  const w = useWidgetSocket(dialect)
  const { connect, rest, nextIp } = w
  let t: TestApp
  let b: TestTenant
  beforeAll(() => {
    ;({ t, b } = w)
  })

  it("closes with 1008 for tenant B's key with tenant A's id and for a disabled widget", async () => {
    const cross = connect({ public_key: b.publicKey })
    expect(await cross.closed).toEqual({
      code: 1008,
      reason: 'Invalid widget credentials or widget disabled',
    })
    const c = await createTestTenant(t.db, { name: 'Off' })
    await putTestWidgetConfig(t.app, c, { enabled: false, allowed_origins: [ORIGIN] })
    const off = connect({}, { tenant: c })
    expect((await off.closed).code).toBe(1008)
  })

  it('closes open sockets with 1008 when the key is regenerated, only for that tenant', async () => {
    const c = await createTestTenant(t.db, { name: 'Regen' })
    const victim = connect({}, { tenant: c })
    const bystander = connect()
    await Promise.all([victim.opened, bystander.opened])
    // A round trip proves both sockets passed their checks and are registered.
    victim.send({ body: 'hello' })
    await victim.until('done')
    expect(await bystander.pongNext()).toEqual({ type: 'pong' })

    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/config/regenerate-key',
      headers: { 'x-api-key': c.apiKey },
    })
    expect(res.statusCode).toBe(200)
    expect(await victim.closed).toEqual({ code: 1008, reason: 'Widget key regenerated' })
    expect(await bystander.pongNext()).toEqual({ type: 'pong' })
    bystander.close()
  })

  it('closes sockets when the widget is disabled or their origin removed', async () => {
    const c = await createTestTenant(t.db, { name: 'Toggle' })
    const put = (config: Record<string, unknown>) =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/voice-widget/config',
        headers: { 'x-api-key': c.apiKey },
        payload: { display_title: 'Support', launcher_label: 'Chat', ...config },
      })
    const s1 = connect({}, { tenant: c })
    await s1.opened
    expect(await s1.pongNext()).toEqual({ type: 'pong' })
    s1.send({ body: 'hi' })
    await s1.until('done')
    expect((await put({ enabled: false, allowed_origins: [ORIGIN] })).statusCode).toBe(200)
    expect((await s1.closed).code).toBe(1008)

    expect((await put({ enabled: true, allowed_origins: [ORIGIN] })).statusCode).toBe(200)
    const s2 = connect({}, { tenant: c })
    await s2.opened
    s2.send({ body: 'hi' })
    await s2.until('done')
    expect((await put({ enabled: true, allowed_origins: ['https://other.test'] })).statusCode).toBe(
      200,
    )
    expect(await s2.closed).toEqual({ code: 1008, reason: 'Origin not allowed' })
  })

  it('shares the 60/minute message limit with REST and says so in an error frame', async () => {
    const ip = nextIp()
    for (let i = 0; i < 60; i++) {
      expect((await rest({ body: `m${i}`, source_thread_id: 'ws-rate' }, ip)).statusCode).toBe(200)
    }
    const s = connect({}, { ip })
    await s.opened
    s.send({ body: 'one too many', source_message_id: 'ws-rate-61' })
    const err = await s.next()
    expect(err).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'Rate limit exceeded',
      source_message_id: 'ws-rate-61',
      retry_after: expect.any(Number),
    })
    expect(await s.pongNext()).toEqual({ type: 'pong' })
    expect(await w.storedWithSource('ws-rate-61')).toBe(0)
    s.close()
  })

  it('limits connections per IP to 30 a minute (rate_limited frame, close 1013)', async () => {
    const ip = nextIp()
    const opened: TestSocket[] = []
    for (let i = 0; i < 30; i++) {
      const s = connect({}, { ip })
      await s.opened
      expect(await s.pongNext()).toEqual({ type: 'pong' })
      opened.push(s)
    }
    const over = connect({}, { ip })
    expect(await over.next()).toMatchObject({ type: 'error', code: 'rate_limited' })
    expect((await over.closed).code).toBe(1013)
    for (const s of opened) s.close()
  })
})
