import { initializeLogger, type llm, voice } from '@livekit/agents'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CallTarget, InternalClient } from '../src/internal-client.ts'
import { HANDOFF_CLOSE_REASON, startVoiceCall, type VoiceCall } from '../src/voice-call.ts'
import { type AurionServer, INTERNAL_TOKEN, startAurionServer } from './aurion-server.ts'

initializeLogger({ pretty: false, level: 'fatal' })

function said(call: VoiceCall): llm.ChatMessage[] {
  return call.session.history.items.filter(
    (i): i is llm.ChatMessage => i.type === 'message' && i.role === 'assistant',
  )
}

/** Asking for a person during a call: the server's reply says so, then the call ends. */
describe('a person takes over during a call (end_call)', () => {
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

  async function start(existing?: CallTarget) {
    const target = existing ?? (await server.newConversation())
    const client = new InternalClient(server.url, INTERNAL_TOKEN)
    const snapshot = await client.getConversation(target)
    call = await startVoiceCall({
      client,
      target,
      snapshot,
      callId: 'job-end',
      defaultGreeting: '',
    })
    await call.greeting?.waitForPlayout()
    return call
  }

  it('a normal reply does not end the call', async () => {
    const c = await start()
    const first = c.session.run({
      userInput: 'How do I reset my password?',
      inputModality: 'audio',
    })
    await first.wait()
    // The session still answers: it was not closed after the first reply.
    const second = c.session.run({ userInput: 'And what about on a Mac?', inputModality: 'audio' })
    await second.wait()
    expect(c.replies.map((r) => r.endCall)).toEqual([false, false])
    expect(said(c).at(-1)?.textContent).toMatch(/keychain/i)
  })

  it('the hand-off reply is spoken to its end, then the session closes', async () => {
    const c = await start()
    const order: string[] = []
    c.session.on(voice.AgentSessionEventTypes.SpeechCreated, (ev) => {
      if (ev.source === 'generate_reply') {
        ev.speechHandle.addDoneCallback((h) =>
          order.push(h.interrupted ? 'reply interrupted' : 'reply spoken'),
        )
      }
    })
    void c.closed.then((reason) => order.push(`closed ${reason}`))

    const run = c.session.run({ userInput: 'I want to talk to a person', inputModality: 'audio' })
    await run.wait()
    expect(await c.closed).toBe(HANDOFF_CLOSE_REASON)
    expect(order).toEqual(['reply spoken', `closed ${HANDOFF_CLOSE_REASON}`])

    expect(c.replies).toHaveLength(1)
    const reply = c.replies[0]!
    expect(reply.endCall).toBe(true)
    // Said in full, not cut off by the close: what the server stored is what was spoken.
    const last = said(c).at(-1)!
    expect(last.interrupted).toBe(false)
    expect(last.textContent).toBe(reply.text)
    expect(reply.text).toMatch(/connect|person|team/i)
    await c.writeBack.idle()
    const stored = await server.db
      .selectFrom('messages')
      .select(['id', 'body'])
      .where('id', '=', reply.aiMessageId)
      .executeTakeFirstOrThrow()
    expect(stored.body).toBe(reply.text)
  })

  it('a later call while a person has the conversation: the assistant stays silent and hangs up', async () => {
    const first = await start()
    const target = first.target
    await first.session
      .run({ userInput: 'I want to talk to a person', inputModality: 'audio' })
      .wait()
    expect(await first.closed).toBe(HANDOFF_CLOSE_REASON)
    await first.close()

    const again = await start(target)
    await again.session.run({ userInput: 'Hello?', inputModality: 'audio' }).wait()
    expect(await again.closed).toBe(HANDOFF_CLOSE_REASON)
    expect(again.replies).toEqual([expect.objectContaining({ text: '', endCall: true })])
    // Only the greeting (the call's start) was said: the silent turn spoke nothing.
    expect(
      said(again)
        .map((m) => m.textContent ?? '')
        .filter((t) => t !== ''),
    ).toEqual(['Hi, this is Acme IT. How can I help?'])
  })
})
