import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeLiveKit, startFakeLiveKit } from '../../packages/server/test/fake-livekit.ts'
import { launchBrowser, newTestPage } from '../support/browser.ts'
import { type RunningServer, startServer, type WidgetTenant } from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import { type ConsoleServer, ensureConsoleBuilt, shot, signIn } from './harness.ts'

const LK_KEY = 'APIconsolephone'
const LK_SECRET = 'lk-console-phone-secret-0123456789abcdef0123456789'

let fake: FakeLiveKit
let server: RunningServer
let tenant: WidgetTenant
let s: ConsoleServer
let browser: Browser

beforeAll(async () => {
  ensureWidgetBuilt()
  ensureConsoleBuilt()
  fake = await startFakeLiveKit(LK_KEY, LK_SECRET)
  ;[server, browser] = await Promise.all([
    startServer({
      env: { LIVEKIT_URL: fake.url, LIVEKIT_API_KEY: LK_KEY, LIVEKIT_API_SECRET: LK_SECRET },
    }),
    launchBrowser(),
  ])
  tenant = await server.createTenant({ allowed_origins: [] }, 'Acme Phones', { consoleUser: true })
  const { email, password } = tenant.consoleUser!
  s = { server, url: server.url, tenant, email, password, close: () => server.close() }
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await fake?.close()
})

describe('the phone line in the console', { timeout: 90_000 }, () => {
  it('flags a malformed number before saving, saves a line that LiveKit then holds, and turns it off', async () => {
    const { page, context } = await newTestPage(browser, { viewport: { width: 1280, height: 860 } })
    await signIn(page, s)
    await page.getByRole('tab', { name: 'Phone' }).click()
    await page.getByText('Not set up in LiveKit while the line is off.').waitFor()

    await page.getByRole('switch', { name: 'Answer calls' }).click()
    await page.getByLabel('Phone numbers').fill('555 0100')
    await page.getByRole('button', { name: 'Save phone line' }).click()
    await page.getByText('555 0100 is not in E.164 form', { exact: false }).waitFor()
    expect(fake.calls).toEqual([])

    await page.getByLabel('Phone numbers').fill('+15550100\n+15550101')
    await page.getByLabel(/^Greeting/).fill('Hello, you reached Acme support.')
    await page.getByLabel(/^Transfer to/).fill('+15550199')
    await page.getByRole('button', { name: 'Save phone line' }).click()
    await page.getByText('Phone line saved. Calls now reach the assistant.').waitFor()
    const sip = page.getByTestId('phone-sip')
    await sip.getByText(/^ST_/).waitFor()
    expect([...fake.trunks.values()].map((t) => t.numbers)).toEqual([['+15550100', '+15550101']])
    expect(fake.dispatchRules.size).toBe(1)
    await shot(page, 'phone-line-on')

    // A reload shows what the server holds.
    await page.reload()
    await page.getByRole('tab', { name: 'Phone' }).click()
    expect(await page.getByLabel('Phone numbers').inputValue()).toBe('+15550100\n+15550101')

    await page.getByRole('switch', { name: 'Answer calls' }).click()
    await page.getByRole('button', { name: 'Save phone line' }).click()
    await page.getByText('Not set up in LiveKit while the line is off.').waitFor()
    expect(fake.trunks.size).toBe(0)
    expect(fake.dispatchRules.size).toBe(0)
    await context.close()
  })

  it('a number another workspace holds is shown on the field', async () => {
    const other = await server.createTenant({}, 'Other')
    const res = await fetch(`${server.url}/api/v1/voice-widget/phone`, {
      method: 'PUT',
      headers: { 'X-API-Key': other.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ enabled: true, phone_numbers: ['+15550177'] }),
    })
    expect(res.status).toBe(200)
    const { page, context } = await newTestPage(browser, {
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
    })
    await signIn(page, s)
    await page.goto(`${s.url}/admin/widget?tab=phone`)
    await page.getByRole('switch', { name: 'Answer calls' }).click()
    await page.getByLabel('Phone numbers').fill('+15550177')
    await page.getByRole('button', { name: 'Save phone line' }).click()
    await page.getByText('Phone number +15550177 is already in use by another workspace').waitFor()
    await shot(page, 'phone-line-conflict-phone-dark', true)
    await context.close()
  })
})
