import type { KnowledgeSource } from '@aurion/contract'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FixtureSite, htmlPage, startFixtureSite } from '../../../test/fixture-site.ts'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { apiKeyClient, buildCrawlerApp, settledSource } from '../../../test/knowledge-sources.ts'
import { postWidget } from '../../../test/widget-support.ts'

async function manualPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create()
  pdf.setTitle('Espresso machine manual')
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const page = pdf.addPage()
  const lines = [
    'Descaling the espresso machine',
    'Descale the boiler every 200 cups with citric acid dissolved in warm water.',
    'Run the descaling solution through the steam wand until the tank is empty.',
  ]
  lines.forEach((text, i) => {
    page.drawText(text, { x: 50, y: 720 - i * 20, font, size: 12 })
  })
  return pdf.save()
}

const shipping = (days: string) =>
  htmlPage(
    'Shipping times',
    `<p>We ship every order from our warehouse in Lyon. Standard parcels arrive within ${days} business days anywhere in the EU.</p>
     <h2>Express delivery</h2><p>Express parcels arrive the next business day when ordered before noon, for a fee of 12 euros.</p>`,
    ['/returns', '/warranty-old'],
  )

/** A small website: pages, a sitemap, robots.txt forbidding /private/, a redirect and a PDF. */
async function startShop(): Promise<FixtureSite> {
  const site = await startFixtureSite({
    '/': {
      body: htmlPage(
        'Help for the Example coffee shop',
        '<p>Find answers about orders, shipping, returns and our espresso machines.</p>',
        ['/shipping', '/returns', '/warranty-old', '/manual.pdf', '/private/staff'],
      ),
    },
    '/shipping': { body: shipping('three to five') },
    '/returns': {
      body: htmlPage(
        'Returns and refunds',
        `<p>You can send an unused grinder back within 30 days of delivery for a full refund.</p>
         <h2>How to return</h2><ol><li>Print the prepaid label from your order page.</li><li>Drop the parcel at any post office.</li></ol>
         <p>Refunds reach your card within five business days after the parcel arrives.</p>`,
      ),
    },
    '/warranty-old': { body: '', status: 301, headers: { location: '/warranty' } },
    '/warranty': {
      body: htmlPage(
        'Warranty',
        '<p>Every espresso machine carries a two year warranty covering the pump and the heating element.</p>',
      ),
    },
    '/private/staff': {
      body: htmlPage('Staff rota', '<p>The staff rota and the alarm code 4711 live here.</p>'),
    },
    '/manual.pdf': { body: await manualPdf(), type: 'application/pdf' },
    '/robots.txt': {
      body: 'User-agent: *\nDisallow: /private/\n',
      type: 'text/plain',
    },
    '/sitemap.xml': {
      type: 'application/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${['/', '/shipping', '/returns', '/warranty-old', '/manual.pdf', '/private/staff'].map((p) => `<url><loc>SITE${p}</loc></url>`).join('\n')}
</urlset>`,
    },
  })
  return site
}

forEachDialect('knowledge sources: crawl a website', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let site: FixtureSite
  beforeAll(async () => {
    site = await startShop()
    // The sitemap names the site's own address.
    const xml = `<?xml version="1.0"?><urlset>${['/', '/shipping', '/returns', '/warranty-old', '/manual.pdf', '/private/staff'].map((p) => `<url><loc>${site.url}${p}</loc></url>`).join('')}</urlset>`
    site.set('/sitemap.xml', { body: xml, type: 'application/xml' })
    t = await buildCrawlerApp(dialect)
    a = await createTestTenant(t.db)
  })
  afterAll(async () => {
    await t?.close()
    await site?.close()
  })

  const api = apiKeyClient(() => ({ t, a }))

  /** Polls the source until its sync has finished (bounded). */
  const settled = (id: string) => settledSource(api, id, 20_000)

  const articles = async () =>
    (await api('GET', '/api/v1/knowledge/articles?limit=100')).json().items as {
      id: string
      title: string
      body: string
      updated_at: string
      source_url: string | null
    }[]

  let sourceId: string
  it('imports the allowed pages, follows the redirect, reads the PDF, never fetches the forbidden path', async () => {
    const res = await api('POST', '/api/v1/knowledge/sources', {
      type: 'website',
      url: `${site.url}/`,
    })
    expect(res.statusCode).toBe(202)
    const created = res.json() as KnowledgeSource
    expect(created).toMatchObject({
      type: 'website',
      url: `${site.url}/`,
      status: 'queued',
      max_pages: 200,
    })
    sourceId = created.id
    const done = await settled(sourceId)
    expect(done.status).toBe('done')
    expect(done.pages?.map((p) => p.url).sort(), JSON.stringify(done)).toHaveLength(5)
    expect(done.pages_imported).toBe(5)
    expect(done.pages_found).toBe(5)
    expect(done.errors).toEqual([])
    expect(done.last_synced_at).not.toBeNull()
    const list = await articles()
    const byUrl = Object.fromEntries(list.map((x) => [x.source_url, x]))
    expect(Object.keys(byUrl).sort()).toEqual(
      ['/', '/manual.pdf', '/returns', '/shipping', '/warranty'].map((p) => `${site.url}${p}`),
    )
    expect(site.requests.some((r) => r.path.startsWith('/private'))).toBe(false)
    expect(list.some((x) => x.body.includes('4711'))).toBe(false)
    const ship = byUrl[`${site.url}/shipping`]!
    expect(ship.title).toBe('Shipping times')
    // Main content only, headings kept as sections; chrome dropped.
    expect(ship.body).toContain('## Express delivery')
    expect(ship.body).not.toMatch(/cookies|Follow us|Legal/)
    expect(byUrl[`${site.url}/manual.pdf`]!.title).toBe('Espresso machine manual')
    expect(byUrl[`${site.url}/manual.pdf`]!.body).toContain('citric acid')
    expect(done.pages?.length).toBe(5)
  })

  it('a re-sync after one page changed updates only that page', async () => {
    const before = await articles()
    site.requests.length = 0
    site.set('/shipping', { body: shipping('two to four') })
    const res = await api('POST', `/api/v1/knowledge/sources/${sourceId}/sync`)
    expect(res.statusCode).toBe(202)
    const done = await settled(sourceId)
    expect(done).toMatchObject({ status: 'done', pages_imported: 1 })
    expect(done.pages_unchanged).toBeGreaterThanOrEqual(4)
    // Conditional requests: the unchanged pages answered 304.
    expect(site.requests.filter((r) => r.ifNoneMatch !== undefined).length).toBeGreaterThanOrEqual(
      4,
    )
    const after = await articles()
    for (const old of before) {
      const now = after.find((x) => x.id === old.id)!
      if (old.source_url === `${site.url}/shipping`) {
        expect(now.body).toContain('two to four')
        expect(now.updated_at > old.updated_at).toBe(true)
      } else expect(now.updated_at).toBe(old.updated_at)
    }
  })

  it('an answer found on one page cites that page', async () => {
    const res = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'How long do I have to return a grinder for a refund?',
    })
    expect(res.statusCode).toBe(200)
    const r = res.json()
    expect(r.ai_response).toContain('30 days')
    expect(r.sources).toEqual([{ title: 'Returns and refunds', url: `${site.url}/returns` }])
  })

  it('lists sources, hides other tenants’ sources, and deletes a source with its articles', async () => {
    const list = (await api('GET', '/api/v1/knowledge/sources')).json()
    expect(list.items.map((s: KnowledgeSource) => s.id)).toEqual([sourceId])
    const other = await createTestTenant(t.db, { name: 'Other' })
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/api/v1/knowledge/sources/${sourceId}`,
      headers: { 'x-api-key': other.apiKey },
    })
    expect(foreign.statusCode).toBe(404)
    expect((await api('DELETE', `/api/v1/knowledge/sources/${sourceId}`)).statusCode).toBe(204)
    expect(await articles()).toEqual([])
    expect((await api('GET', `/api/v1/knowledge/sources/${sourceId}`)).statusCode).toBe(404)
    expect((await api('POST', `/api/v1/knowledge/sources/${sourceId}/sync`)).statusCode).toBe(404)
  })

  it('a sitemap source imports the pages it lists, robots.txt still obeyed', async () => {
    const res = await api('POST', '/api/v1/knowledge/sources', {
      type: 'sitemap',
      url: `${site.url}/sitemap.xml`,
      max_pages: 3,
    })
    expect(res.statusCode).toBe(202)
    const done = await settled(res.json().id)
    expect(done.status).toBe('done')
    expect(done.pages_found).toBe(3)
    expect(done.pages_imported + done.errors.length).toBe(3)
    await api('DELETE', `/api/v1/knowledge/sources/${done.id}`)
  })
})

