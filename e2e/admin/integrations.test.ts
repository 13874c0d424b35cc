import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { type HttpReceiver, startHttpReceiver } from '../../packages/server/test/http-receiver.ts'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type ConsoleServer, shot, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

/** An owner adds a webhook endpoint on a loopback receiver, sends a test event, sees it logged. */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console integrations page in Chromium',
  { timeout: 180_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser
    let receiver: HttpReceiver

    useConsole((c) => ({ s, browser } = c), {
      before: async () => {
        receiver = await startHttpReceiver()
      },
      env: { AURION_WEBHOOK_ALLOW_PRIVATE: 'true' },
      after: () => receiver.close(),
    })

    for (const [device, viewport, scheme] of [
      ['desktop', DESKTOP, 'light'],
      ['phone', PHONE, 'dark'],
    ] as const) {
      it(`${device}: add an endpoint (secret shown once), send a test event, see the delivery, edit, switch off, delete`, async () => {
        const context = await browser.newContext({
          viewport,
          colorScheme: scheme,
          reducedMotion: 'reduce',
        })
        try {
          const page = await context.newPage()
          await page.goto(`${s.url}/admin/integrations`)
          await page.getByLabel('Email').fill(s.email)
          await page.getByLabel('Password', { exact: true }).fill(s.password)
          await page.getByRole('button', { name: 'Sign in' }).click()
          await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor()

          const url = `${receiver.url}/${device}`
          await page.getByRole('button', { name: 'Add endpoint' }).first().click()
          const dialog = page.getByRole('dialog', { name: 'Add an endpoint' })
          // Its event list first: counting checked boxes before it renders finds none to clear.
          await dialog.getByRole('checkbox').first().waitFor()
          // Nothing chosen: a clear error, no request.
          const checked = dialog.getByRole('checkbox', { checked: true })
          while ((await checked.count()) > 0) await checked.first().uncheck()
          await dialog.getByLabel('Endpoint URL').fill(url)
          await dialog.getByRole('button', { name: 'Add endpoint' }).click()
          await dialog.getByText('Choose at least one event').waitFor()
          await dialog.getByRole('checkbox', { name: /message\.created/ }).check()
          await dialog.getByLabel('Description').fill(`Help desk (${device})`)
          await shot(page, `integrations/${device}-${scheme}-add`)
          await dialog.getByRole('button', { name: 'Add endpoint' }).click()

          const secretDialog = page.getByRole('dialog', { name: 'Copy the signing secret' })
          await secretDialog.waitFor()
          const secret = (await secretDialog.getByTestId('webhook-secret').textContent())!.trim()
          expect(secret).toMatch(/^whsec_/)
          await shot(page, `integrations/${device}-${scheme}-secret`)
          await secretDialog.getByRole('button', { name: 'I have stored it' }).click()
          // Shown once: nowhere on the page afterwards.
          expect(await page.getByText(secret).count()).toBe(0)

          const row = page.locator('li.hook', { hasText: url })
          await row.waitFor()
          expect(await row.textContent()).toContain('1 event')
          const before = receiver.requests.length
          await page.getByRole('button', { name: 'Send test event' }).click()
          const delivered = await receiver.waitFor(before + 1)
          expect(
            new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>),
          ).toMatchObject({ type: 'ping' })
          const log = page.locator('table.deliveries')
          await log.getByText('ping').waitFor()
          await log.getByText('Delivered').waitFor()
          expect(await log.locator('tbody tr').first().textContent()).toContain('200')
          await shot(page, `integrations/${device}-${scheme}-page`, true)
          const noSidewaysScroll = () =>
            page.evaluate(
              () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
            )
          expect(await noSidewaysScroll()).toBe(true)

          // Redelivery: the same webhook-id again, the attempts counted.
          await log.getByRole('button', { name: /^Redeliver ping/ }).click()
          const again = await receiver.waitFor(before + 2)
          expect(again.headers['webhook-id']).toBe(delivered.headers['webhook-id'])
          await log.locator('tbody tr').first().locator('td', { hasText: /^2$/ }).waitFor()

          await row.getByRole('button', { name: `Edit ${url}` }).click()
          const edit = page.getByRole('dialog', { name: 'Edit endpoint' })
          await edit.getByRole('checkbox', { name: /conversation\.resolved/ }).check()
          await edit.getByRole('button', { name: 'Save endpoint' }).click()
          await row.getByText('2 events').waitFor()

          await row.getByRole('button', { name: `Switch off ${url}` }).click()
          await row.getByText('Off', { exact: true }).waitFor()
          await row.getByRole('button', { name: `Switch on ${url}` }).waitFor()

          await row.getByRole('button', { name: `Delete ${url}` }).click()
          await page
            .getByRole('alertdialog', { name: 'Delete this endpoint?' })
            .getByRole('button', { name: 'Delete endpoint' })
            .click()
          await row.waitFor({ state: 'detached' })
          expect(await noSidewaysScroll()).toBe(true)
        } finally {
          await context.close()
        }
      })
    }
  },
)
