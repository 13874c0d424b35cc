import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { totpCode } from '../../packages/server/src/admin-users/two-factor.ts'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

/** Email and password through the form, up to the code step. */
async function passwordStep(page: Page, s: ConsoleServer): Promise<void> {
  await page.goto(`${s.url}/admin`)
  await page.getByLabel('Email').fill(s.email)
  await page.getByLabel('Password', { exact: true }).fill(s.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByLabel('Authentication code').waitFor()
}

/** Sets up two-factor sign-in with an authenticator, then signs in with a code and a recovery code. */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console two-factor sign-in in Chromium',
  { timeout: 180_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser

    useConsole((c) => ({ s, browser } = c))

    it('set up with the QR page → sign-in asks for the code → a used code is refused → a recovery code works once', async () => {
      const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' })
      const page = await ctx.newPage()
      await signIn(page, s)
      await page
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link', { name: 'Sign-in & security' })
        .click()
      await page.getByRole('heading', { name: 'Sign-in & security', level: 1 }).waitFor()
      await page.getByText('Only your password protects this account.').waitFor()
      await shot(page, 'two-factor-off-desktop-light')

      await page.getByRole('button', { name: 'Set up' }).click()
      const dialog = page.getByRole('dialog', { name: 'Set up two-factor sign-in' })
      await dialog.getByLabel('Your password').fill('not my password')
      await dialog.getByRole('button', { name: 'Continue' }).click()
      await dialog.getByRole('alert').getByText('Wrong password').waitFor()
      await dialog.getByLabel('Your password').fill(s.password)
      await dialog.getByRole('button', { name: 'Continue' }).click()
      const qr = dialog.getByRole('img', { name: 'QR code to scan with your authenticator app' })
      await qr.waitFor()
      expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth > 0)).toBe(true)
      const secret = (await dialog.getByTestId('totp-secret').innerText()).replace(/\s/g, '')
      expect(secret).toMatch(/^[A-Z2-7]{32}$/)
      await shot(page, 'two-factor-scan-desktop-light')
      await dialog.getByLabel(/Enter the 6-digit code/).fill('000000')
      await dialog.getByRole('button', { name: 'Turn on' }).click()
      await dialog.getByText('Invalid or already used code').waitFor()
      // The instant whose code turns it on: the sign-in below uses the step after it, so a
      // run that straddles a 30 s step still offers an unused code inside the window.
      const confirmedAt = Date.now()
      await dialog.getByLabel(/Enter the 6-digit code/).fill(totpCode(secret, confirmedAt))
      await dialog.getByRole('button', { name: 'Turn on' }).click()
      const codesDialog = page.getByRole('dialog', { name: 'Save your recovery codes' })
      await codesDialog.getByTestId('recovery-codes').waitFor()
      const codes = (
        await codesDialog.getByTestId('recovery-codes').locator('li').allInnerTexts()
      ).map((c) => c.trim())
      expect(codes).toHaveLength(10)
      await shot(page, 'two-factor-recovery-codes-desktop-light')
      await codesDialog.getByRole('button', { name: 'I have stored them' }).click()
      await page.getByText(/10 of 10 recovery codes left/).waitFor()
      await shot(page, 'two-factor-on-desktop-light')

      // Sign out; signing in now takes the code.
      await page.getByRole('button', { name: 'Sign out' }).click()
      await passwordStep(page, s)
      await shot(page, 'two-factor-login-code-desktop-light')
      const next = totpCode(secret, confirmedAt + 30_000)
      await page.getByLabel('Authentication code').fill(next)
      await page.getByRole('button', { name: 'Verify' }).click()
      await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor()

      // On a phone: the same code again is refused, a recovery code signs in, once.
      const phoneCtx = await browser.newContext({ viewport: PHONE, colorScheme: 'dark' })
      const phone = await phoneCtx.newPage()
      await passwordStep(phone, s)
      await phone.getByLabel('Authentication code').fill(next)
      await phone.getByRole('button', { name: 'Verify' }).click()
      await phone.getByRole('alert').getByText('Invalid or already used code').waitFor()
      expect(await phone.getByLabel('Authentication code').inputValue()).toBe('')
      await shot(phone, 'two-factor-login-refused-phone-dark', true)
      await phone.getByLabel('Authentication code').fill(codes[0]!)
      await phone.getByRole('button', { name: 'Verify' }).click()
      await phone.getByRole('heading', { name: 'Insights', level: 1 }).waitFor()
      await phone.goto(`${s.url}/admin/account`)
      await phone.getByText(/9 of 10 recovery codes left/).waitFor()
      await shot(phone, 'two-factor-on-phone-dark', true)

      // The recovery code is spent.
      const third = await browser.newContext({ viewport: PHONE, colorScheme: 'light' })
      const again = await third.newPage()
      await passwordStep(again, s)
      await again.getByLabel('Authentication code').fill(codes[0]!)
      await again.getByRole('button', { name: 'Verify' }).click()
      await again.getByRole('alert').getByText('Invalid or already used code').waitFor()
      await shot(again, 'two-factor-login-code-phone-light')
      // Another account instead goes back to the password form.
      await again.getByRole('button', { name: 'Use another account' }).click()
      await again.getByLabel('Email').waitFor()

      // Turning it off with the password: sign-in asks only for the password again.
      await phone.getByRole('button', { name: 'Turn off' }).click()
      const off = phone.getByRole('dialog', { name: 'Turn off two-factor sign-in?' })
      await off.getByRole('button', { name: 'Use your password instead' }).click()
      await off.getByLabel('Your password').fill(s.password)
      await shot(phone, 'two-factor-turn-off-phone-dark')
      await off.getByRole('button', { name: 'Turn off' }).click()
      await phone.getByText('Only your password protects this account.').waitFor()
      await signIn(again, s)

      await Promise.all([ctx.close(), phoneCtx.close(), third.close()])
    })
  },
)
