import { TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { ORIGIN, postWidget, widgetSessionToken } from '../../../test/widget-support.ts'
import { listenForTests, openSocket } from '../../../test/ws-client.ts'

const TOKEN = 'internal-token-0123456789abcdef0123456789abcdef'
const ENV = {
  AURION_INTERNAL_TOKEN: TOKEN,
  LIVEKIT_URL: 'https://lk.example.test',
  LIVEKIT_API_KEY: 'APItestkey',
  LIVEKIT_API_SECRET: 'lk-secret-0123456789abcdef0123456789abcdef',
}

// Chat → voice → chat on one conversation, through the real public API, the real voice token
// (its dispatch metadata is what the worker reads) and the internal API the worker calls. The
// built-in knowledge agent answers: no test double.
forEachDialect('context hand-over chat → voice → chat', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let emailToken: string
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: ENV })
    a = await createTestTenant(t.db, { articles: true })
    emailToken = await widgetSessionToken(t.app, a, 'jane@example.com')
  })
  afterAll(async () => t.close())

  it('the call continues the chat, and a question typed after hanging up has the call as context', async () => {
    // 1. Chat: the visitor types a question.
    const chat = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'I forgot my password',
      email_token: emailToken,
    })
    expect(chat.statusCode).toBe(200)
    const { conversation_id, thread_id } = chat.json()
    expect(chat.json().sources.map((x: { title: string }) => x.title)).toContain(
      'Reset your password',
    )

    // 2. The visitor switches to voice in the same conversation; the agent's dispatch carries it.
    const tokenRes = await postWidget(t.app, '/api/v1/voice-widget/embed/token', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      conversation_id,
      email_token: emailToken,
    })
    expect(tokenRes.statusCode).toBe(200)
    const claims = (await new TokenVerifier(ENV.LIVEKIT_API_KEY, ENV.LIVEKIT_API_SECRET).verify(
      tokenRes.json().token,
    )) as unknown as { roomConfig: { agents: { agentName: string; metadata: string }[] } }
    const dispatch = claims.roomConfig.agents[0]!
    expect(dispatch.agentName).toBe(t.config.livekit.agentName)
    const meta = JSON.parse(dispatch.metadata) as {
      tenant_id: string
      conversation_id: string
      thread_id: string
    }
    expect(meta).toMatchObject({ tenant_id: a.tenantId, conversation_id, thread_id })

    // The chat panel stays open during the call: it follows the thread over the socket.
    const base = await listenForTests(t.app)
    const panel = openSocket(
      `${base}/api/v1/widget/ws?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${emailToken}&source_thread_id=${thread_id}`,
      { origin: ORIGIN },
    )
    await panel.opened

    // 3. The worker loads the conversation (the chat so far) and answers a spoken follow-up.
    const auth = { authorization: `Bearer ${TOKEN}` }
    const snapshot = await t.app.inject({
      url: `/internal/v1/conversations/${meta.conversation_id}?tenant_id=${meta.tenant_id}&thread_id=${meta.thread_id}`,
      headers: auth,
    })
    expect(snapshot.json().messages.map((m: { body: string }) => m.body)).toEqual([
      'I forgot my password',
      chat.json().ai_response,
    ])
    const say = async (segment: string, text: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${meta.conversation_id}/reply`,
        headers: auth,
        payload: {
          tenant_id: meta.tenant_id,
          thread_id: meta.thread_id,
          segment_id: segment,
          text,
        },
      })
      const done = res.payload
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .at(-1)
      expect(done.type).toBe('done')
      return done.ai_response as string
    }
    const macAnswer = await say('item_voice_1', 'And what about on a Mac?')
    // "it" is only known from the typed question: the answer is that article's Mac section.
    expect(macAnswer).toMatch(/keychain/i)
    const vpnAnswer = await say('item_voice_2', 'How do I connect to the VPN from home?')
    expect(vpnAnswer).toMatch(/GlobalProtect/)

    // The open chat panel saw the spoken turn live: the transcript, typing, the streamed reply.
    const frames = await panel.until('done')
    const transcript = frames.find((f) => f.type === 'message') as
      | { message: { body: string; channel: string; sender_type: string } }
      | undefined
    expect(transcript?.message).toMatchObject({
      body: 'And what about on a Mac?',
      channel: 'voice',
      sender_type: 'contact',
    })
    expect(frames.some((f) => f.type === 'typing')).toBe(true)
    expect(frames.at(-1)).toMatchObject({ type: 'done', ai_response: macAnswer })
    panel.close()

    // 4. After hanging up, the visitor types a follow-up in the chat: answered with the call's
    // context — "that" is the VPN, which only came up in the call (the chat was about passwords).
    const after = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: "What if that doesn't work?",
      source_thread_id: thread_id,
      email_token: emailToken,
    })
    expect(after.statusCode).toBe(200)
    expect(after.json().conversation_id).toBe(conversation_id)
    expect(after.json().ai_response).toMatch(/public website|Hotel|GlobalProtect/i)
    expect(after.json().ai_response).not.toMatch(/keychain|password portal/i)

    // 5. The visitor's history shows everything, typed and spoken, in order.
    const history = await t.app.inject({
      url: `/api/v1/widget/history?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${emailToken}`,
      headers: { origin: ORIGIN },
    })
    const conv = history
      .json()
      .conversations.find((c: { conversation_id: string }) => c.conversation_id === conversation_id)
    expect(conv.messages.map((m: { sender_type: string; body: string }) => m.body)).toEqual([
      'I forgot my password',
      chat.json().ai_response,
      'And what about on a Mac?',
      macAnswer,
      'How do I connect to the VPN from home?',
      vpnAnswer,
      "What if that doesn't work?",
      after.json().ai_response,
    ])
    const channels = await t.db
      .selectFrom('messages')
      .select('channel')
      .where('conversation_id', '=', conversation_id)
      .orderBy('seq')
      .execute()
    expect(channels.map((c) => c.channel)).toEqual([
      'chat',
      'chat',
      'voice',
      'voice',
      'voice',
      'voice',
      'chat',
      'chat',
    ])
  })
})
