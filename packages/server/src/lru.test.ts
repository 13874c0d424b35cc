import { describe, expect, it } from 'vitest'
import { Lru } from './lru.ts'

describe('Lru', () => {
  it('drops the least recently used entry past its size', () => {
    const lru = new Lru<string, number>(3)
    lru.set('a', 1).set('b', 2).set('c', 3)
    expect(lru.get('a')).toBe(1)
    lru.set('d', 4)
    expect([...lru.keys()]).toEqual(['c', 'a', 'd'])
    expect(lru.get('b')).toBeUndefined()
    expect(lru.size).toBe(3)
  })

  it('counts a set of a known key as a use, and replaces its value', () => {
    const lru = new Lru<string, number>(2)
    lru.set('a', 1).set('b', 2).set('a', 10).set('c', 3)
    expect([...lru.keys()]).toEqual(['a', 'c'])
    expect(lru.get('a')).toBe(10)
  })

  it('leaves recency alone on peek', () => {
    const lru = new Lru<string, number>(2)
    lru.set('a', 1).set('b', 2)
    expect(lru.peek('a')).toBe(1)
    lru.set('c', 3)
    expect(lru.peek('a')).toBeUndefined()
    expect([...lru.keys()]).toEqual(['b', 'c'])
  })

  it('keeps exact order once nearly full, whatever was hit before', () => {
    const lru = new Lru<number, number>(10)
    for (let i = 0; i < 10; i++) lru.set(i, i)
    // Full: each hit moves its entry last (a second hit of the newest changes nothing).
    lru.get(0)
    lru.get(0)
    lru.get(9)
    lru.get(1)
    lru.set(10, 10)
    lru.set(11, 11)
    expect([...lru.keys()]).toEqual([4, 5, 6, 7, 8, 0, 9, 1, 10, 11])
    expect(lru.peek(2)).toBeUndefined()
    expect(lru.peek(0)).toBe(0)
  })

  it('forgets deleted and cleared entries (the newest included)', () => {
    const lru = new Lru<string, number>(2)
    lru.set('a', 1).set('b', 2)
    expect(lru.delete('b')).toBe(true)
    expect(lru.delete('b')).toBe(false)
    lru.set('b', 3).set('c', 4)
    expect([...lru.keys()]).toEqual(['b', 'c'])
    lru.clear()
    expect(lru.size).toBe(0)
    lru.set('c', 5)
    expect(lru.get('c')).toBe(5)
  })

  it('holds nothing with a size of 0', () => {
    const lru = new Lru<string, number>(0)
    lru.set('a', 1)
    expect(lru.size).toBe(0)
    expect(lru.get('a')).toBeUndefined()
  })
})
