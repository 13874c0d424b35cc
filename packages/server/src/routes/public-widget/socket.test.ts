import { beforeAll, expect, it } from 'vitest'
import { forEachDialect, type TestApp, type TestTenant } from '../../../test/helpers.ts'
import { ORIGIN, type ScriptedAgent } from '../../../test/widget-support.ts'
import { type Frame, openSocket } from '../../../test/ws-client.ts'
import { types, useWidgetSocket } from './socket-test-support.ts'

forEachDialect('WS /api/v1/widget/ws', (dialect) => {
  const w = useWidgetSocket(dialect)
  const { connect, rest, sessionToken, nextIp } = w
  let t: TestApp
  let agent: ScriptedAgent
  let a: TestTenant
  beforeAll(() => {
    ;({ t, agent, a } = w)
  })

  it('streams typing, ack, chunks and done for a message frame', async () => {
    const s = connect()
    await s.opened
    // Sent at once: the frame waits until the credentials are checked.
    s.send({ body: 'I need help resetting my password', source_message_id: 'ws-seq-1' })
    const frames = await s.until('done')
    expect(types(frames)).toEqual(['typing', 'ack', 'chunk', 'chunk', 'chunk', 'done'])
    const [typing, ack, c0, c1, c2, done] = frames as [Frame, Frame, Frame, Frame, Frame, Frame]
    expect(ack).toEqual({
      type: 'ack',
      conversation_id: expect.stringMatching(/^conv_/),
      thread_id: expect.stringMatching(/^thread_/),
      contact_id: expect.stringMatching(/^contact_/),
      user_message_id: expect.stringMatching(/^msg_/),
      source_message_id: 'ws-seq-1',
      deduplicated: false,
    })
    expect(typing).toEqual({
      type: 'typing',
      conversation_id: ack.conversation_id,
      thread_id: ack.thread_id,
    })
    expect(c0).toEqual({
      type: 'chunk',
      index: 0,
      conversation_id: ack.conversation_id,
      thread_id: ack.thread_id,
      chunk: 'Happy to help',
    })
    expect([c1.index, c2.index]).toEqual([1, 2])
    expect(done).toEqual({
      type: 'done',
      conversation_id: ack.conversation_id,
      thread_id: ack.thread_id,
      user_message_id: ack.user_message_id,
      ai_message_id: expect.stringMatching(/^msg_/),
      ai_response: `${c0.chunk}${c1.chunk}${c2.chunk}`,
      deduplicated: false,
    })
    // Acknowledged means stored: both messages are in the database, the reply linked.
    const rows = await t.db
      .selectFrom('messages')
      .select(['id', 'sender_type', 'reply_to_id', 'body'])
      .where('conversation_id', '=', ack.conversation_id as string)
      .orderBy('seq')
      .execute()
    expect(rows).toEqual([
      {
        id: ack.user_message_id,
        sender_type: 'contact',
        reply_to_id: null,
        body: 'I need help resetting my password',
      },
      {
        id: done.ai_message_id,
        sender_type: 'ai',
        reply_to_id: ack.user_message_id,
        body: done.ai_response,
      },
    ])

    // The next frame without a thread continues the same conversation.
    s.send({ body: 'and my VPN?' })
    const second = await s.until('done')
    const ack2 = second.find((f) => f.type === 'ack')!
    expect(ack2.conversation_id).toBe(ack.conversation_id)
    expect((second.at(-1) as Frame).ai_response).toContain('(turn 3)')

    // A retried frame: same ids, the stored reply as one chunk, no new rows.
    s.send({ body: 'I need help resetting my password', source_message_id: 'ws-seq-1' })
    const retry = await s.until('done')
    expect(types(retry)).toEqual(['typing', 'ack', 'chunk', 'done'])
    expect(retry[1]).toMatchObject({ user_message_id: ack.user_message_id, deduplicated: true })
    expect(retry[2]).toMatchObject({ index: 0, chunk: done.ai_response })
    expect(retry[3]).toMatchObject({ ai_message_id: done.ai_message_id, deduplicated: true })
    s.close()
  })

  it('answers bad frames with error frames and stays usable', async () => {
    const s = connect()
    await s.opened
    s.send('{"body": ')
    expect(await s.next()).toEqual({
      type: 'error',
      code: 'invalid_json',
      message: 'Frames must be JSON text, e.g. {"body": "Hello"}',
    })
    s.send({})
    expect(await s.next()).toEqual({
      type: 'error',
      code: 'validation_error',
      message: 'body is required',
    })
    s.send({ body: 'x'.repeat(4001), source_message_id: 'ws-long' })
    expect(await s.next()).toEqual({
      type: 'error',
      code: 'validation_error',
      message: 'body: String should have at most 4000 characters',
      source_message_id: 'ws-long',
    })
    s.send({ body: '   ' })
    expect(await s.next()).toMatchObject({
      code: 'validation_error',
      message: 'body: body must not be blank',
    })
    s.send('[1,2]')
    expect(await s.next()).toMatchObject({ type: 'error', code: 'validation_error' })
    s.send({ body: 'hi', sender_email: 'nope' })
    expect(await s.next()).toMatchObject({
      code: 'validation_error',
      message: expect.stringContaining('sender_email'),
    })
    s.send({ body: 'hi', upload_ids: ['upl_unknown'] })
    expect(await s.next()).toMatchObject({
      code: 'validation_error',
      message: expect.stringContaining('upload_ids.0'),
    })
    s.send({ body: 'hi', email_token: 'forged' })
    expect(await s.next()).toEqual({
      type: 'error',
      code: 'invalid_email_token',
      message: 'Invalid or expired email token',
    })
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(await s.next()).toMatchObject({ code: 'invalid_json' })
    expect(await s.pongNext()).toEqual({ type: 'pong' })
    s.send({ body: 'still here?' })
    expect(types(await s.until('done'))).toEqual([
      'typing',
      'ack',
      'chunk',
      'chunk',
      'chunk',
      'done',
    ])
    s.close()
  })

  it('closes with 1009 on a frame over 64 KB', async () => {
    const s = connect()
    await s.opened
    s.send({ body: 'x'.repeat(65 * 1024) })
    expect((await s.closed).code).toBe(1009)
  })

  it.each([
    ['no tenant_id', { tenant_id: undefined }],
    ['no public_key', { public_key: undefined }],
    ['an empty tenant_id', { tenant_id: '' }],
  ])('closes with 1008 for %s', async (_n, query) => {
    const params = new URLSearchParams()
    const all: Record<string, string | undefined> = {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      ...query,
    }
    for (const [k, v] of Object.entries(all)) if (v !== undefined) params.set(k, v)
    const s = openSocket(`${w.url()}?${params}`, { origin: ORIGIN, 'x-forwarded-for': nextIp() })
    w.track(s)
    expect(await s.closed).toEqual({ code: 1008, reason: 'tenant_id and public_key are required' })
  })

  it.each([
    ['https://example.com.evil.test', 'https://example.com.evil.test'],
    ['http://example.com', 'http://example.com'],
    ['https://example.com:8443', 'https://example.com:8443'],
    ['"null"', 'null'],
    ['(missing)', null],
  ])('closes with 1008 for the origin %s', async (_label, origin) => {
    const s = connect({}, { origin })
    expect(await s.closed).toEqual({ code: 1008, reason: 'Origin not allowed' })
  })

  it('reports agent failures as agent_unavailable; a retry completes the reply', async () => {
    const s = connect()
    await s.opened
    agent.failNext(1, 1)
    s.send({ body: 'printer jam', source_message_id: 'ws-fail-1' })
    const frames = await s.until('error')
    expect(types(frames)).toEqual(['typing', 'ack', 'chunk', 'error'])
    expect(frames.at(-1)).toEqual({
      type: 'error',
      code: 'agent_unavailable',
      message: 'The assistant is temporarily unavailable; your message was saved. Please retry.',
      source_message_id: 'ws-fail-1',
    })
    const ack = frames[1]!
    s.send({ body: 'printer jam', source_message_id: 'ws-fail-1' })
    const retry = await s.until('done')
    expect(retry[1]).toMatchObject({ user_message_id: ack.user_message_id, deduplicated: true })
    expect(types(retry)).toEqual(['typing', 'ack', 'chunk', 'chunk', 'chunk', 'done'])
    expect(await w.storedWithSource('ws-fail-1')).toBe(1)
    s.close()
  })

  it('forwards frames of followed threads from other channels, without echoes', async () => {
    const first = (await rest({ body: 'VPN drops', source_thread_id: 'shared-tab' })).json()
    const watcher = connect({ source_thread_id: 'shared-tab' })
    const sender = connect({ source_thread_id: first.thread_id })
    await Promise.all([watcher.opened, sender.opened])
    await Promise.all([watcher.ready(), sender.ready()])

    // A REST message to the thread shows up live on both sockets.
    const viaRest = (await rest({ body: 'from REST', source_thread_id: 'shared-tab' })).json()
    const seen = await watcher.until('done')
    expect(types(seen)).toEqual(['message', 'typing', 'chunk', 'chunk', 'chunk', 'done'])
    expect(seen[0]).toMatchObject({
      conversation_id: first.conversation_id,
      thread_id: first.thread_id,
      message: {
        id: viaRest.user_message_id,
        sender_type: 'contact',
        body: 'from REST',
        channel: 'chat',
        attachments: [],
      },
    })
    expect(seen.at(-1)).toMatchObject({ ai_message_id: viaRest.ai_message_id })
    await sender.until('done')

    // The sender gets its own frames once; the watcher sees them as a message + reply.
    sender.send({ body: 'from socket' })
    const own = await sender.until('done')
    expect(types(own)).toEqual(['typing', 'ack', 'chunk', 'chunk', 'chunk', 'done'])
    expect(await sender.pongNext()).toEqual({ type: 'pong' })
    const mirrored = await watcher.until('done')
    expect(types(mirrored)).toEqual(['message', 'typing', 'chunk', 'chunk', 'chunk', 'done'])
    expect(mirrored[0]).toMatchObject({ message: { id: own[1]!.user_message_id } })
    watcher.close()
    sender.close()
  })

  it("does not let a socket follow a token-owned thread without the owner's token", async () => {
    const token = await sessionToken('owner@example.com')
    const owned = (await rest({ body: 'private', email_token: token })).json()
    const snoop = connect({ source_thread_id: owned.thread_id })
    const owner = connect({ source_thread_id: owned.thread_id, email_token: token })
    await Promise.all([snoop.opened, owner.opened])
    await Promise.all([snoop.ready(), owner.ready()])
    await rest({ body: 'secret follow-up', email_token: token, source_thread_id: owned.thread_id })
    expect(types(await owner.until('done'))).toContain('message')
    expect(await snoop.pongNext()).toEqual({ type: 'pong' })
    // And it cannot post into it either.
    snoop.send({ body: 'injected' })
    expect(await snoop.next()).toMatchObject({
      type: 'error',
      code: 'not_found',
      message: 'Thread not found',
    })
    snoop.close()
    owner.close()
  })

  it('uses sender_email and email_token from the query as defaults of every frame', async () => {
    const token = await sessionToken('query@example.com')
    const s = connect({ sender_email: 'Query@Example.com' })
    await s.opened
    s.send({ body: 'who am I?' })
    const ack = (await s.until('done'))[1]!
    const claimed = await t.db
      .selectFrom('conversations')
      .select(['claimed_email', 'contact_verified'])
      .where('id', '=', ack.conversation_id as string)
      .executeTakeFirstOrThrow()
    expect(claimed).toEqual({ claimed_email: 'query@example.com', contact_verified: 0 })
    s.close()

    const v = connect({ email_token: token })
    await v.opened
    v.send({ body: 'verified question' })
    const vAck = (await v.until('done'))[1]!
    const conv = await t.db
      .selectFrom('conversations')
      .select(['contact_verified', 'owner_token_id'])
      .where('id', '=', vAck.conversation_id as string)
      .executeTakeFirstOrThrow()
    // The token's own conversation; its email is not proven (no identity verification, no code).
    expect(conv.contact_verified).toBe(0)
    expect(conv.owner_token_id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    v.close()

    const bad = connect({ sender_email: 'not-an-email' })
    expect(await bad.closed).toEqual({
      code: 1008,
      reason: 'sender_email is not a valid email address',
    })
    const badThread = connect({ source_thread_id: 'has spaces' })
    expect((await badThread.closed).code).toBe(1008)
  })

  it('answers a plain GET (no upgrade) with 426 and documents the route', async () => {
    const res = await t.app.inject({ url: '/api/v1/widget/ws' })
    expect(res.statusCode).toBe(426)
    expect(res.json()).toEqual({ detail: 'Upgrade Required: connect with a WebSocket' })
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json()
    expect(
      doc.paths['/api/v1/widget/ws'].get.parameters.map((p: { name: string }) => p.name),
    ).toEqual(
      expect.arrayContaining(['tenant_id', 'public_key', 'source_thread_id', 'sender_email']),
    )
    for (const path of [
      '/api/v1/widget/session',
      '/api/v1/widget/messages',
      '/api/v1/widget/history',
      '/api/v1/widget/conversations/{conversation_id}/resolve',
    ]) {
      expect(doc.paths[path]).toBeDefined()
    }
  })
})
