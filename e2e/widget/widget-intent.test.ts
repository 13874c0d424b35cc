import type { Browser, BrowserContextOptions, Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newTestPage } from '../support/browser.ts'
import {
  type HostSite,
  hostPage,
  type RunningServer,
  startHostSite,
  startServer,
  type WidgetTenant,
} from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import { ask, composer, launcher, openPanel, panel, poll, settled } from './helpers.ts'

/**
 * The chat chunk (Preact, the panel) costs the host page nothing until the visitor shows
 * interest: when the page is idle its bytes are only downloaded (`<link rel="modulepreload">`),
 * and it is evaluated on hover, press, touch or keyboard focus of the launcher, or when the API
 * opens the widget. A stored conversation still brings it in at once (its socket delivers
 * replies while the panel is closed).
 */

let server: RunningServer
let host: HostSite
let browser: Browser
let tenant: WidgetTenant

const CHAT = /\/embed\/chat-[\w-]+\.js$/
const IDLE = /\/embed\/idle-[\w-]+\.js$/
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } }
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
}

beforeAll(async () => {
  ensureWidgetBuilt()
  ;[server, host, browser] = await Promise.all([startServer(), startHostSite(), launchBrowser()])
  tenant = await server.createTenant({ allowed_origins: [host.origin], display_title: 'Acme' })
  await server.seedArticles(tenant)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await server?.close()
})

/**
 * Whether the chat chunk has run: its `mount()` adds the panel's style sheet to the shadow root
 * next to the launcher's (the only sheet before it).
 */
const chatEvaluated = (page: Page) =>
  page.evaluate(
    () => (document.querySelector('aurion-widget')?.shadowRoot?.adoptedStyleSheets.length ?? 0) > 1,
  )

/** The chat chunk's downloads (Resource Timing) and whether a `modulepreload` link asked for it. */
const chatFetches = (page: Page) =>
  page.evaluate((re) => {
    const chat = new RegExp(re)
    return {
      downloads: performance.getEntriesByType('resource').filter((e) => chat.test(e.name)).length,
      preloaded: [...document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"]')].some(
        (l) => chat.test(l.href),
      ),
    }
  }, CHAT.source)

/** Resolves when the page has been idle once more (after whatever it was doing). */
const nextIdle = (page: Page) =>
  page.evaluate(() => new Promise<void>((r) => requestIdleCallback(() => r())))

/** Every network request for the chat chunk, in order (its resource type). */
function recordChatRequests(page: Page): string[] {
  const seen: string[] = []
  page.on('request', (r: Request) => {
    if (CHAT.test(r.url())) seen.push(r.resourceType())
  })
  return seen
}

/** Opens the page and waits until the idle work has downloaded (not run) the chat chunk. */
async function loadUntilPrefetched(page: Page, path = '/'): Promise<void> {
  const prefetched = page.waitForResponse(CHAT)
  await page.goto(`${host.origin}${path}`)
  await launcher(page).waitFor()
  expect((await prefetched).status()).toBe(200)
  await nextIdle(page)
  expect(await chatFetches(page)).toEqual({ downloads: 1, preloaded: true })
  expect(await chatEvaluated(page)).toBe(false)
}

