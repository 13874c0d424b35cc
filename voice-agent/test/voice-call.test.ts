import { type Agent, type AgentRequest, AgentUnavailableError } from '@aurion/server/test-support'
import { initializeLogger, llm, voice } from '@livekit/agents'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { pendingUserTurns } from '../src/brain-llm.ts'
import { toChatContext } from '../src/chat-history.ts'
import {
  type CallTarget,
  InternalApiConnectionError,
  InternalApiError,
  InternalClient,
} from '../src/internal-client.ts'
import { startVoiceCall, type VoiceCall } from '../src/voice-call.ts'
import { type AurionServer, INTERNAL_TOKEN, startAurionServer } from './aurion-server.ts'

initializeLogger({ pretty: false, level: 'fatal' })

interface StoredRow {
  id: string
  sender_type: string
  channel: string
  body: string
  reply_to_id: string | null
  metadata: string | null
}

async function storedMessages(server: AurionServer, conversationId: string): Promise<StoredRow[]> {
  return server.db
    .selectFrom('messages')
    .select(['id', 'sender_type', 'channel', 'body', 'reply_to_id', 'metadata'])
    .where('conversation_id', '=', conversationId)
    .orderBy('seq')
    .execute()
}

function text(item: llm.ChatItem | undefined): string {
  return item?.type === 'message' ? (item.textContent ?? '') : ''
}

/** Starts a call the way the job does, minus the room: the session runs on text. */
async function startCall(server: AurionServer, target: CallTarget, callId = 'job-1') {
  const client = new InternalClient(server.url, INTERNAL_TOKEN)
  const snapshot = await client.getConversation(target)
  return startVoiceCall({
    client,
    target,
    snapshot,
    callId,
    defaultGreeting: 'Hello!',
  })
}

describe('a call on the real server (built-in knowledge agent)', () => {
  let server: AurionServer
  let call: VoiceCall | undefined
  beforeAll(async () => {
    server = await startAurionServer()
  })
  afterAll(async () => {
    await server.close()
  })
  afterEach(async () => {
    await call?.close()
    call = undefined
  })

  it('greets with the welcome text and answers a spoken question from the knowledge base', async () => {
    const target = await server.newConversation()
    call = await startCall(server, target)
    await call.greeting!.waitForPlayout()
    expect(text(call.session.history.items.findLast((i) => i.type === 'message'))).toBe(
      'Hi, this is Acme IT. How can I help?',
    )

    const run = call.session.run({
      userInput: 'How do I reset my password?',
      inputModality: 'audio',
    })
    await run.wait()
    const answer = run.expect.nextEvent().isMessage({ role: 'assistant' }).event().item
    run.expect.noMoreEvents()
    expect(text(answer)).toMatch(/IT portal/i)
    expect(text(answer)).toMatch(/Forgot password/i)

    // One conversation: the greeting, the spoken question and the answer are stored, in order.
    await call.writeBack.idle()
    const rows = await storedMessages(server, target.conversationId)
    expect(rows.map((r) => [r.sender_type, r.channel])).toEqual([
      ['ai', 'voice'],
      ['contact', 'voice'],
      ['ai', 'voice'],
    ])
    expect(rows[0]!.body).toBe('Hi, this is Acme IT. How can I help?')
    expect(JSON.parse(rows[0]!.metadata!)).toMatchObject({ kind: 'greeting' })
    expect(rows[1]!.body).toBe('How do I reset my password?')
    expect(rows[2]).toMatchObject({ reply_to_id: rows[1]!.id, body: text(answer) })
    expect(call.replies).toEqual([
      {
        segmentId: expect.any(String),
        userMessageId: rows[1]!.id,
        aiMessageId: rows[2]!.id,
        text: rows[2]!.body,
        endCall: false,
        transfer: false,
      },
    ])
  })

  it('continues the chat: the typed conversation is the context of a spoken follow-up', async () => {
    const target = await server.newConversation()
    const typedAnswer = await server.chat(target, 'How do I reset my password?')
    expect(typedAnswer).toMatch(/password/i)

    call = await startCall(server, target, 'job-2')
    // The agent's chat context starts with what was typed.
    const loaded = call.session.currentAgent.chatCtx.items
      .filter((i) => i.type === 'message' && i.role !== 'system')
      .map(text)
    expect(loaded.slice(0, 2)).toEqual(['How do I reset my password?', typedAnswer])

    const run = call.session.run({ userInput: 'And what about on a Mac?', inputModality: 'audio' })
    await run.wait()
    const answer = run.expect.nextEvent().isMessage({ role: 'assistant' }).event().item
    // Only the earlier turn says what "it" is: the answer is the Mac section of that article.
    expect(text(answer)).toMatch(/keychain/i)

    await call.close()
    const rows = await storedMessages(server, target.conversationId)
    expect(rows.map((r) => `${r.sender_type}/${r.channel}`)).toEqual([
      'contact/chat',
      'ai/chat',
      'ai/voice',
      'contact/voice',
      'ai/voice',
    ])
  })

  it('a second greeting write of the same call (a restarted job) is not stored twice', async () => {
    const target = await server.newConversation()
    call = await startCall(server, target, 'job-3')
    await call.close()
    call = await startCall(server, target, 'job-3')
    await call.close()
    const rows = await storedMessages(server, target.conversationId)
    expect(rows).toHaveLength(1)
  })
})

