import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createAdminUser } from '../../packages/server/src/admin-users/user-repo.ts'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type HostSite, startHostSite } from '../support/server.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

const signInHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in to Aurion' })
const widgetHeading = (page: Page) => page.getByRole('heading', { name: 'Voice Widget', level: 1 })

/** The session token in the context's HttpOnly cookie (the driver sees it; pages cannot). */
async function cookieToken(context: BrowserContext, url: string): Promise<string | undefined> {
  return (await context.cookies(url)).find((c) => c.name === 'aurion_session')?.value
}

async function meStatus(s: ConsoleServer, token: string): Promise<number> {
  return (await fetch(`${s.url}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } }))
    .status
}

/**
 * Signs in through the form on a page without the widget page's live preview, which can
 * scroll a phone-sized page while it loads and race the next click.
 */
async function signInOnApiKeys(page: Page, s: ConsoleServer): Promise<void> {
  await page.goto(`${s.url}/admin/api-keys`)
  await page.getByLabel('Email').fill(s.email)
  await page.getByLabel('Password', { exact: true }).fill(s.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor()
}

async function signOut(page: Page): Promise<void> {
  const menu = page.getByRole('button', { name: 'Sign out' })
  await menu.click()
  await signInHeading(page).waitFor()
}

describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console session across tabs in Chromium',
  { timeout: 120_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser
    let site: HostSite

    useConsole((c) => ({ s, browser } = c), {
      before: async () => {
        site = await startHostSite()
      },
      after: () => site.close(),
    })

    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      it(`${device}: a second tab is already signed in; signing out in one signs the other out`, async () => {
        const context = await browser.newContext({ viewport, reducedMotion: 'reduce' })
        try {
          const first = await context.newPage()
          await first.goto(`${s.url}/admin`)
          await signInHeading(first).waitFor()
          await shot(first, `session/${device}-sign-in`)
          await signInOnApiKeys(first, s)

          const second = await context.newPage()
          await second.goto(`${s.url}/admin/conversations`)
          await second.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor()
          expect(await signInHeading(second).count()).toBe(0)
          await shot(second, `session/${device}-second-tab-signed-in`)

          const token = (await cookieToken(context, s.url))!
          expect(await meStatus(s, token)).toBe(200)
          await signOut(first)
          // The other tab follows at once, and says why.
          await signInHeading(second).waitFor()
          await second.getByText('Your session has ended. Sign in again to continue.').waitFor()
          await shot(second, `session/${device}-other-tab-signed-out`)
          expect(await meStatus(s, token)).toBe(401)
          expect(await cookieToken(context, s.url)).toBeUndefined()
        } finally {
          await context.close()
        }
      })
    }

    it('a tab that missed the sign-out is signed out by its next request', async () => {
      const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce' })
      try {
        const first = await context.newPage()
        await signIn(first, s)
        const second = await context.newPage()
        await second.goto(`${s.url}/admin/widget`)
        await widgetHeading(second).waitFor()
        // Both tabs' loads must be over first: a request of theirs still under way when the
        // session ends would come back 401 and sign the tabs out before the click below.
        await first.waitForLoadState('networkidle')
        await second.waitForLoadState('networkidle')
        // Signed out where no tab hears of it: another device, or the server side.
        const token = (await cookieToken(context, s.url))!
        const out = await fetch(`${s.url}/api/v1/auth/logout`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
        })
        expect(out.status).toBe(204)
        expect(await signInHeading(second).count()).toBe(0)
        await second.getByRole('link', { name: 'API keys' }).click()
        await signInHeading(second).waitFor()
        await second.getByText('Your session has ended. Sign in again to continue.').waitFor()
        // Signing in again in that tab works, and the first tab can use the new session.
        await signIn(second, s)
        await first.reload()
        await widgetHeading(first).waitFor()
      } finally {
        await context.close()
      }
    })

    it('12 successful sign-ins in a row through the form all succeed', async () => {
      const context = await browser.newContext({ viewport: PHONE, reducedMotion: 'reduce' })
      try {
        const page = await context.newPage()
        for (let i = 0; i < 12; i++) {
          await signInOnApiKeys(page, s)
          await signOut(page)
        }
        await signIn(page, s)
        await shot(page, 'session/phone-after-12-sign-ins')
      } finally {
        await context.close()
      }
    })

    it('after 10 wrong passwords the form says when to retry, even for the right one', async () => {
      const context = await browser.newContext({ viewport: PHONE, reducedMotion: 'reduce' })
      try {
        const page = await context.newPage()
        await page.goto(`${s.url}/admin`)
        // Another email than the other tests' user: the failures count per address and email.
        await createAdminUser(s.server.db, {
          tenantId: s.tenant.tenantId,
          email: 'grace@acme.test',
          password: s.password,
        })
        await page.getByLabel('Email').fill('grace@acme.test')
        for (let i = 0; i < 10; i++) {
          await page.getByLabel('Password', { exact: true }).fill(`wrong guess ${i}`)
          await page.getByRole('button', { name: 'Sign in' }).click()
          await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor()
          await page
            .getByRole('button', { name: 'Sign in' })
            .and(page.locator(':enabled'))
            .waitFor()
        }
        await page.getByLabel('Password', { exact: true }).fill(s.password)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page
          .getByRole('alert')
          .filter({
            hasText: 'Too many failed sign-ins from your network. Try again in 15 minutes.',
          })
          .waitFor()
        await shot(page, 'session/phone-throttled')
        expect(await widgetHeading(page).count()).toBe(0)
      } finally {
        await context.close()
      }
    })

    it('CSRF: another origin on the same site gets the cookie sent, and is still refused', async () => {
      const context = await browser.newContext({ viewport: DESKTOP })
      try {
        const consolePage = await context.newPage()
        await signIn(consolePage, s)
        const token = (await cookieToken(context, s.url))!
        const keysBefore = await listKeys(s)

        // 127.0.0.1 on another port: another origin, the same site, so SameSite=Strict does
        // not keep the cookie back. A classic form POST carrying JSON as text/plain:
        site.setPage(
          `<!doctype html><title>prize</title>
<form id="f" method="POST" action="${s.url}/api/v1/api-keys" enctype="text/plain">
<input name='{"name":"planted","scopes":["config:write"],"pad":"' value='"}'></form>
<script>document.getElementById('f').submit()</script>`,
          '/form',
        )
        const attacker = await context.newPage()
        const [formRes] = await Promise.all([
          attacker.waitForResponse((r) => r.url() === `${s.url}/api/v1/api-keys`),
          attacker.goto(`${site.origin}/form`),
        ])
        expect(formRes.status()).toBe(403)
        expect((await formRes.request().allHeaders()).cookie).toContain(`aurion_session=${token}`)

        // A script's fire-and-forget request (no preflight) to sign the user out.
        site.setPage(
          `<!doctype html><title>prize</title><script>
fetch('${s.url}/api/v1/auth/logout', { method: 'POST', mode: 'no-cors', credentials: 'include' })
</script>`,
          '/fetch',
        )
        const [fetchRes] = await Promise.all([
          attacker.waitForResponse((r) => r.url() === `${s.url}/api/v1/auth/logout`),
          attacker.goto(`${site.origin}/fetch`),
        ])
        // 403, not 401: the cookie went along (an opaque request's headers are not visible here).
        expect(fetchRes.status()).toBe(403)

        // From another site (localhost is not 127.0.0.1) the browser sends no cookie at all.
        const otherSite = site.origin.replace('127.0.0.1', 'localhost')
        site.setPage(
          `<!doctype html><title>prize</title>
<form id="f" method="POST" action="${s.url}/api/v1/api-keys" enctype="text/plain">
<input name='{"name":"planted","pad":"' value='"}'></form>
<script>document.getElementById('f').submit()</script>`,
          '/cross',
        )
        const [crossRes] = await Promise.all([
          attacker.waitForResponse((r) => r.url() === `${s.url}/api/v1/api-keys`),
          attacker.goto(`${otherSite}/cross`),
        ])
        expect(crossRes.status()).toBe(401)
        expect((await crossRes.request().allHeaders()).cookie).toBeUndefined()

        expect(await listKeys(s)).toEqual(keysBefore)
        expect(await meStatus(s, token)).toBe(200)
        // The console itself still writes with the same cookie.
        await consolePage.goto(`${s.url}/admin/api-keys`)
        await consolePage.getByRole('button', { name: 'Create API key' }).first().click()
        const dialog = consolePage.getByRole('dialog', { name: 'Create an API key' })
        await dialog.getByLabel('Name').fill('from the console')
        await dialog.getByRole('button', { name: 'Create key' }).click()
        await consolePage.getByRole('dialog', { name: 'Copy your new API key' }).waitFor()
        expect(await listKeys(s)).toContain('from the console')
      } finally {
        await context.close()
      }
    })
  },
)

async function listKeys(s: ConsoleServer): Promise<string[]> {
  const res = await fetch(`${s.url}/api/v1/api-keys`, {
    headers: { 'X-API-Key': s.tenant.apiKey },
  })
  const body = (await res.json()) as { api_keys: { name: string }[] }
  return body.api_keys.map((k) => k.name).sort()
}
