import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Screenshots and other browser-test output (gitignored). */
export const ARTIFACTS_DIR = join(root, 'test-artifacts')

/** Debian's Chromium (`CHROMIUM_PATH` overrides; `npm test` sets it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (process.env.CI === 'true' && !existsSync(CHROMIUM_PATH))
  throw new Error(
    `CI=true but there is no Chromium at ${CHROMIUM_PATH}: browser tests must run in CI`,
  )

/** The team's flags: headless, no sandbox (containers), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Launches Chromium. Playwright gives every launch a fresh `--user-data-dir` (a mkdtemp
 * profile, removed on close). `args` add flags, e.g. `--use-fake-device-for-media-stream`.
 * Launch one browser per test file and reuse it; contexts are cheap.
 */
export function launchBrowser(opts: { args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
  })
}

/** A page whose console errors and page errors are collected (and printed when `DEBUG_E2E`). */
export interface TestPage {
  context: BrowserContext
  page: Page
  /** Console messages as `type: text`, in order. */
  console: string[]
  /** Uncaught exceptions in the page. */
  errors: Error[]
}

/** A fresh context (own storage) with one page. */
export async function newTestPage(
  browser: Browser,
  opts: BrowserContextOptions = {},
): Promise<TestPage> {
  const context = await browser.newContext(opts)
  const page = await context.newPage()
  const out: TestPage = { context, page, console: [], errors: [] }
  page.on('console', (m) => {
    out.console.push(`${m.type()}: ${m.text()}`)
    if (process.env.DEBUG_E2E) console.log(`[page ${m.type()}] ${m.text()}`)
  })
  page.on('pageerror', (e) => {
    out.errors.push(e)
    if (process.env.DEBUG_E2E) console.log(`[page error] ${e.stack ?? e.message}`)
  })
  return out
}

/** Saves a PNG under test-artifacts/ (e.g. `widget/desktop-light`) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS_DIR, `${name}.png`)
  mkdirSync(dirname(path), { recursive: true })
  await page.screenshot({ path })
  return path
}
