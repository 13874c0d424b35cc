import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newTestPage, screenshot, type TestPage } from '../support/browser.ts'
import {
  type HostSite,
  hostPage,
  type RunningServer,
  startHostSite,
  startServer,
  type WidgetTenant,
} from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import { ask, composer, launcher, openPanel, panel, poll, replies, settled } from './helpers.ts'

/**
 * The widget on a page with a strict Content-Security-Policy: `default-src 'none'`, the page's
 * own inline style by hash, and exactly the sources docs/embedding.md lists in the fenced block
 * after its `csp-directives` marker (so the documentation is what is tested). No violation may be
 * reported; each listed source is shown to be needed by dropping it.
 */

const EMBEDDING_DOC = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'docs',
  'embedding.md',
)

/** The placeholders the documented list uses, and what stands for them here. */
const PLACEHOLDER = {
  server: 'https://support.example.com',
  serverWs: 'wss://support.example.com',
  livekit: 'https://livekit.example.com',
  livekitWs: 'wss://livekit.example.com',
  snippetHash: "'sha256-<hash-of-your-snippet>'",
} as const

type Directives = [directive: string, sources: string[]][]

/** The directives in the fenced block that follows the `csp-directives` marker of docs/embedding.md. */
function documentedDirectives(): Directives {
  const doc = readFileSync(EMBEDDING_DOC, 'utf8')
  const block = /<!-- csp-directives\b[^>]*-->\s*```text\n([\s\S]*?)```/.exec(doc)?.[1]
  if (!block) throw new Error('docs/embedding.md: no ```text block after the csp-directives marker')
  return block
    .trim()
    .split('\n')
    .map((line) => {
      const [directive, ...sources] = line.trim().split(/\s+/)
      return [directive!, sources]
    })
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
const inlineBody = (html: string, tag: 'script' | 'style') =>
  new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)![1]!

/** A 64×64 SVG logo as the admin console uploads it (a base64 data URL). */
const LOGO = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#0f766e"/><path d="M18 44 32 16l14 28H18Z" fill="#fff"/></svg>',
).toString('base64')}`

/**
 * Stands in for LiveKit's URL: records what `livekit-client` asks for and holds the signalling
 * WebSocket until `release()`, then refuses it (401), as LiveKit refuses a token it does not
 * accept. `livekit-client` then asks `/rtc/validate` over HTTP why; that gets a 401 too.
 */
interface FakeLiveKit {
  http: string
  ws: string
  requests: string[]
  release(): void
  reset(): void
  close(): Promise<void>
}

async function startFakeLiveKit(): Promise<FakeLiveKit> {
  const requests: string[] = []
  let held: Socket[] = []
  let released = false
  const refuse = (s: Socket) =>
    s.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`)
    res
      .writeHead(401, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' })
      .end('invalid token')
  })
  server.on('upgrade', (req, socket: Socket) => {
    requests.push(`WS ${new URL(req.url ?? '/', 'http://x').pathname}`)
    if (released) refuse(socket)
    else held.push(socket)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    requests,
    release() {
      released = true
      for (const s of held) refuse(s)
      held = []
    },
    reset() {
      released = false
      requests.length = 0
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of held) s.destroy()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

let server: RunningServer
let host: HostSite
let browser: Browser
let tenant: WidgetTenant
let lk: FakeLiveKit
/** The documented directives with this run's origins and the snippet's hash filled in. */
let listed: Directives
let html: string

beforeAll(async () => {
  ensureWidgetBuilt()
  lk = await startFakeLiveKit()
  ;[server, host, browser] = await Promise.all([
    startServer({
      env: {
        LIVEKIT_URL: lk.ws,
        LIVEKIT_API_KEY: 'APIaurionTest',
        LIVEKIT_API_SECRET: 'secret-for-aurion-widget-tests-0123456789abcdef',
      },
    }),
    startHostSite(),
    launchBrowser({
      args: ['--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
    }),
  ])
  tenant = await server.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
    welcome_text: 'Hi there! Ask me anything about your account.',
    mode: 'both',
    logo_url: LOGO,
  })
  await server.seedArticles(tenant)
  html = hostPage(tenant.snippet)
  const fill: Record<string, string> = {
    [PLACEHOLDER.server]: server.url,
    [PLACEHOLDER.serverWs]: server.url.replace(/^http/, 'ws'),
    [PLACEHOLDER.livekit]: lk.http,
    [PLACEHOLDER.livekitWs]: lk.ws,
    [PLACEHOLDER.snippetHash]: sha256(inlineBody(tenant.snippet, 'script')),
  }
  listed = documentedDirectives().map(([d, sources]) => [d, sources.map((s) => fill[s] ?? s)])
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await server?.close()
  await lk?.close()
})

/**
 * The header: nothing by default, the page's own inline `<style>` by its hash (the site's
 * business, not the widget's), then `directives`.
 */
function policy(directives: Directives, page = html): string {
  return [
    "default-src 'none'",
    `style-src ${sha256(inlineBody(page, 'style'))}`,
    ...directives.map(([d, s]) => `${d} ${s.join(' ')}`),
  ].join('; ')
}

/** `listed` without one source of one directive. */
const without = (directive: string, source: string): Directives =>
  listed.map(([d, s]) => [d, d === directive ? s.filter((x) => x !== source) : s])

/** What the browser reported: `securitypolicyviolation` events and its console messages. */
interface Violation {
  directive: string
  blocked: string
}

let pageCount = 0

/**
 * Serves `html` under `csp` and opens it in a fresh context that records every
 * `securitypolicyviolation` (listening from before the page's first script, in the capture
 * phase: violations in the widget's shadow root are composed events and reach the document).
 */
async function openUnder(
  csp: string,
  opts: { page?: string; context?: BrowserContextOptions; init?: () => void } = {},
): Promise<TestPage & { violations(): Promise<Violation[]>; reported(): string[] }> {
  const path = `/csp-${++pageCount}`
  host.setPage(opts.page ?? html, path)
  host.setHeaders(path, { 'Content-Security-Policy': csp })
  const t = await newTestPage(browser, { viewport: { width: 1280, height: 800 }, ...opts.context })
  await t.context.addInitScript(() => {
    const seen: { directive: string; blocked: string }[] = []
    ;(window as unknown as { __csp: typeof seen }).__csp = seen
    document.addEventListener(
      'securitypolicyviolation',
      (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
      true,
    )
  })
  if (opts.init) await t.context.addInitScript(opts.init)
  await t.page.goto(`${host.origin}${path}`)
  return {
    ...t,
    violations: () =>
      t.page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp.slice()),
    // Chromium's wording: "Refused to …" (older) or "… violates the following Content Security
    // Policy directive …".
    reported: () =>
      t.console.filter((m) => /Refused to|violates the following Content Security Policy/.test(m)),
  }
}

const launcherStyle = (page: Page) =>
  launcher(page).evaluate((el) => {
    const s = getComputedStyle(el)
    const box = el.getBoundingClientRect()
    return {
      position: s.position,
      background: s.backgroundImage,
      color: s.color,
      radius: s.borderRadius,
      height: box.height,
      right: innerWidth - box.right,
    }
  })

/** How the widget's shadow root is styled: constructed sheets, `<style>` elements. */
const shadowStyling = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('aurion-widget')!.shadowRoot!
    return {
      adopted: root.adoptedStyleSheets?.length ?? 0,
      styleElements: root.querySelectorAll('style').length,
    }
  })

