import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import {
  buildHelpCenterApp,
  HELP_CENTER_DOMAIN as DOMAIN,
  freshHelpCenterTenants,
  putHelpCenter,
} from '../../../test/help-center-support.ts'
import { forEachDialect, type TestApp, type TestTenant } from '../../../test/helpers.ts'

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>'

forEachDialect('the public Help Center', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant

  beforeAll(async () => {
    t = await buildHelpCenterApp(dialect)
  })
  afterAll(async () => t.close())
  beforeEach(async () => {
    ;[a, b] = await freshHelpCenterTenants(t, [
      { slug: 'acme', title: 'Acme Help' },
      { slug: 'bravo', title: 'Bravo Help' },
    ])
  })

  const putHc = (tenant: TestTenant, body: Record<string, unknown>) =>
    putHelpCenter(t, tenant, body)
  const article = async (tenant: TestTenant, body: Record<string, unknown>) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/articles',
      headers: { 'x-api-key': tenant.apiKey },
      payload: body,
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json()
  }
  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers })

  it('renders the home page with categories, an article with headings, TOC, JSON-LD and the widget', async () => {
    await article(a, {
      title: 'Connect to the VPN',
      category: 'Network',
      tags: ['vpn'],
      body: 'Use the VPN from home.\n## On Windows\n1. Open GlobalProtect.\n2. Sign in.\n## On a Mac\nOpen the app.',
    })
    await article(a, {
      title: 'Join the Wi-Fi',
      category: 'Network',
      body: 'Pick Corp and sign in.',
    })
    await article(a, { title: 'Reset your password', body: 'Use the portal.' })
    const home = await get('/hc/acme')
    expect(home.statusCode).toBe(200)
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(home.body).toContain('<h2 id="c-Network">Network</h2>')
    expect(home.body).toContain('href="/hc/acme/articles/connect-to-the-vpn"')
    expect(home.body).toContain('General')
    expect(home.body).toContain('<link rel="canonical" href="https://acme.help.aurion.test">')
    expect(home.body).toContain(`appId: '${a.tenantId}'`)
    const page = await get('/hc/acme/articles/connect-to-the-vpn')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1>Connect to the VPN</h1>')
    expect(page.body).toContain('<h2 id="on-windows">On Windows</h2>')
    expect(page.body).toContain('<a href="#on-a-mac">On a Mac</a>')
    expect(page.body).toContain('"@type":"Article"')
    expect(page.body).toContain('<meta property="og:title" content="Connect to the VPN">')
    expect(page.body).toContain(
      '<link rel="canonical" href="https://acme.help.aurion.test/articles/connect-to-the-vpn">',
    )
    expect(page.body).toContain('<html lang="en">')
    expect(page.body).toContain('href="/hc/acme/articles/join-the-wi-fi"') // related
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toMatch(/script-src 'sha256-[^']+' https:\/\/support\.example\.com/)
    expect(csp).toContain("default-src 'none'")
  })

  it('escapes XSS attempts in titles, categories, bodies, links and the search box', async () => {
    await article(a, {
      title: `Title ${XSS}`,
      category: `Cat ${XSS}`,
      slug: 'xss',
      body: `Body ${XSS}\n## Head ${XSS}\n[click](javascript:alert(3)) ![i](javascript:alert(4))`,
    })
    for (const url of [
      '/hc/acme',
      '/hc/acme/articles/xss',
      `/hc/acme/search?q=${encodeURIComponent(`Title ${XSS}`)}`,
    ]) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(200)
      expect(res.body).not.toContain('<script>alert')
      expect(res.body).not.toContain('<img src=x')
      expect(res.body).not.toMatch(/(?:href|src)="javascript:/i)
      expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    }
  })

  it('searches published articles with the assistant’s retrieval; drafts are hidden everywhere', async () => {
    await article(a, { title: 'Printer setup', body: 'Add the office printer from Settings.' })
    await article(a, {
      title: 'Secret roadmap',
      slug: 'roadmap',
      status: 'draft',
      body: 'The printer of the future, unreleased.',
    })
    const search = await get('/hc/acme/search?q=printer')
    expect(search.body).toContain('href="/hc/acme/articles/printer-setup"')
    expect(search.body).not.toContain('roadmap')
    expect((await get('/hc/acme/search?q=roadmap')).body).toContain('No articles match')
    const draft = await get('/hc/acme/articles/roadmap')
    expect(draft.statusCode).toBe(404)
    expect(draft.body).not.toContain('future')
    expect((await get('/hc/acme')).body).not.toContain('Secret roadmap')
    const sitemap = await get('/hc/acme/sitemap.xml')
    expect(sitemap.headers['content-type']).toBe('application/xml; charset=utf-8')
    expect(sitemap.body).toContain(
      '<loc>https://acme.help.aurion.test/articles/printer-setup</loc>',
    )
    expect(sitemap.body).not.toContain('roadmap')
  })

  it('404 for an unknown slug, a disabled Help Center, another tenant’s article', async () => {
    await article(b, { title: 'Bravo only', body: 'x' })
    expect((await get('/hc/nobody')).statusCode).toBe(404)
    expect((await get('/hc/acme/articles/bravo-only')).statusCode).toBe(404)
    expect((await get('/hc/bravo/articles/bravo-only')).statusCode).toBe(200)
    await putHc(b, { slug: 'bravo', title: 'Bravo Help', enabled: false })
    for (const url of ['/hc/bravo', '/hc/bravo/articles/bravo-only', '/hc/bravo/sitemap.xml'])
      expect((await get(url)).statusCode, url).toBe(404)
  })

  it('serves {slug}.{domain} by its Host header; another host is not a Help Center', async () => {
    await article(a, { title: 'Hello', body: 'World' })
    const home = await get('/', { host: `acme.${DOMAIN}` })
    expect(home.statusCode).toBe(200)
    expect(home.body).toContain('href="/articles/hello"')
    const page = await get('/articles/hello', { host: `acme.${DOMAIN}:443` })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('action="/articles/hello/feedback"')
    expect((await get('/hc-assets/help-center.css', { host: `acme.${DOMAIN}` })).statusCode).toBe(
      200,
    )
    expect((await get('/', { host: `nobody.${DOMAIN}` })).statusCode).toBe(404)
    // Only that Help Center answers on its host: not the API, not another tenant.
    expect((await get('/api/v1/health', { host: `acme.${DOMAIN}` })).statusCode).toBe(404)
    expect((await get('/articles/hello', { host: `bravo.${DOMAIN}` })).statusCode).toBe(404)
    // X-Forwarded-Host counts only from a trusted proxy (none here).
    const forged = await get('/', {
      host: 'support.example.com',
      'x-forwarded-host': `acme.${DOMAIN}`,
    })
    expect(forged.statusCode).not.toBe(200)
  })

  it('counts "was this helpful?" once per visitor and article, and redirects back', async () => {
    const art = await article(a, { title: 'Helpful', body: 'Yes' })
    const vote = (helpful: string, slug = 'helpful') =>
      t.app.inject({
        method: 'POST',
        url: `/hc/acme/articles/${slug}/feedback`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `helpful=${helpful}`,
      })
    const first = await vote('yes')
    expect(first.statusCode).toBe(303)
    expect(first.headers.location).toBe('/hc/acme/articles/helpful?feedback=thanks')
    expect((await vote('yes')).statusCode).toBe(303)
    const stored = await t.app.inject({
      method: 'GET',
      url: `/api/v1/knowledge/articles/${art.id}`,
      headers: { 'x-api-key': a.apiKey },
    })
    expect(stored.json()).toMatchObject({ helpful_count: 1, not_helpful_count: 0 })
    expect((await vote('maybe')).statusCode).toBe(404)
    expect((await vote('yes', 'missing')).statusCode).toBe(404)
    const thanks = await get('/hc/acme/articles/helpful?feedback=thanks')
    expect(thanks.body).toContain('Thanks for your feedback')
  })

  it('caches with an ETag (304) and compresses', async () => {
    await article(a, { title: 'Long', body: 'word '.repeat(800) })
    const first = await get('/hc/acme/articles/long', { 'accept-encoding': 'gzip' })
    expect(first.headers['content-encoding']).toBe('gzip')
    expect(first.headers['cache-control']).toBe('public, max-age=60')
    expect(gunzipSync(first.rawPayload).toString()).toContain('<h1>Long</h1>')
    const again = await get('/hc/acme/articles/long', {
      'if-none-match': String(first.headers.etag),
    })
    expect(again.statusCode).toBe(304)
  })
})
