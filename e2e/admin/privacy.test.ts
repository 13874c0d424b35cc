import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type ConsoleServer, shot, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console privacy page in Chromium',
  { timeout: 120_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser

    useConsole((c) => ({ s, browser } = c))

    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      it(`${device}: shows retention and the audit log, exports and erases a visitor after confirming`, async () => {
        const context = await browser.newContext({
          viewport,
          reducedMotion: 'reduce',
          acceptDownloads: true,
        })
        try {
          const page = await context.newPage()
          await page.goto(`${s.url}/admin/privacy`)
          await page.getByLabel('Email').fill(s.email)
          await page.getByLabel('Password', { exact: true }).fill(s.password)
          await page.getByRole('button', { name: 'Sign in' }).click()
          await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor()
          await page.getByTestId('retention-policy').waitFor()
          expect(await page.getByTestId('retention-policy').textContent()).toContain('kept until')
          // The sign-in that just happened is on the log.
          const table = page.getByTestId('audit-table')
          await table.getByText('console.signed_in').first().waitFor()

          const email = `visitor-${device}@example.org`
          await page.getByLabel('Visitor email').fill(email)
          const download = page.waitForEvent('download')
          await page.getByRole('button', { name: 'Export JSON' }).click()
          expect((await download).suggestedFilename()).toBe(`aurion-export-${email}.json`)
          await page.getByTestId('privacy-result').getByText('Exported 0 contacts').waitFor()

          await page.getByRole('button', { name: 'Erase…' }).click()
          const dialog = page.getByRole('alertdialog')
          await dialog.waitFor()
          expect(await dialog.textContent()).toContain(email)
          await shot(page, `privacy/${device}-confirm`)
          await dialog.getByRole('button', { name: 'Erase' }).click()
          await page.getByTestId('privacy-result').getByText(`Erased ${email}`).waitFor()

          await page.reload()
          await page.getByTestId('audit-table').getByText('privacy.erased').first().waitFor()
          // The address itself is never shown on the log, only that an erasure happened.
          expect(await page.getByTestId('audit-table').textContent()).not.toContain(email)
          await shot(page, `privacy/${device}-page`, true)
        } finally {
          await context.close()
        }
      })
    }
  },
)
