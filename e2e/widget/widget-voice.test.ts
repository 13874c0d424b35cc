import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { TokenVerifier } from 'livekit-server-sdk'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FakeLiveKitControl } from '../fakes/livekit-client.ts'
import { launchBrowser, newTestPage, screenshot } from '../support/browser.ts'
import {
  type HostSite,
  hostPage,
  type RunningServer,
  startHostSite,
  startServer,
  type WidgetTenant,
} from '../support/server.ts'
import { ensureWidgetBuilt, WIDGET_FAKE_LIVEKIT_DIST } from '../support/widget-build.ts'
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
  visitorRows,
} from './helpers.ts'

const LK = {
  LIVEKIT_URL: 'wss://livekit.test.invalid',
  LIVEKIT_API_KEY: 'APIaurionTest',
  LIVEKIT_API_SECRET: 'secret-for-aurion-widget-tests-0123456789abcdef',
}

let voiceServer: RunningServer
let speechServer: RunningServer
let host: HostSite
let browser: Browser
let lkTenant: WidgetTenant
let speechTenant: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  ensureWidgetBuilt({ fakeLiveKit: true })
  ;[voiceServer, speechServer, host, browser] = await Promise.all([
    startServer({ env: LK }),
    startServer(),
    startHostSite(),
    // A fake microphone device; whether a page may use it is up to each test's permissions.
    launchBrowser({
      args: ['--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
    }),
  ])
  lkTenant = await voiceServer.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
    mode: 'both',
  })
  await voiceServer.seedArticles(lkTenant)
  speechTenant = await speechServer.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
    mode: 'both',
  })
  await speechServer.seedArticles(speechTenant)
  host.setPage(hostPage(lkTenant.snippet), '/livekit')
  host.setPage(hostPage(speechTenant.snippet), '/speech')
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await voiceServer?.close()
  await speechServer?.close()
})

/**
 * Serves the widget from the test build whose `livekit-client` is the fake (the server and the
 * production build stay as they are): every script under the embed path comes from that build.
 */
async function useFakeLiveKit(context: BrowserContext): Promise<void> {
  await context.route(/\/api\/v1\/voice-widget\/embed\/[\w.-]+\.js$/, (route) =>
    route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/javascript', 'Access-Control-Allow-Origin': '*' },
      body: readFileSync(
        join(WIDGET_FAKE_LIVEKIT_DIST, basename(new URL(route.request().url()).pathname)),
      ),
    }),
  )
}

/** Runs `fn` in the page with the fake's control object (`window.__lk`). */
const lk = <T>(page: Page, fn: (c: FakeLiveKitControl) => T | Promise<T>) =>
  page.evaluate(`(${fn.toString()})(window.__lk)`) as Promise<T>
const callState = (page: Page) => page.locator('aurion-widget .aw-call h3').innerText()
const notice = (page: Page) => page.locator('aurion-widget .aw-notice').innerText()
const startCall = (page: Page) =>
  page.locator('aurion-widget .aw-head button[aria-label="Start a voice call"]').click()

