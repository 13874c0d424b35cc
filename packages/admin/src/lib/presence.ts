import { PRESENCE } from '@aurion/contract'
import type { ApiClient } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'

function newTabId(): string {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  return `tab_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/**
 * Tells the server this console tab is open: a heartbeat now and every
 * {@link PRESENCE}.heartbeatSeconds, and a last word when the tab closes, so the team sees who is
 * around and the assistant knows whether a person can take a conversation. Returns the stop
 * (which says the tab is gone: call it before signing out, while the session still works).
 */
export function startPresence(api: ApiClient): () => void {
  const tabId = newTabId()
  const beat = () => {
    api.send(endpoints.heartbeat(tabId)).catch(() => {})
  }
  beat()
  const timer = setInterval(beat, PRESENCE.heartbeatSeconds * 1000)
  const onHide = () => {
    api.send(endpoints.heartbeat(tabId, true)).catch(() => {})
  }
  // Back from the back/forward cache: the tab is open again.
  const onShow = (e: PageTransitionEvent) => {
    if (e.persisted) beat()
  }
  addEventListener('pagehide', onHide)
  addEventListener('pageshow', onShow)
  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    clearInterval(timer)
    removeEventListener('pagehide', onHide)
    removeEventListener('pageshow', onShow)
    onHide()
  }
}
