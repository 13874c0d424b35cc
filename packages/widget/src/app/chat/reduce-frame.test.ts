import type { WsServerFrame } from '@aurion/contract'
import { describe, expect, it } from 'vitest'
import { failMessage, reduceFrame } from './reduce-frame.ts'
import type { ChatMessage, ChatState } from './types.ts'

const AT = '2026-12-01T10:00:00.000Z'
const REF = { conversation_id: 'c1', thread_id: 't1' }

function state(messages: Partial<ChatMessage>[] = [], extra: Partial<ChatState> = {}): ChatState {
  return {
    messages: messages.map((m) => ({
      key: 'k',
      role: 'visitor',
      body: 'hi',
      at: AT,
      state: 'sending',
      ...m,
    })),
    typing: false,
    link: 'online',
    threadId: 'th',
    ...extra,
  }
}

/** Frames arrive as JSON: the reducer must cope with any shape, so tests may send odd ones. */
const frame = (f: Record<string, unknown>) => f as unknown as WsServerFrame

const ack = (sid: string, uid = `u-${sid}`) =>
  frame({
    type: 'ack',
    ...REF,
    contact_id: 'ct',
    user_message_id: uid,
    source_message_id: sid,
    deduplicated: false,
  })
const chunk = (sid: string, index: number, text: string) =>
  frame({ type: 'chunk', ...REF, index, chunk: text, source_message_id: sid })
const done = (uid: string, text: string, extra: Record<string, unknown> = {}) =>
  frame({
    type: 'done',
    ...REF,
    user_message_id: uid,
    ai_message_id: 'ai-1',
    ai_response: text,
    deduplicated: false,
    ...extra,
  })

