import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIdp, type TestIdp } from '../../packages/server/test/oidc-provider.ts'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }

/**
 * An owner sets up single sign-on in the console against a real OpenID provider on loopback;
 * a colleague then clicks "Continue with SSO", signs in at the provider's pages and lands in the
 * console signed in, provisioned with the role their group maps to.
 */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console single sign-on in Chromium',
  { timeout: 180_000 },
  () => {
    let s: ConsoleServer
    let idp: TestIdp
    let browser: Browser

    useConsole((c) => ({ s, browser } = c), { env: { AURION_FETCH_ALLOW_PRIVATE: 'true' } })
    beforeAll(async () => {
      idp = await startTestIdp({ redirectUri: `${s.url}/api/v1/auth/sso/callback` })
    })
    afterAll(async () => {
      await idp?.close()
    })

    it('owner sets it up → a colleague continues with SSO → signed in as an admin', async () => {
      const ownerCtx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' })
      const owner = await ownerCtx.newPage()
      await signIn(owner, s)
      await owner
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link', { name: 'Sign-in & security' })
        .click()
      const card = owner.getByRole('region', { name: 'Single sign-on' })
      await card.getByLabel('Issuer URL').waitFor()
      expect(await card.getByTestId('sso-redirect-uri').textContent()).toBe(
        `${s.url}/api/v1/auth/sso/callback`,
      )
      await card.getByLabel('Issuer URL').fill(idp.issuer)
      await card.getByLabel('Client ID').fill(idp.clientId)
      await card.getByLabel('Client secret').fill(idp.clientSecret)
      await card.getByLabel('Allowed email domains').fill('acme.test')
      await card.getByLabel('Role mapping').fill('support: agent\nit-admins: admin')
      await card.getByRole('switch', { name: 'Sign in with single sign-on' }).click()
      await card.getByRole('button', { name: 'Save single sign-on' }).click()
      await owner.getByText('Single sign-on is on').waitFor()
      await card.getByText('A secret is stored. It is never shown.').waitFor()
      expect(await card.getByLabel('Client secret').inputValue()).toBe('')
      await shot(owner, 'sso-settings-desktop-light', true)

      idp.accounts.set('grace', {
        email: 'grace@acme.test',
        email_verified: true,
        name: 'Grace Hopper',
        groups: ['it-admins'],
      })
      const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' })
      const page = await ctx.newPage()
      await page.goto(`${s.url}/admin`)
      // Without an email the button says what it needs.
      await page.getByRole('button', { name: 'Continue with SSO' }).click()
      await page.getByRole('alert').getByText('Enter your work email first').waitFor()
      await page.getByLabel('Email').fill('grace@acme.test')
      await shot(page, 'sso-login-desktop-light')
      await page.getByRole('button', { name: 'Continue with SSO' }).click()
      // The provider's own pages (oidc-provider's development login and consent).
      await page.waitForURL((u) => u.origin === idp.issuer)
      await page.locator('input[name="login"]').fill('grace')
      await page.locator('input[name="password"]').fill('anything')
      await page.getByRole('button', { name: 'Sign-in' }).click()
      await page.getByRole('button', { name: 'Continue' }).click()
      // Back in the console, signed in: an admin lands on Insights.
      await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor()
      expect(new URL(page.url()).origin).toBe(s.url)
      const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).json())
      expect(me.user).toMatchObject({ email: 'grace@acme.test', role: 'admin' })

      // Someone of another domain is sent back to the sign-in page with a fixed message.
      idp.accounts.set('mallory', { email: 'mallory@evil.test', email_verified: true })
      const other = await browser.newContext({ viewport: DESKTOP })
      const p2 = await other.newPage()
      await p2.goto(`${s.url}/admin`)
      await p2.getByLabel('Email').fill('grace@acme.test')
      await p2.getByRole('button', { name: 'Continue with SSO' }).click()
      await p2.waitForURL((u) => u.origin === idp.issuer)
      await p2.locator('input[name="login"]').fill('mallory')
      await p2.locator('input[name="password"]').fill('anything')
      await p2.getByRole('button', { name: 'Sign-in' }).click()
      await p2.getByRole('button', { name: 'Continue' }).click()
      await p2
        .getByRole('alert')
        .getByText('Your account may not sign in to this workspace with single sign-on.')
        .waitFor()
      expect(new URL(p2.url()).search).toBe('')
      await Promise.all([ownerCtx.close(), ctx.close(), other.close()])
    })
  },
)
