import { Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { TallyHistogram } from './tally-histogram.ts'

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const config = (registry: Registry) => ({
  name: 'test_duration_seconds',
  help: 'A duration, by route and status.',
  labelNames: ['route', 'status_code'] as const,
  buckets: BUCKETS,
  registers: [registry],
})

/** prom-client's own histogram and ours, each in a registry of its own. */
function pair() {
  const theirs = new Registry()
  const ours = new Registry()
  return {
    theirs,
    ours,
    reference: new Histogram(config(theirs)),
    tally: new TallyHistogram(config(ours)),
  }
}

// On every bound, between bounds, below the first, above the last, and zero.
const VALUES = [0, 0.001, 0.005, 0.0050001, 0.01, 0.3, 1, 2.5, 9.99, 10, 11, 300]

describe('TallyHistogram', () => {
  it('exposes what prom-client exposes for the same observations', async () => {
    const { theirs, ours, reference, tally } = pair()
    const a = { route: '/a', status_code: '200' }
    const b = { route: '/b "quoted"\\', status_code: 404 }
    const sa = tally.series('a', a)
    const sb = tally.series('b', b)
    for (const [i, v] of VALUES.entries()) {
      reference.observe(a, v)
      sa.observe(v)
      if (i % 3 === 0) {
        reference.observe(b, v * 2)
        sb.observe(v * 2)
      }
    }
    const text = await ours.metrics()
    expect(text).toBe(await theirs.metrics())
    expect(text).toContain(
      'test_duration_seconds_bucket{le="0.005",route="/a",status_code="200"} 3',
    )
    expect(text).toContain('test_duration_seconds_count{route="/a",status_code="200"} 12')
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON())
  })

  it('gives the same series to the same key, so callers can keep it', () => {
    const { tally } = pair()
    const labels = { route: '/a', status_code: '200' }
    expect(tally.series('k', labels)).toBe(tally.series('k', labels))
    expect(tally.series('other', labels)).not.toBe(tally.series('k', labels))
  })

  it('shows a label set only once something is observed for it, as prom-client does', async () => {
    const { theirs, ours, tally } = pair()
    tally.series('never', { route: '/never', status_code: '200' })
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.metrics()).not.toContain('/never')
  })

  it('resets to nothing, and a kept series counts again from zero', async () => {
    const { theirs, ours, reference, tally } = pair()
    const labels = { route: '/a', status_code: '200' }
    const kept = tally.series('a', labels)
    kept.observe(0.2)
    reference.observe(labels, 0.2)
    ours.resetMetrics()
    theirs.resetMetrics()
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.metrics()).not.toContain('/a')
    kept.observe(0.02)
    reference.observe(labels, 0.02)
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.metrics()).toContain(
      'test_duration_seconds_count{route="/a",status_code="200"} 1',
    )
  })

  it('does not count a value that is not a finite number (prom-client throws on it)', async () => {
    const { ours, tally } = pair()
    const s = tally.series('a', { route: '/a', status_code: '200' })
    s.observe(Number.NaN)
    s.observe(Number.POSITIVE_INFINITY)
    s.observe(0.5)
    expect(s.count).toBe(1)
    expect(await ours.metrics()).toContain(
      'test_duration_seconds_sum{route="/a",status_code="200"} 0.5',
    )
    expect(() => new Histogram(config(new Registry())).observe(Number.NaN)).toThrow(TypeError)
  })

  it("refuses prom-client's own observe and timer, whose values it would never export", () => {
    const { tally } = pair()
    expect(() => tally.observe({ route: '/a', status_code: '200' }, 0.1)).toThrow(/series/)
    expect(() => tally.startTimer({ route: '/a' })()).toThrow(/series/)
  })
})
