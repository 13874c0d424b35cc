import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  type FixtureSite,
  htmlPage,
  startFixtureSite,
} from '../../packages/server/test/fixture-site.ts'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type ConsoleServer, shot, useConsole } from './harness.ts'

const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) =>
  expect.poll(fn, { timeout, interval: 100 })

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

/** Serious and critical axe-core findings on the page (run through the driver: CSP stays strict). */
async function axeFindings(page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)
  })
}

const para = (text: string) =>
  `<p>${text} This paragraph is long enough for the readability extraction to keep it as the main content.</p>`

const PAGES = ['/shipping', '/returns', '/warranty', '/grinders', '/espresso', '/gift-cards']

/** A help site on loopback: pages, robots.txt forbidding /private/, a redirect off the site. */
async function startHelpSite(): Promise<FixtureSite> {
  const files: Record<
    string,
    { body: string; type?: string; status?: number; headers?: Record<string, string> }
  > = {
    '/': {
      body: htmlPage('Example coffee help', para('Answers about orders and machines.'), [
        ...PAGES,
        '/private/staff',
        '/to-elsewhere',
      ]),
    },
    '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' },
    '/private/staff': { body: htmlPage('Staff rota', para('The alarm code is 4711.')) },
    '/to-elsewhere': {
      body: '',
      status: 302,
      headers: { location: 'http://127.0.0.2:9/internal' },
    },
  }
  for (const p of PAGES) {
    const name = p.slice(1).replace('-', ' ')
    files[p] = {
      body: htmlPage(
        name[0]!.toUpperCase() + name.slice(1),
        para(`Everything about ${name}.`) + `<h2>Details</h2>${para(`More on ${name}.`)}`,
      ),
    }
  }
  return startFixtureSite(files)
}

describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console knowledge sources in Chromium',
  { timeout: 120_000 },
  () => {
    let s: ConsoleServer
    let site: FixtureSite
    let browser: Browser

    useConsole((c) => ({ s, browser } = c), {
      before: async () => {
        site = await startHelpSite()
      },
      // Loopback sites are private targets; a pause per request makes the progress visible.
      env: { AURION_FETCH_ALLOW_PRIVATE: 'true', AURION_CRAWL_DELAY_MS: '600' },
      after: () => site.close(),
    })

    async function signedIn(opts: BrowserContextOptions, path = '/admin/knowledge') {
      const context = await browser.newContext({ reducedMotion: 'reduce', ...opts })
      const res = await context.request.post(`${s.url}/api/v1/auth/login`, {
        data: { email: s.email, password: s.password },
      })
      expect(res.status()).toBe(200)
      const page = await context.newPage()
      await page.goto(s.url + path)
      return { context, page }
    }
    const sources = (page: Page) => page.getByRole('region', { name: 'Sources' })
    const row = (page: Page) => sources(page).locator('.source-row').first()

    it('adds a website (errors by the field first), shows progress, the pages and errors, re-syncs, removes it with its articles', async () => {
      const { context, page } = await signedIn({ viewport: { width: 1280, height: 860 } })
      try {
        await sources(page).getByText('No sources yet').waitFor()
        await page.getByRole('button', { name: 'Add a source' }).click()
        const dialog = page.getByRole('dialog', { name: 'Add a source' })
        await dialog.waitFor()
        // Client-side: nothing typed, a page count out of range.
        await dialog.getByLabel('Pages at most').fill('0')
        await dialog.getByRole('button', { name: 'Add and import' }).click()
        await dialog.getByText('Required').waitFor()
        await dialog.getByText('A whole number from 1 to 2000').waitFor()
        // Server-side: the 422 lands on the URL field.
        await dialog.getByLabel('Pages at most').fill('50')
        await dialog.getByLabel('Start page').fill('ftp://example.com/')
        await dialog.getByRole('button', { name: 'Add and import' }).click()
        const urlError = dialog.locator('.field-invalid').filter({ hasText: 'Start page' })
        await urlError.getByText(/URL must be an http or https URL/).waitFor()
        await shot(page, 'sources-dialog-error')
        expect(await axeFindings(page)).toEqual([])

        await dialog.getByLabel('Start page').fill(`${site.url}/`)
        await dialog.getByRole('button', { name: 'Add and import' }).click()
        await dialog.waitFor({ state: 'hidden' })
        await row(page).getByRole('progressbar').waitFor()
        await shot(page, 'sources-progress')

        await row(page).getByText('Done with errors').waitFor({ timeout: 30_000 })
        expect(await row(page).innerText()).toContain('7 imported · 0 unchanged · 1 with errors')
        await expect(row(page).getByRole('progressbar').count()).resolves.toBe(0)
        // The articles list picked the imported pages up when the sync ended.
        const articles = page.getByRole('region', { name: /Articles/ })
        await articles.getByText('7 articles').waitFor()
        await expect(articles.getByText('Staff rota').count()).resolves.toBe(0)

        // A source just added shows its pages as they come in.
        await row(page).getByRole('button', { name: 'Hide pages' }).waitFor()
        const details = row(page).locator('.source-details')
        await details.getByText('7 pages imported').waitFor()
        await details.getByText(`${site.url}/warranty`).waitFor()
        expect(await details.innerText()).toContain('/to-elsewhere')
        expect(await details.innerText()).toMatch(/not followed/)
        expect(await details.innerText()).not.toContain('/private/staff')
        await shot(page, 'sources-desktop-light', true)
        expect(await axeFindings(page)).toEqual([])

        // One page changes: a re-sync updates it alone.
        site.set('/warranty', {
          body: htmlPage('Warranty', para('Every machine now has a three year warranty.')),
        })
        await row(page)
          .getByRole('button', { name: `Sync ${site.url}/ now` })
          .click()
        // (The start page answered 304: its links, the redirect among them, are not read again.)
        await poll(() => row(page).innerText(), 30_000).toContain('1 imported · 6 unchanged')
        await row(page).getByText('Up to date').waitFor()

        await row(page)
          .getByRole('button', { name: `Remove ${site.url}/` })
          .click()
        const confirm = page.getByRole('alertdialog')
        await confirm.waitFor()
        expect(await confirm.innerText()).toContain('deleted with it')
        await confirm.getByRole('button', { name: 'Remove source and its articles' }).click()
        await sources(page).getByText('No sources yet').waitFor()
        await articles.getByText('No articles yet').waitFor()
      } finally {
        await context.close()
      }
    })

    it('looks right on a phone and in dark mode, with a sitemap source', async () => {
      site.set('/sitemap.xml', {
        type: 'application/xml',
        body: `<?xml version="1.0"?><urlset>${PAGES.map((p) => `<url><loc>${site.url}${p}</loc></url>`).join('')}</urlset>`,
      })
      const res = await fetch(`${s.url}/api/v1/knowledge/sources`, {
        method: 'POST',
        headers: { 'x-api-key': s.tenant.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'sitemap', url: `${site.url}/sitemap.xml`, resync_hours: 24 }),
      })
      expect(res.status).toBe(202)
      for (const [name, opts] of [
        ['desktop-dark', { viewport: { width: 1280, height: 860 }, colorScheme: 'dark' }],
        ['phone-light', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
        [
          'phone-dark',
          {
            viewport: { width: 390, height: 844 },
            isMobile: true,
            hasTouch: true,
            colorScheme: 'dark',
          },
        ],
      ] as const) {
        const { context, page } = await signedIn(opts)
        try {
          await row(page).getByText('Up to date').waitFor({ timeout: 30_000 })
          await row(page).getByRole('button', { name: 'Pages' }).click()
          await row(page).getByText('6 pages imported').waitFor()
          await shot(page, `sources-${name}`, true)
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          )
          expect(overflow, name).toBeLessThanOrEqual(0)
          if (name === 'phone-light') {
            await page.getByRole('button', { name: 'Add a source' }).click()
            await page.getByRole('dialog', { name: 'Add a source' }).waitFor()
            await shot(page, 'sources-phone-dialog')
          }
        } finally {
          await context.close()
        }
      }
    })

    it('opens a new article with the title from the address (?title=…)', async () => {
      const { context, page } = await signedIn(
        { viewport: { width: 1280, height: 860 } },
        `/admin/knowledge?title=${encodeURIComponent('How do refunds work?')}`,
      )
      try {
        const editor = page.getByRole('dialog')
        await editor.waitFor()
        await expect(editor.getByLabel('Title').inputValue()).resolves.toBe('How do refunds work?')
        expect(new URL(page.url()).search).toBe('')
      } finally {
        await context.close()
      }
    })
  },
)
