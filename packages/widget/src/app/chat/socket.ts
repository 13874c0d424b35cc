/** What the server sends on `/api/v1/widget/ws` (contract: "WebSocket Connection"). */
import type { WsServerFrame } from '@aurion/contract'

/** A frame of the server: the contract's shapes, as JSON that the reducer still checks. */
export type ServerFrame = WsServerFrame

/** An attempt that hasn't opened after this long counts as failed. */
const OPEN_TIMEOUT_MS = 10_000
/** A connection that stayed open this long resets the backoff. */
const HEALTHY_AFTER_MS = 5_000

export type LinkState = 'connecting' | 'open' | 'down' | 'closed'

export interface SocketEvents {
  frame(frame: ServerFrame): void
  /** `failures`: consecutive attempts that failed to open or were refused (the REST trigger). */
  state(state: LinkState, failures: number): void
}

/** Reconnect delays: 1 s doubling to 30 s, with ±20 % jitter so a fleet doesn't reconnect at once. */
export function backoffDelay(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5))
  return Math.round(base * (0.8 + 0.4 * random()))
}

/**
 * One WebSocket that keeps itself connected: reconnects with backoff, at once when the browser
 * comes back online or the tab becomes visible; gives up only on 1008 (origin, key or widget
 * refused), which no retry can fix.
 */
export class ChatSocket {
  private ws: WebSocket | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private attempt = 0
  private failures = 0
  private stopped = false
  /** Ends the current connection attempt as failed (see `connect`). */
  private drop: (() => void) | undefined
  // The browser lost its network: a socket may look open for minutes before TCP notices, and
  // the visitor must not be told "Online" meanwhile. `online` reconnects at once.
  private readonly lost = () => this.drop?.()
  private readonly wake = () => {
    if (!this.stopped && this.ws === undefined) {
      clearTimeout(this.timer)
      this.connect()
    }
  }

  constructor(
    private readonly url: () => string,
    private readonly on: SocketEvents,
  ) {
    addEventListener('online', this.wake)
    addEventListener('offline', this.lost)
    document.addEventListener('visibilitychange', this.wake)
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  connect(): void {
    if (this.stopped || this.ws) return
    let ws: WebSocket
    let opened = false
    try {
      ws = new WebSocket(this.url())
    } catch {
      // A CSP without ws: in connect-src throws here: count it like a failed attempt.
      this.failures++
      this.on.state('down', this.failures)
      this.schedule()
      return
    }
    this.ws = ws
    this.on.state('connecting', this.failures)
    // Ends this attempt once, whichever comes first: close, an error before opening (some
    // blocks, e.g. by a page's CSP, never fire close), or no answer in time.
    let ended = false
    let healthy: ReturnType<typeof setTimeout> | undefined
    const down = (code?: number) => {
      if (ended || this.ws !== ws) return
      ended = true
      clearTimeout(timeout)
      clearTimeout(healthy)
      this.ws = undefined
      // 1013: too many connections from this address. Back off longer, and count it as a
      // failure so messages go by REST meanwhile.
      if (!opened || code === 1013) this.failures++
      if (code === 1013) this.attempt = Math.max(this.attempt, 3)
      if (code === 1008) {
        this.stopped = true
        this.on.state('closed', this.failures)
        return
      }
      this.on.state('down', this.failures)
      this.schedule()
    }
    const timeout = setTimeout(() => {
      if (opened) return
      ws.close()
      down()
    }, OPEN_TIMEOUT_MS)
    this.drop = () => {
      ws.close()
      down()
    }
    ws.onopen = () => {
      opened = true
      clearTimeout(timeout)
      // Counted as a success once it stays up: a server that accepts and closes at once (1013)
      // must not reset the backoff.
      healthy = setTimeout(() => {
        this.attempt = 0
        this.failures = 0
      }, HEALTHY_AFTER_MS)
      this.on.state('open', this.failures)
    }
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return
      try {
        const frame = JSON.parse(e.data) as ServerFrame
        if (frame && typeof frame.type === 'string') this.on.frame(frame)
      } catch {
        // Not JSON: not from our server; ignore.
      }
    }
    ws.onerror = () => {
      if (!opened) down()
    }
    ws.onclose = (e) => down(e.code)
  }

  /** Sends a frame; `false` when the socket isn't open (the caller keeps it for later). */
  send(data: unknown): boolean {
    if (!this.isOpen) return false
    this.ws!.send(JSON.stringify(data))
    return true
  }

  /** Drops the current connection and reconnects (e.g. with new query parameters). */
  restart(): void {
    const ws = this.ws
    this.ws = undefined
    ws?.close(1000)
    clearTimeout(this.timer)
    this.connect()
  }

  close(): void {
    this.stopped = true
    clearTimeout(this.timer)
    removeEventListener('online', this.wake)
    removeEventListener('offline', this.lost)
    document.removeEventListener('visibilitychange', this.wake)
    const ws = this.ws
    this.ws = undefined
    ws?.close(1000)
  }

  private schedule(): void {
    if (this.stopped) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt++))
  }
}
