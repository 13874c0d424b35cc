import { describe, expect, it, vi } from 'vitest'
import { newId, nowIso, randomBase62 } from './ids.ts'

describe('ids', () => {
  it('newId is the prefix and 22 base62 characters', () => {
    expect(newId('conv')).toMatch(/^conv_[0-9A-Za-z]{22}$/)
    expect(randomBase62(43)).toMatch(/^[0-9A-Za-z]{43}$/)
    expect(randomBase62(0)).toBe('')
  })

  it('starts with the creation time: ids made later sort after, in byte order', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.UTC(2026, 0, 1))
      const earlier = Array.from({ length: 50 }, () => newId('msg'))
      vi.setSystemTime(Date.UTC(2026, 0, 1) + 1)
      const later = Array.from({ length: 50 }, () => newId('msg'))
      vi.setSystemTime(Date.UTC(2080, 11, 31))
      const far = newId('msg')
      const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
      for (const a of earlier) for (const b of later) expect(byteOrder(a, b)).toBe(-1)
      expect(byteOrder(later[0]!, far)).toBe(-1)
      // Same millisecond, same 7 leading characters; the other 15 are random (≈ 89 bits).
      expect(new Set(earlier.map((id) => id.slice(4, 11))).size).toBe(1)
      expect(new Set(earlier.map((id) => id.slice(11))).size).toBe(50)
    } finally {
      vi.useRealTimers()
    }
  })

  it('nowIso is the current time, to the millisecond', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.UTC(2026, 5, 9, 15, 0, 0, 7))
      expect(nowIso()).toBe('2026-06-09T15:00:00.007Z')
      expect(nowIso()).toBe('2026-06-09T15:00:00.007Z')
      vi.setSystemTime(Date.UTC(2026, 5, 9, 15, 0, 0, 8))
      expect(nowIso()).toBe('2026-06-09T15:00:00.008Z')
    } finally {
      vi.useRealTimers()
    }
  })

  it('never repeats, across many refills of the random pool', () => {
    const seen = new Set<string>()
    // 20,000 ids use ~470 KB of random bytes: the 4 KiB pool is refilled over a hundred times.
    for (let i = 0; i < 20_000; i++) seen.add(newId('msg'))
    expect(seen.size).toBe(20_000)
  })

  it('draws every character about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>()
    const text = randomBase62(620_000)
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1)
    expect(counts.size).toBe(62)
    // 10,000 expected per character, standard deviation ≈ 100: ±6 % is six deviations. A
    // `byte % 62` without rejection would give the first 8 characters ~25 % more.
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(9_400)
      expect(n).toBeLessThan(10_600)
    }
  })
})
