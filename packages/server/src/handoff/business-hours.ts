import { type BusinessHours, WEEKDAYS, type Weekday } from '@aurion/contract'
import { wallClock } from '../time/wall-clock.ts'

/** The weekday and `HH:MM` of `at` in `timeZone`. */
export function localWeekTime(at: Date, timeZone: string): { day: Weekday; time: string } {
  const w = wallClock(at.getTime(), timeZone)
  // getUTCDay counts from Sunday; WEEKDAYS from Monday.
  const day = WEEKDAYS[(new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7]!
  const pad = (n: number) => String(n).padStart(2, '0')
  return { day, time: `${pad(w.hour)}:${pad(w.minute)}` }
}

/**
 * Whether `at` falls in the business hours (`null`: always open). An interval covers
 * `start <= time < end` on each of its days, in the hours' own time zone (daylight saving time
 * included). An unknown time zone (stored before a runtime dropped it) counts as open: people's
 * availability still decides.
 */
export function isWithinBusinessHours(hours: BusinessHours | null, at: Date): boolean {
  if (hours === null) return true
  let local: { day: Weekday; time: string }
  try {
    local = localWeekTime(at, hours.time_zone)
  } catch {
    return true
  }
  return hours.intervals.some(
    (iv) => iv.days.includes(local.day) && iv.start <= local.time && local.time < iv.end,
  )
}
