import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoTenant } from '../../packages/server/src/demo/demo-tenant.ts'
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
import { ask, composer, launcher, panel, poll, settled } from './helpers.ts'

let server: RunningServer
let host: HostSite
let browser: Browser
let tenant: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  ;[server, host, browser] = await Promise.all([startServer(), startHostSite(), launchBrowser()])
  await ensureDemoTenant(server.db, server.config, server.port)
  tenant = await server.createTenant({ allowed_origins: [host.origin], display_title: 'Acme' })
  await server.seedArticles(tenant)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await server?.close()
})

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
}
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } }

interface Geometry {
  panel: { left: number; top: number; width: number; height: number }
  vv: { left: number; top: number; width: number; height: number; scale: number }
}

/** The open panel's client rect and the visual viewport, both in layout-viewport pixels. */
const geometry = (page: Page): Promise<Geometry> =>
  page.evaluate(() => {
    const el = document.querySelector('aurion-widget')!.shadowRoot!.querySelector('.aw-panel')!
    const r = el.getBoundingClientRect()
    const v = window.visualViewport!
    return {
      panel: { left: r.left, top: r.top, width: r.width, height: r.height },
      vv: {
        left: v.offsetLeft,
        top: v.offsetTop,
        width: v.width,
        height: v.height,
        scale: v.scale,
      },
    }
  })

/** The panel lies within the visual viewport (1 px for rounding). */
function expectInside({ panel: p, vv }: Geometry): void {
  expect(p.left).toBeGreaterThanOrEqual(vv.left - 1)
  expect(p.top).toBeGreaterThanOrEqual(vv.top - 1)
  expect(p.left + p.width).toBeLessThanOrEqual(vv.left + vv.width + 1)
  expect(p.top + p.height).toBeLessThanOrEqual(vv.top + vv.height + 1)
}

/** On a phone the panel covers the visual viewport exactly. */
function expectCovers(g: Geometry): void {
  expectInside(g)
  expect(g.panel.width).toBeGreaterThanOrEqual(g.vv.width - 1)
  expect(g.panel.height).toBeGreaterThanOrEqual(g.vv.height - 1)
}

const openByApi = async (page: Page) => {
  await page.evaluate(() =>
    (window as unknown as { Aurion: { open(): Promise<void> } }).Aurion.open(),
  )
  await panel(page).waitFor()
  await settled(page)
}

/** The composer's text box is on screen: inside the visual viewport. */
const composerVisible = (page: Page) =>
  composer(page).evaluate((el) => {
    const r = el.getBoundingClientRect()
    const v = window.visualViewport!
    return (
      r.height > 0 &&
      r.top >= v.offsetTop - 1 &&
      r.bottom <= v.offsetTop + v.height + 1 &&
      r.left >= v.offsetLeft - 1 &&
      r.right <= v.offsetLeft + v.width + 1
    )
  })

/** The launcher lies within the visual viewport. */
const launcherOnScreen = (page: Page) =>
  launcher(page).evaluate((el) => {
    const r = el.getBoundingClientRect()
    const v = window.visualViewport!
    return (
      r.width > 0 &&
      r.left >= v.offsetLeft - 1 &&
      r.top >= v.offsetTop - 1 &&
      r.right <= v.offsetLeft + v.width + 1 &&
      r.bottom <= v.offsetTop + v.height + 1
    )
  })

