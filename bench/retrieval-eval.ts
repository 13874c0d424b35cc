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
 *
 * With an embeddings model (`--embeddings-url URL --embeddings-model NAME`, or the
 * AURION_EMBEDDINGS_* variables) the same figures follow for hybrid search, once the server's
 * background job has embedded every passage (docs/knowledge-and-agents.md).
 */
import type { KnowledgeSource } from '@aurion/contract'
import { retrieve } from '../packages/server/src/agent/retrieval.ts'
import { findKnowledgeRevision } from '../packages/server/src/knowledge/article-repo.ts'
import {
  type SemanticScores,
  semanticSearchFor,
} from '../packages/server/src/knowledge/embeddings/semantic-search.ts'
import { findEmbeddingState } from '../packages/server/src/knowledge/embeddings/vector-repo.ts'
import {
  knowledgeBaseFor,
  type TenantKnowledge,
} from '../packages/server/src/knowledge/knowledge-base.ts'
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

/** The embeddings endpoint to measure hybrid search with (`--embeddings-url`, or the env). */
function embeddingsEnv(): Record<string, string> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name)
    return i >= 0 ? process.argv[i + 1] : undefined
  }
  const url = arg('--embeddings-url') ?? process.env.AURION_EMBEDDINGS_URL
  const model = arg('--embeddings-model') ?? process.env.AURION_EMBEDDINGS_MODEL
  if (!url && !model) return {}
  if (!model)
    throw new Error('--embeddings-url needs --embeddings-model (or AURION_EMBEDDINGS_MODEL)')
  const env: Record<string, string> = { AURION_EMBEDDINGS_MODEL: model }
  if (url) env.AURION_EMBEDDINGS_URL = url
  for (const name of [
    'AURION_EMBEDDINGS_API_KEY',
    'AURION_EMBEDDINGS_BATCH',
    'AURION_EMBEDDINGS_TIMEOUT_MS',
    'AURION_EMBEDDINGS_MIN_SIMILARITY',
    'AURION_LLM_BASE_URL',
    'AURION_LLM_API_KEY',
  ])
    if (process.env[name]) env[name] = process.env[name]!
  return env
}

interface Figures {
  questions: number
  articles: number
  hit_at_1: number
  hit_at_3: number
  mrr: number
  answered: number
  wrong: number
}

/** Searches every question (with its semantic scores for hybrid search) and scores the ranks. */
async function measure(
  kb: TenantKnowledge,
  baseOf: ReadonlyMap<string, string>,
  semanticOf: ((question: string) => Promise<SemanticScores | undefined>) | undefined,
): Promise<{ figures: Figures; misses: string[] }> {
  let hit1 = 0
  let hit3 = 0
  let rr = 0
  let answered = 0
  let wrong = 0
  const misses: string[] = []
  for (const [question, site, path] of EVAL_QUESTIONS) {
    const expected = `${baseOf.get(site)}${path}`
    const lang = kb.questionLanguage(question)
    const semantic = await semanticOf?.(question)
    if (semanticOf && !semantic) throw new Error(`no embedding for the question "${question}"`)
    const hits = kb.search(question, { lang, limit: RANKS, semantic })
    const rank = hits.findIndex((h) => h.article.url === expected) + 1
    if (rank === 1) hit1++
    if (rank >= 1 && rank <= 3) hit3++
    if (rank >= 1) rr += 1 / rank
    const turn = { role: 'visitor' as const, text: question, channel: 'chat' as const }
    const pick = retrieve(kb, [{ ...turn, createdAt: new Date().toISOString() }], {
      semantic,
    }).article
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
  return {
    figures: {
      questions: n,
      articles: kb.size,
      hit_at_1: hit1 / n,
      hit_at_3: hit3 / n,
      mrr: rr / n,
      answered: answered / n,
      wrong: wrong / n,
    },
    misses,
  }
}

function print(title: string, { figures, misses }: { figures: Figures; misses: string[] }): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`
  console.log(title)
  console.log(`  hit@1     ${pct(figures.hit_at_1)}`)
  console.log(`  hit@3     ${pct(figures.hit_at_3)}`)
  console.log(`  MRR       ${figures.mrr.toFixed(3)}`)
  console.log(`  answered  ${pct(figures.answered)}  (the agent answers from the expected page)`)
  console.log(`  wrong     ${pct(figures.wrong)}  (the agent answers from another page)`)
  if (misses.length > 0) console.log(`\nMisses (${misses.length}):\n${misses.join('\n')}`)
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json')
  const embeddings = embeddingsEnv()
  const servers = await Promise.all(EVAL_SITES.map(serve))
  const t = await buildTestApp({
    env: { AURION_FETCH_ALLOW_PRIVATE: 'true', AURION_CRAWL_DELAY_MS: '0', ...embeddings },
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
    const lexical = await measure(kb, baseOf, undefined)
    const semantic = semanticSearchFor(t.db, t.config)
    let hybrid: Awaited<ReturnType<typeof measure>> | undefined
    if (semantic) {
      await embedded(t, tenant.tenantId)
      hybrid = await measure(kb, baseOf, (q) => semantic.scores(tenant.tenantId, q))
    }
    if (json) {
      console.log(
        JSON.stringify(
          hybrid
            ? { ...lexical.figures, hybrid: { model: semantic!.model, ...hybrid.figures } }
            : lexical.figures,
          null,
          2,
        ),
      )
      return
    }
    const about = `${lexical.figures.questions} questions over ${kb.size} articles imported from ${EVAL_SITES.length} sites`
    print(`Retrieval evaluation (lexical): ${about}`, lexical)
    if (hybrid) print(`\nHybrid (lexical + ${semantic!.model}, reciprocal rank fusion):`, hybrid)
  } finally {
    await t.close()
    await Promise.all(servers.map((s) => s.close()))
  }
}

/** Waits until the app's background job has embedded every passage of the tenant. */
async function embedded(t: Awaited<ReturnType<typeof buildTestApp>>, tenantId: string) {
  const deadline = Date.now() + 10 * 60_000
  for (;;) {
    const state = await findEmbeddingState(t.db, tenantId)
    const revision = await findKnowledgeRevision(t.db, tenantId)
    if (state && Number(state.revision) === revision && state.failures === 0) return
    if (state?.last_error && state.failures > 0)
      throw new Error(`embedding the passages failed: ${state.last_error}`)
    if (Date.now() > deadline) throw new Error('the passages were not embedded within 10 minutes')
    await new Promise((r) => setTimeout(r, 200))
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
