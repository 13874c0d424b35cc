/**
 * `npm run eval`: how well the built-in agent's retrieval finds the page that answers a question.
 * Two websites written for it (bench/eval/sites.ts) are served on loopback and imported the way
 * a tenant imports them (a website crawl and a sitemap, through the knowledge sources API on an
 * in-memory SQLite database); then each question of bench/eval/questions.ts is searched.
 *
 * Prints, over all questions:
 *   hit@1     the expected page is the first search result
 *   hit@3     …among the first three
 *   MRR       mean reciprocal rank of the expected page (0 when not in the first 10)
 *   answered  the agent answers from the expected page (a confident first match)
 *   wrong     the agent answers confidently from another page
 * and the questions it missed. `--json` prints the figures as JSON instead.
 */
import type { KnowledgeSource } from '@aurion/contract'
import { retrieve } from '../packages/server/src/agent/retrieval.ts'
import { knowledgeBaseFor } from '../packages/server/src/knowledge/knowledge-base.ts'
import {
  type FixtureSite,
  htmlPage,
  type SiteFile,
  startFixtureSite,
} from '../packages/server/test/fixture-site.ts'
import { buildTestApp, createTestTenant } from '../packages/server/test/helpers.ts'
import { EVAL_QUESTIONS } from './eval/questions.ts'
import { EVAL_SITES, type EvalSite } from './eval/sites.ts'

const RANKS = 10

async function serve(site: EvalSite): Promise<FixtureSite> {
  const files: Record<string, SiteFile> = {
    '/robots.txt': { body: 'User-agent: *\nAllow: /\n', type: 'text/plain' },
    '/': {
      body: htmlPage(
        `${site.name} help`,
        '<p>Welcome to our help pages. Pick a topic from the menu.</p>',
        site.pages.map((p) => p.path),
      ),
    },
  }
  for (const page of site.pages)
    files[page.path] = {
      body: htmlPage(
        page.title,
        page.html,
        site.pages.map((p) => p.path),
      ),
    }
  const server = await startFixtureSite(files)
  server.set('/sitemap.xml', {
    type: 'application/xml',
    body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${site.pages
      .map((p) => `<url><loc>${server.url}${p.path}</loc></url>`)
      .join('')}</urlset>`,
  })
  return server
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json')
  const servers = await Promise.all(EVAL_SITES.map(serve))
  const t = await buildTestApp({
    env: { AURION_FETCH_ALLOW_PRIVATE: 'true', AURION_CRAWL_DELAY_MS: '0' },
  })
  try {
    const tenant = await createTestTenant(t.db)
    const baseOf = new Map<string, string>()
    for (const [i, site] of EVAL_SITES.entries()) {
      const server = servers[i]!
      baseOf.set(site.name, server.url)
      const url = site.type === 'website' ? `${server.url}/` : `${server.url}/sitemap.xml`
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/knowledge/sources',
        headers: { 'x-api-key': tenant.apiKey },
        payload: { type: site.type, url },
      })
      if (res.statusCode !== 202) throw new Error(`adding ${url}: ${res.statusCode} ${res.body}`)
      const done = await settled(t, tenant.apiKey, res.json().id)
      if (done.status !== 'done' || done.errors.length > 0)
        throw new Error(`import of ${url} failed: ${JSON.stringify(done)}`)
    }
    const kb = await knowledgeBaseFor(t.db).forTenant(tenant.tenantId)

    let hit1 = 0
    let hit3 = 0
    let rr = 0
    let answered = 0
    let wrong = 0
    const misses: string[] = []
    for (const [question, site, path] of EVAL_QUESTIONS) {
      const expected = `${baseOf.get(site)}${path}`
      const lang = kb.questionLanguage(question)
      const hits = kb.search(question, { lang, limit: RANKS })
      const rank = hits.findIndex((h) => h.article.url === expected) + 1
      if (rank === 1) hit1++
      if (rank >= 1 && rank <= 3) hit3++
      if (rank >= 1) rr += 1 / rank
      const pick = retrieve(kb, [
        { role: 'visitor', text: question, channel: 'chat', createdAt: new Date().toISOString() },
      ]).article
      if (pick?.url === expected) answered++
      else if (pick) wrong++
      if (rank !== 1 || pick?.url !== expected) {
        const top = hits[0]?.article.title ?? '—'
        misses.push(
          `  ${rank === 0 ? '✗' : `#${rank}`}  ${question}  →  expected ${site}${path}; first: ${top}; answers from: ${pick?.title ?? 'none'}`,
        )
      }
    }
    const n = EVAL_QUESTIONS.length
    const figures = {
      questions: n,
      articles: kb.size,
      hit_at_1: hit1 / n,
      hit_at_3: hit3 / n,
      mrr: rr / n,
      answered: answered / n,
      wrong: wrong / n,
    }
    if (json) {
      console.log(JSON.stringify(figures, null, 2))
      return
    }
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`
    console.log(
      `Retrieval evaluation: ${n} questions over ${kb.size} articles imported from ${EVAL_SITES.length} sites`,
    )
    console.log(`  hit@1     ${pct(figures.hit_at_1)}`)
    console.log(`  hit@3     ${pct(figures.hit_at_3)}`)
    console.log(`  MRR       ${figures.mrr.toFixed(3)}`)
    console.log(`  answered  ${pct(figures.answered)}  (the agent answers from the expected page)`)
    console.log(`  wrong     ${pct(figures.wrong)}  (the agent answers from another page)`)
    if (misses.length > 0) console.log(`\nMisses (${misses.length}):\n${misses.join('\n')}`)
  } finally {
    await t.close()
    await Promise.all(servers.map((s) => s.close()))
  }
}

async function settled(
  t: Awaited<ReturnType<typeof buildTestApp>>,
  apiKey: string,
  id: string,
): Promise<KnowledgeSource> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/knowledge/sources/${id}`,
      headers: { 'x-api-key': apiKey },
    })
    const s = res.json() as KnowledgeSource
    if (s.status === 'done' || s.status === 'failed') return s
    if (Date.now() > deadline) throw new Error(`import did not finish: ${res.body}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

await main()
