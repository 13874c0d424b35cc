import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { hostPage, startHostSite } from '../support/server.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

/** Waits for a value in the page (up to 10 s: the preview re-renders 150 ms after typing). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000, interval: 100 })

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[] }[]
}

/** axe-core in the page (evaluated through the driver, so the console's CSP stays strict). */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> }
      }
    ).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const found = await seriousViolations(page)
  expect(found, `${what}: ${JSON.stringify(found, null, 2)}`).toEqual([])
}

/**
 * A page signed in with a session from the API. The login's cookie lands in the context's
 * cookie jar, shared by its pages as a browser's tabs share it; later tests reuse it.
 */
async function openSignedIn(
  b: { context: BrowserContext },
  s: ConsoleServer,
  path = '/admin/widget',
): Promise<Page> {
  const jar = await b.context.cookies(s.url)
  if (!jar.some((c) => c.name === 'aurion_session')) {
    const res = await b.context.request.post(`${s.url}/api/v1/auth/login`, {
      data: { email: s.email, password: s.password },
    })
    expect(res.status()).toBe(200)
  }
  const page = await b.context.newPage()
  await page.goto(s.url + path)
  return page
}

/** The preview frame, once the widget inside it has rendered. */
async function previewFrame(page: Page): Promise<Frame> {
  const handle = await page.locator('iframe.preview-frame').elementHandle()
  const frame = await handle!.contentFrame()
  await frame!.locator('aurion-widget .aw-launcher').waitFor()
  return frame!
}

