import { afterAll, beforeAll, beforeEach } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import type { Dialect } from '../../db/schema.ts'

export const BASE = '/api/v1/knowledge/articles'
export const ARTICLE = {
  title: 'Reset your password',
  body: 'Open the IT portal and choose "Forgot password".',
  tags: ['password', 'reset'],
}

/** The knowledge API's tests: an app per dialect, two fresh tenants A and B and no articles per test. */
export function useKnowledgeApp(dialect: Dialect) {
  const f = {
    t: undefined as unknown as TestApp,
    a: undefined as unknown as TestTenant,
    b: undefined as unknown as TestTenant,
    call: (
      key: string,
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: string,
      payload?: unknown,
    ) =>
      f.t.app.inject({
        method,
        url,
        headers: { 'x-api-key': key },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      }),
  }
  beforeAll(async () => {
    f.t = await buildTestApp({ dialect })
  })
  afterAll(async () => f.t.close())
  beforeEach(async () => {
    await f.t.db.deleteFrom('knowledge_articles').execute()
    f.a = await createTestTenant(f.t.db, { name: 'A' })
    f.b = await createTestTenant(f.t.db, { name: 'B' })
  })
  return f
}
