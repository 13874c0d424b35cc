import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { type FakeBehavior, type FakeOpenAi, startFakeOpenAi } from '../../test/fake-openai.ts'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { ORIGIN } from '../../test/widget-support.ts'
import { type Frame, listenForTests, openSocket, type TestSocket } from '../../test/ws-client.ts'
import { seedDemoArticles } from '../knowledge/demo-articles.ts'

type Message = { role: string; content: string }

/**
 * Issue 7's acceptance, end to end: the real app with `AURION_AGENT=openai` pointed at a fake
 * OpenAI-compatible server on loopback, driven through the public widget API (REST and a real
 * WebSocket).
 */
forEachDialect('LLM agent behind the widget API', (dialect) => {
  let fake: FakeOpenAi
  let t: TestApp
  let tenant: TestTenant
  let wsBase: string
  const sockets: TestSocket[] = []
  let ip = 0
  const nextIp = () => `203.0.113.${++ip}`

  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-e2e', models: ['e2e-model'] })
    t = await buildTestApp({
      dialect,
      env: {
        AURION_AGENT: 'openai',
        AURION_LLM_BASE_URL: fake.baseUrl,
        AURION_LLM_API_KEY: 'sk-e2e',
        AURION_LLM_MODEL: 'e2e-model',
        AURION_LLM_TIMEOUT_MS: '400',
        AURION_TRUST_PROXY: '127.0.0.1',
      },
    })
    tenant = await createTestTenant(t.db, {
      config: {
        enabled: true,
        allowed_origins: [ORIGIN],
        agent_instructions: 'Sign off as "the Acme help desk".',
      },
    })
    await seedDemoArticles(t.db, tenant.tenantId)
    wsBase = `${await listenForTests(t.app)}/api/v1/widget/ws`
  })
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await t.close()
    await fake.close()
  })
  beforeEach(() => {
    fake.queue.length = 0
    fake.fallback = { type: 'stream', chunks: ['Sure', ', here', ' you go.'] }
  })

  const send = (body: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: { origin: ORIGIN, 'x-forwarded-for': nextIp() },
      payload: { tenant_id: tenant.tenantId, public_key: tenant.publicKey, body, ...extra },
    })
  const connect = () => {
    const params = new URLSearchParams({
      tenant_id: tenant.tenantId,
      public_key: tenant.publicKey,
    })
    const s = openSocket(`${wsBase}?${params}`, { origin: ORIGIN, 'x-forwarded-for': nextIp() })
    sockets.push(s)
    return s
  }
  const storedMessages = (conversationId: string) =>
    t.db
      .selectFrom('messages')
      .select(['sender_type', 'body'])
      .where('conversation_id', '=', conversationId)
      .orderBy('seq')
      .execute()

  it('REST: the prompt has the retrieved articles and the earlier turns; the reply is the stream', async () => {
    fake.queue.push({
      type: 'stream',
      chunks: ['Open the IT portal', '. Source: Reset your password'],
    })
    const first = await send('How do I reset my password?', { source_thread_id: 'e2e-thread-1' })
    expect(first.statusCode).toBe(200)
    expect(first.json().ai_response).toBe('Open the IT portal. Source: Reset your password')

    fake.queue.push({ type: 'stream', chunks: ['Call the service desk.'] })
    const second = await send("What if that doesn't work?", { source_thread_id: 'e2e-thread-1' })
    expect(second.statusCode).toBe(200)
    expect(second.json().conversation_id).toBe(first.json().conversation_id)

    const messages: Message[] = fake.requests.at(-1)!.body.messages
    const [system, reference, ...turns] = messages
    expect(system!.role).toBe('system')
    expect(system!.content).toContain('<owner_instructions>\nSign off as "the Acme help desk".')
    expect(reference!.role).toBe('system')
    expect(reference!.content).toContain('"title":"Reset your password"')
    expect(reference!.content).toContain("If that doesn't work")
    expect(turns).toEqual([
      { role: 'user', content: 'How do I reset my password?' },
      { role: 'assistant', content: 'Open the IT portal. Source: Reset your password' },
      { role: 'user', content: "What if that doesn't work?" },
    ])
    for (const m of [system!, reference!])
      expect(m.content).not.toContain('How do I reset my password?')
  })

  it('WS: chunk frames reach the socket as the upstream emits them', async () => {
    const received: number[] = []
    const gates: Array<() => void> = []
    const released = Array.from(
      { length: 4 },
      (_, i) =>
        new Promise<void>((resolve) => {
          gates[i] = resolve
        }),
    )
    fake.queue.push({
      type: 'stream',
      chunks: ['To connect', ' to the VPN', ', open GlobalProtect', ' and sign in.'],
      // Chunk i+1 is written only once the socket has the chunk frame i.
      beforeChunk: (i) => (i === 0 ? Promise.resolve() : released[i - 1]!),
    })
    const s = connect()
    s.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame
      if (frame.type === 'chunk') {
        received.push(performance.now())
        gates[frame.index as number]!()
      }
    })
    await s.opened
    s.send({ body: 'How do I connect to the VPN?' })
    const frames = await s.until('done')
    expect(frames.map((f) => f.type)).toEqual([
      'typing',
      'ack',
      'chunk',
      'chunk',
      'chunk',
      'chunk',
      'done',
    ])
    expect(frames.filter((f) => f.type === 'chunk').map((f) => f.chunk)).toEqual([
      'To connect',
      ' to the VPN',
      ', open GlobalProtect',
      ' and sign in.',
    ])
    const emitted = fake.requests.at(-1)!.emittedAt
    for (let i = 0; i < 4; i++) {
      expect(received[i]).toBeGreaterThanOrEqual(emitted[i]!)
      if (i < 3) expect(received[i]).toBeLessThan(emitted[i + 1]!)
    }
  })

  it.each([
    ['an HTTP 500', { type: 'error', status: 500 }],
    ['a timeout', { type: 'hang' }],
    ['a malformed event', { type: 'malformed', chunks: ['Partial'] }],
    ['a connection cut mid-stream', { type: 'cut', chunks: ['Partial'] }],
  ] as [string, FakeBehavior][])(
    'WS: %s gives an agent_unavailable frame, keeps the message and the socket',
    async (_name, behavior) => {
      fake.fallback = behavior
      const s = connect()
      await s.opened
      s.send({ body: 'My printer is jammed' })
      const frames = await s.until('error')
      const ack = frames.find((f) => f.type === 'ack')!
      expect(frames.at(-1)).toMatchObject({ type: 'error', code: 'agent_unavailable' })
      expect(await storedMessages(ack.conversation_id as string)).toEqual([
        { sender_type: 'contact', body: 'My printer is jammed' },
      ])
      // The socket stays usable: the next message is answered.
      fake.fallback = { type: 'stream', chunks: ['Back', ' again.'] }
      s.send({ body: 'Are you there?' })
      const next = await s.until('done')
      expect(next.at(-1)).toMatchObject({ type: 'done', ai_response: 'Back again.' })
    },
  )

  it('REST: a failing upstream answers 503 and keeps the message; a retry completes it once', async () => {
    fake.fallback = { type: 'cut', chunks: ['Half'] }
    const first = await send('vpn keeps disconnecting', { source_message_id: 'e2e-retry-1' })
    expect(first.statusCode).toBe(503)
    expect(first.json()).toEqual({ detail: expect.any(String) })
    // The widget tells an agent outage (the message is stored) by its code, which its
    // cross-origin script can read.
    expect(first.headers['x-error-code']).toBe('agent_unavailable')
    expect(String(first.headers['access-control-expose-headers'])).toContain('X-Error-Code')
    // A schema refusal names its code too.
    const invalid = await send('', { source_message_id: 'e2e-bad' })
    expect([invalid.statusCode, invalid.headers['x-error-code']]).toEqual([422, 'validation_error'])
    const row = await t.db
      .selectFrom('messages')
      .select(['conversation_id'])
      .where('source_message_id', '=', 'e2e-retry-1')
      .executeTakeFirstOrThrow()
    expect(await storedMessages(row.conversation_id)).toEqual([
      { sender_type: 'contact', body: 'vpn keeps disconnecting' },
    ])

    fake.fallback = { type: 'stream', chunks: ['Move closer', ' to the router.'] }
    const retry = await send('vpn keeps disconnecting', { source_message_id: 'e2e-retry-1' })
    expect(retry.statusCode).toBe(200)
    expect(retry.json().ai_response).toBe('Move closer to the router.')
    expect(await storedMessages(row.conversation_id)).toEqual([
      { sender_type: 'contact', body: 'vpn keeps disconnecting' },
      { sender_type: 'ai', body: 'Move closer to the router.' },
    ])
  })

  it('readiness reports the provider as reachable', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'ready', checks: { agent: { ok: true } } })
    const ga = await t.app.inject({
      method: 'GET',
      url: '/api/v1/voice-widget/ga-readiness',
      headers: { 'x-api-key': tenant.apiKey },
    })
    expect(ga.json().checks.agent_configured).toEqual({
      passed: true,
      reason: null,
      details: { kind: 'openai' },
    })
    expect(fake.modelListCalls).toBeGreaterThanOrEqual(1)
  })
})
