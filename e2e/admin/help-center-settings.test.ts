import type { Browser } from 'playwright-core'
import { expect, it } from 'vitest'
import { newTestPage } from '../support/browser.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

let s: ConsoleServer
let browser: Browser

useConsole((c) => ({ s, browser } = c))

const settings = async () =>
  (await (
    await fetch(`${s.url}/api/v1/help-center`, { headers: { 'X-API-Key': s.tenant.apiKey } })
  ).json()) as Record<string, unknown>

it('Help Center settings: a bad address is refused next to its field; a good one is saved, published and kept', async () => {
  const { page, context } = await newTestPage(browser, { viewport: { width: 1280, height: 900 } })
  try {
    await signIn(page, s)
    await page.evaluate(() => {
      history.pushState(null, '', '/admin/help-center')
      dispatchEvent(new PopStateEvent('popstate'))
    })
    const form = page.getByRole('form', { name: 'Help Center settings' })
    await form.waitFor()
    await form.getByLabel('Address (slug)').fill('Not a slug!')
    await form.getByLabel('Title').fill('Acme Help')
    await form.getByRole('button', { name: 'Save' }).click()
    // The server's 422 lands under the field it names; nothing is published.
    await poll(() => form.getByLabel('Address (slug)').getAttribute('aria-invalid'), 'true')
    expect((await settings()).enabled ?? false).toBe(false)

    await form.getByLabel('Address (slug)').fill('acme-help')
    await form.getByRole('switch', { name: 'Published' }).click()
    await form.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Help Center saved and live').waitFor()
    expect(await settings()).toMatchObject({ enabled: true, slug: 'acme-help', title: 'Acme Help' })
    const site = await fetch(`${s.url}/hc/acme-help`)
    expect(site.status).toBe(200)
    expect(await site.text()).toContain('Acme Help')
    await shot(page, 'help-center-settings-saved')

    await page.reload()
    await form.waitFor()
    expect(await form.getByLabel('Address (slug)').inputValue()).toBe('acme-help')
    expect(await form.getByLabel('Title').inputValue()).toBe('Acme Help')
  } finally {
    await context.close()
  }
})

async function poll(read: () => Promise<string | null>, want: string): Promise<void> {
  await expect.poll(read, { timeout: 10_000 }).toBe(want)
}
