import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { notFound } from '../../errors.ts'
import { esc, plainExcerpt, renderArticleBody } from '../../help-center/render-markdown.ts'
import { HELP_CENTER_CSS } from '../../help-center/site-css.ts'
import { articlePage, homePage, missingPage, searchPage } from '../../help-center/site-pages.ts'
import { sendCached } from '../../help-center/site-response.ts'
import {
  categoryGroups,
  loadSite,
  relatedArticles,
  searchArticles,
} from '../../help-center/site-service.ts'
import {
  findPublishedArticleBySlug,
  parseTags,
  recordArticleFeedback,
} from '../../knowledge/article-repo.ts'
import { detectLanguage } from '../../knowledge/language.ts'
import { limitByIp } from '../../widget-auth/public-guard.ts'

const HTML = 'text/html; charset=utf-8'
/** Pages change when articles do: browsers and proxies keep them a minute, then revalidate. */
const PAGE_CACHE = 'public, max-age=60'
const hidden = { schema: { hide: true } }
/** "Was this helpful?" answers per client address: 20 a minute over all articles… */
export const FEEDBACK_LIMIT = { bucket: 'hc-feedback', limit: 20, windowSec: 60 }
/** …and one per article an hour (more are thanked but not counted). */
const FEEDBACK_PER_ARTICLE = { bucket: 'hc-feedback-article', limit: 1, windowSec: 3600 }

type SlugParams = { Params: { slug: string } }
type ArticleParams = { Params: { slug: string; article: string } }

/**
 * The public Help Center of every tenant with one enabled: `/hc/{slug}` (home: search and
 * categories), `/search?q=`, `/articles/{article}` (drafts are 404), the feedback form's POST,
 * `/sitemap.xml` and `/robots.txt`; on `{slug}.{domain}` the same paths without `/hc/{slug}`
 * (host-routing.ts). Server-rendered, no client framework.
 */
export async function helpCenterSiteRoutes(app: FastifyInstance, ctx: RouteContext) {
  // The feedback form posts `helpful=yes|no` the way browsers send forms.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  )

  app.get('/hc-assets/help-center.css', hidden, async (request, reply) =>
    sendCached(request, reply, HELP_CENTER_CSS, {
      type: 'text/css; charset=utf-8',
      cacheControl: 'public, max-age=86400',
    }),
  )

  app.get<SlugParams>('/hc/:slug', hidden, async (request, reply) => {
    const { site, index, csp } = await loadSite(ctx, request, request.params.slug)
    const html = homePage(site, categoryGroups(index))
    return sendCached(request, reply, html, { type: HTML, cacheControl: PAGE_CACHE, csp })
  })

  app.get<SlugParams & { Querystring: { q?: string } }>(
    '/hc/:slug/search',
    hidden,
    async (request, reply) => {
      const { site, index, csp } = await loadSite(ctx, request, request.params.slug)
      const raw = request.query.q
      const q = (typeof raw === 'string' ? raw : '').trim().slice(0, 200)
      const html = searchPage(site, q, q === '' ? [] : searchArticles(index, q))
      return sendCached(request, reply, html, { type: HTML, cacheControl: PAGE_CACHE, csp })
    },
  )

  app.get<ArticleParams & { Querystring: { feedback?: string } }>(
    '/hc/:slug/articles/:article',
    hidden,
    async (request, reply) => {
      const loaded = await loadSite(ctx, request, request.params.slug)
      const { site, index, csp, tenantId } = loaded
      const row = await findPublishedArticleBySlug(ctx.db, tenantId, request.params.article)
      if (row === undefined)
        return sendCached(request, reply, missingPage(site), {
          type: HTML,
          cacheControl: 'no-cache',
          status: 404,
          csp,
        })
      const { html, toc } = renderArticleBody(row.body)
      const page = articlePage(site, {
        slug: row.slug,
        title: row.title,
        category: row.category,
        html,
        toc,
        description: plainExcerpt(row.body, 160),
        lang: detectLanguage(`${row.title}\n${row.body}`) ?? site.lang,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        related: relatedArticles(index, {
          id: row.id,
          title: row.title,
          tags: parseTags(row.tags),
          category: row.category,
        }),
        feedback: request.query.feedback === 'thanks' ? 'thanks' : 'ask',
      })
      return sendCached(request, reply, page, { type: HTML, cacheControl: PAGE_CACHE, csp })
    },
  )

  app.post<ArticleParams & { Body: { helpful?: unknown } }>(
    '/hc/:slug/articles/:article/feedback',
    hidden,
    async (request, reply) => {
      await limitByIp(ctx, request, reply, FEEDBACK_LIMIT)
      const { site, tenantId } = await loadSite(ctx, request, request.params.slug)
      const answer = (request.body as { helpful?: unknown } | undefined)?.helpful
      if (answer !== 'yes' && answer !== 'no') throw notFound()
      const slug = request.params.article
      const first = await ctx.limiter.consume(
        FEEDBACK_PER_ARTICLE,
        `${request.ip}\n${tenantId}\n${slug}`,
      )
      if (first.allowed) {
        if (!(await recordArticleFeedback(ctx.db, tenantId, slug, answer === 'yes')))
          throw notFound()
      } else if (!(await findPublishedArticleBySlug(ctx.db, tenantId, slug))) throw notFound()
      return reply
        .header('Cache-Control', 'no-store')
        .redirect(`${site.base}/articles/${encodeURIComponent(slug)}?feedback=thanks`, 303)
    },
  )

  app.get<SlugParams>('/hc/:slug/sitemap.xml', hidden, async (request, reply) => {
    const { site, index } = await loadSite(ctx, request, request.params.slug)
    const urls = [
      `<url><loc>${esc(`${site.canonical}/`)}</loc></url>`,
      ...[...index.articles.values()].map(
        (a) =>
          `<url><loc>${esc(`${site.canonical}/articles/${encodeURIComponent(a.slug)}`)}</loc><lastmod>${esc(a.updatedAt)}</lastmod></url>`,
      ),
    ]
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`
    return sendCached(request, reply, xml, {
      type: 'application/xml; charset=utf-8',
      cacheControl: PAGE_CACHE,
    })
  })

  app.get<SlugParams>('/hc/:slug/robots.txt', hidden, async (request, reply) => {
    const { site } = await loadSite(ctx, request, request.params.slug)
    const text = `User-agent: *\nDisallow: ${site.base}/search\nSitemap: ${site.canonical}/sitemap.xml\n`
    return sendCached(request, reply, text, {
      type: 'text/plain; charset=utf-8',
      cacheControl: PAGE_CACHE,
    })
  })
}