describe('the chat chunk waits for the visitor', () => {
  it('desktop: downloaded when idle, evaluated on hover with no second download, opened by a click', async () => {
    host.setPage(hostPage(tenant.snippet), '/hover')
    const { page, context, errors } = await newTestPage(browser, DESKTOP)
    const requests = recordChatRequests(page)
    const sockets: string[] = []
    page.on('websocket', (ws) => sockets.push(ws.url()))
    await loadUntilPrefetched(page, '/hover')
    // Idle once more: still not run, no socket, nothing else fetched.
    await nextIdle(page)
    expect(await chatEvaluated(page)).toBe(false)
    expect(requests).toEqual(['script'])
    expect(sockets).toEqual([])

    await launcher(page).hover()
    await poll(() => chatEvaluated(page)).toBe(true)
    await openPanel(page)
    // The preloaded module was used: one download in all.
    expect(requests).toEqual(['script'])
    expect(await chatFetches(page)).toEqual({ downloads: 1, preloaded: true })
    expect(await ask(page, 'How do I connect to the VPN?')).toMatch(/vpn/i)
    expect(errors).toEqual([])
    await context.close()
  })

  it('keyboard, before the page was idle: focusing the launcher requests the chunk; Enter opens the panel', async () => {
    host.setPage(hostPage(tenant.snippet), '/keyboard')
    const { page, context, errors } = await newTestPage(browser, DESKTOP)
    const requests = recordChatRequests(page)
    // The idle chunk (which would download the chat chunk) is held until the chat chunk is asked
    // for: the request can only come from the focus.
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    await page.route(IDLE, async (route) => {
      await held
      await route.continue()
    })
    const chatRequested = page.waitForRequest(CHAT)
    await page.goto(`${host.origin}/keyboard`)
    await launcher(page).waitFor()
    expect(requests).toEqual([])
    await page.keyboard.press('Tab')
    expect(
      await page.evaluate(
        () => document.querySelector('aurion-widget')?.shadowRoot?.activeElement?.className,
      ),
    ).toBe('aw-launcher')
    await chatRequested
    release()
    await poll(() => chatEvaluated(page)).toBe(true)
    // Once released, the idle work's preload finds the module already there: no second download.
    expect((await chatFetches(page)).downloads).toBe(1)
    await page.keyboard.press('Enter')
    await panel(page).waitFor()
    await poll(() =>
      page.evaluate(
        () => document.querySelector('aurion-widget')?.shadowRoot?.activeElement?.tagName,
      ),
    ).toBe('TEXTAREA')
    await page.keyboard.type('Hello')
    expect(await composer(page).inputValue()).toBe('Hello')
    expect(requests).toEqual(['script'])
    expect(errors).toEqual([])
    await context.close()
  })

  it('phone: not run until the launcher is touched; the first tap opens the full-screen panel', async () => {
    host.setPage(hostPage(tenant.snippet), '/touch')
    const { page, context, errors } = await newTestPage(browser, PHONE)
    const requests = recordChatRequests(page)
    await loadUntilPrefetched(page, '/touch')
    await launcher(page).tap()
    await panel(page).waitFor()
    await settled(page)
    const box = (await panel(page).boundingBox())!
    expect([box.x, box.y, box.width, box.height].map(Math.round)).toEqual([0, 0, 390, 844])
    expect(requests).toEqual(['script'])
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('what still loads the chat chunk without the visitor', () => {
  it('a stored conversation: run when idle after a reload, its socket open with the panel closed', async () => {
    host.setPage(hostPage(tenant.snippet), '/stored')
    const { page, context, errors } = await newTestPage(browser, DESKTOP)
    await page.goto(`${host.origin}/stored`)
    await openPanel(page)
    await ask(page, 'How do I reset my password?')
    // The pointer away from the launcher: a hover must not be what loads it after the reload.
    await page.mouse.move(5, 5)
    const sockets: string[] = []
    page.on('websocket', (ws) => sockets.push(ws.url()))
    await page.reload()
    await launcher(page).waitFor()
    await poll(() => chatEvaluated(page)).toBe(true)
    // Loaded, not merely downloaded: the idle work saw the stored conversation.
    expect(await chatFetches(page)).toEqual({ downloads: 1, preloaded: false })
    await poll(() => sockets.length).toBe(1)
    expect(await panel(page).count()).toBe(0)
    expect(errors).toEqual([])
    await context.close()
  })

  it('AurionSettings.open: the panel opens on load', async () => {
    host.setPage(
      hostPage(tenant.snippet.replace("apiBaseUrl: '", "open: true,\n      apiBaseUrl: '")),
      '/open',
    )
    const { page, context, errors } = await newTestPage(browser, DESKTOP)
    await page.goto(`${host.origin}/open`)
    await panel(page).waitFor()
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('true')
    expect(errors).toEqual([])
    await context.close()
  })
})
