import type { Browser } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { newTestPage } from '../support/browser.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

let s: ConsoleServer
let browser: Browser

useConsole((c) => ({ s, browser } = c), { widget: true })
beforeAll(async () => {
  // Voice on (the default "both"), no LiveKit on this server: calls use the browser's speech.
  await s.server.configure(s.tenant, { allowed_origins: ['https://acme.example'], mode: 'both' })
})

describe('readiness in the console, out of the box', () => {
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`${name}: voice without LiveKit is a warning with a guide this server serves, not a failure`, async () => {
      const { page, context } = await newTestPage(browser, { viewport })
      await signIn(page, s)
      await page.getByRole('button', { name: 'Ready to embed' }).waitFor()
      expect(await page.getByText(/readiness checks? failing/).count()).toBe(0)
      await page.goto(`${s.url}/admin/widget?tab=install`)
      const voice = page.locator('li.check', { hasText: 'Voice' })
      await voice.waitFor()
      expect(await voice.getAttribute('class')).toBe('check warning')
      expect(await voice.locator('.sr-only').textContent()).toBe(': passed, with a warning')
      expect(await voice.locator('.check-reason').textContent()).toMatch(/browser/)
      await page.getByText('Ready · 1 to note').waitFor()
      const guide = voice.getByRole('link', { name: 'Voice set-up guide' })
      expect(await guide.getAttribute('href')).toBe('/docs/voice')
      // The live preview opens its panel (and focuses it) once loaded: then look at the check.
      await page.frameLocator('iframe.preview-frame').locator('aurion-widget .aw-panel').waitFor()
      await voice.scrollIntoViewIfNeeded()
      await shot(page, `readiness-voice-warning-${name}`)

      const [tab] = await Promise.all([context.waitForEvent('page'), guide.click()])
      await tab.waitForLoadState()
      expect(new URL(tab.url()).pathname).toBe('/docs/voice')
      expect(await tab.locator('h1').textContent()).toBe('Voice')
      await tab.getByText('LiveKit Cloud').first().waitFor()
      await shot(tab, `voice-guide-${name}`)
      await context.close()
    })
  }
})