describe('voice over LiveKit (faked livekit-client, real tokens)', () => {
  it('connects with a server token and a clean microphone, follows the agent, transcripts join the chat', async () => {
    const { page, context, errors } = await newTestPage(browser, {
      viewport: { width: 1280, height: 800 },
      permissions: ['microphone'],
    })
    await useFakeLiveKit(context)
    await page.goto(`${host.origin}/livekit`)
    await openPanel(page)
    // A chat question first: the call continues the same conversation.
    await ask(page, 'How do I reset my password?')
    const tokenReq = page.waitForRequest((r) => r.url().endsWith('/embed/token'))
    const tokenRes = page.waitForResponse((r) => r.url().endsWith('/embed/token'))
    await startCall(page)
    const sent = JSON.parse((await tokenReq).postData() ?? '{}')
    const token = await (await tokenRes).json()
    const chatMessages = await storedMessages(voiceServer.db, lkTenant.tenantId)
    expect(token.conversation_id).toBe(chatMessages[0]!.conversation_id)
    expect(sent.source_thread_id).toMatch(/^[0-9a-f-]{36}$/)

    await poll(() => callState(page)).toBe('Waiting for the assistant…')
    const connect = await lk(page, (c) => c.room().connects[0])
    expect(connect!.url).toBe(LK.LIVEKIT_URL)
    const claims = await new TokenVerifier(LK.LIVEKIT_API_KEY, LK.LIVEKIT_API_SECRET).verify(
      connect!.token,
    )
    expect(claims.video?.room).toBe(token.room_name)
    expect(claims.video?.roomJoin).toBe(true)
    expect(claims.sub).toBe(token.participant_identity)
    expect(
      await lk(page, (c) => ({
        constraints: c.tracks[0]!.constraints,
        published: c.room().published.length,
        roomOptions: c.room().options.audioCaptureDefaults,
      })),
    ).toEqual({
      constraints: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      published: 1,
      roomOptions: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    })

    // The agent joins; its lk.agent.state drives the call states.
    await lk(page, (c) => c.agentJoin('listening'))
    await poll(() => callState(page)).toBe('Listening…')
    expect(await page.locator('aurion-widget audio').count()).toBe(1)
    await lk(page, (c) =>
      c.transcribe({ from: 'user', text: 'My VPN keeps disconnecting', id: 'seg-user-1' }),
    )
    await lk(page, (c) => c.agentState('thinking'))
    await poll(() => callState(page)).toBe('Thinking…')
    await lk(page, (c) => c.agentState('speaking'))
    await lk(page, (c) =>
      c.transcribe({
        from: 'agent',
        text: 'Open GlobalProtect and choose Reconnect.',
        id: 'seg-agent-1',
      }),
    )
    await poll(() => callState(page)).toBe('Speaking…')
    await poll(() => page.locator('aurion-widget .aw-caption').innerText()).toBe(
      'Open GlobalProtect and choose Reconnect.',
    )
    await settled(page)
    await screenshot(page, 'widget/desktop-light-call')
    expect(await axeViolations(page)).toEqual([])

    // Mute, and "tap to enable audio" when autoplay is blocked.
    await page.locator('aurion-widget .aw-ctrls button[aria-label="Mute microphone"]').click()
    await poll(() => callState(page)).toBe('Microphone muted')
    expect(await lk(page, (c) => c.tracks[0]!.isMuted)).toBe(true)
    await page.locator('aurion-widget .aw-ctrls button[aria-label="Unmute microphone"]').click()
    await poll(() => lk(page, (c) => c.tracks[0]!.isMuted)).toBe(false)
    await lk(page, (c) => c.blockAudio())
    const enable = page.locator('aurion-widget button', { hasText: 'Tap to enable audio' })
    await enable.click()
    await poll(() => enable.count()).toBe(0)
    expect(await lk(page, (c) => c.room().canPlaybackAudio)).toBe(true)

    // Switch to chat during the call: transcripts are in the thread, typed text goes to the agent.
    await page.locator('aurion-widget .aw-ctrls button[aria-label="Show chat"]').click()
    await page.locator('aurion-widget .aw-callbar').waitFor()
    const voiceLines = page.locator('aurion-widget .aw-row:has(.aw-tag)')
    await poll(() => voiceLines.allInnerTexts()).toEqual([
      expect.stringContaining('My VPN keeps disconnecting'),
      expect.stringContaining('Open GlobalProtect and choose Reconnect.'),
    ])
    await composer(page).fill('Does that work on a Mac too?')
    await composer(page).press('Enter')
    await poll(() => lk(page, (c) => c.room().sentTexts)).toEqual([
      { text: 'Does that work on a Mac too?', topic: 'lk.chat' },
    ])
    await poll(() => visitorRows(page).last().innerText()).toContain('Does that work on a Mac too?')
    await settled(page)
    await screenshot(page, 'widget/desktop-light-call-chat')

    await page.locator('aurion-widget .aw-callbar button[aria-label="End call"]').click()
    await poll(() => page.locator('aurion-widget .aw-callbar').count()).toBe(0)
    expect(await lk(page, (c) => [c.room().disconnected, c.tracks[0]!.stopped])).toEqual([
      true,
      true,
    ])
    expect(errors).toEqual([])
    await context.close()
  })

  it('offers chat when no agent joins within 15 s', async () => {
    const { page, context } = await newTestPage(browser, { permissions: ['microphone'] })
    await useFakeLiveKit(context)
    await page.clock.install()
    await page.goto(`${host.origin}/livekit`)
    await openPanel(page)
    await startCall(page)
    await poll(() => callState(page)).toBe('Waiting for the assistant…')
    await page.clock.fastForward(15_001)
    await poll(() => notice(page)).toBe(
      'The voice assistant didn’t answer. You can continue in chat.',
    )
    expect(await lk(page, (c) => c.room().disconnected)).toBe(true)
    expect(await composer(page).isVisible()).toBe(true)
    await context.close()
  })

  it('fetches a fresh token before the old one expires and rejoins with it after a drop', async () => {
    const { page, context } = await newTestPage(browser, { permissions: ['microphone'] })
    await useFakeLiveKit(context)
    await page.clock.install()
    const tokens: string[] = []
    page.on('response', async (r) => {
      if (r.url().endsWith('/embed/token')) tokens.push((await r.json()).token)
    })
    await page.goto(`${host.origin}/livekit`)
    await openPanel(page)
    await startCall(page)
    await poll(() => callState(page)).toBe('Waiting for the assistant…')
    await lk(page, (c) => c.agentJoin('listening'))
    await poll(() => callState(page)).toBe('Listening…')
    // 3600 s tokens: a new one a minute before expiry.
    await page.clock.fastForward(3541_000)
    await poll(() => tokens.length).toBe(2)
    expect(tokens[1]).not.toBe(tokens[0])
    await lk(page, (c) => c.drop())
    await poll(() => lk(page, (c) => c.room().connects.map((x) => x.token))).toEqual(tokens)
    await context.close()
  })

  it('says clearly when the microphone is blocked or missing', async () => {
    const { page, context } = await newTestPage(browser)
    await context.clearPermissions()
    await useFakeLiveKit(context)
    await page.goto(`${host.origin}/livekit`)
    await openPanel(page)
    await startCall(page)
    await poll(() => notice(page)).toBe(
      'Microphone access is blocked. Allow it in your browser’s site settings, or continue in chat.',
    )
    expect(await lk(page, (c) => c.rooms.flatMap((r) => r.connects))).toEqual([])
    expect(await composer(page).isVisible()).toBe(true)
    await context.close()

    // No microphone at all: the browser's NotFoundError.
    const none = await newTestPage(browser, { permissions: ['microphone'] })
    await none.context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Requested device not found', 'NotFoundError'))
    })
    await useFakeLiveKit(none.context)
    await none.page.goto(`${host.origin}/livekit`)
    await openPanel(none.page)
    await startCall(none.page)
    await poll(() => notice(none.page)).toBe(
      'No microphone was found. Connect one, or continue in chat.',
    )
    await none.context.close()
  })
})

