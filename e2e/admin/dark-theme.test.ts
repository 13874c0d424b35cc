import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { seriousViolations } from './axe.ts'
import { type ConsoleServer, shot, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const ORIGIN = 'https://shop.example'

/** Relative luminance (WCAG) of a computed `rgb()`/`rgba()` colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((n) => Number(n) / 255)
  const f = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  return 0.2126 * f(r ?? 1) + 0.7152 * f(g ?? 1) + 0.0722 * f(b ?? 1)
}

/** The colour the page is painted with: the body's background, else the root's. */
async function pageBackground(page: Page): Promise<string> {
  return page.evaluate(() => {
    const transparent = (c: string) => c === 'transparent' || c === 'rgba(0, 0, 0, 0)'
    const body = getComputedStyle(document.body).backgroundColor
    return transparent(body) ? getComputedStyle(document.documentElement).backgroundColor : body
  })
}

/** Waits until the page's heading is shown and nothing is still loading. */
async function settled(page: Page, heading: string | RegExp): Promise<void> {
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor()
  await expect
    .poll(() => page.locator('.skeleton-line, [aria-busy="true"]').count(), { timeout: 10_000 })
    .toBe(0)
}

/** Dark background, no serious axe finding, and a screenshot (the whole page unless `fullPage` is false). */
async function checkDark(page: Page, name: string, fullPage = true): Promise<void> {
  const bg = await pageBackground(page)
  expect(luminance(bg), `${name}: background ${bg} is not dark`).toBeLessThan(0.03)
  const found = await seriousViolations(page)
  expect(found, `${name}: ${JSON.stringify(found, null, 2)}`).toEqual([])
  await shot(page, `dark/${name}`, fullPage)
}

/** Every page of the console in the dark colour scheme, desktop and phone: dark, readable (axe). */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console in a dark colour scheme',
  { timeout: 240_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser

    useConsole((c) => ({ s, browser } = c), { widget: true })
    beforeAll(async () => {
      await s.server.configure(s.tenant, { allowed_origins: [ORIGIN] })
      // A visitor asks for a person: the inbox has a conversation to open.
      const res = await fetch(`${s.url}/api/v1/widget/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({
          tenant_id: s.tenant.tenantId,
          public_key: s.tenant.publicKey,
          body: 'I need a person: my parcel is stuck',
        }),
      })
      expect(res.status).toBe(200)
    })

    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      it(`${device}: every page is dark and passes axe (colour contrast included)`, async () => {
        const ctx = await browser.newContext({
          viewport,
          colorScheme: 'dark',
          reducedMotion: 'reduce',
        })
        try {
          const page = await ctx.newPage()
          await page.goto(`${s.url}/admin`)
          await page.getByRole('heading', { name: 'Sign in to Aurion' }).waitFor()
          expect(
            await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme),
          ).toBe('light dark')
          await checkDark(page, `${device}-login`)

          await page.getByLabel('Email').fill(s.email)
          await page.getByLabel('Password', { exact: true }).fill(s.password)
          await page.getByRole('button', { name: 'Sign in' }).click()
          await settled(page, 'Insights')
          await page.locator('.trend-chart canvas').first().waitFor()
          await checkDark(page, `${device}-insights`)

          await page.goto(`${s.url}/admin/conversations`)
          await settled(page, 'Conversations')
          await page.getByRole('tab', { name: /All/ }).click()
          const item = page
            .getByRole('region', { name: 'Conversation list' })
            .getByRole('link', { name: /my parcel/ })
          await item.waitFor()
          await checkDark(page, `${device}-inbox-list`)
          await item.click()
          await page
            .getByRole('list', { name: 'Messages' })
            .getByText(/my parcel/)
            .waitFor()
          await page.getByLabel('Reply to the visitor').waitFor()
          await checkDark(page, `${device}-inbox-conversation`)
          // A private note (amber composer and bubble).
          await page.getByRole('button', { name: 'Private note' }).click()
          const noteBox = page.getByRole('textbox', { name: 'Private note' })
          await noteBox.fill(`Checked the carrier (${device}): the parcel is in the depot`)
          await noteBox.press('Enter')
          await page
            .getByRole('listitem', { name: /Private note by/ })
            .filter({ hasText: `(${device})` })
            .waitFor()
          await checkDark(page, `${device}-inbox-note`)

          await page.goto(`${s.url}/admin/widget`)
          await settled(page, 'Voice Widget')
          // The live preview keeps the widget's own theme; it is only waited for here.
          const preview = await page.locator('iframe.preview-frame').elementHandle()
          await (await preview!.contentFrame())!
            .locator('aurion-widget .aw-launcher')
            .waitFor({ state: 'attached' })
          for (const tab of [
            'Content',
            'Appearance',
            'Languages',
            'Access & security',
            'Phone',
            'Install',
          ]) {
            await page.getByRole('tab', { name: tab, exact: true }).click()
            await expect
              .poll(() =>
                page.getByRole('tab', { name: tab, exact: true }).getAttribute('aria-selected'),
              )
              .toBe('true')
            await checkDark(page, `${device}-widget-${tab.split(' ')[0]!.toLowerCase()}`)
          }

          // Unsaved changes: the save bar.
          await page.getByRole('tab', { name: 'Content', exact: true }).click()
          await page.getByLabel('Title').fill('Acme Help')
          await page.getByText('Unsaved changes', { exact: true }).waitFor()
          await checkDark(page, `${device}-widget-save-bar`, false)
          await page.getByRole('button', { name: 'Discard' }).click()
          await page.getByText('Unsaved changes', { exact: true }).waitFor({ state: 'hidden' })

          for (const [path, heading, name] of [
            ['knowledge', 'Knowledge', 'knowledge'],
            ['team', 'Team', 'team'],
            ['api-keys', 'API keys', 'api-keys'],
            ['integrations', 'Integrations', 'integrations'],
            ['account', 'Sign-in & security', 'account'],
          ] as const) {
            await page.goto(`${s.url}/admin/${path}`)
            await settled(page, heading)
            await checkDark(page, `${device}-${name}`)
          }

          // Two-factor set-up: the dialog is dark, the QR code stays dark on white for scanners.
          await page.getByRole('button', { name: 'Set up' }).click()
          const dialog = page.getByRole('dialog', { name: 'Set up two-factor sign-in' })
          await dialog.getByLabel('Your password').fill(s.password)
          await dialog.getByRole('button', { name: 'Continue' }).click()
          const qr = dialog.getByRole('img', {
            name: 'QR code to scan with your authenticator app',
          })
          await qr.waitFor()
          expect(await qr.evaluate((img) => getComputedStyle(img).backgroundColor)).toBe(
            'rgb(255, 255, 255)',
          )
          const dialogBg = await dialog.evaluate((el) => getComputedStyle(el).backgroundColor)
          expect(luminance(dialogBg), `dialog background ${dialogBg}`).toBeLessThan(0.03)
          await checkDark(page, `${device}-two-factor-scan`, false)
          await dialog.getByRole('button', { name: 'Cancel' }).click()
          await dialog.waitFor({ state: 'hidden' })
        } finally {
          await ctx.close()
        }
      })
    }
  },
)
