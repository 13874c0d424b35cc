import type { Browser, BrowserContextOptions } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoTenant } from '../../packages/server/src/demo/demo-tenant.ts'
import { launchBrowser, newTestPage, screenshot } from '../support/browser.ts'
import { type RunningServer, startServer } from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import { ask, openPanel, PNG_1X1, poll, visitorRows } from './helpers.ts'

let server: RunningServer
let browser: Browser

beforeAll(async () => {
  ensureWidgetBuilt()
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  await ensureDemoTenant(server.db, server.config, server.port)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
]

// On the server's own origin the browser sends no Origin header on GETs: history and
// downloads there used to answer 403 "Origin not allowed".
describe('the widget on /demo (the server’s own origin)', () => {
  for (const [size, options] of SIZES) {
    it(`${size}: signs in, sends an attachment, downloads it back and lists past conversations`, async () => {
      const { page, context, errors } = await newTestPage(browser, options)
      const refused: string[] = []
      const gets: string[] = []
      page.on('request', (r) => {
        if (r.method() === 'GET' && r.url().includes('/api/v1/widget/')) {
          gets.push(r.url())
          expect(r.headers().origin).toBeUndefined()
        }
      })
      page.on('response', (r) => {
        if (r.url().includes('/api/v1/widget/') && r.status() >= 400)
          refused.push(`${r.status()} ${r.url()}`)
      })
      await page.goto(`${server.url}/demo`)
      await openPanel(page)

      // Sign in first, from the history pane.
      await page.locator('aurion-widget button[aria-label="Past conversations"]').click()
      await page.locator('aurion-widget input[type="email"]').fill(`jo.${size}@example.com`)
      await page.locator('aurion-widget .aw-pane button[type="submit"]').click()
      await poll(() => page.locator('aurion-widget .aw-pane').innerText()).toContain(
        'No past conversations yet.',
      )
      await page.locator('aurion-widget button[aria-label="Back"]').click()

      const upload = page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/uploads'))
      await page.locator('aurion-widget .aw-compose input[type="file"]').setInputFiles({
        name: 'error-screenshot.png',
        mimeType: 'image/png',
        buffer: PNG_1X1,
      })
      expect((await upload).status()).toBe(201)
      await poll(() =>
        page.locator('aurion-widget .aw-compose .aw-file [role="progressbar"]').count(),
      ).toBe(0)
      await ask(page, 'The VPN shows this error')
      const sent = visitorRows(page).filter({ hasText: 'The VPN shows this error' }).last()
      await poll(() => sent.locator('.aw-file').innerText()).toContain('error-screenshot.png')

      const fetched = page.waitForResponse((r) => r.url().includes('/api/v1/widget/uploads/'))
      const download = page.waitForEvent('download')
      await sent.locator('.aw-file').click()
      const got = await fetched
      expect(got.status(), `${got.url()} ${await got.text()}`).toBe(200)
      expect((await download).suggestedFilename()).toBe('error-screenshot.png')

      await page.locator('aurion-widget button[aria-label="Past conversations"]').click()
      const pane = page.locator('aurion-widget .aw-pane')
      // The one conversation of this visitor, listed under the address they signed in with.
      await poll(() => page.locator('aurion-widget .aw-conv').count()).toBe(1)
      expect(await pane.innerText()).toContain(`jo.${size}@example.com`)
      expect(await pane.innerText()).not.toContain('We could not verify this email')
      await screenshot(page, `widget/demo-same-origin-${size}-history`)

      expect(gets.some((u) => u.includes('/api/v1/widget/history'))).toBe(true)
      expect(gets.some((u) => u.includes('/api/v1/widget/uploads/'))).toBe(true)
      expect(refused).toEqual([])
      expect(errors).toEqual([])
      await context.close()
    })
  }
})
