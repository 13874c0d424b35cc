import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoTenant } from '../../packages/server/src/demo/demo-tenant.ts'
import { computeUserHash } from '../../packages/server/src/visitors/email-token.ts'
import type { WidgetMessageEvent } from '../../packages/widget/src/shared/host.ts'
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
  replies,
  settled,
  storedMessages,
} from './helpers.ts'

let server: RunningServer
let host: HostSite
let other: HostSite
let browser: Browser
let tenant: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  ;[server, host, other, browser] = await Promise.all([
    startServer(),
    startHostSite(),
    startHostSite(),
    launchBrowser(),
  ])
  // The demo tenant exists only on an empty database: make it first.
  await ensureDemoTenant(server.db, server.config, server.port)
  tenant = await server.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
  })
  await server.seedArticles(tenant)
  host.setPage(hostPage(tenant.snippet))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await other?.close()
  await server?.close()
})

type Events = [string, unknown][]
const events = (page: Page) =>
  page.evaluate(() => (window as unknown as { __events: Events }).__events)
const aurion = (page: Page, call: string) =>
  page.evaluate(`window.Aurion.${call}`) as Promise<unknown>

/** A script that subscribes to every event and makes calls as soon as `window.Aurion` exists. */
const earlyCalls = (calls: string) => `<script>
  (function wait() {
    if (!window.Aurion) return setTimeout(wait, 1)
    window.__events = []
    ;['ready', 'open', 'close', 'message', 'unread'].forEach(function (e) {
      window.Aurion.on(e, function (p) { window.__events.push([e, p === undefined ? null : p]) })
    })
    ${calls}
  })()
</script>`

