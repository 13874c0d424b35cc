import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
// @ts-expect-error plain ESM helper without type declarations
import { isBuildCurrent } from '../../packages/admin/build-stamp.mjs'
import { createAdminUser } from '../../packages/server/src/admin-users/user-repo.ts'
import { ARTIFACTS_DIR } from '../support/browser.ts'
import { type RunningServer, startServer, type WidgetTenant } from '../support/server.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Builds the console when its dist is missing or older than its sources (and only then). */
export function ensureConsoleBuilt(): void {
  if (isBuildCurrent() as boolean) return
  mkdirSync(join(root, '.tmp'), { recursive: true })
  // Parallel test files share one build: the lock serializes them, the second finds it current.
  execFileSync(
    'flock',
    [
      join(root, '.tmp', 'admin-build.lock'),
      process.execPath,
      join(root, 'packages', 'admin', 'build-stamp.mjs'),
      '--build-if-stale',
    ],
    { cwd: root, stdio: 'inherit' },
  )
}

export interface ConsoleServer {
  server: RunningServer
  url: string
  tenant: WidgetTenant
  email: string
  password: string
  close(): Promise<void>
}

/** The whole app on a real socket with a tenant and a console user of it. */
export async function startConsoleServer(): Promise<ConsoleServer> {
  const server = await startServer()
  const tenant = await server.createTenant({ allowed_origins: [] }, 'Acme Support')
  const email = 'ada@acme.test'
  const password = 'correct horse battery staple'
  await createAdminUser(server.db, {
    tenantId: tenant.tenantId,
    email,
    name: 'Ada Lovelace',
    password,
  })
  return { server, url: server.url, tenant, email, password, close: () => server.close() }
}

/** A screenshot under test-artifacts/admin/ (gitignored), the whole page when `fullPage`. */
export async function shot(page: Page, name: string, fullPage = false): Promise<string> {
  const path = join(ARTIFACTS_DIR, 'admin', `${name}.png`)
  mkdirSync(dirname(path), { recursive: true })
  await page.screenshot({ path, fullPage })
  return path
}

/** Signs in through the login form. */
export async function signIn(page: Page, s: ConsoleServer): Promise<void> {
  await page.goto(`${s.url}/admin`)
  await page.getByLabel('Email').fill(s.email)
  await page.getByLabel('Password', { exact: true }).fill(s.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Voice Widget', level: 1 }).waitFor()
}