/** A scripted SpeechRecognition and a recording speechSynthesis, installed before any script. */
const FAKE_SPEECH = () => {
  type Rec = {
    onresult?: (e: unknown) => void
    onend?: () => void
    onerror?: (e: unknown) => void
    lang?: string
  }
  const speech = {
    started: 0,
    current: undefined as Rec | undefined,
    langs: [] as string[],
    spoken: [] as string[],
    fail(error: string) {
      const r = speech.current!
      speech.current = undefined
      r.onerror?.({ error })
      r.onend?.()
    },
    say(text: string) {
      const r = speech.current!
      speech.current = undefined
      r.onresult?.({
        resultIndex: 0,
        results: [{ 0: { transcript: text }, isFinal: true, length: 1 }],
      })
      r.onend?.()
    },
  }
  class FakeRecognition {
    lang = ''
    onresult = null
    onend: (() => void) | null = null
    onerror = null
    start() {
      speech.started++
      speech.langs.push(this.lang)
      speech.current = this as unknown as Rec
    }
    stop() {
      this.onend?.()
    }
    abort() {
      if (speech.current === (this as unknown as Rec)) speech.current = undefined
      this.onend?.()
    }
  }
  const w = window as unknown as Record<string, unknown>
  w.SpeechRecognition = FakeRecognition
  w.webkitSpeechRecognition = FakeRecognition
  w.__speech = speech
  Object.defineProperty(window, 'speechSynthesis', {
    configurable: true,
    value: {
      speak(u: SpeechSynthesisUtterance) {
        speech.spoken.push(u.text)
        setTimeout(() => u.onend?.(new Event('end') as SpeechSynthesisEvent), 20)
      },
      cancel() {},
      getVoices: () => [],
    },
  })
}

type Speech = {
  fail(error: string): void
  started: number
  spoken: string[]
  langs: string[]
  current?: unknown
  say(t: string): void
}
const speech = <T>(page: Page, fn: (s: Speech) => T) =>
  page.evaluate(`(${fn.toString()})(window.__speech)`) as Promise<T>