describe('barge-in and typed input during the call', () => {
  let server: AurionServer
  let call: VoiceCall | undefined
  const requests: AgentRequest[] = []
  let releaseSlow: (() => void) | undefined

  /** The brain is not under test here: a long answer that streams until released. */
  const slowAgent: Agent = {
    kind: 'test-slow',
    reply(request) {
      requests.push(request)
      const question = request.history.at(-1)!.text
      const long = question.includes('everything')
      const released = long
        ? new Promise<void>((r) => {
            releaseSlow = r
          })
        : Promise.resolve()
      return {
        sources: Promise.resolve([]),
        async *[Symbol.asyncIterator]() {
          if (!long) {
            yield `Short answer to: ${question}`
            return
          }
          yield 'The VPN has many settings. '
          yield 'First, open the client. '
          await released
          yield 'Then pick the gateway nearest to you.'
        },
      }
    },
    check: async () => ({ ok: true, reason: null }),
  }

  beforeAll(async () => {
    server = await startAurionServer({ agent: slowAgent })
  })
  afterAll(async () => {
    await server.close()
  })
  afterEach(async () => {
    releaseSlow?.()
    await call?.close()
    call = undefined
  })

  it('the visitor interrupts a long answer by typing (lk.chat): it stops, the new question is answered', async () => {
    const target = await server.newConversation()
    call = await startCall(server, target)
    await call.greeting!.waitForPlayout()
    const session = call.session

    const speaking = new Promise<void>((resolve) => {
      const onState = (ev: voice.AgentStateChangedEvent) => {
        if (ev.newState === 'speaking') {
          session.off(voice.AgentSessionEventTypes.AgentStateChanged, onState)
          resolve()
        }
      }
      session.on(voice.AgentSessionEventTypes.AgentStateChanged, onState)
    })
    const long = session.generateReply({ userInput: 'Tell me everything about the VPN' })
    await speaking
    expect(long.interrupted).toBe(false)

    // The first answer completes on the server even though the visitor cut it off.
    const firstStored = server.nextFrame(
      (f) => f.type === 'done' && String(f.ai_response).includes('gateway'),
    )
    const secondSaid = new Promise<void>((resolve) => {
      session.on(voice.AgentSessionEventTypes.ConversationItemAdded, (ev) => {
        if (ev.item.type === 'message' && text(ev.item).startsWith('Short answer')) resolve()
      })
    })
    // What RoomIO does with text typed into the call (lk.chat): interrupt, answer the new text.
    voice.DEFAULT_TEXT_INPUT_CALLBACK(session, {
      text: 'How do I reset my password?',
      info: { identity: 'visitor' },
      participantIdentity: 'visitor',
    } as never)
    await long.waitForPlayout()
    expect(long.interrupted).toBe(true)
    await secondSaid
    releaseSlow?.()
    await firstStored

    const said = session.history.items.filter(
      (i): i is llm.ChatMessage => i.type === 'message' && i.role === 'assistant',
    )
    const cut = said.find((m) => text(m).startsWith('The VPN has many settings'))
    expect(cut?.interrupted).toBe(true)
    expect(text(cut)).not.toContain('gateway')
    expect(said.some((m) => text(m) === 'Short answer to: How do I reset my password?')).toBe(true)

    // Server side: both questions stored once each, each with its own reply (the interrupted
    // one completed and stored in full: it is what the agent answered).
    await call.close()
    const rows = await storedMessages(server, target.conversationId)
    const questions = rows.filter((r) => r.sender_type === 'contact')
    expect(questions.map((q) => q.body)).toEqual([
      'Tell me everything about the VPN',
      'How do I reset my password?',
    ])
    for (const q of questions) {
      expect(rows.filter((r) => r.reply_to_id === q.id)).toHaveLength(1)
    }
    expect(rows.find((r) => r.reply_to_id === questions[0]!.id)!.body).toContain('gateway')
  })
})

