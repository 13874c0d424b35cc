import { API_KEY_SCOPES } from '@aurion/contract'
import { createAdminUser } from '../src/admin-users/user-repo.ts'
import { createApiKey } from '../src/auth/api-key-repo.ts'
import type { Db } from '../src/db/schema.ts'
import { seedDemoArticles } from '../src/knowledge/demo-articles.ts'
import { createTenant, type TenantRow } from '../src/tenants/tenant-repo.ts'

/** A console (admin) user of a provisioned tenant, with the password it signs in with. */
export interface TestConsoleUser {
  id: string
  email: string
  name: string
  password: string
}

export interface TestTenant {
  tenant: TenantRow
  tenantId: string
  /** The widget's public key (`vwk_…`). */
  publicKey: string
  /** An admin API key with `scopes` (default: all of {@link API_KEY_SCOPES}). */
  apiKey: string
  /** Present when asked for with `consoleUser`. */
  consoleUser?: TestConsoleUser
}

export interface ProvisionTenantOptions {
  name?: string
  /** Stored widget config (default: enabled for https://example.com). */
  config?: Record<string, unknown>
  /** Scopes of the API key (default: all of {@link API_KEY_SCOPES}). */
  scopes?: string[]
  /** Gives the tenant the demo help-desk articles the built-in agent answers from. */
  articles?: boolean
  /** Creates a console user (`true`: Ada, ada@acme.test, a fixed passphrase). */
  consoleUser?: boolean | Partial<Omit<TestConsoleUser, 'id'>>
}

/**
 * Provisions a tenant straight in the database, as an operator's CLI would: the tenant with its
 * widget key and stored config, an API key, and on request the demo articles and a console user.
 */
export async function provisionTenant(
  db: Db,
  opts: ProvisionTenantOptions = {},
): Promise<TestTenant> {
  const tenant = await createTenant(db, {
    name: opts.name ?? 'Acme',
    config: opts.config ?? { enabled: true, allowed_origins: ['https://example.com'] },
  })
  const { key } = await createApiKey(db, {
    tenantId: tenant.id,
    scopes: opts.scopes ?? [...API_KEY_SCOPES],
  })
  if (opts.articles) await seedDemoArticles(db, tenant.id)
  const result: TestTenant = {
    tenant,
    tenantId: tenant.id,
    publicKey: tenant.public_widget_key,
    apiKey: key,
  }
  if (opts.consoleUser) {
    result.consoleUser = await addConsoleUser(
      db,
      tenant.id,
      opts.consoleUser === true ? {} : opts.consoleUser,
    )
  }
  return result
}

/**
 * Adds a console user (role `owner`, online) to a tenant: by default Ada, ada@acme.test, a fixed
 * passphrase. Returns it with the password it signs in with.
 */
export async function addConsoleUser(
  db: Db,
  tenantId: string,
  wanted: Partial<Omit<TestConsoleUser, 'id'>> = {},
): Promise<TestConsoleUser> {
  const user = {
    email: wanted.email ?? 'ada@acme.test',
    name: wanted.name ?? 'Ada Lovelace',
    password: wanted.password ?? 'correct horse battery staple',
  }
  const row = await createAdminUser(db, { tenantId, ...user })
  return { id: row.id, ...user }
}
