import type { LoginResponse, MeResponse } from '@aurion/contract'

/**
 * What the console knows of its session. The session itself is an HttpOnly cookie shared by
 * every tab, which page scripts never see; nothing is kept in Web Storage.
 */
export interface ConsoleSession {
  user: LoginResponse['user']
  expires_at: string
  /** Sent as `X-CSRF-Token` on every write. */
  csrf_token: string
}

export function sessionFromLogin(res: LoginResponse): ConsoleSession {
  return { user: res.user, expires_at: res.expires_at, csrf_token: res.csrf_token }
}

export function sessionFromMe(me: MeResponse): ConsoleSession {
  return { user: me.user, expires_at: me.expires_at, csrf_token: me.csrf_token }
}

/** What one tab tells the console's other tabs (same origin only). */
export type SessionSignal = 'signed-in' | 'signed-out'

const CHANNEL = 'aurion.console.session'

// One channel per page for sending and receiving: a BroadcastChannel never hears its own
// messages, while a second one in the same page would.
let shared: BroadcastChannel | null | undefined

function channel(): BroadcastChannel | null {
  if (shared === undefined) {
    shared = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null
  }
  return shared
}

/** Tells the other tabs that this one signed in or out, so they follow at once. */
export function announceSession(signal: SessionSignal): void {
  channel()?.postMessage(signal)
}

/** Calls `fn` when another tab signs in or out; returns the unsubscribe. */
export function onOtherTabSession(fn: (signal: SessionSignal) => void): () => void {
  const c = channel()
  if (!c) return () => {}
  const listener = (e: MessageEvent) => {
    if (e.data === 'signed-in' || e.data === 'signed-out') fn(e.data)
  }
  c.addEventListener('message', listener)
  return () => c.removeEventListener('message', listener)
}
