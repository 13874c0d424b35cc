import type { Browser } from 'playwright-core'
import { expect, it } from 'vitest'
import { newTestPage } from '../support/browser.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

let s: ConsoleServer
let browser: Browser

useConsole((c) => ({ s, browser } = c))

const config = async () =>
  (await (
    await fetch(`${s.url}/api/v1/voice-widget/config`, {
      headers: { 'X-API-Key': s.tenant.apiKey },
    })
  ).json()) as { feedback_enabled: boolean; csat_enabled: boolean }

it('Widget → Content: the two feedback switches, on by default, saved and kept (a new page, dark scheme, shows the saved state)', async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const { page, context } = await newTestPage(browser, {
      viewport: { width: 1280, height: 900 },
      colorScheme: scheme,
    })
    try {
      await signIn(page, s)
      const votes = page.getByRole('switch', { name: 'Thumbs up and down under answers' })
      const csat = page.getByRole('switch', { name: 'Ask for satisfaction when resolved' })
      await votes.scrollIntoViewIfNeeded()
      const expected = scheme === 'light' ? 'true' : 'false'
      expect(await votes.getAttribute('aria-checked')).toBe(expected)
      expect(await csat.getAttribute('aria-checked')).toBe('true')
      if (scheme === 'light') {
        await votes.click()
        expect(await votes.getAttribute('aria-checked')).toBe('false')
        await page.getByRole('button', { name: 'Save changes' }).click()
        await page.getByText('Widget settings saved').waitFor()
        expect(await config()).toMatchObject({ feedback_enabled: false, csat_enabled: true })
      }
      await page.getByRole('heading', { name: 'Visitor feedback' }).scrollIntoViewIfNeeded()
      await shot(page, `widget-feedback-switches-${scheme === 'light' ? 'saved' : 'reopened'}`)
    } finally {
      await context.close()
    }
  }
})
