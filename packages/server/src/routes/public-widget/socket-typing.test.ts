import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createScriptedAgent, ORIGIN } from '../../../test/widget-support.ts'
import { listenForTests, openSocket, type TestSocket } from '../../../test/ws-client.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import { createMemoryBus } from '../../realtime/memory-bus.ts'

forEachDialect('WS visitor typing frames', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let base: string
  const sockets: TestSocket[] = []
  let ip = 0
  const bus = createMemoryBus()

  beforeAll(async () => {
    t = await buildTestApp({
      dialect,
      env: { AURION_TRUST_PROXY: '127.0.0.1' },
      deps: { agent: createScriptedAgent(), bus },
    })
    a = await createTestTenant(t.db)
    base = `${await listenForTests(t.app)}/api/v1/widget/ws`
  })
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await t.close()
  })

  const connect = (thread: string) => {
    const q = new URLSearchParams({
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      source_thread_id: thread,
    })
    const s = openSocket(`${base}?${q}`, { origin: ORIGIN, 'x-forwarded-for': `203.0.113.${++ip}` })
    sockets.push(s)
    return s
  }

  it('never answers a typing frame; it reaches the inbox only while a person handles the conversation', async () => {
    const inbox: BusEvent[] = []
    const off = bus.subscribe((e) => {
      if (e.type === 'inbox.event') inbox.push(e)
    })
    try {
      const s = connect('typing-thread-1')
      await s.opened
      await s.ready()
      s.send({ body: 'Hello there' })
      const first = await s.until('done')
      const conversationId = String(first.find((f) => f.type === 'ack')?.conversation_id)

      // The assistant handles it: typing goes nowhere and gets no answer (the next message's
      // frames come straight after it, with no error before them).
      s.send({ type: 'typing' })
      s.send({ body: 'Still there?' })
      const second = await s.until('done')
      expect(second.map((f) => f.type)).not.toContain('error')
      expect(inbox.filter((e) => JSON.stringify(e).includes('"typing"'))).toEqual([])

      // A person takes it over: the visitor's typing reaches the consoles.
      await t.db
        .updateTable('conversations')
        .set({ handled_by: 'human' })
        .where('id', '=', conversationId)
        .execute()
      const seen = new Promise<BusEvent>((resolve) => {
        const stop = bus.subscribe((e) => {
          if (e.type === 'inbox.event' && JSON.stringify(e).includes('"typing"')) {
            stop()
            resolve(e)
          }
        })
      })
      s.send({ type: 'typing' })
      const event = (await seen) as BusEvent & { tenantId: string; event: Record<string, unknown> }
      expect(event.tenantId).toBe(a.tenantId)
      expect(event.event).toEqual({
        type: 'typing',
        conversation_id: conversationId,
        sender_type: 'contact',
      })
      s.send({ type: 'ping' })
      expect((await s.until('pong')).map((f) => f.type)).toEqual(['pong'])
    } finally {
      off()
    }
  })
})
