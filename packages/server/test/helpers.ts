import { describe } from 'vitest'
import type { Dialect } from '../src/db/schema.ts'
import { testDialects } from '../test-support/database.ts'
import { provisionTenant } from '../test-support/tenant.ts'

// The server's tests reach the one test-support module through this file.
export {
  buildTestApp,
  createTestDatabase,
  eventually,
  putTestWidgetConfig,
  rotateTestIdentitySecret,
  startTestServer,
  TEST_SECRET,
  type TestApp,
  type TestServer,
  type TestTenant,
  testConfig,
  testDialects,
} from '../test-support/index.ts'

/** Runs the suite once per dialect: `forEachDialect('config API', (dialect) => { … })`. */
export function forEachDialect(name: string, fn: (dialect: Dialect) => void): void {
  describe.each(testDialects())(`${name} [%s]`, (dialect) => fn(dialect))
}

/** A tenant with the given stored widget config and an all-scopes API key. */
export const createTestTenant = provisionTenant
