import type { PublicWidgetConfig, TranslatableField } from '@aurion/contract'
import type { idle } from '../idle/index.ts'
import {
  type AurionSettings,
  type AurionUser,
  storageKey,
  type Theme,
  type WidgetApp,
  type WidgetEventName,
  type WidgetHost,
} from '../shared/host.ts'
import { addStyles } from '../shared/styles.ts'
import { ICONS } from './icons.ts'
import css from './launcher.css?inline'
import { isRtl, resolveLocale, translate } from './locale.ts'
import { brandVars } from './theme.ts'

declare const __AURION_CHAT__: string
declare const __AURION_IDLE__: string

const TAG = '[Aurion]'
const EMBED = '/api/v1/voice-widget/embed/'
const METHODS = [
  'open',
  'close',
  'toggle',
  'show',
  'hide',
  'sendMessage',
  'identify',
  'setLocale',
  'shutdown',
] as const

type Listener = (payload?: unknown) => void

/**
 * `window.Aurion`: the host page's API. Every method returns a promise; calls made before the
 * widget is ready wait for it (in order). `on('ready')` after the fact fires at once.
 */
export type AurionApi = {
  [M in (typeof METHODS)[number]]: M extends 'sendMessage'
    ? (text: string) => Promise<void>
    : M extends 'identify'
      ? (user: AurionUser) => Promise<void>
      : M extends 'setLocale'
        ? (locale: string) => Promise<void>
        : () => Promise<void>
} & {
  on(event: WidgetEventName, fn: Listener): void
  off(event: WidgetEventName, fn: Listener): void
}

function store(key: string, value?: string | null): string | null {
  try {
    if (value === undefined) return localStorage.getItem(key)
    if (value === null) localStorage.removeItem(key)
    else localStorage.setItem(key, value)
  } catch {
    // Storage can be disabled (privacy modes, sandboxed frames): the widget works without it.
  }
  return null
}