describe('reduceFrame', () => {
  it('ack: the sending message is stored, announced once, its send() resolves', () => {
    const [s1, fx1] = reduceFrame(state([{ key: 'm1' }]), ack('m1'), ['m1'])
    expect(s1.messages[0]).toMatchObject({ key: 'm1', state: 'sent', serverId: 'u-m1' })
    expect(s1.conversationId).toBe('c1')
    expect(fx1).toEqual([
      { k: 'ack', key: 'm1' },
      { k: 'emit', key: 'm1' },
    ])
    // A duplicate ack (a resend after a drop) resolves again but is not announced twice.
    const [, fx2] = reduceFrame(s1, ack('m1'), ['m1'])
    expect(fx2).toEqual([{ k: 'ack', key: 'm1' }])
  })

  it('ack while a person handles the conversation ends the message (no reply will come)', () => {
    const conv = {
      type: 'conversation',
      ...REF,
      status: 'open',
      handled_by: 'human',
      assignee: null,
    } as const
    const [, fx] = reduceFrame(state([{ key: 'm1' }], { conv }), ack('m1'), ['m1'])
    expect(fx).toEqual([
      { k: 'ack', key: 'm1' },
      { k: 'emit', key: 'm1' },
      { k: 'end', key: 'm1' },
    ])
  })

  it('streams a reply, restarts it at index 0, and completes it with the authoritative text', () => {
    let [s] = reduceFrame(state([{ key: 'm1' }]), ack('m1'), ['m1'])
    ;[s] = reduceFrame(s, chunk('m1', 0, 'Hel'), ['m1'])
    ;[s] = reduceFrame(s, chunk('m1', 1, 'lo'), ['m1'])
    expect(s.messages[1]).toMatchObject({ key: 'r:m1', body: 'Hello', state: 'streaming' })
    expect(s.streaming).toBe('m1')
    // The socket dropped and the message was resent: its reply streams again from 0.
    ;[s] = reduceFrame(s, chunk('m1', 0, 'Hi'), ['m1'])
    expect(s.messages[1]?.body).toBe('Hi')
    const sources = [{ title: 'Returns', url: 'https://x.example/r' }]
    const [end, fx] = reduceFrame(s, done('u-m1', 'Hi there', { sources }), ['m1'])
    expect(end.messages[1]).toMatchObject({
      body: 'Hi there',
      state: 'done',
      serverId: 'ai-1',
      sources,
    })
    expect(end.streaming).toBeUndefined()
    expect(fx).toEqual([
      { k: 'typing', ms: 0 },
      { k: 'end', key: 'm1', reply: 'Hi there' },
      { k: 'emit', key: 'r:m1', unread: true },
    ])
  })

  it('done without chunks adds the reply; an empty reply (a person answers) ends without one', () => {
    const s = state([{ key: 'm1', state: 'sent', serverId: 'u-m1' }])
    const [a] = reduceFrame(s, done('u-m1', 'Answer'), ['m1'])
    expect(a.messages.map((m) => m.key)).toEqual(['m1', 'r:m1'])
    const [b, fx] = reduceFrame(s, done('u-m1', ''), ['m1'])
    expect(b.messages).toHaveLength(1)
    expect(fx).toEqual([
      { k: 'typing', ms: 0 },
      { k: 'end', key: 'm1', reply: undefined },
    ])
  })

  it.each([
    ['agent_unavailable', 'agentDown', 'sent'],
    ['rate_limited', 'rateLimited', 'failed'],
    ['validation_error', 'rejected', 'failed'],
    ['internal_error', 'notSent', 'failed'],
  ])('error %s → %s (message %s)', (code, error, msgState) => {
    const s = state([{ key: 'm1', state: 'sent', serverId: 'u-m1' }], { streaming: 'm1' })
    const f = frame({ type: 'error', code, message: 'why', source_message_id: 'm1' })
    const [next, fx] = reduceFrame(s, f, ['m1'])
    expect(next.messages[0]).toMatchObject({ state: msgState, error, detail: 'why' })
    expect(next.streaming).toBeUndefined()
    expect(fx).toEqual([{ k: 'end', key: 'm1', error: 'why' }])
  })

  it('an agent outage before the message was stored fails it', () => {
    const s = failMessage(state([{ key: 'm1' }]), 'm1', 'agentDown')
    expect(s.messages[0]).toMatchObject({ state: 'failed', error: 'agentDown' })
  })

  it('a person’s message is added once with their name and counted unread', () => {
    const f = frame({
      type: 'message',
      ...REF,
      message: {
        id: 'p1',
        sender_type: 'agent',
        body: 'Hello, I am Ann',
        channel: 'chat',
        created_at: AT,
        attachments: [],
        author_name: 'Ann',
      },
    })
    const [s, fx] = reduceFrame(state([], { typing: true }), f, [])
    expect(s.messages).toEqual([
      expect.objectContaining({ key: 's:p1', role: 'agent', author: 'Ann', serverId: 'p1' }),
    ])
    expect(s.typing).toBe(false)
    expect(fx).toEqual([{ k: 'emit', key: 's:p1', unread: true }])
    // The same message again (another tab, a catch-up): nothing changes.
    const [again, fx2] = reduceFrame(s, f, [])
    expect(again).toBe(s)
    expect(fx2).toEqual([])
  })

  it('ignores a message already shown: our own (by source id) or a line of the call', () => {
    const own = frame({
      type: 'message',
      ...REF,
      message: { id: 'x', sender_type: 'contact', body: 'hi', source_message_id: 'm1' },
    })
    const s = state([{ key: 'm1', state: 'sent' }])
    expect(reduceFrame(s, own, [])[0]).toBe(s)
    const spoken = state([{ key: 'v:seg1', role: 'assistant', body: 'Sure, one moment.' }])
    const stored = frame({
      type: 'message',
      ...REF,
      message: { id: 'y', sender_type: 'ai', body: 'sure one moment', channel: 'voice' },
    })
    expect(reduceFrame(spoken, stored, [])[0]).toBe(spoken)
  })

  it('frames about another message, or malformed ones, change nothing', () => {
    const s = state([{ key: 'm1' }])
    for (const f of [
      ack('someone-else'),
      chunk('someone-else', 0, 'x'),
      frame({ type: 'message', ...REF, message: { id: 5, body: null } }),
      frame({ type: 'message' }),
      frame({ type: 'pong' }),
      frame({ type: 'unknown-kind' }),
    ]) {
      const [next] = reduceFrame(s, f, ['m1'])
      expect(next.messages).toEqual(s.messages)
    }
  })

  it('typing: a person’s lasts 8 s, the assistant’s 30 s; a conversation frame is kept', () => {
    expect(reduceFrame(state(), frame({ type: 'typing', ...REF }), [])[1]).toEqual([
      { k: 'typing', ms: 3e4 },
    ])
    const person = frame({ type: 'typing', conversation_id: 'c1', sender_type: 'agent' })
    expect(reduceFrame(state(), person, [])[1]).toEqual([{ k: 'typing', ms: 8e3 }])
    const conv = frame({
      type: 'conversation',
      ...REF,
      status: 'open',
      handled_by: 'human',
      assignee: { name: 'Ann' },
    })
    expect(reduceFrame(state([], { typing: true }), conv, [])[0]).toMatchObject({
      conv,
      typing: false,
    })
  })
})
