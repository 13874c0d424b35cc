import { describe, expect, it } from 'vitest'
import { formatTable, row, significant } from './report.ts'
import { percentile } from './stats.ts'

describe('bench report', () => {
  it('computes ratios against the baseline, keeping small ratios readable', () => {
    expect(row({ section: 's', name: 'n', value: 50, unit: 'ms', baseline: 20 }).ratio).toBe(2.5)
    expect(row({ section: 's', name: 'n', value: 38, unit: 'req/s', baseline: 8369.5 }).ratio).toBe(
      0.00454,
    )
    expect(
      row({ section: 's', name: 'n', value: 3, unit: 'ms', baseline: 0 }).ratio,
    ).toBeUndefined()
    expect(row({ section: 's', name: 'n', value: 3, unit: 'ms' }).ratio).toBeUndefined()
    expect(significant(0.123456)).toBe(0.123)
  })

  it('prints one aligned line per figure with baseline, ratio, goal and verdict', () => {
    const table = formatTable([
      row({
        section: 'http',
        name: 'throughput',
        value: 900,
        unit: 'req/s',
        baseline: 1000,
        baselineLabel: 'raw',
        goal: '≥ 0.6× raw',
        pass: true,
      }),
      row({
        section: 'widget',
        name: 'loader',
        value: 5.5,
        unit: 'KB',
        goal: '≤ 4 KB',
        pass: false,
      }),
    ])
    const lines = table.split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[2]).toMatch(
      /^http\s+throughput\s+900 req\/s\s+1000 req\/s \(raw\)\s+0\.9×\s+≥ 0\.6× raw\s+ok$/,
    )
    expect(lines[3]).toMatch(/MISS$/)
  })

  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(xs, 50)).toBe(50)
    expect(percentile(xs, 99)).toBe(99)
    expect(percentile(xs, 100)).toBe(100)
    expect(percentile([], 50)).toBeNaN()
  })
})
