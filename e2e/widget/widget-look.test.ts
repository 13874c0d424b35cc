import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newTestPage, screenshot } from '../support/browser.ts'
import {
  type HostSite,
  hostPage,
  type RunningServer,
  startHostSite,
  startServer,
  type WidgetTenant,
} from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import {
  ask,
  axeViolations,
  composer,
  launcher,
  openPanel,
  panel,
  poll,
  settled,
} from './helpers.ts'

let server: RunningServer
let host: HostSite
let browser: Browser
let tenant: WidgetTenant

/** A 64×64 SVG logo as the admin console uploads it (a base64 data URL). */
const LOGO = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#0f766e"/><path d="M18 44 32 16l14 28H18Z" fill="#fff"/></svg>',
).toString('base64')}`

beforeAll(async () => {
  ensureWidgetBuilt()
  ;[server, host, browser] = await Promise.all([startServer(), startHostSite(), launchBrowser()])
  tenant = await server.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
    welcome_text: 'Hi there! Ask me anything about your account.',
    display_title_translations: { de: 'Acme Kundenservice', ar: 'دعم أكمي' },
    welcome_text_translations: {
      de: 'Hallo! Wie können wir helfen?',
      ar: 'مرحبًا! كيف يمكننا المساعدة؟',
    },
    launcher_label_translations: { de: 'Fragen Sie uns', ar: 'تحدث معنا' },
  })
  await server.seedArticles(tenant)
  host.setPage(hostPage(tenant.snippet))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await server?.close()
})

const theme = (page: Page) => page.locator('aurion-widget .aw').getAttribute('data-theme')
const panelBackground = (page: Page) =>
  panel(page).evaluate((el) => getComputedStyle(el).backgroundColor)

/** A page that sets extra AurionSettings before the (otherwise verbatim) snippet runs. */
function pageWith(settings: Record<string, unknown>, path: string): string {
  const snippet = tenant.snippet.replace(
    "apiBaseUrl: '",
    `${Object.entries(settings)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)},\n      `)
      .join('')}apiBaseUrl: '`,
  )
  host.setPage(hostPage(snippet), path)
  return `${host.origin}${path}`
}

