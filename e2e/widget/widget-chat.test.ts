import type { Browser } from 'playwright-core'
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
  composer,
  launcher,
  openPanel,
  PNG_1X1,
  panel,
  poll,
  replies,
  settled,
  storedMessages,
  visitorRows,
} from './helpers.ts'

let server: RunningServer
let host: HostSite
let browser: Browser
let tenant: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  ;[server, host, browser] = await Promise.all([startServer(), startHostSite(), launchBrowser()])
  tenant = await server.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
    welcome_text: 'Hi there! Ask me anything about your account.',
  })
  await server.seedArticles(tenant)
  host.setPage(hostPage(tenant.snippet))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await server?.close()
})

describe('the widget on a customer page (another origin than the API)', () => {
  it('is the contract snippet, verbatim: launcher at once, title and welcome when opened', async () => {
    // The admin API hands out the contract's inline bootstrap, filled in; the page pastes it.
    expect(tenant.snippet).toMatch(
      new RegExp(
        [
          String.raw`<script>\s*\(function \(\) \{\s*window\.AurionSettings = \{`,
          `\\s*appId: '${tenant.tenantId}',\\s*`,
          `publicKey: '${tenant.publicKey}',\\s*`,
          `apiBaseUrl: '${server.url}',\\s*\\}\\s*`,
          String.raw`var s = document\.createElement\('script'\)\s*`,
          `s\\.src = '${server.url}/api/v1/voice-widget/embed/aurion\\.js'\\s*`,
          String.raw`s\.async = true\s*document\.head\.appendChild\(s\)\s*\}\)\(\)\s*</script>`,
        ].join(''),
      ),
    )
    const { page, errors, context } = await newTestPage(browser, {
      viewport: { width: 1280, height: 800 },
    })
    // The chat chunk is held back until the launcher shows: the launcher must not need it.
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    let chunkRequested = false
    await page.route(/\/embed\/chat-[\w-]+\.js$/, async (route) => {
      chunkRequested = true
      await held
      await route.continue()
    })
    const loader = page.waitForResponse(/\/embed\/aurion\.js$/)
    const chunk = page.waitForResponse(/\/embed\/chat-[\w-]+\.js$/)
    await page.goto(host.origin)
    await launcher(page).waitFor()
    release()
    const loaderHeaders = (await loader).headers()
    expect(loaderHeaders['cache-control']).toBe('public, max-age=300')
    expect(loaderHeaders.etag).toMatch(/^".+"$/)
    expect(await launcher(page).getAttribute('aria-label')).toBe('Chat with us')
    await settled(page)
    const box = (await launcher(page).boundingBox())!
    // Bottom-right, 20 px from the edges (sub-pixel layout: ±1.5 px).
    expect(Math.abs(1280 - (box.x + box.width) - 20)).toBeLessThanOrEqual(1.5)
    expect(Math.abs(800 - (box.y + box.height) - 20)).toBeLessThanOrEqual(1.5)
    await openPanel(page)
    expect(chunkRequested).toBe(true)
    expect((await chunk).headers()['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(await panel(page).getAttribute('role')).toBe('dialog')
    expect(await panel(page).getAttribute('aria-label')).toBe('Acme Support')
    expect(await page.locator('aurion-widget .aw-title').innerText()).toBe('Acme Support')
    await poll(() => page.locator('aurion-widget .aw-list .aw-row').first().innerText()).toContain(
      'Hi there! Ask me anything about your account.',
    )
    // Keyboard focus goes into the panel, ready to type.
    await poll(() =>
      page.evaluate(
        () => document.querySelector('aurion-widget')?.shadowRoot?.activeElement?.tagName,
      ),
    ).toBe('TEXTAREA')
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('true')
    await screenshot(page, 'widget/desktop-light-open')
    expect(errors).toEqual([])
    await context.close()
  })

  it('streams the built-in agent’s reply into the panel as it arrives', async () => {
    const { page, context, errors } = await newTestPage(browser)
    await page.goto(host.origin)
    await openPanel(page)
    // Record the reply bubble's text length at every DOM change: streaming shows growth.
    await page.evaluate(() => {
      const root = document.querySelector('aurion-widget')!.shadowRoot!
      const seen: { state: string; len: number }[] = []
      ;(window as unknown as { __seen: typeof seen }).__seen = seen
      new MutationObserver(() => {
        const rows = root.querySelectorAll<HTMLElement>(
          '.aw-row[data-role="assistant"][data-state]',
        )
        const last = rows[rows.length - 1]
        if (last) seen.push({ state: last.dataset.state ?? '', len: last.textContent?.length ?? 0 })
      }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true })
    })
    const reply = await ask(page, 'How do I reset my password?')
    expect(reply.toLowerCase()).toContain('password')
    const seen = await page.evaluate(
      () => (window as unknown as { __seen: { state: string; len: number }[] }).__seen,
    )
    const streamingLengths = [
      ...new Set(seen.filter((s) => s.state === 'streaming').map((s) => s.len)),
    ]
    expect(streamingLengths.length).toBeGreaterThan(1)
    expect(seen.at(-1)?.state).toBe('done')

    const stored = await storedMessages(server.db, tenant.tenantId)
    const mine = stored.filter((m) => m.body === 'How do I reset my password?')
    expect(mine).toHaveLength(1)
    const answer = stored.find(
      (m) => m.sender_type === 'ai' && m.conversation_id === mine[0]!.conversation_id,
    )
    expect(answer?.body.toLowerCase()).toContain('password')
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('attachments', () => {
  it('uploads a picked file with progress, attaches it to the message, and downloads it back', async () => {
    const { page, context, errors } = await newTestPage(browser)
    await page.goto(host.origin)
    await openPanel(page)
    const upload = page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/uploads'))
    await page.locator('aurion-widget .aw-compose input[type="file"]').setInputFiles({
      name: 'error-screenshot.png',
      mimeType: 'image/png',
      buffer: PNG_1X1,
    })
    expect((await upload).status()).toBe(201)
    const chip = page.locator('aurion-widget .aw-compose .aw-file')
    await poll(() => chip.innerText()).toContain('error-screenshot.png')
    await poll(() => chip.locator('[role="progressbar"]').count()).toBe(0)
    await composer(page).fill('The VPN shows this error')
    await composer(page).press('Enter')
    const sent = visitorRows(page).last()
    await poll(() => sent.locator('.aw-file').innerText()).toContain('error-screenshot.png')
    await poll(() => sent.getAttribute('data-state')).toBe('sent')

    const row = await server.db
      .selectFrom('uploads')
      .innerJoin('messages', 'messages.id', 'uploads.message_id')
      .select(['uploads.file_name', 'uploads.size_bytes', 'messages.body'])
      .where('uploads.tenant_id', '=', tenant.tenantId)
      .executeTakeFirst()
    expect(row).toEqual({
      file_name: 'error-screenshot.png',
      size_bytes: PNG_1X1.length,
      body: 'The VPN shows this error',
    })

    const download = page.waitForEvent('download')
    await sent.locator('.aw-file').click()
    expect((await download).suggestedFilename()).toBe('error-screenshot.png')
    expect(errors).toEqual([])
    await context.close()
  })

  it('checks type and size before sending a byte; takes files by drag and drop and paste', async () => {
    const { page, context } = await newTestPage(browser)
    const uploads: string[] = []
    page.on('request', (r) => {
      if (r.url().endsWith('/api/v1/widget/uploads')) uploads.push(r.url())
    })
    await page.goto(host.origin)
    await openPanel(page)
    const input = page.locator('aurion-widget .aw-compose input[type="file"]')
    const error = page.locator('aurion-widget .aw-compose .aw-err')
    // Made in the page: 10 MB through the test driver would only slow the test down.
    await input.evaluate((el: HTMLInputElement) => {
      const dt = new DataTransfer()
      dt.items.add(
        new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'huge.txt', { type: 'text/plain' }),
      )
      el.files = dt.files
      el.dispatchEvent(new Event('change', { bubbles: true }))
    })
    await poll(() => error.innerText()).toBe('huge.txt is larger than 10 MB.')
    await input.setInputFiles({
      name: 'setup.exe',
      mimeType: 'application/x-msdownload',
      buffer: Buffer.from('MZ'),
    })
    await poll(() => error.innerText()).toBe(
      'setup.exe: only images, PDFs and text files can be attached.',
    )
    expect(uploads).toEqual([])

    // Drag and drop onto the conversation, then paste into the message box.
    await page.evaluate(() => {
      const root = document.querySelector('aurion-widget')!.shadowRoot!
      const dt = new DataTransfer()
      dt.items.add(new File(['dropped notes'], 'notes.txt', { type: 'text/plain' }))
      const body = root.querySelector('.aw-body')!
      body.dispatchEvent(
        new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }),
      )
      body.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      )
      const pasted = new DataTransfer()
      pasted.items.add(new File(['%PDF-1.4\n%%EOF\n'], 'invoice.pdf', { type: 'application/pdf' }))
      root
        .querySelector('textarea')!
        .dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }),
        )
    })
    const chips = page.locator('aurion-widget .aw-compose .aw-file')
    await poll(async () =>
      (await chips.allInnerTexts()).map((t) => t.split('\n')[0]).sort(),
    ).toEqual(['invoice.pdf', 'notes.txt'])
    await poll(() => uploads.length).toBe(2)
    await context.close()
  })
})

