import { describe, expect, it } from 'vitest'
import { expectLinearTime, repeatTo } from './linear-time.ts'

describe('expectLinearTime', () => {
  it('passes a linear scan', () => {
    expectLinearTime(
      (s) => /\s+$/.test(s),
      (n) => repeatTo('a ', n),
      (n) => repeatTo('ab ', n),
    )
  })

  it('fails a quadratic regex, early and fast', () => {
    const started = performance.now()
    expect(() =>
      expectLinearTime(
        (s) => /\s+\S*$/.test(s),
        (n) => `${' '.repeat(n)}a b!`,
        (n) => 'a'.repeat(n),
      ),
    ).toThrow(/chars: .* ms against a baseline/)
    expect(performance.now() - started).toBeLessThan(20_000)
  })
})
