import type { AnalyticsAgentsResponse, AnalyticsArticlesResponse } from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import { listCitingAnswers, listConversationFacts, listTenantUsersById } from './analytics-repo.ts'
import { firstReplyWaits } from './handoff-metrics.ts'
import { median } from './overview.ts'
import type { Period } from './period.ts'

/** The articles (or imported pages and files) the period's answers cited most, most first. */
export async function mostCitedArticles(
  db: Db,
  tenantId: string,
  period: Period,
  limit: number,
): Promise<AnalyticsArticlesResponse> {
  const counts = new Map<string, { id: string; title: string; url: string | null; n: number }>()
  for (const metadata of await listCitingAnswers(db, tenantId, period.fromIso, period.toIso)) {
    let sources: unknown
    try {
      sources = (JSON.parse(metadata) as { sources?: unknown }).sources
    } catch {
      continue
    }
    if (!Array.isArray(sources)) continue
    const seen = new Set<string>()
    for (const s of sources as { id?: unknown; title?: unknown; url?: unknown }[]) {
      if (typeof s?.id !== 'string' || typeof s.title !== 'string' || seen.has(s.id)) continue
      seen.add(s.id)
      const known = counts.get(s.id)
      if (known) known.n++
      else
        counts.set(s.id, {
          id: s.id,
          title: s.title,
          url: typeof s.url === 'string' ? s.url : null,
          n: 1,
        })
    }
  }
  const articles = [...counts.values()]
    .sort((a, b) => b.n - a.n || a.title.localeCompare(b.title))
    .slice(0, limit)
    .map((a) => ({ id: a.id, title: a.title, url: a.url, citations: a.n }))
  return { articles }
}

/** Per person: the period's hand-offs they answered first, and how fast (median). */
export async function agentFigures(
  db: Db,
  tenantId: string,
  period: Period,
  limit: number,
): Promise<AnalyticsAgentsResponse> {
  const facts = await listConversationFacts(db, tenantId, period.fromIso, period.toIso)
  const waits = firstReplyWaits(facts)
  if (waits.size === 0) return { agents: [] }
  const users = await listTenantUsersById(db, tenantId, [...waits.keys()])
  const agents = users
    .map((u) => {
      const list = waits.get(u.id) ?? []
      return {
        user_id: u.id,
        name: u.name,
        email: u.email,
        conversations: list.length,
        first_reply_p50: median(list.filter((s) => s >= 0)),
      }
    })
    .sort((a, b) => b.conversations - a.conversations || a.email.localeCompare(b.email))
    .slice(0, limit)
  return { agents }
}
