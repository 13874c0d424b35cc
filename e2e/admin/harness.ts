import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
// @ts-expect-error plain ESM helper without type declarations
import { isBuildCurrent } from '../../packages/admin/build-stamp.mjs'
import { createAdminUser } from '../../packages/server/src/admin-users/user-repo.ts'
import { buildTestApp, createTestTenant, type TestApp } from '../../packages/server/test/helpers.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const ARTIFACTS = join(root, 'test-artifacts', 'admin')

/** Builds the console when its dist is missing or older than its sources (and only then). */
export function ensureConsoleBuilt(): void {
  if (isBuildCurrent() as boolean) return
  execFileSync('npm', ['run', 'build', '--workspace=@aurion/admin'], {
    cwd: root,
    stdio: 'inherit',
  })
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

export interface ConsoleServer {
  url: string
  t: TestApp
  tenantId: string
  publicKey: string
  apiKey: string
  email: string
  password: string
  close(): Promise<void>
}

/** The whole app on a real socket (SQLite in memory), with a tenant and a console user. */
export async function startConsoleServer(
  opts: { origins?: string[] } = {},
): Promise<ConsoleServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const t = await buildTestApp({ env: { AURION_PUBLIC_URL: url, PORT: String(port) } })
  await t.app.listen({ port, host: '127.0.0.1' })
  const tenant = await createTestTenant(t.db, {
    name: 'Acme Support',
    config: { enabled: true, allowed_origins: opts.origins ?? [] },
  })
  const email = 'ada@acme.test'
  const password = 'correct horse battery staple'
  await createAdminUser(t.db, { tenantId: tenant.tenantId, email, name: 'Ada Lovelace', password })
  return {
    url,
    t,
    tenantId: tenant.tenantId,
    publicKey: tenant.publicKey,
    apiKey: tenant.apiKey,
    email,
    password,
    close: () => t.close(),
  }
}

/** A plain web server on another port: the customer's site that pastes the snippet. */
export async function startHostSite(): Promise<{
  origin: string
  setPage(html: string): void
  close(): Promise<void>
}> {
  let page = '<!doctype html><title>empty</title>'
  const server: Server = createServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(page)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    setPage(html) {
      page = html
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export interface BrowserSession {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

/** Debian's Chromium, headless, on a fresh profile (a new temporary user data dir). */
export async function launchBrowser(
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'aurion-admin-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: opts.viewport ?? { width: 1440, height: 960 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Saves a full-page screenshot under test-artifacts/admin/ (gitignored). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage })
  return path
}

/** Signs in through the login form. */
export async function signIn(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(`${server.url}/admin`)
  await page.getByLabel('Email').fill(server.email)
  await page.getByLabel('Password', { exact: true }).fill(server.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Voice Widget', level: 1 }).waitFor()
}