describe('where the widget must not appear', () => {
  it('renders nothing on a disallowed origin and says why, once, in the console', async () => {
    other.setPage(hostPage(tenant.snippet))
    const { page, context, console: logs } = await newTestPage(browser)
    await page.goto(other.origin)
    // The server refuses the origin (no CORS grant): the loader says so, once.
    await poll(() => logs.filter((l) => l.includes('[Aurion]'))).toHaveLength(1)
    // The one real reason, not a list of possible ones.
    expect(logs.find((l) => l.includes('[Aurion]'))).toBe(
      `warning: [Aurion] Widget not shown: config request failed (origin ${other.origin} not allowed).`,
    )
    expect(await page.locator('aurion-widget').count()).toBe(0)
    // The API stays callable (no errors for the host page), it just does nothing.
    expect(await aurion(page, 'open()')).toBeUndefined()
    expect(await page.locator('aurion-widget').count()).toBe(0)
    await context.close()
  })

  it('renders nothing and says what is missing when AurionSettings is incomplete', async () => {
    host.setPage(hostPage(tenant.snippet.replace(/\s*publicKey: '[^']*',/, '')), '/incomplete')
    const { page, context, console: logs } = await newTestPage(browser)
    await page.goto(`${host.origin}/incomplete`)
    await poll(() => logs.filter((l) => l.includes('[Aurion]'))).toEqual([
      'warning: [Aurion] Widget not shown: window.AurionSettings needs appId, publicKey and an http(s) apiBaseUrl.',
    ])
    expect(await page.locator('aurion-widget').count()).toBe(0)
    await context.close()
  })

  it('renders nothing when the widget is disabled', async () => {
    const off = await server.createTenant(
      { allowed_origins: [host.origin], enabled: false },
      'Off Inc',
    )
    host.setPage(hostPage(off.snippet), '/off')
    const { page, context, console: logs } = await newTestPage(browser)
    await page.goto(`${host.origin}/off`)
    await poll(() => logs.filter((l) => l.includes('[Aurion]'))).toHaveLength(1)
    // The server's own words.
    expect(logs.find((l) => l.includes('[Aurion]'))).toBe(
      'warning: [Aurion] Widget not shown: config request failed (HTTP 403: Invalid widget credentials or widget disabled).',
    )
    expect(await page.locator('aurion-widget').count()).toBe(0)
    await context.close()
  })
})

describe('window.Aurion', () => {
  it('queues calls made before the widget is ready, then runs them in order', async () => {
    host.setPage(
      hostPage(tenant.snippet, {
        head: earlyCalls(
          "window.Aurion.sendMessage('How do I reset my password?'); window.Aurion.open()",
        ),
      }),
      '/early',
    )
    const { page, context, errors } = await newTestPage(browser)
    // Hold the config answer until the calls were made: they must wait for it.
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    await page.route(/\/embed\/config$/, async (route) => {
      await held
      await route.continue()
    })
    await page.goto(`${host.origin}/early`)
    await page.waitForFunction(() =>
      Array.isArray((window as unknown as { __events?: unknown }).__events),
    )
    expect(await page.locator('aurion-widget').count()).toBe(0)
    release()
    await panel(page).waitFor()
    await poll(() => replies(page).last().getAttribute('data-state'), { timeout: 15_000 }).toBe(
      'done',
    )
    const seen = await events(page)
    expect(seen.map(([e]) => e).slice(0, 2)).toEqual(['ready', 'open'])
    const messages = seen.filter(([e]) => e === 'message').map(([, p]) => p as WidgetMessageEvent)
    expect(messages.map((m) => [m.sender_type, m.channel])).toEqual([
      ['contact', 'chat'],
      ['ai', 'chat'],
    ])
    expect(messages[0]!.body).toBe('How do I reset my password?')
    expect(messages[1]!.body.toLowerCase()).toContain('password')
    expect(messages[1]!.conversation_id).toMatch(/^conv_/)
    expect(messages[1]!.conversation_id).toBe(messages[0]!.conversation_id)
    // 'ready' registered after the fact still fires.
    expect(
      await page.evaluate(
        () =>
          new Promise((r) =>
            (window as unknown as { Aurion: { on(e: string, f: () => void): void } }).Aurion.on(
              'ready',
              () => r('late ready'),
            ),
          ),
      ),
    ).toBe('late ready')
    expect(errors).toEqual([])
    await context.close()
  })

  it('open, close, toggle, show, hide; unread badge and events while closed', async () => {
    host.setPage(hostPage(tenant.snippet, { head: earlyCalls('') }), '/api')
    const { page, context } = await newTestPage(browser)
    await page.goto(`${host.origin}/api`)
    await launcher(page).waitFor()
    await aurion(page, 'open()')
    await panel(page).waitFor()
    await aurion(page, 'close()')
    await poll(() => panel(page).count()).toBe(0)
    await aurion(page, 'toggle()')
    await panel(page).waitFor()
    await aurion(page, 'toggle()')
    await poll(() => panel(page).count()).toBe(0)
    expect((await events(page)).map(([e]) => e)).toEqual([
      'ready',
      'open',
      'close',
      'open',
      'close',
    ])

    await aurion(page, 'hide()')
    await poll(() => launcher(page).isVisible()).toBe(false)
    await aurion(page, 'show()')
    await poll(() => launcher(page).isVisible()).toBe(true)

    // A reply while the panel is closed: badge, event, accessible name.
    await aurion(page, "sendMessage('How do I connect to the VPN?')")
    const badge = page.locator('aurion-widget .aw-badge')
    await poll(() => badge.isVisible(), { timeout: 15_000 }).toBe(true)
    expect(await badge.innerText()).toBe('1')
    expect(await launcher(page).getAttribute('aria-label')).toBe('Chat with us (1)')
    expect((await events(page)).filter(([e]) => e === 'unread')).toEqual([['unread', { count: 1 }]])
    // The badge survives a reload; opening reads the message.
    await page.reload()
    await launcher(page).waitFor()
    expect(await page.locator('aurion-widget .aw-badge').innerText()).toBe('1')
    await openPanel(page)
    await poll(() => page.locator('aurion-widget .aw-badge').isVisible()).toBe(false)
    await context.close()
  })

  it('shutdown removes the widget and forgets the visitor', async () => {
    const { page, context } = await newTestPage(browser)
    await page.goto(host.origin)
    await openPanel(page)
    await ask(page, 'How do I reset my password?')
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('aurion:'))),
    ).not.toEqual([])
    await aurion(page, 'shutdown()')
    expect(await page.locator('aurion-widget').count()).toBe(0)
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('aurion:'))),
    ).toEqual([])
    // Calls after shutdown are harmless no-ops.
    expect(await aurion(page, 'open()')).toBeUndefined()
    expect(await page.locator('aurion-widget').count()).toBe(0)
    await context.close()
  })
})