describe('/demo is responsive', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`phone 390×844 (${scheme}): no sideways scrolling, launcher on screen, Aurion.open() covers the screen`, async () => {
      const { page, context, errors } = await newTestPage(browser, {
        ...PHONE,
        colorScheme: scheme,
      })
      await page.goto(`${server.url}/demo`)
      await launcher(page).waitFor()
      await settled(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      )
      const l = (await launcher(page).boundingBox())!
      expect(l.x).toBeGreaterThanOrEqual(0)
      expect(l.x + l.width).toBeLessThanOrEqual(390)
      expect(l.y + l.height).toBeLessThanOrEqual(844)
      await screenshot(page, `viewport/demo-phone-${scheme}`)
      // The page's own button, as the issue did it: scrolled down to the snippet first.
      await page.locator('button[data-call="open"]').scrollIntoViewIfNeeded()
      await page.locator('button[data-call="open"]').tap()
      await panel(page).waitFor()
      await settled(page)
      const g = await geometry(page)
      expectCovers(g)
      expect(g.panel).toEqual({ left: 0, top: 0, width: 390, height: 844 })
      expect(await launcher(page).isVisible()).toBe(false)
      await ask(page, 'How do I connect to the VPN?')
      await settled(page)
      await screenshot(page, `viewport/demo-phone-${scheme}-open`)
      expect(errors).toEqual([])
      await context.close()
    })

    it(`desktop 1280×800 (${scheme}): the page and the open panel`, async () => {
      const { page, context, errors } = await newTestPage(browser, {
        ...DESKTOP,
        colorScheme: scheme,
      })
      await page.goto(`${server.url}/demo`)
      await launcher(page).waitFor()
      await settled(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(1280)
      await screenshot(page, `viewport/demo-desktop-${scheme}`)
      await openByApi(page)
      const g = await geometry(page)
      expectInside(g)
      // The floating panel, where its style sheet puts it: no inline geometry on a plain page.
      expect(g.panel.width).toBe(388)
      expect(g.panel.left + g.panel.width).toBe(1280 - 20)
      expect(await panel(page).evaluate((el) => (el as HTMLElement).style.cssText)).toBe('')
      await ask(page, 'How do I reset my password?')
      await settled(page)
      await screenshot(page, `viewport/demo-desktop-${scheme}-open`)
      expect(errors).toEqual([])
      await context.close()
    })
  }
})

/** Host pages whose CSS fights the widget. */
const HOSTILE: [string, { head?: string; body?: string }][] = [
  ['html-zoom', { head: '<style>html{zoom:1.6}</style>' }],
  [
    'wide-element',
    { body: '<div style="width:1500px;height:40px;background:#fca5a5">1500 px wide</div>' },
  ],
  ['body-transform', { head: '<style>body{transform:translateX(-30px) scale(.92)}</style>' }],
  [
    'everything',
    {
      head: '<style>html{zoom:1.3}body{transform:translateY(-20px);min-height:4000px}</style>',
      body: '<div style="width:1200px;height:40px;background:#fca5a5">wide</div>',
    },
  ],
]

