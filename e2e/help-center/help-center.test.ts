import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchBrowser, newTestPage, screenshot } from '../support/browser.ts'
import { type RunningServer, startServer, type WidgetTenant } from '../support/server.ts'
import { startTlsFront, type TlsFront } from '../support/tls-front.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import { ask, launcher, openPanel, poll } from '../widget/helpers.ts'

const DOMAIN = 'help.aurion.test'
const PUBLIC = 'support.aurion.test'
const SITE = `https://acme.${DOMAIN}`
/** Each payload sets a flag if it ever runs. */
const XSS = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><svg onload="window.__pwned=3">`

let server: RunningServer
let front: TlsFront
let browser: Browser
let tenant: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  server = await startServer({
    env: { AURION_PUBLIC_URL: `https://${PUBLIC}`, AURION_HELP_CENTER_DOMAIN: DOMAIN },
  })
  // The widget is on, but no origin is configured: the Help Center's own host must be enough.
  tenant = await server.createTenant({ allowed_origins: [], display_title: 'Acme Support' })
  front = await startTlsFront([`*.${DOMAIN}`, PUBLIC], server.port)
  // Every *.aurion.test name on port 443 reaches the TLS front on loopback.
  browser = await launchBrowser({
    args: [`--host-resolver-rules=MAP *.aurion.test:443 127.0.0.1:${front.port}`],
  })
  const api = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300)
  }
  await api('PUT', '/api/v1/help-center', {
    enabled: true,
    slug: 'acme',
    title: 'Acme Help',
    description: 'Guides for Acme espresso machines.',
  })
  await api('POST', '/api/v1/knowledge/articles', {
    title: 'Descale the espresso machine',
    category: 'Maintenance',
    body: 'Descale the boiler every 200 cups with citric acid.\n## Steps\n1. Fill the tank with the solution.\n2. Run it through the steam wand.\n## Afterwards\nRinse twice with clean water.',
  })
  await api('POST', '/api/v1/knowledge/articles', {
    title: `Unsafe ${XSS}`,
    slug: 'unsafe',
    category: `<script>window.__pwned=6</script>`,
    body: `Body ${XSS}\n## Heading ${XSS}\n[click me](javascript:window.__pwned=4) ![pic](javascript:window.__pwned=5)`,
  })
  await api('POST', '/api/v1/knowledge/articles', {
    title: 'Unreleased grinder',
    slug: 'grinder-draft',
    status: 'draft',
    body: 'The grinder of next year.',
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await front?.close()
  await server?.close()
})

it('renders the Help Center on its own host: categories, search, an article with its contents; drafts hidden', async () => {
  const { page, errors, context } = await newTestPage(browser, { ignoreHTTPSErrors: true })
  try {
    const res = await page.goto(SITE)
    expect(res?.status()).toBe(200)
    expect(await page.title()).toContain('Acme Help')
    await expect(page.locator('h2', { hasText: 'Maintenance' }).count()).resolves.toBe(1)
    expect(await page.content()).not.toContain('Unreleased grinder')
    await page.locator('input[type="search"]').fill('citric acid')
    await page.locator('input[type="search"]').press('Enter')
    await page.waitForURL(/\/search\?q=/)
    expect(new URL(page.url()).origin).toBe(SITE)
    await page.getByRole('link', { name: 'Descale the espresso machine' }).first().click()
    await page.waitForURL(`${SITE}/articles/descale-the-espresso-machine`)
    await expect(page.locator('h1').innerText()).resolves.toBe('Descale the espresso machine')
    await expect(page.locator('a[href="#afterwards"]').count()).resolves.toBeGreaterThan(0)
    expect((await page.goto(`${SITE}/articles/grinder-draft`))?.status()).toBe(404)
    expect(errors).toEqual([])
  } finally {
    await context.close()
  }
})

it('shows a hostile article as text: no script, handler or javascript: link ever runs', async () => {
  const { page, errors, context } = await newTestPage(browser, { ignoreHTTPSErrors: true })
  const dialogs: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  try {
    expect((await page.goto(`${SITE}/articles/unsafe`))?.status()).toBe(200)
    await expect(page.locator('h1').innerText()).resolves.toBe(`Unsafe ${XSS}`)
    const article = page.locator('main')
    await expect(article.innerText()).resolves.toContain(`Body ${XSS}`)
    expect(await page.locator('main script, main img[onerror], main svg').count()).toBe(0)
    const hrefs = await page
      .locator('a[href], img[src]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? e.getAttribute('src') ?? ''))
    expect(hrefs.filter((h) => /^\s*javascript:/i.test(h))).toEqual([])
    // Clicking the link text that was a javascript: URL does nothing.
    const click = page.locator('main', { hasText: 'click me' }).getByText('click me')
    if ((await click.count()) > 0) await click.first().click()
    for (const url of [SITE, `${SITE}/search?q=${encodeURIComponent(XSS)}`]) {
      await page.goto(url)
      await expect(page.locator('body').innerText()).resolves.toContain(XSS.slice(0, 20))
    }
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(dialogs).toEqual([])
    expect(errors).toEqual([])
  } finally {
    await context.close()
  }
})

it('the tenant’s widget answers on the Help Center host with no allowed origin configured', async () => {
  const { page, context } = await newTestPage(browser, {
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
  })
  try {
    await page.goto(`${SITE}/articles/descale-the-espresso-machine`)
    await launcher(page).waitFor({ timeout: 15_000 })
    await openPanel(page)
    const reply = await ask(page, 'How do I descale the espresso machine?')
    expect(reply).toMatch(/citric acid|200 cups/)
    await screenshot(page, 'help-center/desktop-light-widget')
  } finally {
    await context.close()
  }
})

it('looks right on a phone and in dark mode', async () => {
  for (const [name, opts] of [
    ['desktop-dark', { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' }],
    ['phone-light', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
    [
      'phone-dark',
      {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        colorScheme: 'dark',
      },
    ],
  ] as const) {
    const { page, context } = await newTestPage(browser, { ignoreHTTPSErrors: true, ...opts })
    try {
      await page.goto(`${SITE}/articles/descale-the-espresso-machine`)
      await poll(() => launcher(page).isVisible()).toBe(true)
      await screenshot(page, `help-center/${name}`)
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      )
      expect(overflow, name).toBeLessThanOrEqual(0)
    } finally {
      await context.close()
    }
  }
})