describe('look and feel', () => {
  it('desktop, light and dark: screenshots of a conversation', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, context } = await newTestPage(browser, {
        viewport: { width: 1280, height: 800 },
        colorScheme: scheme,
      })
      await page.goto(host.origin)
      await launcher(page).waitFor()
      await settled(page)
      await screenshot(page, `widget/desktop-${scheme}-closed`)
      await openPanel(page)
      await ask(page, 'How do I reset my password?')
      await ask(page, 'And how do I set up multi-factor authentication?')
      expect(await theme(page)).toBe(scheme)
      await settled(page)
      // A source card with a long title stays inside the panel (its title is cut instead).
      const inner = (await panel(page).boundingBox())!
      for (const card of await page.locator('aurion-widget .aw-src').all()) {
        const b = (await card.boundingBox())!
        expect(b.x + b.width).toBeLessThanOrEqual(inner.x + inner.width)
      }
      await screenshot(page, `widget/desktop-${scheme}-conversation`)
      await context.close()
    }
  })

  it('mobile: the panel takes the whole screen (light and dark)', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, context } = await newTestPage(browser, {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        colorScheme: scheme,
      })
      await page.goto(host.origin)
      await launcher(page).waitFor()
      await settled(page)
      await screenshot(page, `widget/mobile-${scheme}-closed`)
      await launcher(page).tap()
      await panel(page).waitFor()
      await settled(page)
      const box = (await panel(page).boundingBox())!
      expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 })
      // The launcher steps aside while the panel is open; the panel has its own close button.
      expect(await launcher(page).isVisible()).toBe(false)
      await screenshot(page, `widget/mobile-${scheme}-open`)
      await ask(page, 'How do I connect to the VPN?')
      await settled(page)
      await screenshot(page, `widget/mobile-${scheme}-conversation`)
      await page.locator('aurion-widget .aw-head button[aria-label="Close chat"]').tap()
      await poll(() => panel(page).count()).toBe(0)
      expect(await launcher(page).isVisible()).toBe(true)
      await context.close()
    }
  })

  it('theme "auto" follows prefers-color-scheme live; "dark" and a translation apply', async () => {
    const { page, context } = await newTestPage(browser, { colorScheme: 'light' })
    await page.goto(host.origin)
    await openPanel(page)
    expect(await theme(page)).toBe('light')
    expect(await panelBackground(page)).toBe('rgb(255, 255, 255)')
    await page.emulateMedia({ colorScheme: 'dark' })
    await poll(() => theme(page)).toBe('dark')
    expect(await panelBackground(page)).toBe('rgb(15, 23, 41)')
    await context.close()

    const dark = await server.createTenant(
      {
        allowed_origins: [host.origin],
        theme: 'dark',
        display_title: 'Support',
        display_title_translations: { de: 'Kundendienst' },
        welcome_text_translations: { de: 'Hallo! Wie kann ich helfen?' },
        launcher_label_translations: { de: 'Schreiben Sie uns' },
      },
      'Dark GmbH',
    )
    host.setPage(hostPage(dark.snippet), '/dark')
    // navigator.language is de-DE: the German texts, the panel's own words in German too.
    const de = await newTestPage(browser, { colorScheme: 'light', locale: 'de-DE' })
    await de.page.goto(`${host.origin}/dark`)
    await launcher(de.page).waitFor()
    expect(await launcher(de.page).innerText()).toBe('Schreiben Sie uns')
    await openPanel(de.page)
    expect(await theme(de.page)).toBe('dark')
    expect(await de.page.locator('aurion-widget .aw-title').innerText()).toBe('Kundendienst')
    await poll(() =>
      de.page.locator('aurion-widget .aw-list .aw-row').first().innerText(),
    ).toContain('Hallo! Wie kann ich helfen?')
    expect(await composer(de.page).getAttribute('placeholder')).toBe('Nachricht schreiben…')
    expect(
      await de.page
        .locator('aurion-widget .aw-wrap, aurion-widget .aw')
        .first()
        .getAttribute('lang'),
    ).toBe('de-DE')
    await screenshot(de.page, 'widget/desktop-dark-german')
    await de.context.close()
  })

  it('AurionSettings.locale wins over the browser; an unknown locale falls back; Arabic is right-to-left', async () => {
    const url = pageWith({ locale: 'de' }, '/de')
    const { page, context } = await newTestPage(browser, { locale: 'fr-FR' })
    await page.goto(url)
    await launcher(page).waitFor()
    expect(await launcher(page).innerText()).toBe('Fragen Sie uns')
    await context.close()

    const unknown = await newTestPage(browser, { locale: 'sw-KE' })
    await unknown.page.goto(host.origin)
    await openPanel(unknown.page)
    expect(await unknown.page.locator('aurion-widget .aw-title').innerText()).toBe('Acme Support')
    expect(await composer(unknown.page).getAttribute('placeholder')).toBe('Write a message…')
    await unknown.context.close()

    const ar = await newTestPage(browser, {
      locale: 'ar-EG',
      viewport: { width: 1280, height: 800 },
    })
    await ar.page.goto(host.origin)
    await openPanel(ar.page)
    expect(await ar.page.locator('aurion-widget .aw').getAttribute('dir')).toBe('rtl')
    expect(await ar.page.locator('aurion-widget .aw-title').innerText()).toBe('دعم أكمي')
    expect(await composer(ar.page).getAttribute('placeholder')).toBe('اكتب رسالة…')
    await ask(ar.page, 'How do I reset my password?')
    await settled(ar.page)
    await screenshot(ar.page, 'widget/desktop-light-arabic')
    // setLocale switches everything at once, without a reload.
    await ar.page.evaluate(() =>
      (window as unknown as { Aurion: { setLocale(l: string): Promise<void> } }).Aurion.setLocale(
        'en',
      ),
    )
    await poll(() => ar.page.locator('aurion-widget .aw-title').innerText()).toBe('Acme Support')
    expect(await ar.page.locator('aurion-widget .aw').getAttribute('dir')).toBe('ltr')
    await ar.context.close()
  })

  it('honours every appearance field: position, colours, logo, bubble, quick actions, powered-by', async () => {
    const custom = await server.createTenant(
      {
        allowed_origins: [host.origin],
        launcher_position: 'bottom-left',
        accent_theme: 'emerald',
        primary_color: '#fbbf24',
        launcher_label: 'Need help?',
        launcher_bubble_message: 'Questions about your order? Ask away!',
        logo_url: LOGO,
        show_powered_by: false,
        quick_actions_enabled: false,
        mode: 'chat',
      },
      'Custom Co',
    )
    host.setPage(hostPage(custom.snippet), '/custom')
    const { page, context } = await newTestPage(browser, { viewport: { width: 1280, height: 800 } })
    await page.goto(`${host.origin}/custom`)
    await launcher(page).waitFor()
    await settled(page)
    const box = (await launcher(page).boundingBox())!
    expect(Math.abs(box.x - 20)).toBeLessThanOrEqual(1.5)
    // A light brand colour gets dark text (contrast), everywhere it is used.
    expect(await launcher(page).evaluate((el) => getComputedStyle(el).color)).toBe('rgb(0, 0, 0)')
    expect(await launcher(page).innerText()).toBe('Need help?')
    const bubble = page.locator('aurion-widget .aw-bubble')
    await bubble.waitFor()
    expect(await bubble.innerText()).toContain('Questions about your order? Ask away!')
    expect(await bubble.locator('img').getAttribute('src')).toBe(LOGO)
    await settled(page)
    await screenshot(page, 'widget/desktop-custom-closed')
    // Dismissed stays dismissed (until the message changes).
    await bubble.locator('button[aria-label="Dismiss"]').click()
    await poll(() => bubble.count()).toBe(0)
    await page.reload()
    await launcher(page).waitFor()
    await openPanel(page)
    expect(await page.locator('aurion-widget .aw-bubble').count()).toBe(0)
    expect(await page.locator('aurion-widget .aw-head .aw-logo img').getAttribute('src')).toBe(LOGO)
    // No suggested questions; the hand-off's "Talk to a person" stays (hand-off is on by default).
    expect(await page.locator('aurion-widget .aw-qa .aw-chip').allInnerTexts()).toEqual([
      'Talk to a person',
    ])
    expect(await page.locator('aurion-widget .aw-foot').count()).toBe(0)
    // Chat only: no call button.
    expect(
      await page.locator('aurion-widget button[aria-label="Start a voice call"]').count(),
    ).toBe(0)
    const panelBox = (await panel(page).boundingBox())!
    expect(Math.abs(panelBox.x - 20)).toBeLessThanOrEqual(1.5)
    await screenshot(page, 'widget/desktop-custom-open')
    await context.close()

    // The defaults: quick actions shown until the first message; powered-by shown.
    const d = await newTestPage(browser)
    await d.page.goto(host.origin)
    await openPanel(d.page)
    // Quick actions (.aw-qa); the follow-up buttons under an answer are chips too.
    const chips = d.page.locator('aurion-widget .aw-qa .aw-chip')
    expect(await chips.allInnerTexts()).toEqual([
      'How do I reset my password?',
      'How do I connect to the VPN?',
      'Set up multi-factor authentication',
      'Talk to a person',
    ])
    expect(await d.page.locator('aurion-widget .aw-foot').innerText()).toBe('Powered by Aurion')
    await chips.nth(1).click()
    await poll(() => chips.count()).toBe(0)
    await poll(() =>
      d.page.locator('aurion-widget .aw-row[data-role="visitor"]').innerText(),
    ).toContain('How do I connect to the VPN?')
    await d.context.close()
  })

  it('works whatever the host page’s CSS does', async () => {
    host.setPage(
      hostPage(tenant.snippet, {
        head: `<style>
          * { font-family: "Comic Sans MS", cursive !important; color: red !important; line-height: 3 !important; box-sizing: content-box !important; }
          body { transform: translateZ(0); direction: rtl; }
          button { display: none !important; }
          div { padding: 30px !important; border: 5px solid lime !important; }
          svg { width: 300px !important; }
          aurion-widget { opacity: 0.2 !important; }
        </style>`,
      }),
      '/hostile',
    )
    const { page, context } = await newTestPage(browser, { viewport: { width: 1280, height: 800 } })
    await page.goto(`${host.origin}/hostile`)
    await launcher(page).waitFor()
    await settled(page)
    const box = (await launcher(page).boundingBox())!
    expect(Math.abs(1280 - (box.x + box.width) - 20)).toBeLessThanOrEqual(1.5)
    expect(box.height).toBe(56)
    const style = await launcher(page).evaluate((el) => {
      const s = getComputedStyle(el)
      return { color: s.color, display: s.display, font: s.fontFamily }
    })
    expect(style.color).toBe('rgb(255, 255, 255)')
    expect(style.display).toBe('flex')
    expect(style.font).not.toContain('Comic')
    expect(await page.locator('aurion-widget').evaluate((el) => getComputedStyle(el).opacity)).toBe(
      '1',
    )
    await openPanel(page)
    expect(await panelBackground(page)).toBe('rgb(255, 255, 255)')
    await screenshot(page, 'widget/desktop-hostile-css')
    await context.close()
  })
})

