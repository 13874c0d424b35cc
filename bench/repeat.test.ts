import { expect, it } from 'vitest'
import { row } from './lib/report.ts'
import { formatSpread, spreadOf } from './repeat.ts'

const run = (value: number, deliveries: number) => [
  row({
    section: 'http',
    name: 'embed/config throughput',
    value,
    unit: 'req/s',
    baseline: 10_000,
    goal: '≥ 0.6× raw',
    pass: value >= 6000,
  }),
  row({
    section: 'webhooks',
    name: `deliveries/s (${deliveries} deliveries)`,
    value: 1,
    unit: '/s',
  }),
]

it('groups each figure over the runs, with min / median / max and the runs its goal held in', () => {
  const spread = spreadOf([run(5000, 600), run(7000, 610), run(6500, 590)])
  expect(spread).toHaveLength(2)
  expect(spread[0]).toMatchObject({
    name: 'embed/config throughput',
    values: [5000, 7000, 6500],
    ratios: [0.5, 0.7, 0.65],
    passed: 2,
    judged: 3,
  })
  // A count in the name that changes from run to run does not split the figure.
  expect(spread[1]).toMatchObject({ name: 'deliveries/s', values: [1, 1, 1] })
  expect(spread[1]!.judged).toBeUndefined()
  const table = formatSpread(spread)
  expect(table).toContain('5000 / 6500 / 7000 req/s')
  expect(table).toContain('0.5 / 0.65 / 0.7×')
  expect(table).toMatch(/≥ 0\.6× raw\s+2\/3/)
})
