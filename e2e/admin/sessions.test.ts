import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1'

/** The user sees where they are signed in and signs a phone out; the phone is refused at once. */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console sessions in Chromium',
  { timeout: 180_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser

    useConsole((c) => ({ s, browser } = c))

    it('lists this browser and the phone; signing the phone out ends its session on its next request', async () => {
      const phoneCtx = await browser.newContext({
        viewport: PHONE,
        colorScheme: 'dark',
        userAgent: IPHONE_UA,
      })
      const phone = await phoneCtx.newPage()
      await signIn(phone, s)
      await phone.goto(`${s.url}/admin/account`)
      await phone.getByRole('heading', { name: 'Where you are signed in' }).waitFor()
      await phone.getByText('Safari on iOS').waitFor()
      await shot(phone, 'sessions-one-phone-dark', true)

      const deskCtx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' })
      const desk = await deskCtx.newPage()
      await signIn(desk, s)
      await desk.goto(`${s.url}/admin/account`)
      const rows = desk.locator('.session-row')
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2)
      await desk
        .locator('.session-row', { hasText: 'This browser' })
        .getByText(/Chrome on/)
        .waitFor()
      await shot(desk, 'sessions-desktop-light', true)

      await desk.getByRole('button', { name: /^Sign out Safari on iOS/ }).click()
      const confirm = desk.getByRole('alertdialog', { name: 'Sign out this session?' })
      await shot(desk, 'sessions-confirm-desktop-light')
      await confirm.getByRole('button', { name: 'Sign out' }).click()
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1)

      // The phone's next request is refused: it is back at the sign-in form.
      await phone.reload()
      await phone.getByRole('heading', { name: 'Sign in to Aurion' }).waitFor()
      await shot(phone, 'sessions-signed-out-phone-dark')

      // Sign in on the phone again, then "sign out all others" from the desktop.
      await signIn(phone, s)
      await desk.reload()
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2)
      await desk.getByRole('button', { name: 'Sign out all others' }).click()
      await desk
        .getByRole('alertdialog', { name: 'Sign out everywhere else?' })
        .getByRole('button', { name: 'Sign out all others' })
        .click()
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1)
      await phone.getByRole('link', { name: 'Knowledge' }).first().click()
      await phone.getByRole('heading', { name: 'Sign in to Aurion' }).waitFor()
      await Promise.all([phoneCtx.close(), deskCtx.close()])
    })
  },
)
