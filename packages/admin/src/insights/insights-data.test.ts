import { describe, expect, it } from 'vitest'
import { duration, type InsightsData, percent, periodOf, toCsv } from './insights-data.ts'

const data = (example: string): InsightsData => ({
  overview: {
    conversations: 3,
    visitor_messages: 4,
    resolved_by_ai: 1,
    handed_off: 1,
    ai_resolution_rate: 0.3333,
    handoff_rate: 0.3333,
    feedback: { up: 1, down: 0 },
    csat: { average: null, responses: 0 },
    first_response_seconds: { ai_p50: 1.5, human_p50: null },
    series: [
      { start: '2026-12-01T00:00:00.000Z', conversations: 3, resolved_by_ai: 1, handed_off: 1 },
    ],
  },
  unanswered: {
    total: 2,
    groups: [
      {
        count: 2,
        example,
        wordings: [example],
        reasons: { no_answer: 2, thumbs_down: 0 },
        last_asked_at: '2026-12-01T10:00:00Z',
        conversations: [],
      },
    ],
  },
  articles: { articles: [] },
  agents: { agents: [] },
})
const period = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', tz: 'UTC' }

describe('insights data', () => {
  it('CSV: figures, series and questions; quotes commas and quotes', () => {
    const csv = toCsv(data('Do you ship to "Mars", or Venus?'), period)
    expect(csv).toContain('conversations,3\r\n')
    expect(csv).toContain('csat_average,\r\n')
    expect(csv).toContain('2026-12-01T00:00:00.000Z,3,1,1\r\n')
    expect(csv).toContain('"Do you ship to ""Mars"", or Venus?",2,2,0,2026-12-01T10:00:00Z\r\n')
  })

  it.each(['=HYPERLINK("http://evil")', '+1', '-2+3', '@SUM(A1)'])(
    'CSV: a visitor question %s is text, never a spreadsheet formula',
    (q) => {
      const line = toCsv(data(q), period).trimEnd().split('\r\n').at(-1)!
      expect(line.replace(/^"/, '').startsWith("'")).toBe(true)
    },
  )

  it('formats rates and durations; ranges of more than a month go by week', () => {
    expect(percent(0.3333)).toBe('33.3%')
    expect(percent(null)).toBe('–')
    expect(duration(1.5)).toBe('1.5 s')
    expect(duration(150)).toBe('2.5 min')
    expect(duration(7200)).toBe('2 h')
    expect(periodOf('90', Date.parse('2026-12-01T00:00:00Z')).interval).toBe('week')
    expect(periodOf('30', Date.parse('2026-12-01T00:00:00Z'))).toMatchObject({
      from: '2026-11-01T00:00:00.000Z',
      interval: 'day',
    })
  })
})