describe('voice without LiveKit: the Web Speech API', () => {
  it('listens, sends what was said as a message, speaks the reply; chat continues the conversation', async () => {
    const { page, context, errors } = await newTestPage(browser, {
      viewport: { width: 1280, height: 800 },
    })
    await context.addInitScript(FAKE_SPEECH)
    await page.goto(`${host.origin}/speech`)
    await openPanel(page)
    const token = page.waitForResponse((r) => r.url().endsWith('/embed/token'))
    await startCall(page)
    expect((await token).status()).toBe(503)
    await poll(() => callState(page)).toBe('Listening…')
    await poll(() => speech(page, (s) => s.current !== undefined)).toBe(true)
    expect(await speech(page, (s) => s.langs[0])).toBe('en-US')
    await speech(page, (s) => s.say('How do I reset my password?'))
    // The reply is spoken, then the assistant listens again.
    await poll(() => speech(page, (s) => s.spoken.length), { timeout: 15_000 }).toBe(1)
    expect((await speech(page, (s) => s.spoken[0]))!.toLowerCase()).toContain('password')
    expect(await speech(page, (s) => s.spoken[0])).not.toMatch(/[*#`[\]]/)
    // Spoken style, asked for by the call: no "Source:" line, no "…Just ask." read out verbatim.
    expect(await speech(page, (s) => s.spoken[0])).toContain(
      'That\'s from our help article "Reset your password".',
    )
    expect(await speech(page, (s) => s.spoken[0])).not.toMatch(/Source:|Just ask/)
    await poll(() => callState(page)).toBe('Listening…')
    await settled(page)
    await screenshot(page, 'widget/desktop-light-speech-call')

    await page.locator('aurion-widget .aw-ctrls button[aria-label="End call"]').click()
    await page.locator('aurion-widget .aw-call button', { hasText: 'Show chat' }).click()
    await poll(() => visitorRows(page).first().innerText()).toContain('How do I reset my password?')
    expect(await visitorRows(page).first().locator('.aw-tag').innerText()).toBe('Voice')
    await ask(page, 'And where do I change it on my phone?')
    const stored = await storedMessages(speechServer.db, speechTenant.tenantId)
    expect(new Set(stored.map((m) => m.conversation_id)).size).toBe(1)
    expect(stored.map((m) => m.sender_type)).toEqual(['contact', 'ai', 'contact', 'ai'])
    expect(stored.map((m) => m.channel)).toEqual(['voice', 'voice', 'chat', 'chat'])
    expect(errors).toEqual([])
    await context.close()
  })

  it('a speech-recognition failure says so (not "No microphone"), and its × is "Dismiss"', async () => {
    const { page, context } = await newTestPage(browser, {
      viewport: { width: 1280, height: 800 },
    })
    await context.addInitScript(FAKE_SPEECH)
    await page.goto(`${host.origin}/speech`)
    await openPanel(page)
    for (const error of ['audio-capture', 'network']) {
      await startCall(page)
      await poll(() => speech(page, (s) => s.current !== undefined)).toBe(true)
      await speech(
        page,
        new Function('s', `s.fail(${JSON.stringify(error)})`) as (s: Speech) => void,
      )
      await poll(() => notice(page)).toBe(
        'Speech recognition isn’t working in this browser right now. You can continue in chat.',
      )
      const close = page.locator('aurion-widget .aw-notice button')
      expect(await close.getAttribute('aria-label')).toBe('Dismiss')
      await settled(page)
      if (error === 'network') await screenshot(page, 'widget/desktop-light-speech-failed')
      await close.click()
      await poll(() => page.locator('aurion-widget .aw-notice').count()).toBe(0)
    }
    await context.close()
  })

  it('mode "voice" opens on the voice surface (dark, mobile)', async () => {
    const voiceOnly = await speechServer.createTenant(
      { allowed_origins: [host.origin], mode: 'voice', display_title: 'Voice Desk' },
      'Voice Co',
    )
    host.setPage(hostPage(voiceOnly.snippet), '/voice-only')
    const { page, context } = await newTestPage(browser, {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
    })
    await context.addInitScript(FAKE_SPEECH)
    await page.goto(`${host.origin}/voice-only`)
    await launcher(page).waitFor()
    await launcher(page).tap()
    await panel(page).waitFor()
    await page.locator('aurion-widget .aw-call').waitFor()
    expect(await callState(page)).toBe('Talk to our assistant')
    expect(await composer(page).count()).toBe(0)
    await settled(page)
    await screenshot(page, 'widget/mobile-dark-voice-mode')
    await page.locator('aurion-widget .aw-call button', { hasText: 'Start a voice call' }).tap()
    await poll(() => callState(page)).toBe('Listening…')
    await settled(page)
    await screenshot(page, 'widget/mobile-dark-voice-call')
    expect(await replies(page).count()).toBe(0)
    await context.close()
  })
})
