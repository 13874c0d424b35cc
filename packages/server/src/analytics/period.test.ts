import { expect, it } from 'vitest'
import { ApiError } from '../errors.ts'
import { parsePeriod } from './period.ts'

const NOW = new Date('2026-12-07T10:00:00.000Z')

it('by default ends just after now: what was stored in this millisecond is inside [from, to)', () => {
  const p = parsePeriod({}, NOW)
  expect(NOW.toISOString() < p.toIso).toBe(true)
  expect(p.toIso).toBe('2026-12-07T10:00:00.001Z')
  expect(p.to.getTime() - p.from.getTime()).toBe(30 * 86_400_000)
  expect(p.tz).toBe('UTC')
})

it('keeps a `to` that was asked for exactly (the end stays exclusive)', () => {
  const p = parsePeriod({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' }, NOW)
  expect([p.fromIso, p.toIso]).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'])
})

it('refuses a period that ends before it starts, or an unknown time zone (422)', () => {
  for (const q of [
    { from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' },
    { tz: 'Mars/Olympus_Mons' },
  ]) {
    let err: unknown
    try {
      parsePeriod(q, NOW)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(422)
  }
})
