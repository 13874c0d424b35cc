import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
// @ts-expect-error plain ESM helper without type declarations
import { isBuildCurrent } from '../../packages/admin/build-stamp.mjs'
import { ARTIFACTS_DIR, launchBrowser } from '../support/browser.ts'
import { type RunningServer, startServer, type WidgetTenant } from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'

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

/** What {@link useConsole} starts for a suite. */
export interface ConsoleFixture {
  s: ConsoleServer
  browser: Browser
}

export interface UseConsoleOptions {
  /** Server environment; a function is called after `before` (its fixtures' addresses). */
  env?: Record<string, string> | (() => Record<string, string>)
  /** Starts what the server or the tests need first (a fixture site, a model server…). */
  before?: () => Promise<void>
  /** Closes what `before` started (after the browser and the server). */
  after?: () => Promise<void>
  /** The widget's bundle is built too (suites that open a host page). */
  widget?: boolean
}

/**
 * The console on a real server with a tenant and a console user, and a Chromium, for the suite
 * it is called in: the console (and with `widget`, the widget) is built when stale, both start
 * in `beforeAll` and close in `afterAll`. `set` receives them:
 * `useConsole((c) => ({ s, browser } = c))` keeps the suite's own names.
 */
export function useConsole(set: (c: ConsoleFixture) => void, opts: UseConsoleOptions = {}): void {
  let started: Partial<ConsoleFixture> = {}
  beforeAll(async () => {
    ensureConsoleBuilt()
    if (opts.widget) ensureWidgetBuilt()
    await opts.before?.()
    const env = typeof opts.env === 'function' ? opts.env() : opts.env
    const [s, browser] = await Promise.all([
      startConsoleServer(env ? { env } : {}),
      launchBrowser(),
    ])
    started = { s, browser }
    set({ s, browser })
  }, 300_000)
  afterAll(async () => {
    await started.browser?.close()
    await started.s?.close()
    await opts.after?.()
  })
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
