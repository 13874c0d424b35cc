import type { HelpCenterRow } from './help-center-repo.ts'
import { esc, type TocEntry } from './render-markdown.ts'

/** What every page of one Help Center shares. */
export interface Site {
  hc: HelpCenterRow
  /** Prefix of the site's links on this host: `''` on `{slug}.{domain}`, else `/hc/{slug}`. */
  base: string
  /** Absolute URL of the site's home (canonical: the subdomain when a domain is configured). */
  canonical: string
  /** The language most articles are written in (the pages' `lang`). */
  lang: string
  /** The tenant's widget snippet, when its widget is enabled. */
  snippet: string | undefined
  /** `<style>` content setting the accent colour, when the tenant chose one. */
  accentStyle: string | undefined
}

/** An article as a list entry. */
export interface ArticleLink {
  slug: string
  title: string
  category: string | null
  excerpt?: string
}

/** JSON for a `<script type="application/ld+json">` block: `<` escaped so it cannot end it. */
function jsonLd(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

function page(
  site: Site,
  p: {
    title: string
    description: string
    path: string
    lang?: string
    ogType?: string
    ld?: unknown
    bar?: boolean
    body: string
    noindex?: boolean
  },
): string {
  const { hc } = site
  const url = `${site.canonical}${p.path}`
  const fullTitle = p.path === '' ? hc.title : `${p.title} · ${hc.title}`
  const logo = hc.logo_url
    ? `<img src="${esc(hc.logo_url)}" alt="">`
    : `<span class="mark" aria-hidden="true">${esc([...hc.title][0]?.toUpperCase() ?? 'H')}</span>`
  return `<!doctype html>
<html lang="${esc(p.lang ?? site.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(fullTitle)}</title>
<meta name="description" content="${esc(p.description)}">
${p.noindex ? '<meta name="robots" content="noindex">\n' : ''}<link rel="canonical" href="${esc(url)}">
<meta property="og:type" content="${p.ogType ?? 'website'}">
<meta property="og:site_name" content="${esc(hc.title)}">
<meta property="og:title" content="${esc(p.title)}">
<meta property="og:description" content="${esc(p.description)}">
<meta property="og:url" content="${esc(url)}">
${hc.logo_url ? `<meta property="og:image" content="${esc(hc.logo_url)}">\n` : ''}<meta name="twitter:card" content="summary">
<link rel="stylesheet" href="/hc-assets/help-center.css">
${site.accentStyle ? `<style>${site.accentStyle}</style>\n` : ''}${p.ld ? `<script type="application/ld+json">${jsonLd(p.ld)}</script>\n` : ''}${site.snippet ?? ''}
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="top">
<a class="brand" href="${site.base}/">${logo}<span>${esc(hc.title)}</span></a>
${p.bar ? `<div class="bar">${searchForm(site, '', 'Search articles')}</div>` : ''}
</header>
${p.body}
<footer>${esc(hc.title)} · <a href="${site.base}/sitemap.xml">Sitemap</a></footer>
</body>
</html>`
}

function searchForm(site: Site, q: string, label: string): string {
  return `<form class="search" role="search" method="get" action="${site.base}/search"><label class="skip" for="q-${label.length}">${esc(label)}</label><input id="q-${label.length}" type="search" name="q" value="${esc(q)}" placeholder="${esc(label)}" maxlength="200" autocomplete="off"><button type="submit">Search</button></form>`
}

const articleHref = (site: Site, slug: string) =>
  `${site.base}/articles/${encodeURIComponent(slug)}`

/** The home page: search, then every category with its articles. */
export function homePage(site: Site, groups: { name: string; articles: ArticleLink[] }[]): string {
  const { hc } = site
  const cats = groups
    .map(
      (g) => `<section class="cat" aria-labelledby="c-${esc(g.name)}">
<h2 id="c-${esc(g.name)}">${esc(g.name)}</h2>
<p class="count">${g.articles.length} ${g.articles.length === 1 ? 'article' : 'articles'}</p>
<ul>${g.articles.map((a) => `<li><a href="${articleHref(site, a.slug)}">${esc(a.title)}</a></li>`).join('')}</ul>
</section>`,
    )
    .join('\n')
  return page(site, {
    title: hc.title,
    description: hc.description ?? `Answers and guides from ${hc.title}.`,
    path: '',
    ld: {
      '@context': 'https://schema.org',
      '@type': 'WebSite',
      name: hc.title,
      url: `${site.canonical}/`,
      potentialAction: {
        '@type': 'SearchAction',
        target: `${site.canonical}/search?q={query}`,
        'query-input': 'required name=query',
      },
    },
    body: `<section class="hero">
<h1>${esc(hc.title)}</h1>
<p>${esc(hc.description ?? 'How can we help?')}</p>
${searchForm(site, '', 'Search for answers')}
</section>
<main id="content">
${groups.length === 0 ? '<p class="empty">No articles yet.</p>' : `<div class="cats">${cats}</div>`}
</main>`,
  })
}

/** Search results for `q` (best first). */
export function searchPage(site: Site, q: string, hits: ArticleLink[]): string {
  const list = hits
    .map(
      (h) =>
        `<li><a href="${articleHref(site, h.slug)}">${esc(h.title)}</a>${h.category ? `<span class="tag">${esc(h.category)}</span>` : ''}${h.excerpt ? `<p>${esc(h.excerpt)}</p>` : ''}</li>`,
    )
    .join('')
  const summary =
    q === ''
      ? 'Type a question or a few words.'
      : hits.length === 0
        ? `No articles match “${esc(q)}”. Try other words, or ask the assistant.`
        : `${hits.length} ${hits.length === 1 ? 'result' : 'results'} for “${esc(q)}”`
  return page(site, {
    title: q ? `Search: ${q}` : 'Search',
    description: `Search ${site.hc.title}`,
    path: '/search',
    noindex: true,
    body: `<main id="content">
<p class="crumbs"><a href="${site.base}/">${esc(site.hc.title)}</a> › Search</p>
${searchForm(site, q, 'Search articles')}
<p class="meta" role="status">${summary}</p>
<ul class="results">${list}</ul>
</main>`,
  })
}

/** One article: breadcrumbs, body with headings, table of contents, feedback, related. */
export function articlePage(
  site: Site,
  a: {
    slug: string
    title: string
    category: string | null
    html: string
    toc: TocEntry[]
    description: string
    lang: string
    createdAt: string
    updatedAt: string
    related: ArticleLink[]
    feedback: 'ask' | 'thanks'
  },
): string {
  const path = `/articles/${encodeURIComponent(a.slug)}`
  const toc =
    a.toc.length >= 2
      ? `<nav class="toc" aria-labelledby="toc-h"><h2 id="toc-h">On this page</h2><ol>${a.toc.map((e) => `<li class="d${e.depth}"><a href="#${e.id}">${e.text}</a></li>`).join('')}</ol></nav>`
      : ''
  const feedback =
    a.feedback === 'thanks'
      ? '<div class="feedback" role="status"><p>Thanks for your feedback!</p><span class="thanks">It helps us improve this article.</span></div>'
      : `<div class="feedback"><p id="fb-q">Was this article helpful?</p><form method="post" action="${site.base}${path}/feedback" aria-labelledby="fb-q"><button type="submit" name="helpful" value="yes">Yes</button><button type="submit" name="helpful" value="no">No</button></form></div>`
  const related =
    a.related.length > 0
      ? `<section class="related" aria-labelledby="rel-h"><h2 id="rel-h">Related articles</h2><ul>${a.related.map((r) => `<li><a href="${articleHref(site, r.slug)}">${esc(r.title)}</a></li>`).join('')}</ul></section>`
      : ''
  const updated = new Date(a.updatedAt)
  return page(site, {
    title: a.title,
    description: a.description,
    path,
    lang: a.lang,
    ogType: 'article',
    bar: true,
    ld: {
      '@context': 'https://schema.org',
      '@type': 'Article',
      headline: a.title,
      description: a.description,
      datePublished: a.createdAt,
      dateModified: a.updatedAt,
      inLanguage: a.lang,
      mainEntityOfPage: `${site.canonical}${path}`,
      publisher: { '@type': 'Organization', name: site.hc.title },
      ...(a.category ? { articleSection: a.category } : {}),
    },
    body: `<main id="content">
<p class="crumbs"><a href="${site.base}/">${esc(site.hc.title)}</a>${a.category ? ` › ${esc(a.category)}` : ''}</p>
<div class="layout">
<article>
<h1>${esc(a.title)}</h1>
<p class="meta">Updated <time datetime="${esc(a.updatedAt)}">${esc(updated.toISOString().slice(0, 10))}</time></p>
<div class="body">${a.html}</div>
${feedback}
${related}
</article>
<aside>${toc}</aside>
</div>
</main>`,
  })
}

/** A page of an enabled Help Center that does not exist (404). */
export function missingPage(site: Site): string {
  return page(site, {
    title: 'Page not found',
    description: 'This page does not exist.',
    path: '/',
    noindex: true,
    body: `<main id="content"><h1>We couldn’t find that page</h1><p>It may have moved or been unpublished. Try searching:</p>${searchForm(site, '', 'Search articles')}</main>`,
  })
}
