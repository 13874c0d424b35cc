import { ANALYTICS_DEFAULT_DAYS, ANALYTICS_MAX_DAYS } from '@aurion/contract'
import { invalidField } from '../errors.ts'

const DAY_MS = 86_400_000

/** The period a report covers: `[from, to)` as instants, and the time zone of its calendar. */
export interface Period {
  from: Date
  to: Date
  tz: string
  /** `from`/`to` as stored timestamps compare (ISO 8601 UTC). */
  fromIso: string
  toIso: string
}

/** Whether the runtime knows the IANA time zone. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/**
 * The period of `from`/`to`/`tz` query parameters: default the last 30 days up to now in UTC.
 * `from` must be before `to`, the span at most a year, `tz` a known IANA zone (422 otherwise).
 *
 * Periods are `[from, to)` and timestamps are stored to the millisecond: "up to now" ends one
 * millisecond after `now`, so what was stored in the millisecond the request arrived (a vote just
 * given) counts.
 */
export function parsePeriod(
  q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
  now = new Date(),
): Period {
  const to = q.to === undefined ? new Date(now.getTime() + 1) : new Date(q.to)
  const from =
    q.from === undefined
      ? new Date(to.getTime() - ANALYTICS_DEFAULT_DAYS * DAY_MS)
      : new Date(q.from)
  if (Number.isNaN(to.getTime())) throw invalidField(['query', 'to'], 'Not a date-time')
  if (Number.isNaN(from.getTime())) throw invalidField(['query', 'from'], 'Not a date-time')
  if (from.getTime() >= to.getTime())
    throw invalidField(['query', 'from'], 'from must be before to')
  if (to.getTime() - from.getTime() > ANALYTICS_MAX_DAYS * DAY_MS) {
    throw invalidField(['query', 'from'], `The period may cover at most ${ANALYTICS_MAX_DAYS} days`)
  }
  const tz = q.tz ?? 'UTC'
  if (!isTimeZone(tz)) throw invalidField(['query', 'tz'], 'Unknown IANA time zone')
  return { from, to, tz, fromIso: from.toISOString(), toIso: to.toISOString() }
}

/**
 * `[from, to)` (ms) cut at multiples of `unit` ms: the whole units inside it, `[first, end)`
 * counted in units since 1970 (empty when `first >= end`), and the pieces before and after them
 * as ISO instants (all of `[from, to)` when no whole unit fits).
 */
export function splitPeriod(
  from: number,
  to: number,
  unit: number,
): { first: number; end: number; edges: [string, string][] } {
  const first = Math.ceil(from / unit)
  const end = Math.floor(to / unit)
  const iso = (t: number) => new Date(t).toISOString()
  if (first >= end) return { first, end: first, edges: [[iso(from), iso(to)]] }
  const edges: [string, string][] = []
  if (from < first * unit) edges.push([iso(from), iso(first * unit)])
  if (end * unit < to) edges.push([iso(end * unit), iso(to)])
  return { first, end, edges }
}