describe('one conversation, exactly once', () => {
  it('keeps the conversation across a reload and continues it', async () => {
    const { page, context, errors } = await newTestPage(browser)
    await page.goto(host.origin)
    await openPanel(page)
    await ask(page, 'How do I connect to the VPN?')
    await page.reload()
    await openPanel(page)
    await poll(() => visitorRows(page).allInnerTexts()).toEqual([
      expect.stringContaining('How do I connect to the VPN?'),
    ])
    expect(await replies(page).count()).toBe(1)
    await ask(page, 'It still does not connect')
    const stored = await storedMessages(server.db, tenant.tenantId)
    const first = stored.find((m) => m.body === 'How do I connect to the VPN?')!
    const second = stored.find((m) => m.body === 'It still does not connect')!
    expect(second.conversation_id).toBe(first.conversation_id)
    expect(second.thread_id).toBe(first.thread_id)
    expect(errors).toEqual([])
    await context.close()
  })

  it('resends after the connection drops mid-reply with the same source_message_id: stored once', async () => {
    const { page, context } = await newTestPage(browser)
    const sent: { body: string; source_message_id: string }[] = []
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => {
        const frame = JSON.parse(String(f.payload))
        if (frame.body) sent.push(frame)
      })
    })
    // The server's side of the first socket dies right after it acknowledged the message:
    // the reply is produced and stored, but never reaches this page over that socket.
    let dropped = false
    const cut = (ws: import('ws').WebSocket) => {
      const send = ws.send.bind(ws) as (data: string) => void
      ws.send = ((data: string) => {
        send(data)
        if (!dropped && JSON.parse(data).type === 'ack') {
          dropped = true
          ws.terminate()
        }
      }) as typeof ws.send
    }
    server.app.websocketServer.on('connection', cut)
    await page.goto(host.origin)
    await openPanel(page)
    const text = 'My printer is offline, what can I do?'
    await composer(page).fill(text)
    await composer(page).press('Enter')
    await poll(() => replies(page).last().getAttribute('data-state'), { timeout: 15_000 }).toBe(
      'done',
    )
    const attempts = sent.filter((f) => f.body === text)
    expect(attempts.length).toBeGreaterThanOrEqual(2)
    expect(new Set(attempts.map((f) => f.source_message_id)).size).toBe(1)
    const stored = (await storedMessages(server.db, tenant.tenantId)).filter((m) => m.body === text)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.source_message_id).toBe(attempts[0]!.source_message_id)
    expect(await visitorRows(page).count()).toBe(1)
    expect(await replies(page).count()).toBe(1)
    server.app.websocketServer.off('connection', cut)
    await context.close()
  })

  it('falls back to REST when the page’s CSP forbids the WebSocket', async () => {
    host.setPage(hostPage(tenant.snippet), '/strict')
    host.setHeaders('/strict', {
      // HTTP calls to the API are allowed, the WebSocket path is not.
      'Content-Security-Policy': [
        "default-src 'self'",
        `script-src 'unsafe-inline' ${server.url}`,
        "style-src 'unsafe-inline'",
        `connect-src ${server.url}/api/v1/voice-widget/ ${server.url}/api/v1/widget/messages ${server.url}/api/v1/widget/uploads`,
        'img-src data:',
      ].join('; '),
    })
    const { page, context } = await newTestPage(browser)
    const rest = page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/messages'))
    await page.goto(`${host.origin}/strict`)
    await openPanel(page)
    await composer(page).fill('How do I reset my password?')
    await composer(page).press('Enter')
    expect((await rest).status()).toBe(200)
    await poll(() => replies(page).last().getAttribute('data-state')).toBe('done')
    expect((await replies(page).last().innerText()).toLowerCase()).toContain('password')
    await context.close()
  })
})

