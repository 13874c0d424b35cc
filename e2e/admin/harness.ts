import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
// @ts-expect-error plain ESM helper without type declarations
import { isBuildCurrent } from '../../packages/admin/build-stamp.mjs'
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

/** The whole app on a real socket with a tenant and a console user of it (`env` adds variables). */
export async function startConsoleServer(
  opts: { env?: Record<string, string> } = {},
): Promise<ConsoleServer> {
  const server = await startServer(opts)
  const tenant = await server.createTenant({ allowed_origins: [] }, 'Acme Support', {
    consoleUser: true,
  })
  const { email, password } = tenant.consoleUser!
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
  // Owners land on Insights; the tests go on from the widget configuration (reached without a
  // reload, as a click in the navigation would, whether or not a phone's menu is open).
  await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor()
  await page.evaluate(() => {
    history.pushState(null, '', '/admin/widget')
    dispatchEvent(new PopStateEvent('popstate'))
  })
  await page.getByRole('heading', { name: 'Voice Widget', level: 1 }).waitFor()
}