const startCall = (page: Page) =>
  page.locator('aurion-widget .aw-head button[aria-label="Start a voice call"]').click()
const notice = (page: Page) => page.locator('aurion-widget .aw-notice')

describe('the widget under a strict Content-Security-Policy', () => {
  it('the docs list only what a policy can name: script, connect and img sources', () => {
    expect(listed.map(([d]) => d)).toEqual(['script-src', 'connect-src', 'img-src'])
    const all = listed.flatMap(([, s]) => s)
    // Every placeholder was understood, and nothing opens the door wide.
    expect(all.join(' ')).not.toMatch(/example\.com|<|unsafe|\*|https?:$|wss?:$/)
    expect(all).toContain(server.url)
    expect(all).toContain('data:')
  })

  it('the documented list and nothing else: styled as without a policy, chat round trip, history, no violation', async () => {
    const csp = policy(listed)
    expect(csp).not.toContain('unsafe')
    const t = await openUnder(csp)
    const { page } = t
    const sockets: string[] = []
    page.on('websocket', (ws) => sockets.push(ws.url()))
    await launcher(page).waitFor()
    await settled(page)
    expect(await launcherStyle(page)).toEqual({
      position: 'fixed',
      background: 'linear-gradient(135deg, rgb(37, 99, 235), rgb(30, 64, 175))',
      color: 'rgb(255, 255, 255)',
      radius: '28px',
      height: 56,
      right: 20,
    })
    // Constructed sheets (the launcher's; the panel's too once the chat chunk has run),
    // no <style> element; brand colours through the CSSOM.
    expect(await shadowStyling(page)).toEqual({ adopted: expect.any(Number), styleElements: 0 })
    expect((await shadowStyling(page)).adopted).toBeGreaterThanOrEqual(1)
    expect(
      await page
        .locator('aurion-widget .aw')
        .evaluate((el) => getComputedStyle(el).getPropertyValue('--aw-p')),
    ).toBe('#2563eb')

    await openPanel(page)
    expect(await shadowStyling(page)).toEqual({ adopted: 2, styleElements: 0 })
    expect(
      await panel(page).evaluate((el) => {
        const s = getComputedStyle(el)
        return [s.position, s.backgroundColor, s.width, s.borderRadius]
      }),
    ).toEqual(['fixed', 'rgb(255, 255, 255)', '388px', '20px'])
    // The logo (a data URL) is shown.
    await poll(() =>
      page
        .locator('aurion-widget .aw-logo img')
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    ).toBeGreaterThan(0)

    const reply = await ask(page, 'How do I reset my password?')
    expect(reply.toLowerCase()).toContain('password')
    // The answer part (source cards, follow-up buttons) brings its own sheet once a conversation
    // starts, and the feedback part (votes under the stored answer) its own.
    await poll(() => shadowStyling(page)).toEqual({ adopted: 4, styleElements: 0 })
    await page.locator('aurion-widget .aw-srcs').first().waitFor()
    await page.locator('aurion-widget .aw-vote').first().waitFor()
    expect(
      await page
        .locator('aurion-widget .aw-vote')
        .first()
        .evaluate((el) => getComputedStyle(el).width),
    ).toBe('32px')
    expect(sockets.some((u) => u.startsWith(`${server.url.replace(/^http/, 'ws')}/`))).toBe(true)
    // The message box grows with its text (a CSSOM style write).
    const height = () => composer(page).evaluate((el) => el.getBoundingClientRect().height)
    const one = await height()
    await composer(page).fill('one\ntwo\nthree\nfour')
    await poll(height).toBeGreaterThan(one + 20)
    await composer(page).fill('')
    await settled(page)
    await screenshot(page, 'widget/csp-strict-chat')

    // The history view's chunk brings its own sheet.
    await page.locator('aurion-widget .aw-head button[aria-label="Past conversations"]').click()
    const email = page.locator('aurion-widget .aw-field input')
    await email.waitFor()
    expect(
      await email.evaluate((el) => {
        const s = getComputedStyle(el)
        return [s.height, s.borderRadius]
      }),
    ).toEqual(['42px', '12px'])
    expect(await shadowStyling(page)).toEqual({ adopted: 5, styleElements: 0 })

    expect(await t.violations()).toEqual([])
    expect(t.reported()).toEqual([])
    expect(t.errors).toEqual([])
    await t.context.close()
  })

  it('a voice call under the same policy: call view styled, LiveKit reached over WebSocket and HTTP, no violation', async () => {
    lk.reset()
    const t = await openUnder(policy(listed), { context: { permissions: ['microphone'] } })
    const { page } = t
    await openPanel(page)
    await startCall(page)
    // The real livekit-client (production voice chunk) dials LiveKit's URL; held there, the
    // call view shows "Connecting…" with its own chunk's sheet.
    // The voice chunk carries livekit-client: on a loaded machine it takes longest to arrive.
    await poll(() => lk.requests.filter((r) => r.startsWith('WS /rtc')).length, {
      timeout: 30_000,
    }).toBeGreaterThan(0)
    const orb = page.locator('aurion-widget .aw-orb')
    await orb.waitFor()
    expect(await orb.evaluate((el) => getComputedStyle(el).width)).toBe('132px')
    expect((await shadowStyling(page)).styleElements).toBe(0)
    await settled(page)
    await screenshot(page, 'widget/csp-strict-call')
    // LiveKit refuses; livekit-client asks it why over HTTP; the widget falls back to chat.
    lk.release()
    await poll(() => lk.requests.filter((r) => r.startsWith('GET /rtc')).length, {
      timeout: 20_000,
    }).toBeGreaterThan(0)
    await notice(page).waitFor({ timeout: 30_000 })
    expect(await notice(page).textContent()).toContain('The call was interrupted')
    expect(await t.violations()).toEqual([])
    expect(t.reported()).toEqual([])
    expect(t.errors).toEqual([])
    await t.context.close()
  })

  it('a nonce with strict-dynamic (no host list) also loads the loader and every chunk', async () => {
    const nonce = 'c3RyaWN0LWR5bmFtaWMtdGVzdA=='
    const page = hostPage(tenant.snippet.replace('<script>', `<script nonce="${nonce}">`))
    const directives: Directives = listed.map(([d, s]) => [
      d,
      d === 'script-src' ? [`'nonce-${nonce}'`, "'strict-dynamic'"] : s,
    ])
    const t = await openUnder(policy(directives, page), { page })
    await openPanel(t.page)
    expect(await ask(t.page, 'How do I connect to the VPN?')).toMatch(/vpn/i)
    expect(await t.violations()).toEqual([])
    expect(t.reported()).toEqual([])
    await t.context.close()
  })

  describe('each listed source is needed: without it the browser reports a violation', () => {
    it('script-src without the snippet’s hash: the snippet is refused, and Chrome names the hash the docs say to add', async () => {
      const hash = sha256(inlineBody(tenant.snippet, 'script'))
      const t = await openUnder(policy(without('script-src', hash)))
      await poll(() => t.violations()).toContainEqual({
        directive: 'script-src-elem',
        blocked: 'inline',
      })
      expect(t.reported().join('\n')).toContain(hash)
      expect(await t.page.locator('aurion-widget').count()).toBe(0)
      await t.context.close()
    })

    it('script-src without the server: aurion.js is refused', async () => {
      const t = await openUnder(policy(without('script-src', server.url)))
      await poll(() => t.violations()).toContainEqual({
        directive: 'script-src-elem',
        blocked: `${server.url}/api/v1/voice-widget/embed/aurion.js`,
      })
      expect(await t.page.locator('aurion-widget').count()).toBe(0)
      await t.context.close()
    })

    it('connect-src without the server: the config request is refused, no widget', async () => {
      const t = await openUnder(policy(without('connect-src', server.url)))
      await poll(() => t.violations()).toContainEqual({
        directive: 'connect-src',
        blocked: `${server.url}/api/v1/voice-widget/embed/config`,
      })
      await poll(() => t.console.some((m) => m.includes('Widget not shown'))).toBe(true)
      expect(await t.page.locator('aurion-widget').count()).toBe(0)
      await t.context.close()
    })

    it('connect-src without wss:// of the server: the socket is refused (chat still works, over REST)', async () => {
      const ws = server.url.replace(/^http/, 'ws')
      const t = await openUnder(policy(without('connect-src', ws)))
      await openPanel(t.page)
      expect(await ask(t.page, 'How do I reset my password?')).toMatch(/password/i)
      const v = await t.violations()
      expect(v.length).toBeGreaterThan(0)
      for (const x of v) {
        expect(x.directive).toBe('connect-src')
        expect(x.blocked.startsWith(`${ws}/`)).toBe(true)
      }
      expect(await replies(t.page).count()).toBe(1)
      await t.context.close()
    })

    it('img-src without data: the logo is refused', async () => {
      const t = await openUnder(policy(without('img-src', 'data:')))
      await openPanel(t.page)
      await poll(() => t.violations()).toContainEqual({ directive: 'img-src', blocked: 'data' })
      await t.context.close()
    })

    for (const which of ['livekitWs', 'livekit'] as const) {
      it(`connect-src without LiveKit’s ${which === 'livekitWs' ? 'ws(s)' : 'http(s)'} URL: the call's ${which === 'livekitWs' ? 'WebSocket' : 'HTTP check'} is refused`, async () => {
        lk.reset()
        const origin = which === 'livekitWs' ? lk.ws : lk.http
        const t = await openUnder(policy(without('connect-src', origin)), {
          context: { permissions: ['microphone'] },
        })
        await openPanel(t.page)
        // Refused at once, or refused by LiveKit: either way the call ends.
        lk.release()
        await startCall(t.page)
        await poll(() => t.violations(), { timeout: 20_000 }).toContainEqual({
          directive: 'connect-src',
          blocked: expect.stringMatching(new RegExp(`^${origin}/rtc`)),
        })
        await notice(t.page).waitFor({ timeout: 30_000 })
        await t.context.close()
      })
    }
  })

  describe('the style fallback for browsers without constructable style sheets', () => {
    /** Runs before the page's scripts: a browser without `adoptedStyleSheets`. */
    const noAdopted = () => {
      Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', {
        configurable: true,
        get: () => undefined,
        set: () => {},
      })
    }

    it('gets <style> elements and looks the same (without a policy)', async () => {
      const t = await openUnder("default-src * 'unsafe-inline' data:", { init: noAdopted })
      await launcher(t.page).waitFor()
      await settled(t.page)
      expect((await launcherStyle(t.page)).position).toBe('fixed')
      await openPanel(t.page)
      expect(await shadowStyling(t.page)).toEqual({ adopted: 0, styleElements: 2 })
      expect(await panel(t.page).evaluate((el) => getComputedStyle(el).width)).toBe('388px')
      await t.context.close()
    })

    it('under the strict policy those <style> elements are refused, and the test sees it', async () => {
      const t = await openUnder(policy(listed), { init: noAdopted })
      await launcher(t.page).waitFor()
      await poll(() => t.violations()).toContainEqual({
        directive: 'style-src-elem',
        blocked: 'inline',
      })
      expect(t.reported().length).toBeGreaterThan(0)
      expect((await launcherStyle(t.page)).position).not.toBe('fixed')
      await t.context.close()
    })
  })
})