describe.skipIf(!existsChromium())('admin console in Chromium', { timeout: 90_000 }, () => {
  let s: ConsoleServer
  let browser: Browser
  let b: { context: BrowserContext }

  useConsole((c) => ({ s, browser } = c), { widget: true })
  beforeAll(async () => {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 960 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
    })
    b = { context }
  })

  it('signs in with the form (generic error first) into an HttpOnly cookie, signs out, and the session is revoked', async () => {
    const page = await b.context.newPage()
    await page.goto(`${s.url}/admin`)
    await expectAccessible(page, 'sign-in page')
    await page.getByLabel('Email').fill(s.email)
    await page.getByLabel('Password', { exact: true }).fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await poll(() => page.getByRole('alert').first().textContent()).toContain(
      'Invalid email or password',
    )
    await shot(page, 'login-error')
    await signIn(page, s)
    // The session is an HttpOnly, SameSite=Strict cookie: no page script can read it, and
    // nothing about it is in Web Storage.
    const jar = await b.context.cookies(s.url)
    const cookie = jar.find((c) => c.name === 'aurion_session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
    const token = cookie!.value
    expect(token).toMatch(/^ases_/)
    expect(await page.evaluate(() => document.cookie)).toBe('')
    expect(
      await page.evaluate(() => JSON.stringify([{ ...sessionStorage }, { ...localStorage }])),
    ).not.toContain('ases_')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in to Aurion' }).waitFor()
    expect(await b.context.cookies(s.url)).toEqual([])
    const me = await fetch(`${s.url}/api/v1/auth/me`, {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(me.status).toBe(401)
    await page.close()
  })

  it('changes title and colour, sees them in the live preview before saving, saves, and a reload keeps them', async () => {
    const page = await openSignedIn(b, s)
    const frame = await previewFrame(page)
    await poll(() => frame.locator('aurion-widget .aw-title').textContent()).toBe('Support')

    await page.getByLabel('Title').fill('Acme Help Desk')
    await poll(() => frame.locator('aurion-widget .aw-title').textContent()).toBe('Acme Help Desk')

    await page.getByRole('tab', { name: 'Appearance' }).click()
    await page.getByLabel('Primary colour', { exact: true }).fill('#e11d48')
    await poll(() =>
      frame.locator('aurion-widget .aw').evaluate((el) => el.style.getPropertyValue('--aw-p')),
    ).toBe('#e11d48')
    await poll(() => page.getByText('Showing unsaved changes').count()).toBe(1)
    await shot(page, 'widget-preview-unsaved')

    // Not saved yet: the server still has the old title.
    const before = await fetch(`${s.url}/api/v1/voice-widget/config`, {
      headers: { 'X-API-Key': s.tenant.apiKey },
    })
    expect(((await before.json()) as { display_title: string }).display_title).toBe('Support')

    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.getByText('Widget settings saved').waitFor()
    const after = (await (
      await fetch(`${s.url}/api/v1/voice-widget/config`, {
        headers: { 'X-API-Key': s.tenant.apiKey },
      })
    ).json()) as {
      display_title: string
      primary_color: string
    }
    expect(after).toMatchObject({ display_title: 'Acme Help Desk', primary_color: '#e11d48' })

    // A reload keeps the settings, and the tab.
    await page.reload()
    await poll(() => page.getByLabel('Primary colour', { exact: true }).inputValue()).toBe(
      '#e11d48',
    )
    await page.getByRole('tab', { name: 'Content' }).click()
    expect(await page.getByLabel('Title').inputValue()).toBe('Acme Help Desk')
    const reloaded = await previewFrame(page)
    await poll(() => reloaded.locator('aurion-widget .aw-title').textContent()).toBe(
      'Acme Help Desk',
    )
    await page.close()
  })

  it('inline validation: too-long title and a bad colour are flagged and saving is refused', async () => {
    const page = await openSignedIn(b, s)
    await page.getByLabel('Title').fill('x'.repeat(81))
    await page.getByText('At most 80 characters (now 81)').waitFor()
    await page.getByRole('tab', { name: 'Appearance' }).click()
    await page.getByLabel('Accent colour', { exact: true }).fill('#12')
    await page.getByText('Use a hex colour such as #2563eb or #26e').waitFor()
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.getByText('Fix 2 problems before saving').waitFor()
    // The save was refused in the browser and jumped to the first problem's tab.
    expect(await page.getByRole('tab', { name: /Content/ }).getAttribute('aria-selected')).toBe(
      'true',
    )
    await shot(page, 'widget-validation')
    await expectAccessible(page, 'config page with errors')
    await page.getByRole('button', { name: 'Discard' }).click()
    await page.close()
  })

  it('an invalid origin is refused with the reason; a bare domain gets a suggestion; a valid one is normalized and saved', async () => {
    const page = await openSignedIn(b, s, '/admin/widget?tab=security')
    const input = page.getByLabel('Add an origin')
    await input.fill('https://example.com/shop')
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await page.getByText('Origin must not contain a path').waitFor()
    await poll(() =>
      page.getByRole('button', { name: 'Add https://example.com instead' }).count(),
    ).toBe(1)
    await shot(page, 'origins-reject')

    await input.fill('example.org')
    await input.press('Enter')
    await page.getByText(/not a bare domain/).waitFor()
    await page.getByRole('button', { name: 'Add https://example.org instead' }).click()

    await input.fill('HTTPS://Shop.Example.com:443/')
    await input.press('Enter')
    await page.getByText('Added as https://shop.example.com').waitFor()
    const list = page.getByRole('list', { name: 'Allowed origins' })
    await poll(() => list.getByRole('listitem').allTextContents()).toEqual([
      'https://example.org',
      'https://shop.example.com',
    ])
    await expectAccessible(page, 'security tab')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.getByText('Widget settings saved').waitFor()
    const cfg = (await (
      await fetch(`${s.url}/api/v1/voice-widget/config`, {
        headers: { 'X-API-Key': s.tenant.apiKey },
      })
    ).json()) as {
      allowed_origins: string[]
    }
    expect(cfg.allowed_origins).toEqual(['https://example.org', 'https://shop.example.com'])
    await page.close()
  })

  it('copies the snippet into a host page that shows the widget; regenerating the key stops the old snippet', async () => {
    const host = await startHostSite()
    try {
      const page = await openSignedIn(b, s, '/admin/widget?tab=security')
      await page.getByLabel('Add an origin').fill(host.origin)
      await page.getByRole('button', { name: 'Add', exact: true }).click()
      await page.getByRole('button', { name: 'Save changes' }).click()
      await page.getByText('Widget settings saved').waitFor()

      await page.getByRole('tab', { name: 'Install' }).click()
      await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url })
      await page.getByRole('button', { name: 'Copy snippet' }).click()
      await page.getByText('Snippet copied to the clipboard').waitFor()
      const oldSnippet = await page.evaluate(() => navigator.clipboard.readText())
      expect(oldSnippet).toContain(s.tenant.publicKey)
      expect(oldSnippet).toContain(`appId: '${s.tenant.tenantId}'`)
      await shot(page, 'install-tab', true)
      await expectAccessible(page, 'install tab')

      host.setPage(hostPage(oldSnippet))
      const site = await b.context.newPage()
      await site.goto(host.origin)
      await site.locator('aurion-widget .aw-launcher').waitFor()
      await site.locator('aurion-widget .aw-launcher').click()
      await poll(() => site.locator('aurion-widget .aw-title').textContent()).toBe('Acme Help Desk')
      await shot(site, 'host-page-widget')

      await page.getByRole('button', { name: 'Regenerate key' }).click()
      const dialog = page.getByRole('alertdialog', { name: 'Regenerate the public widget key?' })
      await dialog.getByText('stops working immediately').waitFor()
      await dialog
        .getByText('Every site that embeds the current snippet stops showing the widget.')
        .waitFor()
      await shot(page, 'regenerate-confirm')
      await expectAccessible(page, 'regenerate dialog')
      await dialog.getByRole('button', { name: 'Regenerate key' }).click()
      await page.getByText('New public key issued').waitFor()
      const newKey = await page.getByTestId('public-key').textContent()
      expect(newKey).toMatch(/^vwk_/)
      expect(newKey).not.toBe(s.tenant.publicKey)

      // The old snippet no longer shows the widget, and says why in the console.
      const warned = site.waitForEvent('console', {
        predicate: (m) => m.text().includes('Widget not shown'),
      })
      await site.reload()
      await warned
      expect(await site.locator('aurion-widget').count()).toBe(0)

      await page.getByRole('button', { name: 'Copy snippet' }).click()
      const newSnippet = await page.evaluate(() => navigator.clipboard.readText())
      expect(newSnippet).toContain(newKey!)
      host.setPage(hostPage(newSnippet))
      await site.reload()
      await site.locator('aurion-widget .aw-launcher').waitFor()
      await site.close()
      await page.close()
    } finally {
      await host.close()
    }
  })

  it('creates an API key with chosen scopes (shown once) that works, then revokes it', async () => {
    const page = await openSignedIn(b, s, '/admin/api-keys')
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Create API key' }).first().click()
    const dialog = page.getByRole('dialog', { name: 'Create an API key' })
    await dialog.getByRole('button', { name: 'Create key' }).click()
    await dialog.getByText('Give the key a name').waitFor()
    await dialog.getByLabel('Name').fill('CRM sync')
    await dialog.getByRole('checkbox', { name: /config:read/ }).uncheck()
    await dialog.getByRole('checkbox', { name: /knowledge:read/ }).check()
    await expectAccessible(page, 'create key dialog')
    await shot(page, 'api-key-create')
    await dialog.getByRole('button', { name: 'Create key' }).click()

    const shown = page.getByRole('dialog', { name: 'Copy your new API key' })
    await shown.getByText('only time the key is shown').waitFor()
    const key = (await shown.getByTestId('new-api-key').textContent())!
    expect(key).toMatch(/^itsm_sk_live_[0-9A-Za-z]{40}$/)
    await shot(page, 'api-key-shown-once')
    await shown.getByRole('button', { name: 'I have stored it' }).click()

    const row = page.locator('tr', { hasText: 'CRM sync' })
    await poll(() => row.textContent()).toContain(`${key.slice(0, 17)}…`)
    expect(await row.textContent()).toContain('knowledge:read')
    expect(await row.textContent()).not.toContain('config:read')
    expect(await row.textContent()).toContain('Never')
    // The key is not in the page any more: shown once.
    expect(await page.content()).not.toContain(key)

    const ok = await fetch(`${s.url}/api/v1/knowledge/articles`, { headers: { 'X-API-Key': key } })
    expect(ok.status).toBe(200)
    const denied = await fetch(`${s.url}/api/v1/voice-widget/config`, {
      headers: { 'X-API-Key': key },
    })
    expect(denied.status).toBe(403)

    await page.reload()
    await poll(() => page.locator('tr', { hasText: 'CRM sync' }).textContent()).not.toContain(
      'Never',
    )
    await shot(page, 'api-keys')
    await expectAccessible(page, 'API keys page')

    await page.getByRole('button', { name: 'Revoke CRM sync' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Revoke “CRM sync”?' })
    await confirm.getByText('fail with 401').waitFor()
    await confirm.getByRole('button', { name: 'Revoke key' }).click()
    await page.getByText('CRM sync revoked').waitFor()
    const gone = await fetch(`${s.url}/api/v1/knowledge/articles`, {
      headers: { 'X-API-Key': key },
    })
    expect(gone.status).toBe(401)
    await page.getByLabel(/Show 1 revoked/).check()
    await poll(() => page.locator('tr', { hasText: 'CRM sync' }).textContent()).toContain('Revoked')
    await page.close()
  })

  it('adds an article, "try a question" picks it, and the widget on a host page answers from it', async () => {
    const page = await openSignedIn(b, s, '/admin/knowledge')
    await page.getByRole('heading', { name: 'Knowledge', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'New article' }).click()
    const editor = page.getByRole('dialog', { name: 'New article' })
    await editor.getByLabel('Title').fill('Book a meeting room')
    await editor
      .getByLabel('Body')
      .fill(
        '## Booking a room\n1. Open the Roomly app on your phone.\n2. Tap "Find a room" and pick the floor.\n3. Rooms booked in Roomly show a green light at the door.',
      )
    await editor.getByLabel('Tags').fill('roomly, meeting room,')
    await expectAccessible(page, 'article editor')
    await shot(page, 'knowledge-editor')
    await editor.getByRole('button', { name: 'Publish article' }).click()
    await page.getByText('“Book a meeting room” published').waitFor()
    await page.getByRole('button', { name: 'Book a meeting room' }).first().waitFor()

    await page.getByLabel('Question', { exact: true }).fill('How do I book a meeting room?')
    await page.getByRole('button', { name: 'Ask' }).click()
    await poll(() => page.locator('.try-summary').textContent()).toBe(
      'The assistant would answer from Book a meeting room.',
    )
    expect(await page.locator('.hit-best .hit-title').textContent()).toBe('Book a meeting room')
    await shot(page, 'knowledge')
    await expectAccessible(page, 'knowledge page')

    const host = await startHostSite()
    let widgetKey = ''
    try {
      const cfgRes = await fetch(`${s.url}/api/v1/voice-widget/config`, {
        headers: { 'X-API-Key': s.tenant.apiKey },
      })
      const cfg = (await cfgRes.json()) as {
        allowed_origins: string[]
        embed_snippet: string
        display_title: string
        launcher_label: string
        enabled: boolean
        public_widget_key: string
      }
      await fetch(`${s.url}/api/v1/voice-widget/config`, {
        method: 'PUT',
        headers: { 'X-API-Key': s.tenant.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          enabled: true,
          display_title: cfg.display_title,
          launcher_label: cfg.launcher_label,
          allowed_origins: [...cfg.allowed_origins, host.origin],
        }),
      })
      host.setPage(hostPage(cfg.embed_snippet))
      const site = await b.context.newPage()
      await site.goto(host.origin)
      await site.locator('aurion-widget .aw-launcher').click()
      const box = site.getByRole('textbox', { name: 'Write a message…' })
      await box.fill('How do I book a meeting room?')
      await box.press('Enter')
      await poll(() => site.locator('aurion-widget .aw-panel').textContent()).toContain('Roomly')
      await shot(site, 'host-page-answer')
      await site.close()
      widgetKey = cfg.public_widget_key
    } finally {
      await host.close()
    }

    // The visitor's question and the answer are in Conversations.
    await page.getByRole('link', { name: 'Conversations' }).click()
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor()
    await poll(() => page.locator('.thread').textContent()).toContain(
      'How do I book a meeting room?',
    )
    expect(await page.locator('.thread').textContent()).toContain('Roomly')
    await shot(page, 'conversations')
    await expectAccessible(page, 'conversations page')
    // Someone types another person's email: the console shows it as an unverified claim.
    const claim = await fetch(`${s.url}/api/v1/widget/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: host.origin },
      body: JSON.stringify({
        tenant_id: s.tenant.tenantId,
        public_key: widgetKey,
        body: 'Please send my invoices to my new address',
        sender_email: 'ceo@example.com',
      }),
    })
    expect(claim.status).toBe(200)
    await page.reload()
    const claimed = page.locator('.conv-item', { hasText: 'ceo@example.com' })
    await claimed.waitFor()
    expect(await claimed.locator('.badge', { hasText: 'unverified' }).count()).toBe(1)
    await claimed.click()
    await poll(() => page.locator('.conv-head').textContent()).toContain('unverified')
    await shot(page, 'conversations-unverified-email')
    await page.close()
  })

  it('a server 422 lands next to its field; logo upload checks the file and shows it in the preview', async () => {
    const page = await openSignedIn(b, s)
    // The browser checks everything the server checks; a 422 the browser did not foresee (a
    // newer server) must still point at the right field.
    await page.route('**/api/v1/voice-widget/config', async (route) => {
      if (route.request().method() !== 'PUT') return route.fallback()
      await route.fulfill({
        status: 422,
        contentType: 'application/json',
        body: JSON.stringify({
          detail: [
            {
              type: 'value_error',
              loc: ['body', 'launcher_label'],
              msg: 'Launcher label is reserved',
            },
          ],
        }),
      })
    })
    await page.getByLabel('Launcher label').fill('Ask us')
    await page.getByRole('button', { name: 'Save changes' }).click()
    const field = page.locator('.field', { has: page.getByLabel('Launcher label') })
    await poll(() => field.locator('.field-error').textContent()).toBe('Launcher label is reserved')
    expect(await page.getByLabel('Launcher label').getAttribute('aria-invalid')).toBe('true')
    await page.unroute('**/api/v1/voice-widget/config')
    // Editing the field clears the server's complaint.
    await page.getByLabel('Launcher label').fill('Ask us anything')
    await poll(() => field.locator('.field-error').count()).toBe(0)
    await page.getByRole('button', { name: 'Discard' }).click()

    await page.getByRole('tab', { name: 'Appearance' }).click()
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'evil.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) })
    await page
      .getByText('The image SVG must not contain active content (event handler attribute)')
      .waitFor()
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAIklEQVR42mNk+M9Qz0AEYBxVSF+FDP8ZGBgYGRkZGBgYGAAAgbYFAZ1Tf+IAAAAASUVORK5CYII=',
      'base64',
    )
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png })
    await page.getByRole('img', { name: 'Current logo' }).waitFor()
    const frame = await previewFrame(page)
    await poll(() => frame.locator('aurion-widget .aw-logo img').getAttribute('src')).toMatch(
      /^data:image\/png;base64,iVBOR/,
    )
    await page.getByRole('button', { name: 'Discard' }).click()
    await page.close()
  })

  it('is keyboard operable: sign-in with Tab and Enter, tabs with arrow keys, Escape closes dialogs', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${s.url}/admin`)
    // The email field has the focus on arrival.
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login-email')
    await page.keyboard.type(s.email)
    await page.keyboard.press('Tab')
    await page.keyboard.type(s.password)
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor()
    await page.getByRole('link', { name: 'Voice Widget' }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Voice Widget', level: 1 }).waitFor()
    await page.getByRole('tab', { name: 'Content' }).focus()
    await page.keyboard.press('ArrowRight')
    await poll(() =>
      page.getByRole('tab', { name: 'Appearance' }).getAttribute('aria-selected'),
    ).toBe('true')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Appearance')
    await page.getByRole('link', { name: 'API keys' }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Create API key' }).first().focus()
    await page.keyboard.press('Enter')
    await page.getByRole('dialog', { name: 'Create an API key' }).waitFor()
    await page.keyboard.press('Escape')
    await poll(() => page.getByRole('dialog', { name: 'Create an API key' }).count()).toBe(0)
    // A narrow window gets the stacked layout.
    await page.setViewportSize({ width: 760, height: 1000 })
    await page.getByRole('link', { name: 'Voice Widget' }).click()
    await page.getByRole('heading', { name: 'Voice Widget', level: 1 }).waitFor()
    await shot(page, 'narrow-widget', true)
    await context.close()
  })

  it('typing with pauses keeps the focus in the field while the preview re-renders', async () => {
    const page = await openSignedIn(b, s)
    const frame = await previewFrame(page)
    const title = page.getByLabel('Title')
    await title.click()
    await title.press('ControlOrMeta+a')
    await page.keyboard.type('Slow')
    // A pause: the preview re-renders the open widget, which focuses its composer.
    await poll(() => frame.locator('aurion-widget .aw-title').textContent()).toBe('Slow')
    await page.keyboard.type(' typist')
    expect(await title.inputValue()).toBe('Slow typist')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      await title.getAttribute('id'),
    )
    await poll(() => frame.locator('aurion-widget .aw-title').textContent()).toBe('Slow typist')
    page.once('dialog', (d) => void d.accept())
    await page.close({ runBeforeUnload: false })
  })

  it('warns before leaving unsaved changes', async () => {
    const page = await openSignedIn(b, s)
    await page.getByLabel('Title').fill('Unsaved title')
    page.once('dialog', (d) => void d.dismiss())
    await page.getByRole('link', { name: 'Knowledge' }).click()
    expect(new URL(page.url()).pathname).toBe('/admin/widget')
    expect(await page.getByLabel('Title').inputValue()).toBe('Unsaved title')
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('link', { name: 'Knowledge' }).click()
    await page.getByRole('heading', { name: 'Knowledge', level: 1 }).waitFor()
    await page.close()
  })

  it('the other settings tabs pass axe and look right; the preview sends no messages', async () => {
    const page = await openSignedIn(b, s)
    const preview = await previewFrame(page)
    const count = async () =>
      (
        (await (
          await fetch(`${s.url}/api/v1/conversations`, {
            headers: { 'X-API-Key': s.tenant.apiKey },
          })
        ).json()) as { total: number }
      ).total
    const before = await count()
    const box = preview.getByRole('textbox', { name: 'Write a message…' })
    await box.fill('Is this sent anywhere?')
    await box.press('Enter')
    await poll(() => preview.locator('aurion-widget .aw-panel').textContent()).toContain(
      'This is a preview: messages are not sent.',
    )
    expect(await count()).toBe(before)
    await shot(page, 'widget-content')
    await expectAccessible(page, 'content tab')
    for (const [tab, name] of [
      ['Appearance', 'widget-appearance'],
      ['Languages', 'widget-languages'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click()
      if (tab === 'Languages') {
        await page.getByLabel('Add a language').fill('de')
        await page.getByRole('button', { name: 'Add language' }).click()
        await page.getByRole('region', { name: 'German (de)' }).getByLabel('Title').fill('Hilfe')
        const frame = await previewFrame(page)
        await poll(() => frame.locator('aurion-widget .aw-title').textContent()).toBe('Hilfe')
      }
      await shot(page, name)
      await expectAccessible(page, `${tab} tab`)
    }
    await page.getByRole('button', { name: 'Discard' }).click()
    await page.close()
  })

  it('shows the identity secret only once, right after issuing it', async () => {
    const secretOf = async () =>
      (
        await s.server.db
          .selectFrom('tenants')
          .select('identity_secret')
          .where('id', '=', s.tenant.tenantId)
          .executeTakeFirstOrThrow()
      ).identity_secret
    const page = await openSignedIn(b, s)
    await page.getByRole('tab', { name: 'Access & security' }).click()
    const section = page.getByRole('region', { name: 'Visitor identity' })
    await section.getByText('Hidden. It is shown once, when it is issued.').waitFor()
    await shot(page, 'identity-secret-hidden')
    expect(await page.content()).not.toContain(await secretOf())
    await section.getByRole('button', { name: 'Issue new secret' }).click()
    await page.getByRole('button', { name: 'Rotate secret' }).click()
    const shown = section.getByTestId('identity-secret')
    await shown.waitFor()
    const issued = (await shown.textContent())?.trim()
    expect(issued).toMatch(/^[0-9a-f]{64}$/)
    expect(issued).toBe(await secretOf())
    await section.getByText('it will not be shown again').waitFor()
    await shot(page, 'identity-secret-issued')
    await expectAccessible(page, 'security tab with an issued secret')
    await page.reload()
    await page.getByRole('tab', { name: 'Access & security' }).click()
    await section.getByText('Hidden. It is shown once, when it is issued.').waitFor()
    expect(await page.content()).not.toContain(issued)
    await page.close()
  })
})

function existsChromium(): boolean {
  return existsSync(CHROMIUM_PATH)
}