describe('accessibility', () => {
  it('axe finds no serious or critical problems in the open panel, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, context } = await newTestPage(browser, { colorScheme: scheme })
      await page.goto(host.origin)
      await openPanel(page)
      expect(await axeViolations(page)).toEqual([])
      await ask(page, 'How do I reset my password?')
      expect(await axeViolations(page)).toEqual([])
      await context.close()
    }
  })

  it('is keyboard operable: focus moves into the panel and back to the launcher; Escape closes', async () => {
    const { page, context } = await newTestPage(browser)
    await page.goto(host.origin)
    await launcher(page).waitFor()
    const active = () =>
      page.evaluate(() => {
        const root = document.querySelector('aurion-widget')?.shadowRoot
        const el = root?.activeElement as HTMLElement | null
        return el ? `${el.tagName.toLowerCase()}.${el.className}` : document.activeElement?.tagName
      })
    await launcher(page).focus()
    await page.keyboard.press('Enter')
    await panel(page).waitFor()
    await poll(active).toBe('textarea.')
    await page.keyboard.type('How do I reset my password?')
    await page.keyboard.press('Enter')
    await poll(() => page.locator('aurion-widget .aw-sr[aria-live="polite"]').innerText(), {
      timeout: 15_000,
    }).toMatch(/password/i)
    await page.keyboard.press('Escape')
    await poll(() => panel(page).count()).toBe(0)
    await poll(active).toBe('button.aw-launcher')
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('false')
    // Every control in the panel has a name.
    await page.keyboard.press('Enter')
    await panel(page).waitFor()
    const unnamed = await panel(page).evaluate((root) =>
      [...root.querySelectorAll('button, textarea, input:not([type="file"])')]
        .filter((el) => !(el.getAttribute('aria-label') || el.textContent?.trim()))
        .map((el) => el.outerHTML.slice(0, 80)),
    )
    expect(unnamed).toEqual([])
    await context.close()
  })
})
