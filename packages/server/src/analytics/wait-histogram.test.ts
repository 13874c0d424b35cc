import { describe, expect, it } from 'vitest'
import { seededRandom } from '../seeded-random.ts'
import { addWaits, medianOfBins, waitBin } from './wait-histogram.ts'

describe('wait histograms', () => {
  it.each([
    [0, 0],
    [99, 0],
    [2_450, 2_400],
    [99_999, 99_900],
    [100_000, 100_000],
    [123_456, 123_000],
    [1_234_567, 1_230_000],
    [98_765_432, 98_700_000],
    [4_000_000_000, 4_000_000_000],
  ])('%i ms falls in the bin from %i ms', (ms, bin) => {
    expect(waitBin(ms)).toBe(bin)
  })

  it('an empty histogram has no median', () => {
    expect(medianOfBins([])).toBeNull()
    expect(medianOfBins([{ bin: 0, n: 0, totalMs: 0 }])).toBeNull()
  })

  it('is exact for one wait per bin and for equal waits in a bin', () => {
    expect(medianOfBins(addWaits([], [3_000, 1_000, 2_000]))).toBe(2)
    expect(medianOfBins(addWaits([], [1_000, 4_000, 2_000, 3_000]))).toBe(2.5)
    expect(medianOfBins(addWaits([], [20_000, 20_000, 20_000, 90_000]))).toBe(20)
  })

  it('stays within a bin of the exact median on random waits', () => {
    const rnd = seededRandom(3)
    for (let run = 0; run < 50; run++) {
      const waits = Array.from({ length: 1 + Math.floor(rnd() * 400) }, () =>
        Math.floor(rnd() ** 3 * 3_600_000),
      )
      const s = [...waits].sort((a, b) => a - b)
      const mid = s.length >> 1
      const exact = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
      const got = medianOfBins(addWaits([], waits))! * 1000
      // Within the width of the widest bin involved: 100 ms, or 1 % of the wait.
      expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.max(100, exact * 0.01) + 1)
    }
  })
})
