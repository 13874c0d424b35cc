import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KnowledgeSource } from '@aurion/contract'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FixtureSite, htmlPage, startFixtureSite } from '../../../test/fixture-site.ts'
import {
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { apiKeyClient, buildCrawlerApp, settledSource } from '../../../test/knowledge-sources.ts'

const paragraph = (topic: string) =>
  `<p>This page explains ${topic} in enough words for the readability extraction to keep it as the main content of the page.</p>`

/** A server on another loopback address: a redirect must never reach it. */
async function startPrivateTarget() {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(htmlPage('Internal admin', paragraph('the internal admin panel')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve))
  return {
    url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

forEachDialect('knowledge sources: crawl bounds', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let site: FixtureSite
  let internal: Awaited<ReturnType<typeof startPrivateTarget>>
  beforeAll(async () => {
    internal = await startPrivateTarget()
    site = await startFixtureSite({
      '/': {
        body: htmlPage('Start', paragraph('where to start'), [
          '/ok',
          '/huge',
          '/endless',
          '/to-private',
          '/to-metadata',
          '/to-localhost',
          '/gone-soon',
        ]),
      },
      '/ok': { body: htmlPage('Opening hours', paragraph('the opening hours')) },
      '/gone-soon': { body: htmlPage('Summer sale', paragraph('the summer sale')) },
      '/huge': { body: htmlPage('Huge', `<p>${'word '.repeat(1_300_000)}</p>`) },
      '/endless': { body: '<!doctype html><html><body><main>', endless: true },
      '/to-private': { body: '', status: 302, headers: { location: `${internal.url}/secret` } },
      '/to-metadata': {
        body: '',
        status: 301,
        headers: { location: 'http://169.254.169.254/latest/meta-data/' },
      },
      '/robots.txt': { body: 'User-agent: *\nAllow: /\n', type: 'text/plain' },
    })
    const port = new URL(site.url).port
    site.set('/to-localhost', {
      body: '',
      status: 307,
      headers: { location: `http://localhost:${port}/ok` },
    })
    t = await buildCrawlerApp(dialect)
    a = await createTestTenant(t.db)
  })
  afterAll(async () => {
    await t?.close()
    await site?.close()
    await internal?.close()
  })

  const api = apiKeyClient(() => ({ t, a }))
  /** Polls the source until its sync has finished (bounded). */
  const settled = (id: string) => settledSource(api, id, 30_000)
  const errorFor = (s: KnowledgeSource, path: string) =>
    s.errors.find((e) => e.url === `${site.url}${path}`)?.error

  let sourceId: string
  it('refuses redirects off the site (a private address, cloud metadata, another host name) and bounds page sizes', async () => {
    const res = await api('POST', '/api/v1/knowledge/sources', {
      type: 'website',
      url: `${site.url}/`,
    })
    expect(res.statusCode).toBe(202)
    sourceId = res.json().id
    const done = await settled(sourceId)
    expect(done.status).toBe('done')
    expect(done.pages_imported).toBe(3) // /, /ok, /gone-soon
    expect(done.pages?.map((p) => p.url).sort()).toEqual(
      ['/', '/gone-soon', '/ok'].map((p) => `${site.url}${p}`),
    )
    // Redirects leaving the site are not followed: nothing ever reached the private server.
    expect(errorFor(done, '/to-private')).toMatch(/not followed/)
    expect(errorFor(done, '/to-metadata')).toMatch(/169\.254\.169\.254.*not followed/)
    expect(errorFor(done, '/to-localhost')).toMatch(/not followed/)
    expect(internal.hits).toEqual([])
    // Size caps: a 6.5 MB page is refused after reading; a page that never ends is cut off.
    expect(errorFor(done, '/huge')).toBe('Page larger than 5 MB')
    expect(errorFor(done, '/endless')).toBe('Larger than 20 MB')
    expect(site.endlessBytes).toBeGreaterThan(20 * 1024 * 1024)
    // The crawler hung up: the endless response is closed (the site stops sending), and what
    // was sent is bounded (the cap plus socket buffers).
    await site.endlessHungUp()
    expect(site.endlessBytes).toBeLessThan(40 * 1024 * 1024)
  })

  it('a page gone (404) at the next sync takes its article with it; the others stay unchanged', async () => {
    site.set('/', {
      body: htmlPage('Start', paragraph('where to start'), ['/ok', '/gone-soon']),
    })
    site.set('/gone-soon', { body: 'gone', status: 404, type: 'text/plain' })
    expect((await api('POST', `/api/v1/knowledge/sources/${sourceId}/sync`)).statusCode).toBe(202)
    const done = await settled(sourceId)
    expect(done.status).toBe('done')
    expect(errorFor(done, '/gone-soon')).toBe('HTTP 404: removed')
    // Only the start page's navigation changed: its content (the article) did not.
    expect(done.pages_imported).toBe(0)
    expect(done.pages_unchanged).toBe(2)
    const titles = (await api('GET', '/api/v1/knowledge/articles?limit=100'))
      .json()
      .items.map((x: { title: string }) => x.title)
      .sort()
    expect(titles).toEqual(['Opening hours', 'Start'])
  })

  it('an unreadable robots.txt (5xx) fails the sync before any page is fetched', async () => {
    const broken = await startFixtureSite({
      '/': { body: htmlPage('Start', paragraph('where to start')) },
      '/robots.txt': { body: 'oops', status: 503, type: 'text/plain' },
    })
    try {
      const res = await api('POST', '/api/v1/knowledge/sources', {
        type: 'website',
        url: `${broken.url}/`,
      })
      const done = await settled(res.json().id)
      expect(done.status).toBe('failed')
      expect(done.errors[0]).toEqual({
        url: `${broken.url}/`,
        error: 'robots.txt could not be read (HTTP 503)',
      })
      expect(broken.requests.map((r) => r.path)).toEqual(['/robots.txt'])
    } finally {
      await broken.close()
    }
  })

  it('max_pages bounds a website crawl', async () => {
    const many = await startFixtureSite(
      Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [
          i === 0 ? '/' : `/p${i}`,
          {
            body: htmlPage(
              `Page ${i}`,
              paragraph(`topic ${i}`),
              Array.from({ length: 11 }, (_, j) => `/p${j + 1}`),
            ),
          },
        ]),
      ),
    )
    try {
      const res = await api('POST', '/api/v1/knowledge/sources', {
        type: 'website',
        url: `${many.url}/`,
        max_pages: 4,
      })
      const done = await settled(res.json().id)
      expect(done).toMatchObject({ status: 'done', pages_found: 4, pages_imported: 4 })
      const pages = many.requests.filter((r) => r.path !== '/robots.txt')
      expect(pages).toHaveLength(4)
    } finally {
      await many.close()
    }
  })
})
