import { buildEmbedSnippet, resolveWidgetConfig } from '@aurion/contract'
import type { FastifyRequest } from 'fastify'
import type { RouteContext } from '../app-deps.ts'
import { notFound } from '../errors.ts'
import { knowledgeBaseFor, type TenantKnowledge } from '../knowledge/knowledge-base.ts'
import { findTenantById } from '../tenants/tenant-repo.ts'
import { publicOriginOf } from '../widget-auth/public-guard.ts'
import { findEnabledHelpCenterBySlug } from './help-center-repo.ts'
import { helpCenterUrl } from './help-center-service.ts'
import { hostSlugOf } from './host-routing.ts'
import { plainExcerpt as excerpt } from './render-markdown.ts'
import type { ArticleLink, Site } from './site-pages.ts'
import { cspHash } from './site-response.ts'

export interface LoadedSite {
  site: Site
  tenantId: string
  index: TenantKnowledge
  csp: string
}

/**
 * The enabled Help Center `slug` with its published articles' index, or 404 (unknown slug,
 * disabled Help Center — the same answer, so nothing tells them apart).
 */
export async function loadSite(
  ctx: RouteContext,
  request: FastifyRequest,
  slug: string,
): Promise<LoadedSite> {
  const hc = await findEnabledHelpCenterBySlug(ctx.db, slug)
  if (hc === undefined) throw notFound()
  const tenant = await (ctx.tenantCache?.get(hc.tenant_id) ?? findTenantById(ctx.db, hc.tenant_id))
  if (tenant === undefined) throw notFound()
  const index = await knowledgeBaseFor(ctx.db).forTenant(hc.tenant_id)
  const widgetOn = resolveWidgetConfig(JSON.parse(tenant.config)).enabled
  const snippet = widgetOn
    ? buildEmbedSnippet({
        tenantId: tenant.id,
        publicKey: tenant.public_widget_key,
        apiBaseUrl: ctx.config.publicUrl,
      })
    : undefined
  const accentStyle = hc.primary_color ? `:root{--accent:${hc.primary_color}}` : undefined
  const site: Site = {
    hc,
    base: hostSlugOf(request.raw) === slug ? '' : `/hc/${slug}`,
    canonical: helpCenterUrl(ctx.config, slug),
    lang: index.languages[0] ?? 'en',
    snippet,
    accentStyle,
  }
  return { site, tenantId: hc.tenant_id, index, csp: siteCsp(ctx, snippet, accentStyle) }
}

/**
 * The pages' policy: the style sheet from this host plus the accent `<style>` by hash, the widget
 * snippet by hash and the widget's own sources (docs/embedding.md), images over https, forms
 * only to this host, no framing.
 */
function siteCsp(ctx: RouteContext, snippet: string | undefined, accent: string | undefined) {
  const api = publicOriginOf(ctx.config.publicUrl)
  const ws = api.replace(/^http/, 'ws')
  const lk = ctx.config.livekit.url
  const lkSources = lk ? [lk.replace(/^ws/, 'http'), lk.replace(/^http/, 'ws')] : []
  const script = snippet?.slice('<script>'.length, -'</script>'.length)
  return [
    "default-src 'none'",
    `style-src 'self'${accent ? ` ${cspHash(accent)}` : ''}`,
    script === undefined ? "script-src 'none'" : `script-src ${cspHash(script)} ${api}`,
    script === undefined
      ? "connect-src 'none'"
      : `connect-src ${[api, ws, ...lkSources].join(' ')}`,
    'img-src https: data:',
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** Search results from the assistant's own retrieval (published articles only). */
export function searchArticles(index: TenantKnowledge, q: string, limit = 20): ArticleLink[] {
  const lang = index.questionLanguage(q)
  return index.search(q, { limit, lang }).map((h) => ({
    slug: h.article.slug,
    title: h.article.title,
    category: h.article.category,
    excerpt: excerpt(h.article.body, 180),
  }))
}

/** Up to `limit` articles about the same thing: search by title and tags, then same category. */
export function relatedArticles(
  index: TenantKnowledge,
  article: { id: string; title: string; tags: string[]; category: string | null },
  limit = 4,
): ArticleLink[] {
  const seen = new Set([article.id])
  const out: ArticleLink[] = []
  const add = (a: { id: string; slug: string; title: string; category: string | null }) => {
    if (seen.has(a.id) || out.length >= limit) return
    seen.add(a.id)
    out.push({ slug: a.slug, title: a.title, category: a.category })
  }
  for (const h of index.search(`${article.title} ${article.tags.join(' ')}`, { limit: limit + 1 }))
    if (h.confident || h.coverage >= 0.3) add(h.article)
  if (article.category)
    for (const a of index.articles.values()) if (a.category === article.category) add(a)
  return out
}

/** Categories (alphabetically, uncategorized last as "General") with their articles by title. */
export function categoryGroups(
  index: TenantKnowledge,
): { name: string; articles: ArticleLink[] }[] {
  const groups = new Map<string, ArticleLink[]>()
  for (const a of index.articles.values()) {
    const name = a.category ?? ''
    let list = groups.get(name)
    if (!list) {
      list = []
      groups.set(name, list)
    }
    list.push({ slug: a.slug, title: a.title, category: a.category })
  }
  return [...groups.entries()]
    .sort(([x], [y]) => (x === '' ? 1 : y === '' ? -1 : x.localeCompare(y)))
    .map(([name, articles]) => ({
      name: name || 'General',
      articles: articles.sort((p, q) => p.title.localeCompare(q.title)),
    }))
}