describe('safe rendering of untrusted text', () => {
  it('shows markup as text, runs no script, and only links http(s)/mailto with noopener', async () => {
    const { page, context, errors } = await newTestPage(browser)
    await page.goto(host.origin)
    await openPanel(page)
    const attack =
      '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [click](javascript:window.__xss=3) [docs](https://help.example.com/vpn) **bold**'
    await composer(page).fill(attack)
    await composer(page).press('Enter')
    const bubble = visitorRows(page).last().locator('.aw-bub')
    await poll(() => bubble.innerText()).toContain('<img src=x onerror="window.__xss=1">')
    expect(await bubble.innerText()).toContain('<script>window.__xss=2</script>')
    expect(await bubble.innerText()).toContain('[click](javascript:window.__xss=3)')
    expect(
      await page.locator('aurion-widget .aw-panel img:not(.aw-logo img):not(.aw-av img)').count(),
    ).toBe(0)
    expect(await page.locator('aurion-widget script').count()).toBe(0)
    const links = await bubble.locator('a').evaluateAll((as) =>
      as.map((a) => ({
        href: a.getAttribute('href'),
        rel: a.getAttribute('rel'),
        target: a.getAttribute('target'),
      })),
    )
    expect(links).toEqual([
      { href: 'https://help.example.com/vpn', rel: 'noopener noreferrer', target: '_blank' },
    ])
    expect(await bubble.locator('strong').innerText()).toBe('bold')
    // The reply (and a reload, rendering from storage) stay inert too.
    await poll(() => replies(page).last().getAttribute('data-state'), { timeout: 15_000 }).toBe(
      'done',
    )
    await page.reload()
    await openPanel(page)
    await poll(() => visitorRows(page).last().innerText()).toContain(
      '<script>window.__xss=2</script>',
    )
    expect(
      await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
    ).toBeUndefined()
    expect(errors).toEqual([])
    await context.close()
  })
})