describe('knowledge sources: bad input and SSRF', () => {
  let t: TestApp
  let a: TestTenant
  beforeAll(async () => {
    t = await buildTestApp()
    a = await createTestTenant(t.db, { scopes: ['knowledge:read', 'knowledge:write'] })
  })
  afterAll(async () => t?.close())
  const post = (payload: unknown, key = a.apiKey) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/sources',
      headers: { 'x-api-key': key },
      payload: payload as object,
    })

  it.each([
    'http://127.0.0.1:8080/',
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://localhost/docs',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.5/',
    'http://example.com/',
    'ftp://example.com/',
    'not a url',
  ])('refuses %s by default (422, nothing stored)', async (url) => {
    const res = await post({ type: 'website', url })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0].loc).toEqual(['body', 'url'])
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/v1/knowledge/sources',
          headers: { 'x-api-key': a.apiKey },
        })
      ).json().items,
    ).toEqual([])
  })

  it.each([
    [{ type: 'feed', url: 'https://example.com/' }],
    [{ type: 'website' }],
    [{ type: 'website', url: 'https://example.com/', max_pages: 0 }],
    [{ type: 'website', url: 'https://example.com/', max_pages: 2001 }],
    [{ type: 'website', url: 'https://example.com/', resync_hours: 0 }],
  ])('validates %j (422)', async (payload) => {
    expect((await post(payload)).statusCode).toBe(422)
  })

  it('needs the knowledge scope: read for GET, write for the rest', async () => {
    const reader = await createTestTenant(t.db, { name: 'R', scopes: ['knowledge:read'] })
    const res = await post({ type: 'website', url: 'https://example.com/' }, reader.apiKey)
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'API key missing required scope: knowledge:write' })
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/knowledge/sources',
      headers: { 'x-api-key': reader.apiKey },
    })
    expect(list.statusCode).toBe(200)
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/knowledge/sources' })
    expect(none.statusCode).toBe(401)
  })

  it('a public https source is queued (202) and its id unknown elsewhere is 404', async () => {
    const res = await post({
      type: 'sitemap',
      url: 'https://example.com/sitemap.xml#x',
      resync_hours: 24,
    })
    expect(res.statusCode).toBe(202)
    expect(res.json()).toMatchObject({
      url: 'https://example.com/sitemap.xml',
      resync_hours: 24,
      status: 'queued',
    })
    const missing = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/knowledge/sources/ks_nope',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({ detail: 'Knowledge source not found' })
  })
})
