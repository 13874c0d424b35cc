import { describe, expect, it } from 'vitest'
import {
  CsatMemory,
  csatRequest,
  feedbackRequest,
  resolvedState,
  resolveRequest,
  withVote,
} from './feedback-api.ts'
import { deleteConversationRequest, withoutConversation } from './history.ts'
import type { ChatMessage, ChatState } from './types.ts'

const t = { apiBase: 'https://support.example.com', tenantId: 'ten-1', publicKey: 'vwk_abc' }
const body = (r: { init: RequestInit }) => JSON.parse(String(r.init.body))
const CREDS = { tenant_id: 'ten-1', public_key: 'vwk_abc' }

const answer = (key: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  key,
  role: 'assistant',
  body: 'An answer',
  at: '2026-01-01T00:00:00.000Z',
  state: 'done',
  serverId: `msg_${key}`,
  ...extra,
})
const state = (messages: ChatMessage[], extra: Partial<ChatState> = {}): ChatState => ({
  messages,
  typing: false,
  link: 'online',
  threadId: 'th-local-1',
  ...extra,
})

describe('feedback requests (issue 21: the exact public API)', () => {
  it('POST /widget/feedback: credentials, thread, message, rating; token only when held', () => {
    const r = feedbackRequest(t, { threadId: 'th-1' }, 'msg_1', 'up')
    expect(r.url).toBe('https://support.example.com/api/v1/widget/feedback')
    expect(r.init.method).toBe('POST')
    expect(r.init.credentials).toBe('omit')
    expect(body(r)).toEqual({ ...CREDS, thread_id: 'th-1', message_id: 'msg_1', rating: 'up' })
    const down = feedbackRequest(
      t,
      { threadId: 'th-1', emailToken: 'tok' },
      'msg_1',
      'down',
      ' Wrong ',
    )
    expect(body(down)).toEqual({
      ...CREDS,
      thread_id: 'th-1',
      email_token: 'tok',
      message_id: 'msg_1',
      rating: 'down',
      comment: 'Wrong',
    })
  })

  it('a blank comment is no comment; a long one is cut to the server limit', () => {
    expect(body(feedbackRequest(t, { threadId: 'th' }, 'm', 'down', '   '))).not.toHaveProperty(
      'comment',
    )
    expect(
      body(feedbackRequest(t, { threadId: 'th' }, 'm', 'down', 'x'.repeat(1200))).comment,
    ).toHaveLength(1000)
  })

  it('POST /widget/csat: thread and 1–5 score, optional comment', () => {
    const r = csatRequest(t, { threadId: 'th-1' }, 4)
    expect(r.url).toBe('https://support.example.com/api/v1/widget/csat')
    expect(body(r)).toEqual({ ...CREDS, thread_id: 'th-1', score: 4 })
    expect(body(csatRequest(t, { threadId: 'th-1', emailToken: 'tok' }, 2, 'slow'))).toEqual({
      ...CREDS,
      thread_id: 'th-1',
      email_token: 'tok',
      score: 2,
      comment: 'slow',
    })
  })

  it('resolve and delete name the conversation in the path (encoded) and prove it with the thread', () => {
    const r = resolveRequest(t, 'conv/1', { threadId: 'th-1' })
    expect(r.url).toBe('https://support.example.com/api/v1/widget/conversations/conv%2F1/resolve')
    expect(body(r)).toEqual({ ...CREDS, source_thread_id: 'th-1' })
    const d = deleteConversationRequest(t, 'conv_9', { emailToken: 'tok' })
    expect(d.url).toBe('https://support.example.com/api/v1/widget/conversations/conv_9/delete')
    expect(d.init.method).toBe('POST')
    expect(body(d)).toEqual({ ...CREDS, email_token: 'tok' })
    expect(
      body(deleteConversationRequest(t, 'conv_9', { emailToken: 'tok', sourceThreadId: 'th-1' })),
    ).toEqual({ ...CREDS, email_token: 'tok', source_thread_id: 'th-1' })
  })
})

describe('feedback state', () => {
  it('withVote records the vote on that message only, and a second vote replaces it', () => {
    const s = state([answer('a'), answer('b')])
    const up = withVote(s, 'a', 'up')
    expect(up.messages.map((m) => m.vote)).toEqual(['up', undefined])
    expect(s.messages[0]!.vote).toBeUndefined()
    expect(withVote(up, 'a', 'down').messages[0]!.vote).toBe('down')
    expect(withVote(up, 'nope', 'down').messages.map((m) => m.vote)).toEqual(['up', undefined])
  })

  it('resolvedState: a resolved conversation frame, keeping who handled it', () => {
    const fresh = resolvedState(state([], { typing: true }), 'conv_1')
    expect(fresh.conv).toEqual({
      type: 'conversation',
      conversation_id: 'conv_1',
      thread_id: 'th-local-1',
      handled_by: 'ai',
      assignee: null,
      status: 'resolved',
    })
    expect(fresh.typing).toBe(false)
    const withPerson = resolvedState(
      state([], {
        conv: {
          type: 'conversation',
          conversation_id: 'conv_1',
          thread_id: 'thread_srv',
          handled_by: 'human',
          assignee: { name: 'Ana' },
          status: 'open',
        },
      }),
      'conv_1',
    )
    expect(withPerson.conv).toMatchObject({
      thread_id: 'thread_srv',
      handled_by: 'human',
      assignee: { name: 'Ana' },
      status: 'resolved',
    })
  })

  it('withoutConversation drops exactly the deleted conversation', () => {
    const list = [{ conversation_id: 'c1' }, { conversation_id: 'c2' }] as Parameters<
      typeof withoutConversation
    >[0]
    expect(withoutConversation(list, 'c1').map((c) => c.conversation_id)).toEqual(['c2'])
    expect(withoutConversation(list, 'c3')).toHaveLength(2)
  })
})

describe('CsatMemory', () => {
  const storage = () => {
    const m = new Map<string, string>()
    return {
      map: m,
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
    }
  }

  it('remembers a score per conversation; only 1–5 counts', () => {
    const s = storage()
    const mem = new CsatMemory('aurion:t:csat', s)
    expect(mem.get('c1')).toBeUndefined()
    mem.set('c1', 4)
    expect(mem.get('c1')).toBe(4)
    expect(new CsatMemory('aurion:t:csat', s).get('c1')).toBe(4)
    s.map.set('aurion:t:csat', JSON.stringify({ c2: 9, c3: 'x' }))
    expect(mem.get('c2')).toBeUndefined()
    expect(mem.get('c3')).toBeUndefined()
  })

  it('survives garbage and a throwing storage; keeps the newest 50', () => {
    const s = storage()
    s.map.set('k', '{not json')
    const mem = new CsatMemory('k', s)
    expect(mem.get('c1')).toBeUndefined()
    mem.set('c1', 3)
    expect(mem.get('c1')).toBe(3)
    for (let i = 0; i < 60; i++) mem.set(`x${i}`, 5)
    expect(Object.keys(JSON.parse(s.map.get('k')!))).toHaveLength(50)
    expect(mem.get('c1')).toBeUndefined()
    expect(mem.get('x59')).toBe(5)
    const broken = new CsatMemory('k', {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
    })
    expect(broken.get('c1')).toBeUndefined()
    expect(() => broken.set('c1', 2)).not.toThrow()
  })
})