describe('returning visitors', () => {
  it('with sso_auto_login and AurionSettings.user: signed in without asking, history on another device', async () => {
    const sso = await server.createTenant(
      { allowed_origins: [host.origin], sso_auto_login: true, display_title: 'Globex Help' },
      'Globex',
    )
    await server.seedArticles(sso)
    // History on another device needs a proven email: the host's backend signs it (user_hash).
    const { identity_secret } = await server.db
      .selectFrom('tenants')
      .select('identity_secret')
      .where('id', '=', sso.tenantId)
      .executeTakeFirstOrThrow()
    const userHash = computeUserHash(identity_secret, 'jane@example.com')
    const snippet = sso.snippet.replace(
      "apiBaseUrl: '",
      `user: { email: 'Jane@Example.com', name: 'Jane Doe', user_hash: '${userHash}' },\n      apiBaseUrl: '`,
    )
    host.setPage(hostPage(snippet), '/sso')
    const first = await newTestPage(browser)
    const session = first.page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/session'))
    await first.page.goto(`${host.origin}/sso`)
    expect((await session).status()).toBe(200)
    await openPanel(first.page)
    await ask(first.page, 'How do I connect to the VPN?')
    await first.context.close()

    // Another browser: nothing stored locally, yet the conversation is there.
    const second = await newTestPage(browser, { viewport: { width: 1280, height: 800 } })
    await second.page.goto(`${host.origin}/sso`)
    await openPanel(second.page)
    await second.page.locator('aurion-widget button[aria-label="Past conversations"]').click()
    const item = second.page.locator('aurion-widget .aw-conv')
    await item.first().waitFor()
    expect(await second.page.locator('aurion-widget .aw-who').innerText()).toContain(
      'jane@example.com',
    )
    expect(await item.first().innerText()).toContain('VPN')
    await settled(second.page)
    await screenshot(second.page, 'widget/desktop-light-history')
    expect(await axeViolations(second.page)).toEqual([])
    await item.first().click()
    await poll(() =>
      second.page.locator('aurion-widget .aw-row[data-role="visitor"]').first().innerText(),
    ).toContain('How do I connect to the VPN?')
    expect(
      await second.page.locator('aurion-widget .aw-row[data-role="assistant"]').count(),
    ).toBeGreaterThan(0)
    await second.context.close()
  })

  it('asks for an email when there is no signed-in user, then lists the visitor’s conversations', async () => {
    const { page, context } = await newTestPage(browser)
    await page.goto(host.origin)
    await openPanel(page)
    await page.locator('aurion-widget button[aria-label="Past conversations"]').click()
    const email = page.locator('aurion-widget input[type="email"]')
    await email.waitFor()
    await email.fill('not-an-email')
    await page.locator('aurion-widget .aw-pane button[type="submit"]').click()
    expect(await page.locator('aurion-widget .aw-pane .aw-err').innerText()).toBe(
      'Please enter a valid email address.',
    )
    expect(await email.getAttribute('aria-invalid')).toBe('true')
    await email.fill('bob@example.com')
    await page.locator('aurion-widget .aw-pane button[type="submit"]').click()
    await poll(() => page.locator('aurion-widget .aw-pane').innerText()).toContain(
      'No past conversations yet.',
    )
    await page.locator('aurion-widget button[aria-label="Back"]').click()
    await ask(page, 'How do I set up multi-factor authentication?')
    await page.locator('aurion-widget button[aria-label="Past conversations"]').click()
    await poll(() => page.locator('aurion-widget .aw-conv').first().innerText()).toMatch(
      /multi-factor/i,
    )
    const stored = await storedMessages(server.db, tenant.tenantId)
    expect(stored.some((m) => m.body === 'How do I set up multi-factor authentication?')).toBe(true)
    await context.close()
  })
})

describe('identify()', () => {
  it('signs the visitor in from the host page; their history follows', async () => {
    const { page, context } = await newTestPage(browser)
    await page.goto(host.origin)
    await launcher(page).waitFor()
    const session = page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/session'))
    await aurion(page, "identify({ email: 'carol@example.com', name: 'Carol' })")
    expect((await session).status()).toBe(200)
    await openPanel(page)
    await ask(page, 'How do I reset my password?')
    await page.locator('aurion-widget button[aria-label="Past conversations"]').click()
    await poll(() => page.locator('aurion-widget .aw-who').innerText()).toContain(
      'carol@example.com',
    )
    await poll(() => page.locator('aurion-widget .aw-conv').count()).toBe(1)
    // Without an email there is nothing to identify: the promise says so.
    expect(
      await page.evaluate(() =>
        (window as unknown as { Aurion: { identify(u: object): Promise<void> } }).Aurion.identify(
          {},
        ).then(
          () => 'resolved',
          (e: Error) => e.message,
        ),
      ),
    ).toContain('identify() needs an email')
    await context.close()
  })
})

describe('the demo page', () => {
  it('embeds the demo tenant’s snippet as a customer would, and its buttons drive window.Aurion', async () => {
    const { page, context, errors } = await newTestPage(browser, {
      viewport: { width: 1280, height: 800 },
    })
    const res = await page.goto(`${server.url}/demo`)
    expect(res?.status()).toBe(200)
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self' 'nonce-")
    await launcher(page).waitFor()
    expect(await page.locator('pre').innerText()).toContain('/api/v1/voice-widget/embed/aurion.js')
    await page.locator('button[data-call="ask"]').click()
    await panel(page).waitFor()
    await poll(() => replies(page).last().getAttribute('data-state'), { timeout: 15_000 }).toBe(
      'done',
    )
    expect((await replies(page).last().innerText()).toLowerCase()).toContain('vpn')
    await settled(page)
    await screenshot(page, 'widget/demo-page')
    expect(await composer(page).isVisible()).toBe(true)
    expect(errors).toEqual([])
    await context.close()
  })
})
