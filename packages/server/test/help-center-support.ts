import { expect } from 'vitest'
import type { Dialect } from '../src/db/schema.ts'
import { buildTestApp, createTestTenant, type TestApp, type TestTenant } from './helpers.ts'

/** The Help Center domain of {@link buildHelpCenterApp}: `<slug>.help.aurion.test` hosts. */
export const HELP_CENTER_DOMAIN = 'help.aurion.test'

/** The whole app serving Help Centers on {@link HELP_CENTER_DOMAIN}, public at support.example.com. */
export function buildHelpCenterApp(dialect: Dialect): Promise<TestApp> {
  return buildTestApp({
    dialect,
    env: {
      AURION_HELP_CENTER_DOMAIN: HELP_CENTER_DOMAIN,
      AURION_PUBLIC_URL: 'https://support.example.com',
    },
  })
}

/** `PUT /api/v1/help-center` of the tenant (enabled unless `body` says otherwise); expects 200. */
export async function putHelpCenter(
  t: TestApp,
  tenant: TestTenant,
  body: Record<string, unknown>,
): Promise<void> {
  const res = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/help-center',
    headers: { 'x-api-key': tenant.apiKey },
    payload: { enabled: true, ...body },
  })
  expect(res.statusCode, res.body).toBe(200)
}

/**
 * No Help Center left, then two new tenants, A and B, each with an enabled Help Center of the
 * given slug and title (neither lists a Help Center origin in `allowed_origins`).
 */
export async function freshHelpCenterTenants(
  t: TestApp,
  sites: [{ slug: string; title: string }, { slug: string; title: string }],
): Promise<[TestTenant, TestTenant]> {
  await t.db.deleteFrom('help_centers').execute()
  const a = await createTestTenant(t.db, { name: 'A' })
  const b = await createTestTenant(t.db, { name: 'B' })
  await putHelpCenter(t, a, sites[0])
  await putHelpCenter(t, b, sites[1])
  return [a, b]
}