function boot(): void {
  const w = window as unknown as { AurionSettings?: AurionSettings; Aurion?: unknown }
  if ((w.Aurion as { __aurion?: boolean } | undefined)?.__aurion) return
  const script = document.currentScript as HTMLScriptElement | null
  const s = w.AurionSettings
  const listeners: Partial<Record<WidgetEventName, Set<Listener>>> = {}
  let isReady = false
  let settle!: (ok: boolean) => void
  const ready = new Promise<boolean>((r) => {
    settle = r
  })
  let exec: (method: string, args: unknown[]) => unknown = () => {}

  const emit = (event: WidgetEventName, payload?: unknown) => {
    for (const fn of listeners[event] ?? []) {
      try {
        fn(payload)
      } catch (err) {
        console.error(TAG, err)
      }
    }
  }
  const api = {
    __aurion: true,
    on(event: WidgetEventName, fn: Listener) {
      if (typeof fn !== 'function') return
      const set = listeners[event] ?? new Set()
      listeners[event] = set
      set.add(fn)
      if (event === 'ready' && isReady) queueMicrotask(() => fn())
    },
    off(event: WidgetEventName, fn: Listener) {
      listeners[event]?.delete(fn)
    },
  } as Record<string, unknown>
  for (const m of METHODS) {
    api[m] = (...args: unknown[]) => ready.then((ok) => (ok ? exec(m, args) : undefined))
  }
  w.Aurion = api

  const die = (message: string) => {
    console.warn(`${TAG} Widget not shown: ${message}`)
    settle(false)
  }

  let apiBase = ''
  try {
    apiBase = new URL(s?.apiBaseUrl || new URL(script!.src).origin).href.replace(/\/+$/, '')
    if (
      !/^https?:/.test(apiBase) ||
      typeof s?.appId !== 'string' ||
      typeof s.publicKey !== 'string'
    )
      throw 0
  } catch {
    die('window.AurionSettings needs appId, publicKey and an http(s) apiBaseUrl.')
    return
  }
  const tenantId = s!.appId
  const publicKey = s!.publicKey
  const chunkBase = script?.src ? new URL('./', script.src).href : apiBase + EMBED
  const chat = chunkBase + __AURION_CHAT__
  const fail = (why: string) => die(`config request failed (${why}).`)

  fetch(`${apiBase}${EMBED}config`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tenant_id: tenantId, public_key: publicKey }),
    credentials: 'omit',
  }).then(
    // Otherwise the server says why (bad appId or publicKey, widget disabled…): log its words.
    async (res) =>
      res.ok
        ? start(await res.json())
        : fail(
            `HTTP ${res.status}${await res.json().then(
              (b) => `: ${b.detail}`,
              () => '',
            )}`,
          ),
    // A refused origin gets no CORS headers, which looks like a network error to the page. If
    // the server answers a request the page cannot read, it is up: the origin is the reason.
    () =>
      fetch(`${apiBase}/healthz`, { mode: 'no-cors' }).then(
        () => fail(`origin ${location.origin} not allowed`),
        () => fail(`${apiBase} unreachable`),
      ),
  )

  function start(config: PublicWidgetConfig): void {
    let locale = resolveLocale(s!.locale)
    let open = false
    let wantOpen = false
    let hidden = false
    const unreadKey = storageKey(tenantId, 'unread')
    let unread = Number(store(unreadKey)) || 0
    let app: WidgetApp | undefined
    let appLoading: Promise<WidgetApp> | undefined
    const changeFns = new Set<() => void>()
    const mq = matchMedia('(prefers-color-scheme: dark)')
    const theme = (): Theme =>
      config.theme === 'dark' || (config.theme !== 'light' && mq.matches) ? 'dark' : 'light'
    const text = (f: TranslatableField) => translate(config[f], config[`${f}_translations`], locale)

    // Styles only through the CSSOM (`.style`, constructed sheets), never as markup: a page whose
    // CSP has no `style-src 'unsafe-inline'` refuses `style` attributes and `<style>` elements.
    const el = document.createElement('aurion-widget')
    el.style.cssText = 'all:initial!important;display:block!important'
    const root = el.attachShadow({ mode: 'open' })
    root.innerHTML = `<div class="aw" data-pos="${
      config.launcher_position === 'bottom-left' ? 'bottom-left' : 'bottom-right'
    }"><button type="button" class="aw-launcher"><span class="aw-ic">${
      config.mode === 'voice' ? ICONS.mic : ICONS.chat
    }</span><span class="aw-ic aw-ic-x">${ICONS.down}</span><span class="aw-label"></span><b class="aw-badge" aria-hidden="true"></b></button><div class="aw-slot"></div></div>`
    const [wrap, launcher, label, badge, slot] = [
      '.aw',
      'button',
      '.aw-label',
      'b',
      '.aw-slot',
    ].map((q) => root.querySelector(q) as HTMLElement) as [
      HTMLElement,
      HTMLButtonElement,
      HTMLElement,
      HTMLElement,
      HTMLElement,
    ]
    wrap.style.cssText = brandVars(config)
    // After innerHTML, which would drop a fallback <style> element.
    addStyles(root, css)

    const paint = () => {
      const l = text('launcher_label') ?? ''
      wrap.dataset.theme = theme()
      wrap.dir = isRtl(locale) ? 'rtl' : 'ltr'
      wrap.lang = locale
      wrap.toggleAttribute('data-open', open)
      launcher.hidden = hidden
      launcher.setAttribute('aria-expanded', String(open))
      launcher.setAttribute('aria-label', unread && !open ? `${l} (${unread})` : l)
      label.textContent = l
      badge.textContent = unread > 9 ? '9+' : String(unread)
      badge.hidden = !unread
    }
    const changed = () => {
      paint()
      for (const fn of changeFns) fn()
    }
    mq.addEventListener('change', changed)

    const loadApp = (): Promise<WidgetApp> =>
      (appLoading ??= import(/* @vite-ignore */ chat).then(
        (m: { mount(host: WidgetHost): WidgetApp }) => (app = m.mount(host)),
        (err) => {
          appLoading = undefined
          console.error(TAG, err)
          throw err
        },
      ))
    const preload = () => void loadApp().catch(() => {})
    const setOpen = async (v: boolean) => {
      wantOpen = v
      if (v === open) return
      if (v) {
        const a = await loadApp()
        if (!wantOpen || open || !el.isConnected) return
        open = true
        paint()
        a.openChanged(true)
      } else {
        open = false
        const focusInside = root.activeElement && root.activeElement !== launcher
        paint()
        app?.openChanged(false)
        if (focusInside && !hidden) launcher.focus()
      }
      emit(v ? 'open' : 'close')
    }
    const host: WidgetHost = {
      tenantId,
      publicKey,
      apiBase,
      user: typeof s!.user === 'object' && s!.user ? s!.user : undefined,
      config,
      root,
      slot,
      launcher,
      locale: () => locale,
      text,
      theme,
      isOpen: () => open,
      isHidden: () => hidden,
      setOpen: (v) => void setOpen(v),
      setUnread(n) {
        if (n === unread) return
        unread = n
        store(unreadKey, n ? String(n) : null)
        paint()
        emit('unread', { count: n })
      },
      emit,
      onChange(fn) {
        changeFns.add(fn)
        return () => changeFns.delete(fn)
      },
    }

    exec = (method, [arg]) => {
      switch (method) {
        case 'open':
        case 'close':
          return setOpen(method === 'open')
        case 'toggle':
          return setOpen(!wantOpen)
        case 'show':
        case 'hide':
          hidden = method === 'hide'
          if (hidden) void setOpen(false)
          return changed()
        case 'setLocale':
          locale = resolveLocale(arg)
          return changed()
        case 'sendMessage':
          return loadApp().then((a) => a.sendMessage(String(arg ?? '')))
        case 'identify':
          return loadApp().then((a) => a.identify((arg ?? {}) as AurionUser))
        case 'shutdown':
          api.__aurion = false
          exec = () => {}
          mq.removeEventListener('change', changed)
          app?.shutdown(true)
          el.remove()
          for (const k of ['unread', 'bubble', 'chat'] as const)
            store(storageKey(tenantId, k), null)
      }
    }

    launcher.onclick = () => void setOpen(!open).catch(() => {})
    // The chat chunk is evaluated on the visitor's first sign of interest, before the click.
    for (const ev of ['pointerenter', 'pointerdown', 'focus', 'touchstart'])
      launcher.addEventListener(ev, preload)
    paint()
    document.documentElement.appendChild(el)
    isReady = true
    settle(true)
    emit('ready')
    if (s!.open === true) void setOpen(true)
    // When the page is idle, the idle chunk keeps the launcher on screen and downloads the chat
    // chunk without running it (unless stored state needs it): see idle/index.ts.
    import(/* @vite-ignore */ chunkBase + __AURION_IDLE__).then(
      (m: { idle: typeof idle }) => m.idle(host, preload, chat),
      (err) => console.error(TAG, err),
    )
  }
}

boot()
