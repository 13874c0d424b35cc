import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A help-centre-like site on loopback for the crawl bench: `pages` HTML pages (a home page,
 * ten section pages, articles), each with a header nav, breadcrumbs, a footer of links and a
 * few paragraphs; internal links between them (home → sections → articles, each article to its
 * neighbours), a robots.txt naming the sitemap, a sitemap.xml of every page. Every answer has
 * a strong ETag and honours If-None-Match with a 304, as a static host or CDN does.
 */
export interface LoopbackSite {
  readonly url: string
  /** Every page's URL (what the sitemap lists). */
  readonly pages: string[]
  /** Requests served, by status (200, 304, 404). */
  readonly served: Map<number, number>
  close(): Promise<void>
}

const SECTIONS = [
  'Orders',
  'Shipping',
  'Returns',
  'Payments',
  'Account',
  'Products',
  'Warranty',
  'Stores',
  'Gift cards',
  'Privacy',
]

function paragraph(seed: number, topic: string): string {
  const words = [
    'delivery',
    'invoice',
    'refund',
    'warranty',
    'password',
    'courier',
    'parcel',
    'receipt',
    'exchange',
    'voucher',
  ]
  const w = (k: number) => words[(seed * 7 + k * 3) % words.length]
  return `<p>Questions about ${topic.toLowerCase()} come up every day. If your ${w(1)} is late or the ${w(2)} looks wrong, our team checks the ${w(3)} within one business day and writes back by email. You can also follow the ${w(4)} from your account page, where every ${w(5)} and ${w(6)} of the last two years is kept.</p>`
}

/** The site's pages by path: `/`, `/s/<n>/` (sections), `/s/<n>/<m>.html` (articles). */
function buildPages(count: number): Map<string, string> {
  const paths = ['/', ...SECTIONS.map((_, i) => `/s/${i}/`)]
  const articles: string[] = []
  for (let k = 0; paths.length + articles.length < count; k++)
    articles.push(`/s/${k % SECTIONS.length}/${Math.floor(k / SECTIONS.length)}.html`)
  const inSection = (i: number) => articles.filter((a) => a.startsWith(`/s/${i}/`))
  const nav = `<header><a href="/">Help centre</a><nav>${SECTIONS.map((s, i) => `<a href="/s/${i}/">${s}</a>`).join(' ')}</nav><form action="/search"><input name="q" placeholder="Search"></form></header>`
  const footer = `<footer><a href="/">Home</a> <a href="/s/9/">Privacy</a> <a href="/s/3/">Payments</a> <a href="https://social.example/shop">Follow us</a> <small>© Bench Shop</small></footer>`
  const page = (title: string, crumbs: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Bench Shop help</title><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="stylesheet" href="/style.css"></head><body>${nav}<div class="crumbs">${crumbs}</div><main><article><h1>${title}</h1>${body}</article></main><aside><h2>Popular</h2><a href="/s/0/0.html">Where is my order?</a> <a href="/s/2/0.html">Start a return</a></aside>${footer}</body></html>`
  const out = new Map<string, string>()
  out.set(
    '/',
    page(
      'How can we help?',
      '',
      SECTIONS.map(
        (s, i) => `<h2>${s}</h2>${paragraph(i, s)}<a href="/s/${i}/">All about ${s}</a>`,
      ).join(''),
    ),
  )
  SECTIONS.forEach((s, i) => {
    const list = inSection(i)
      .map((a, j) => `<li><a href="${a}">${s}: question ${j + 1}</a></li>`)
      .join('')
    out.set(
      `/s/${i}/`,
      page(s, '<a href="/">Home</a>', `${paragraph(i, s)}<h2>Articles</h2><ul>${list}</ul>`),
    )
  })
  articles.forEach((a, k) => {
    const i = k % SECTIONS.length
    const s = SECTIONS[i]!
    const sib = inSection(i)
    const j = sib.indexOf(a)
    const links = [sib[j - 1], sib[j + 1]]
      .filter(Boolean)
      .map((l) => `<a href="${l}">Related question</a>`)
      .join(' ')
    const body = [1, 2, 3, 4]
      .map((p) => `<h2>Step ${p}</h2>${paragraph(k + p, `${s} question ${j + 1}`)}`)
      .join('')
    out.set(
      a,
      page(
        `${s}: question ${j + 1}`,
        `<a href="/">Home</a> › <a href="/s/${i}/">${s}</a>`,
        `${body}<p>${links}</p>`,
      ),
    )
  })
  return out
}

const etagOf = (body: string) =>
  `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`

export async function startLoopbackSite(count = 200): Promise<LoopbackSite> {
  const pages = buildPages(count)
  const served = new Map<number, number>()
  let origin = ''
  const files = new Map<string, { type: string; body: string }>()
  for (const [path, html] of pages)
    files.set(path, { type: 'text/html; charset=utf-8', body: html })
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    let file = files.get(path)
    if (path === '/robots.txt')
      file = {
        type: 'text/plain',
        body: `User-agent: *\nDisallow: /search\nSitemap: ${origin}/sitemap.xml\n`,
      }
    else if (path === '/sitemap.xml')
      file = {
        type: 'application/xml',
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${[...pages.keys()].map((p) => `<url><loc>${origin}${p}</loc></url>`).join('')}</urlset>`,
      }
    const status =
      file === undefined ? 404 : req.headers['if-none-match'] === etagOf(file.body) ? 304 : 200
    served.set(status, (served.get(status) ?? 0) + 1)
    if (file === undefined) return void res.writeHead(404).end()
    const headers = {
      'content-type': file.type,
      etag: etagOf(file.body),
      'cache-control': 'max-age=0',
    }
    if (status === 304) return void res.writeHead(304, headers).end()
    res.writeHead(200, headers).end(file.body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: origin,
    pages: [...pages.keys()].map((p) => `${origin}${p}`),
    served,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
