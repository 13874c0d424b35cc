import { describe, expect, it } from 'vitest'
import { localMidnight } from '../analytics/time-buckets.ts'
import { localWeekTime } from '../handoff/business-hours.ts'
import { wallClock } from './wall-clock.ts'

describe('wall clock in a time zone (business hours and analytics buckets share it)', () => {
  it('reads the civil date and time, midnight as 00 (not 24)', () => {
    expect(wallClock(Date.parse('2026-12-07T00:00:05Z'), 'UTC')).toEqual({
      year: 2026,
      month: 12,
      day: 7,
      hour: 0,
      minute: 0,
      second: 5,
    })
    expect(wallClock(Date.parse('2026-12-06T23:30:00Z'), 'Asia/Tokyo')).toMatchObject({
      day: 7,
      hour: 8,
      minute: 30,
    })
  })

  it.each([
    ['2026-12-07T09:30:00Z', 'UTC', { day: 'mon', time: '09:30' }],
    ['2026-12-07T09:30:00Z', 'America/New_York', { day: 'mon', time: '04:30' }],
    ['2026-12-07T03:00:00Z', 'America/New_York', { day: 'sun', time: '22:00' }],
    ['2026-12-06T23:30:00Z', 'Asia/Tokyo', { day: 'mon', time: '08:30' }],
    ['2026-12-12T12:00:00Z', 'Europe/Berlin', { day: 'sat', time: '13:00' }],
  ])('%s in %s is %o', (at, tz, expected) => {
    expect(localWeekTime(new Date(at), tz)).toEqual(expected)
  })

  it('finds local midnight across a daylight saving change', () => {
    // Berlin moves from +01:00 to +02:00 on 2026-03-29 at 02:00.
    expect(new Date(localMidnight(2026, 3, 29, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-28T23:00:00.000Z',
    )
    expect(new Date(localMidnight(2026, 3, 30, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T22:00:00.000Z',
    )
  })

  it('refuses an unknown time zone', () => {
    expect(() => wallClock(0, 'Mars/Olympus_Mons')).toThrow(RangeError)
  })
})
