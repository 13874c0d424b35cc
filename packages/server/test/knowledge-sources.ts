import type { KnowledgeSource } from '@aurion/contract'
import type { Dialect } from '../src/db/schema.ts'
import { buildTestApp, type TestApp, type TestTenant } from './helpers.ts'

/** The whole app with the crawler allowed onto loopback fixture sites and not pausing between pages. */
export function buildCrawlerApp(dialect: Dialect): Promise<TestApp> {
  return buildTestApp({
    dialect,
    env: { AURION_FETCH_ALLOW_PRIVATE: 'true', AURION_CRAWL_DELAY_MS: '0' },
  })
}

/**
 * Requests to the app with the tenant's API key: `api('POST', '/api/v1/knowledge/sources', body)`.
 * App and tenant are read at call time, so a suite can make its client before `beforeAll`
 * builds them.
 */
export function apiKeyClient(world: () => { t: TestApp; a: TestTenant }) {
  return (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const { t, a } = world()
    return t.app.inject({
      method,
      url,
      headers: { 'x-api-key': a.apiKey },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  }
}

/** Polls a knowledge source until its sync has finished; throws after `timeoutMs`. */
export async function settledSource(
  api: ReturnType<typeof apiKeyClient>,
  id: string,
  timeoutMs: number,
): Promise<KnowledgeSource> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const s = (await api('GET', `/api/v1/knowledge/sources/${id}`)).json() as KnowledgeSource
    if (s.status === 'done' || s.status === 'failed') return s
    if (Date.now() > deadline) throw new Error(`sync did not finish: ${JSON.stringify(s)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
