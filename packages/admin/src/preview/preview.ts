import './preview.css'
import {
  isPreviewUpdate,
  PREVIEW_REPLY,
  type PreviewEvent,
  type PreviewUpdate,
} from './protocol.ts'

// This page runs in a sandboxed frame with an opaque origin: it cannot read the console's
// session, and the console talks to it only through postMessage. It loads the real widget bundle
// from this server and answers the widget's own requests with the console's unsaved config, so
// the preview shows exactly what visitors would see, before saving.

const serverOrigin = new URL(location.href).origin
const EMBED = '/api/v1/voice-widget/embed/'

interface WidgetWindow {
  AurionSettings?: unknown
  Aurion?: {
    __aurion?: boolean
    shutdown?: () => Promise<void>
    on?: (e: string, fn: () => void) => void
  }
}
const w = window as unknown as WidgetWindow

let current: PreviewUpdate | undefined
let revision = 0

const post = (msg: PreviewEvent) => parent.postMessage(msg, '*')

// Every edit in the console re-renders the widget here, and an open widget focuses its composer.
// A frame may take the focus from the page around it, so each pause in typing moved the admin's
// keystrokes into the preview. Focus calls are honoured only while this frame already has the
// focus (the admin is trying the preview); otherwise the console keeps it.
const focusElement = HTMLElement.prototype.focus
HTMLElement.prototype.focus = function (this: HTMLElement, options?: FocusOptions) {
  if (document.hasFocus()) focusElement.call(this, options)
}

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

function previewAnswer(url: URL, init: RequestInit | undefined): Response | undefined {
  const path = url.pathname
  if (path === `${EMBED}config`) return jsonResponse(200, current?.config ?? {})
  if (path === `${EMBED}token` || path === '/api/v1/voice-widget/token')
    return jsonResponse(503, { detail: 'Voice calls are not available in the preview' })
  if (path === '/api/v1/widget/messages' && init?.method === 'POST') {
    const now = Date.now()
    return jsonResponse(200, {
      tenant_id: current?.settings.appId ?? '',
      conversation_id: 'conv_preview',
      thread_id: 'thread_preview',
      contact_id: null,
      user_message_id: `msg_preview_u${now}`,
      ai_message_id: `msg_preview_a${now}`,
      ai_response: PREVIEW_REPLY,
      deduplicated: false,
    })
  }
  if (path === '/api/v1/widget/session') return jsonResponse(200, { email_token: 'preview' })
  if (path === '/api/v1/widget/history')
    return jsonResponse(200, {
      tenant_id: current?.settings.appId ?? '',
      email: '',
      conversations: [],
    })
  if (path.startsWith('/api/v1/widget/'))
    return jsonResponse(403, { detail: 'Not available in the preview' })
  return undefined
}

const realFetch = window.fetch.bind(window)
window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  const url = new URL(raw, location.href)
  if (url.origin === serverOrigin) {
    const answer = previewAnswer(
      url,
      init ?? (input instanceof Request ? { method: input.method } : undefined),
    )
    if (answer) return Promise.resolve(answer)
  }
  return realFetch(input, init)
}

/** No live connection from the preview: the socket fails at once and the widget uses REST. */
class PreviewSocket extends EventTarget {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  readonly CONNECTING = 0
  readonly OPEN = 1
  readonly CLOSING = 2
  readonly CLOSED = 3
  readyState = 0
  binaryType = 'blob'
  bufferedAmount = 0
  extensions = ''
  protocol = ''
  onopen: ((e: Event) => void) | null = null
  onmessage: ((e: MessageEvent) => void) | null = null
  onerror: ((e: Event) => void) | null = null
  onclose: ((e: CloseEvent) => void) | null = null
  constructor(readonly url: string) {
    super()
    setTimeout(() => {
      this.readyState = 3
      const err = new Event('error')
      this.onerror?.(err)
      this.dispatchEvent(err)
      const close = new CloseEvent('close', { code: 1006, reason: 'preview', wasClean: false })
      this.onclose?.(close)
      this.dispatchEvent(close)
    }, 0)
  }
  send(): void {}
  close(): void {}
}
;(window as unknown as { WebSocket: unknown }).WebSocket = PreviewSocket

let booting: Promise<void> = Promise.resolve()
let timer: ReturnType<typeof setTimeout> | undefined

async function boot(update: PreviewUpdate, rev: number): Promise<void> {
  // The widget being replaced may still be starting (a busy machine, edits in quick succession);
  // if its teardown fails, the new one must render all the same.
  if (w.Aurion?.__aurion && w.Aurion.shutdown) await w.Aurion.shutdown().catch(() => {})
  for (const el of document.querySelectorAll('aurion-widget')) el.remove()
  for (const el of document.querySelectorAll('script[data-aurion-preview]')) el.remove()
  w.Aurion = undefined
  w.AurionSettings = {
    appId: update.settings.appId,
    publicKey: update.settings.publicKey,
    apiBaseUrl: serverOrigin,
    open: update.settings.open,
    ...(update.settings.locale ? { locale: update.settings.locale } : {}),
  }
  await new Promise<void>((resolve) => {
    const s = document.createElement('script')
    s.src = `${serverOrigin}${EMBED}aurion.js`
    s.async = true
    s.dataset.aurionPreview = ''
    s.onload = () => {
      const api = w.Aurion
      if (api?.on) api.on('ready', () => post({ type: 'aurion-preview:rendered', revision: rev }))
      resolve()
    }
    s.onerror = () => {
      post({
        type: 'aurion-preview:error',
        message: 'The widget bundle could not be loaded. Is the widget built (npm run build)?',
      })
      resolve()
    }
    document.head.appendChild(s)
  })
}

addEventListener('message', (e: MessageEvent) => {
  if (e.source !== parent || !isPreviewUpdate(e.data)) return
  current = e.data
  const rev = ++revision
  clearTimeout(timer)
  // Typing re-renders at most every 150 ms; renders never overlap.
  timer = setTimeout(() => {
    // A failed render must not stall the chain: every later edit would then never show.
    booting = booting
      .then(() => (rev === revision && current ? boot(current, rev) : undefined))
      .catch((err: unknown) =>
        post({ type: 'aurion-preview:error', message: `The preview failed: ${String(err)}` }),
      )
  }, 150)
})

post({ type: 'aurion-preview:ready' })
