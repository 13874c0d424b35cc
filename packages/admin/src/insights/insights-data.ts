import type {
  AnalyticsAgentsResponse,
  AnalyticsArticlesResponse,
  AnalyticsOverviewResponse,
  AnalyticsUnansweredResponse,
} from '@aurion/contract'

/** Everything the Insights page shows for one period. */
export interface InsightsData {
  overview: AnalyticsOverviewResponse
  unanswered: AnalyticsUnansweredResponse
  articles: AnalyticsArticlesResponse
  agents: AnalyticsAgentsResponse
}

export const RANGES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
] as const
export type Range = (typeof RANGES)[number]['value']

/** The period of a range ending now: days for up to a month, weeks beyond. */
export function periodOf(range: Range, now = Date.now()) {
  const days = Number(range)
  return {
    from: new Date(now - days * 86_400_000).toISOString(),
    to: new Date(now).toISOString(),
    interval: days > 31 ? ('week' as const) : ('day' as const),
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  }
}

/** A 0–1 rate as a percentage, or a dash without data. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`
}

/** Seconds as "4 s", "3 min", "2.5 h"; a dash without data. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–'
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`
  if (seconds < 3600) return `${Math.round(seconds / 6) / 10} min`
  return `${Math.round(seconds / 360) / 10} h`
}

const cell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v)
  // A leading = + - @ would run as a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The period's figures, series and unanswered questions as CSV (RFC 4180, spreadsheet-safe). */
export function toCsv(d: InsightsData, period: { from: string; to: string; tz: string }): string {
  const o = d.overview
  const rows: (string | number | null)[][] = [
    ['figure', 'value'],
    ['from', period.from],
    ['to', period.to],
    ['time_zone', period.tz],
    ['conversations', o.conversations],
    ['visitor_messages', o.visitor_messages],
    ['resolved_by_ai', o.resolved_by_ai],
    ['ai_resolution_rate', o.ai_resolution_rate],
    ['handed_off', o.handed_off],
    ['handoff_rate', o.handoff_rate],
    ['feedback_up', o.feedback.up],
    ['feedback_down', o.feedback.down],
    ['csat_average', o.csat.average],
    ['csat_responses', o.csat.responses],
    ['first_response_ai_p50_seconds', o.first_response_seconds.ai_p50],
    ['first_response_human_p50_seconds', o.first_response_seconds.human_p50],
    [],
    ['period_start', 'conversations', 'resolved_by_ai', 'handed_off'],
    ...o.series.map((p) => [p.start, p.conversations, p.resolved_by_ai, p.handed_off]),
    [],
    ['unanswered_question', 'count', 'no_answer', 'thumbs_down', 'last_asked_at'],
    ...d.unanswered.groups.map((g) => [
      g.example,
      g.count,
      g.reasons.no_answer,
      g.reasons.thumbs_down,
      g.last_asked_at,
    ]),
  ]
  return `${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`
}
