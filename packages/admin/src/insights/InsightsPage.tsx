import type { ComponentType } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { EmptyState, LoadError, Loading, PageHeader } from '../components/Bits.tsx'
import { Card } from '../components/Card.tsx'
import { Segmented } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { relativeTime } from '../lib/format.ts'
import { linkClick, navigate } from '../lib/router.ts'
import { useAsync } from '../lib/use-async.ts'
import {
  duration,
  type InsightsData,
  percent,
  periodOf,
  RANGES,
  type Range,
  toCsv,
} from './insights-data.ts'
import type { TrendChartProps } from './TrendChart.tsx'
import './insights.css'

/**
 * Insights, the first page owners and admins see: did the assistant help (resolution, hand-off,
 * votes, CSAT, first responses, a chart over time), what it could not answer (with "Write an
 * article"), the most cited articles, the people who took over, and a CSV export.
 */
export function InsightsPage() {
  const { api } = useApp()
  const [range, setRange] = useState<Range>('30')
  const period = useMemo(() => periodOf(range), [range])
  const state = useAsync<InsightsData>(async () => {
    const [overview, unanswered, articles, agents] = await Promise.all([
      api.send<InsightsData['overview']>(endpoints.analyticsOverview(period)),
      api.send<InsightsData['unanswered']>(
        endpoints.analyticsUnanswered({ from: period.from, to: period.to, limit: 20 }),
      ),
      api.send<InsightsData['articles']>(endpoints.analyticsArticles(period)),
      api.send<InsightsData['agents']>(endpoints.analyticsAgents(period)),
    ])
    return { overview, unanswered, articles, agents }
  }, [api, period])
  // The chart library loads with this page only, and after its figures.
  const [Chart, setChart] = useState<ComponentType<TrendChartProps> | undefined>(undefined)
  useEffect(() => {
    let live = true
    import('./TrendChart.tsx').then((m) => live && setChart(() => m.TrendChart))
    return () => {
      live = false
    }
  }, [])

  const exportCsv = () => {
    if (!state.data) return
    const blob = new Blob([toCsv(state.data, period)], { type: 'text/csv;charset=utf-8' })
    const a = document.createElement('a')
    a.href = URL.createObjectURL(blob)
    a.download = `aurion-insights-${period.from.slice(0, 10)}-${period.to.slice(0, 10)}.csv`
    a.click()
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
  }

  const d = state.data
  return (
    <div class="page insights">
      <PageHeader
        breadcrumb="Insights"
        title="Insights"
        description="How the assistant does: what it resolved, what went to a person, what visitors thought, and what it could not answer."
        actions={
          <button type="button" class="btn btn-secondary" onClick={exportCsv} disabled={!d}>
            <Icon name="upload" size={16} />
            Export CSV
          </button>
        }
      />
      <div class="insights-controls">
        <Segmented label="Period" value={range} options={RANGES} onChange={setRange} />
      </div>
      {state.error && !d ? (
        <LoadError message={state.error} onRetry={state.reload} />
      ) : !d ? (
        <Loading label="Loading the figures…" lines={6} />
      ) : (
        <>
          <Figures data={d} />
          <Card
            id="insights-trend"
            title="Over time"
            description={`Conversations started per ${period.interval}, in ${period.tz}`}
          >
            {Chart ? (
              <Chart
                series={d.overview.series}
                interval={period.interval}
                label={`Conversations, resolved by the assistant and handed off per ${period.interval}`}
              />
            ) : (
              <div class="trend-chart" aria-busy="true" />
            )}
          </Card>
          <div class="insights-grid">
            <Unanswered data={d} />
            <div class="insights-side">
              <CitedArticles data={d} />
              <Agents data={d} />
            </div>
          </div>
        </>
      )}
    </div>
  )
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

function Figures({ data }: { data: InsightsData }) {
  const o = data.overview
  const figures = [
    {
      label: 'Conversations',
      value: String(o.conversations),
      note: `${o.visitor_messages} visitor messages`,
    },
    {
      label: 'Resolved by the assistant',
      value: percent(o.ai_resolution_rate),
      note: plural(o.resolved_by_ai, 'conversation'),
      tone: 'green',
    },
    {
      label: 'Handed off to a person',
      value: percent(o.handoff_rate),
      note: plural(o.handed_off, 'conversation'),
      tone: 'amber',
    },
    {
      label: 'Satisfaction (CSAT)',
      value: o.csat.average === null ? '–' : `${o.csat.average.toFixed(1)} / 5`,
      note: plural(o.csat.responses, 'response'),
    },
    {
      label: 'Answer ratings',
      value: `${o.feedback.up} up · ${o.feedback.down} down`,
      note:
        o.feedback.up + o.feedback.down === 0
          ? 'No votes yet'
          : `${Math.round((o.feedback.up / (o.feedback.up + o.feedback.down)) * 100)}% helpful`,
    },
    {
      label: 'First response (median)',
      value: duration(o.first_response_seconds.ai_p50),
      note: `A person: ${duration(o.first_response_seconds.human_p50)}`,
    },
  ]
  return (
    <ul class="figures" aria-label="Figures of the period">
      {figures.map((f) => (
        <li key={f.label} class={`figure ${f.tone ? `figure-${f.tone}` : ''}`}>
          <span class="figure-label">{f.label}</span>
          <strong class="figure-value">{f.value}</strong>
          <span class="figure-note">{f.note}</span>
        </li>
      ))}
    </ul>
  )
}

function Unanswered({ data }: { data: InsightsData }) {
  const groups = data.unanswered.groups
  return (
    <Card
      id="insights-unanswered"
      title="Unanswered questions"
      description={`${data.unanswered.total} questions the assistant had no answer for, or whose answer got a thumbs-down; similar wordings grouped`}
    >
      {groups.length === 0 ? (
        <EmptyState icon="sparkles" title="Nothing unanswered">
          Every question of the period found an answer.
        </EmptyState>
      ) : (
        <ol class="unanswered">
          {groups.map((g) => (
            <li key={`${g.example}-${g.last_asked_at}`} class="unanswered-item">
              <span class="unanswered-count" title={`Asked ${g.count} times`}>
                {g.count}×
              </span>
              <div class="unanswered-main">
                <p class="unanswered-q">{g.example}</p>
                <p class="unanswered-meta">
                  {g.reasons.thumbs_down > 0 && `${g.reasons.thumbs_down} thumbs-down · `}
                  last asked {relativeTime(g.last_asked_at)}
                  {g.conversations.slice(0, 3).map((c, i) => (
                    <a
                      key={c.conversation_id}
                      href={`/admin/conversations/${encodeURIComponent(c.conversation_id)}`}
                      onClick={linkClick(`/conversations/${encodeURIComponent(c.conversation_id)}`)}
                    >
                      {i === 0 ? ' · conversation ' : ', '}
                      {i + 1}
                    </a>
                  ))}
                </p>
                {g.wordings.length > 1 && (
                  <p class="unanswered-also">Also asked: {g.wordings.slice(1, 3).join(' · ')}</p>
                )}
              </div>
              <button
                type="button"
                class="btn btn-secondary btn-sm"
                aria-label={`Write an article: ${g.example}`}
                onClick={() => navigate(`/knowledge?title=${encodeURIComponent(g.example)}`)}
              >
                <Icon name="edit" size={14} />
                Write an article
              </button>
            </li>
          ))}
        </ol>
      )}
    </Card>
  )
}

function CitedArticles({ data }: { data: InsightsData }) {
  const list = data.articles.articles
  return (
    <Card id="insights-articles" title="Most cited articles" description="Answers that cited them">
      {list.length === 0 ? (
        <p class="muted-line">No answer cited an article in this period.</p>
      ) : (
        <ol class="ranked">
          {list.map((a) => (
            <li key={a.id}>
              <span class="ranked-name">{a.title}</span>
              <span class="ranked-value">{a.citations}</span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  )
}

function Agents({ data }: { data: InsightsData }) {
  const list = data.agents.agents
  return (
    <Card
      id="insights-agents"
      title="People"
      description="Hand-offs answered first, median first reply"
    >
      {list.length === 0 ? (
        <p class="muted-line">No hand-off was answered by a person in this period.</p>
      ) : (
        <ol class="ranked">
          {list.map((a) => (
            <li key={a.user_id}>
              <span class="ranked-name">{a.name ?? a.email}</span>
              <span class="ranked-value">
                {a.conversations} · {duration(a.first_reply_p50)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  )
}
