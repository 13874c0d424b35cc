import { describe, expect, it } from 'vitest'
import { Lru } from './lru.ts'
import { memoIn, oncePer } from './memo.ts'

describe('oncePer and memoIn', () => {
  it('works a value out once per object, and apart for each object', () => {
    let calls = 0
    const lengthOf = oncePer((o: { text: string }) => {
      calls++
      return o.text.length
    })
    const a = { text: 'abc' }
    const b = { text: 'abc' }
    expect([lengthOf(a), lengthOf(a), lengthOf(b)]).toEqual([3, 3, 3])
    expect(calls).toBe(2)
  })

  it('keeps a null answer like any other', () => {
    let calls = 0
    const none = oncePer((_: object) => {
      calls++
      return null
    })
    const o = {}
    expect([none(o), none(o)]).toEqual([null, null])
    expect(calls).toBe(1)
  })

  it('keeps as many results as its store does (an Lru drops the oldest)', () => {
    const seen: string[] = []
    const upper = memoIn(new Lru<string, string>(2), (s: string) => {
      seen.push(s)
      return s.toUpperCase()
    })
    expect(['a', 'b', 'a', 'c', 'b', 'a'].map(upper)).toEqual(['A', 'B', 'A', 'C', 'B', 'A'])
    // 'a' was kept (used again before 'c'); 'b' was dropped for 'c', then 'a' for 'b'.
    expect(seen).toEqual(['a', 'b', 'c', 'b', 'a'])
  })
})
