import { copyFileSync, mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codeFromMail, SmtpReceiver } from '../../packages/server/test/smtp-receiver.ts'
import { launchBrowser, newTestPage, screenshot } from '../support/browser.ts'
import {
  type HostSite,
  hostPage,
  type RunningServer,
  startHostSite,
  startServer,
  type WidgetTenant,
} from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import { ask, openPanel, poll, settled } from './helpers.ts'

/** Screenshots are also copied here to be looked at (never committed). */
const SHOTS = '/tmp/shots-sec-threads'

let plain: RunningServer
let mailing: RunningServer
let smtp: SmtpReceiver
let host: HostSite
let browser: Browser
let noMail: WidgetTenant
let withMail: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  smtp = new SmtpReceiver()
  const smtpUrl = await smtp.start()
  ;[plain, mailing, host, browser] = await Promise.all([
    startServer(),
    startServer({ env: { AURION_SMTP_URL: smtpUrl, AURION_MAIL_FROM: 'Help <help@acme.test>' } }),
    startHostSite(),
    launchBrowser(),
  ])
  noMail = await plain.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
  })
  withMail = await mailing.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
  })
  await Promise.all([plain.seedArticles(noMail), mailing.seedArticles(withMail)])
  host.setPage(hostPage(noMail.snippet), '/')
  host.setPage(hostPage(withMail.snippet), '/mail')
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await plain?.close()
  await mailing?.close()
  await smtp?.stop()
})

const history = (page: Page) =>
  page.locator('aurion-widget button[aria-label="Past conversations"]').click()
const pane = (page: Page) => page.locator('aurion-widget .aw-pane')
async function signIn(page: Page, email: string): Promise<void> {
  await history(page)
  const input = page.locator('aurion-widget input[type="email"]')
  await input.waitFor()
  await input.fill(email)
  await page.locator('aurion-widget .aw-pane button[type="submit"]').click()
  await page.locator('aurion-widget .aw-who').waitFor()
}
async function shot(page: Page, name: string): Promise<void> {
  await settled(page)
  const path = await screenshot(page, `widget/${name}`)
  mkdirSync(SHOTS, { recursive: true })
  copyFileSync(path, `${SHOTS}/${name}.png`)
}

describe('a visitor’s thread belongs to that visitor (real browser)', () => {
  it('signing in after chatting files this browser’s chat; it is still there after a reload', async () => {
    const { page, context, errors } = await newTestPage(browser, {
      viewport: { width: 1280, height: 800 },
    })
    await page.goto(host.origin)
    await openPanel(page)
    await ask(page, 'How do I reset my password?')
    await signIn(page, 'returning@example.com')
    // Not "No past conversations yet": the chat of this browser became the visitor's.
    const item = page.locator('aurion-widget .aw-conv')
    await poll(() => item.count()).toBe(1)
    expect(await item.first().innerText()).toMatch(/password/i)
    // No mail on this server: the widget says plainly what other devices need.
    const note = page.locator('aurion-widget [data-testid="verify-email"]')
    await poll(() => note.innerText()).toContain(
      'History from other devices needs a verified email.',
    )
    expect(await note.locator('button').count()).toBe(0)
    await shot(page, 'identity-desktop-light-signed-in')

    // The same browser comes back: the token is kept, so is the history.
    await page.reload()
    await openPanel(page)
    await history(page)
    await poll(() => page.locator('aurion-widget .aw-conv').count()).toBe(1)
    await poll(() => pane(page).innerText()).toContain('returning@example.com')
    expect(errors).toEqual([])
    await context.close()
  })

  it('another browser with the same email sees nothing of it (phone, dark)', async () => {
    await plain.configure(noMail, { theme: 'dark' })
    const { page, context } = await newTestPage(browser, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
    })
    try {
      await page.goto(host.origin)
      await openPanel(page)
      await signIn(page, 'returning@example.com')
      await poll(() => pane(page).innerText()).toContain('No past conversations yet.')
      await poll(() => pane(page).innerText()).toContain(
        'History from other devices needs a verified email.',
      )
      expect(await page.locator('aurion-widget .aw-conv').count()).toBe(0)
      await shot(page, 'identity-phone-dark-other-device')
    } finally {
      await plain.configure(noMail, { theme: 'auto' })
      await context.close()
    }
  })

  it('with mail: a code from the email shows the conversations of the other device', async () => {
    const email = 'twodevices@example.com'
    const first = await newTestPage(browser, { viewport: { width: 1280, height: 800 } })
    await first.page.goto(`${host.origin}/mail`)
    await openPanel(first.page)
    await signIn(first.page, email)
    await first.page.locator('aurion-widget button[aria-label="Back"]').click()
    await ask(first.page, 'How do I connect to the VPN?')
    // Prove the email on the first device too, so its conversation is filed under it.
    await proveByCode(first.page, email)
    await first.context.close()

    const second = await newTestPage(browser, { viewport: { width: 390, height: 844 } })
    await second.page.goto(`${host.origin}/mail`)
    await openPanel(second.page)
    await signIn(second.page, email)
    await poll(() => pane(second.page).innerText()).toContain('No past conversations yet.')
    await shot(second.page, 'identity-phone-light-code-offer')
    await proveByCode(second.page, email, 'identity-phone-light-code-entry')
    const item = second.page.locator('aurion-widget .aw-conv')
    await poll(() => item.count()).toBe(1)
    expect(await item.first().innerText()).toMatch(/VPN/)
    expect(await second.page.locator('aurion-widget [data-testid="verify-email"]').count()).toBe(0)
    await shot(second.page, 'identity-phone-light-verified')
    expect(second.errors).toEqual([])
    await second.context.close()
  })
})

/** "Email me a code", the code read from the mail the SMTP server received, "Verify". */
async function proveByCode(page: Page, email: string, screenshotName?: string): Promise<void> {
  if (!(await page.locator('aurion-widget .aw-who').isVisible())) await history(page)
  const offer = page.locator('aurion-widget [data-testid="verify-email"] button')
  await offer.waitFor()
  await offer.click()
  const mail = await smtp.next()
  expect(mail.to).toEqual([email])
  const input = page.locator('aurion-widget input[autocomplete="one-time-code"]')
  await input.waitFor()
  await input.fill(codeFromMail(mail))
  if (screenshotName) await shot(page, screenshotName)
  await page.locator('aurion-widget [data-testid="verify-email"] button[type="submit"]').click()
  await poll(() => page.locator('aurion-widget [data-testid="verify-email"]').count()).toBe(0)
}
