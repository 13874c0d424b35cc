import { describe, expect, it } from 'vitest'
import { parseCallTarget } from './job-metadata.ts'

const T = '11111111-2222-3333-4444-555555555555'

describe('parseCallTarget', () => {
  it('reads tenant, conversation and thread from the dispatch metadata', () => {
    const meta = JSON.stringify({
      tenant_id: T,
      conversation_id: 'conv_abc',
      thread_id: 'thread_x',
    })
    expect(parseCallTarget(meta)).toEqual({
      tenantId: T,
      conversationId: 'conv_abc',
      threadId: 'thread_x',
    })
  })

  it('thread is optional', () => {
    expect(parseCallTarget(JSON.stringify({ tenant_id: T, conversation_id: 'c1' }))).toEqual({
      tenantId: T,
      conversationId: 'c1',
      threadId: undefined,
    })
  })

  it('falls back to the next source when one is missing or malformed', () => {
    const good = JSON.stringify({ tenant_id: T, conversation_id: 'c2' })
    expect(parseCallTarget('', 'not json', '[1]', good)?.conversationId).toBe('c2')
  })

  it.each([
    ['no tenant', { conversation_id: 'c' }],
    ['no conversation', { tenant_id: T }],
    ['path traversal in an id', { tenant_id: T, conversation_id: '../admin' }],
    ['query in an id', { tenant_id: T, conversation_id: 'c?x=1' }],
    ['a non-string id', { tenant_id: 42, conversation_id: 'c' }],
    ['a bad thread id', { tenant_id: T, conversation_id: 'c', thread_id: 'a/b' }],
    ['an over-long id', { tenant_id: T, conversation_id: 'c'.repeat(101) }],
  ])('refuses metadata with %s', (_name, data) => {
    expect(parseCallTarget(JSON.stringify(data))).toBeUndefined()
  })
})