describe('the brain over the internal API: failures', () => {
  let server: AurionServer
  let call: VoiceCall | undefined
  let failures = 0
  let calls = 0
  const flaky: Agent = {
    kind: 'test-flaky',
    reply(request) {
      calls++
      if (failures > 0) {
        failures--
        throw new AgentUnavailableError('upstream LLM timed out')
      }
      return {
        sources: Promise.resolve([]),
        async *[Symbol.asyncIterator]() {
          yield `You said: ${request.history.at(-1)!.text}`
        },
      }
    },
    check: async () => ({ ok: true, reason: null }),
  }
  beforeAll(async () => {
    server = await startAurionServer({ agent: flaky })
  })
  afterAll(async () => {
    await server.close()
  })
  afterEach(async () => {
    await call?.close()
    call = undefined
  })

  it('an agent outage is retried by the framework; the spoken turn is stored once', async () => {
    const target = await server.newConversation()
    call = await startCall(server, target)
    // Retries come from the framework's LLM connection options; keep them quick here.
    ;(call.session.connOptions.llmConnOptions as { retryIntervalMs: number }).retryIntervalMs = 0
    failures = 1
    calls = 0
    const run = call.session.run({ userInput: 'Is anyone there?', inputModality: 'audio' })
    await run.wait()
    expect(text(run.expect.nextEvent().isMessage({ role: 'assistant' }).event().item)).toBe(
      'You said: Is anyone there?',
    )
    expect(calls).toBe(2)
    await call.close()
    const rows = await storedMessages(server, target.conversationId)
    expect(rows.filter((r) => r.sender_type === 'contact').map((r) => r.body)).toEqual([
      'Is anyone there?',
    ])
  })

  it('the internal client reports auth, isolation and network failures distinctly', async () => {
    const target = await server.newConversation()
    const wrong = new InternalClient(server.url, 'x'.repeat(40))
    await expect(wrong.getConversation(target)).rejects.toMatchObject({
      name: 'InternalApiError',
      status: 401,
      detail: 'Invalid or missing internal token',
    })
    const client = new InternalClient(server.url, INTERNAL_TOKEN)
    const err = await client
      .getConversation({ ...target, tenantId: '00000000-0000-0000-0000-000000000000' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InternalApiError)
    expect((err as InternalApiError).status).toBe(404)
    const down = new InternalClient('http://127.0.0.1:9', INTERNAL_TOKEN)
    await expect(down.getConversation(target)).rejects.toBeInstanceOf(InternalApiConnectionError)
  })
})

describe('pendingUserTurns', () => {
  it('is the visitor turns after the last answer, never turns loaded from the server', () => {
    const ctx = toChatContext([
      {
        id: 'm1',
        sender_type: 'contact',
        body: 'typed, unanswered',
        channel: 'chat',
        created_at: '2030-01-01T00:00:00Z',
      },
    ])
    expect(pendingUserTurns(ctx)).toEqual([])
    ctx.insert(llm.ChatMessage.create({ role: 'user', content: 'first', id: 'item_a' }))
    ctx.insert(llm.ChatMessage.create({ role: 'user', content: '  ', id: 'item_blank' }))
    ctx.insert(llm.ChatMessage.create({ role: 'user', content: 'second', id: 'item_b' }))
    expect(pendingUserTurns(ctx)).toEqual([
      { id: 'item_a', text: 'first' },
      { id: 'item_b', text: 'second' },
    ])
    ctx.insert(llm.ChatMessage.create({ role: 'assistant', content: 'answer' }))
    ctx.insert(llm.ChatMessage.create({ role: 'user', content: 'third', id: 'item_c' }))
    expect(pendingUserTurns(ctx)).toEqual([{ id: 'item_c', text: 'third' }])
  })
})
