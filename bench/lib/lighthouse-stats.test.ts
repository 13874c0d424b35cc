import { describe, expect, it } from 'vitest'
import { adds, medians, roundOrder } from './lighthouse-stats.ts'

const run = (tbt: number, mainThread: number, bytes: number, score: number) => ({
  tbt,
  mainThread,
  bytes,
  score,
})

describe('lighthouse figures', () => {
  it('takes the median of each figure on its own', () => {
    expect(medians([run(30, 900, 10, 90), run(10, 1100, 30, 99), run(20, 1000, 20, 80)])).toEqual(
      run(20, 1000, 20, 90),
    )
  })

  it('refuses an empty list', () => {
    expect(() => medians([])).toThrow('no runs')
  })

  it('computes what a variant adds, negative when it lowers a figure', () => {
    expect(adds(run(25, 1400, 700_000, 88), run(0, 1000, 50_000, 100))).toEqual(
      run(25, 400, 650_000, -12),
    )
  })

  it('rotates the order so each variant leads one round in three', () => {
    const v = ['a', 'b', 'c']
    expect([0, 1, 2].map((i) => roundOrder(v, i)[0])).toEqual(['a', 'b', 'c'])
    expect(roundOrder(v, 4)).toEqual(['b', 'c', 'a'])
  })
})
