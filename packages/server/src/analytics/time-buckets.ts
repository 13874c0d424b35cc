import type { AnalyticsInterval } from '@aurion/contract'
import { wallClock } from '../time/wall-clock.ts'

/** How far `timeZone`'s wall clock is ahead of UTC at instant `t`, in ms. */
function offsetAt(t: number, timeZone: string): number {
  const w = wallClock(t, timeZone)
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return asUtc - (t - (((t % 1000) + 1000) % 1000))
}

/**
 * The instant local midnight of a civil date begins in `timeZone` (daylight saving time
 * included: the offset is taken at the instant itself, found in two steps).
 */
export function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day)
  const first = wall - offsetAt(wall, timeZone)
  return wall - offsetAt(first, timeZone)
}

/**
 * The starts of the days or weeks (Monday to Sunday) of `timeZone` that overlap `[from, to)`,
 * as instants in ascending order; the first may begin before `from`. At most `max` of them.
 */
export function bucketStarts(
  from: Date,
  to: Date,
  interval: AnalyticsInterval,
  timeZone: string,
  max: number,
): number[] {
  const w = wallClock(from.getTime(), timeZone)
  // Civil dates walk in UTC arithmetic: days are 24 h there, whatever the zone does.
  const civil = new Date(Date.UTC(w.year, w.month - 1, w.day))
  if (interval === 'week') civil.setUTCDate(civil.getUTCDate() - ((civil.getUTCDay() + 6) % 7))
  const step = interval === 'week' ? 7 : 1
  const out: number[] = []
  for (;;) {
    const start = localMidnight(
      civil.getUTCFullYear(),
      civil.getUTCMonth() + 1,
      civil.getUTCDate(),
      timeZone,
    )
    if (start >= to.getTime() || out.length >= max) break
    out.push(start)
    civil.setUTCDate(civil.getUTCDate() + step)
  }
  return out
}

/** Index of the bucket `t` falls in (`starts` ascending), or -1 before the first. */
export function bucketIndex(starts: readonly number[], t: number): number {
  let lo = 0
  let hi = starts.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (starts[mid]! <= t) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}