describe('the open panel sizes itself to the visual viewport, whatever the page does', () => {
  for (const [name, extra] of HOSTILE) {
    it(`phone: ${name}`, async () => {
      host.setPage(hostPage(tenant.snippet, extra), `/${name}`)
      const { page, context, errors } = await newTestPage(browser, PHONE)
      await page.goto(`${host.origin}/${name}`)
      await launcher(page).waitFor()
      // On screen once the page is idle (the idle chunk follows the visual viewport).
      await poll(() => launcherOnScreen(page)).toBe(true)
      await settled(page)
      await screenshot(page, `viewport/phone-${name}-closed`)
      await page.evaluate(() => window.scrollTo(0, 600))
      await openByApi(page)
      const g = await geometry(page)
      expectCovers(g)
      expect(await composerVisible(page)).toBe(true)
      await screenshot(page, `viewport/phone-${name}`)
      expect(errors).toEqual([])
      await context.close()
    })

    it(`desktop: ${name}`, async () => {
      host.setPage(hostPage(tenant.snippet, extra), `/${name}`)
      const { page, context, errors } = await newTestPage(browser, DESKTOP)
      await page.goto(`${host.origin}/${name}`)
      await launcher(page).waitFor()
      await openByApi(page)
      const g = await geometry(page)
      expectInside(g)
      expect(g.panel.width).toBeCloseTo(388, 0)
      expect(await composerVisible(page)).toBe(true)
      await screenshot(page, `viewport/desktop-${name}`)
      expect(errors).toEqual([])
      await context.close()
    })
  }

  it('phone: pinch-zoomed in, the panel follows the zoomed view and keeps its text size', async () => {
    host.setPage(hostPage(tenant.snippet), '/pinch')
    const { page, context } = await newTestPage(browser, PHONE)
    await page.goto(`${host.origin}/pinch`)
    await launcher(page).waitFor()
    const cdp = await context.newCDPSession(page)
    // What a pinch does to the page (headless Chromium has no touch screen to pinch on).
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 2 })
    await page.evaluate(() => window.scrollTo(100, 300))
    await poll(() => page.evaluate(() => window.visualViewport!.scale)).toBeGreaterThan(1.5)
    await openByApi(page)
    await poll(async () => {
      const g = await geometry(page)
      return Math.abs(g.panel.width - g.vv.width) < 1 && Math.abs(g.panel.top - g.vv.top) < 1
    }).toBe(true)
    expectCovers(await geometry(page))
    // Laid out at the phone's width, scaled down by the page zoom: on screen, text is 14 px.
    expect(await panel(page).evaluate((el) => (el as HTMLElement).offsetWidth)).toBe(390)
    await screenshot(page, 'viewport/phone-pinch-zoom')
    await context.close()
  })

  it('phone: the visual viewport shrinks (keyboard) and moves: the panel follows, composer in view', async () => {
    host.setPage(hostPage(tenant.snippet), '/keyboard')
    const { page, context } = await newTestPage(browser, PHONE)
    // A visual viewport the test controls (what an on-screen keyboard does to the real one).
    await context.addInitScript(() => {
      const real = window.visualViewport!
      const fake = new EventTarget() as EventTarget & Record<string, number>
      const state = { height: 0, offsetTop: 0 }
      for (const k of ['width', 'scale', 'offsetLeft', 'pageLeft', 'pageTop']) {
        Object.defineProperty(fake, k, { get: () => real[k as keyof VisualViewport] })
      }
      Object.defineProperty(fake, 'height', { get: () => state.height || real.height })
      Object.defineProperty(fake, 'offsetTop', { get: () => state.offsetTop })
      Object.defineProperty(window, 'visualViewport', { configurable: true, value: fake })
      ;(window as unknown as { __keyboard(h: number, top: number): void }).__keyboard = (
        h,
        top,
      ) => {
        state.height = h
        state.offsetTop = top
        fake.dispatchEvent(new Event('resize'))
        fake.dispatchEvent(new Event('scroll'))
      }
    })
    await page.goto(`${host.origin}/keyboard`)
    await launcher(page).waitFor()
    await openByApi(page)
    expectCovers(await geometry(page))
    await composer(page).tap()
    await page.evaluate(() =>
      (window as unknown as { __keyboard(h: number, top: number): void }).__keyboard(480, 0),
    )
    await poll(async () => (await geometry(page)).panel.height).toBe(480)
    expectCovers(await geometry(page))
    expect(await composerVisible(page)).toBe(true)
    await screenshot(page, 'viewport/phone-keyboard')
    // iOS also scrolls the visual viewport down when the keyboard opens.
    await page.evaluate(() =>
      (window as unknown as { __keyboard(h: number, top: number): void }).__keyboard(420, 200),
    )
    await poll(async () => (await geometry(page)).panel.top).toBe(200)
    expectCovers(await geometry(page))
    expect(await composerVisible(page)).toBe(true)
    await context.close()
  })
})

describe('the header status', () => {
  it('says Offline while the connection is gone, Online once it is back', async () => {
    host.setPage(hostPage(tenant.snippet), '/status')
    const { page, context } = await newTestPage(browser, DESKTOP)
    await page.goto(`${host.origin}/status`)
    await launcher(page).waitFor()
    await openByApi(page)
    await ask(page, 'How do I reset my password?')
    const status = page.locator('aurion-widget .aw-sub')
    expect(await status.innerText()).toBe('AI assistant · Online')
    await context.setOffline(true)
    await poll(() => status.innerText()).toBe('AI assistant · Offline')
    await settled(page)
    await screenshot(page, 'viewport/desktop-offline')
    await context.setOffline(false)
    await poll(() => status.innerText(), { timeout: 20_000 }).toBe('AI assistant · Online')
    await context.close()
  })
})
