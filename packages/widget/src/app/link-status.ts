import type { Link } from './chat/session.ts'
import type { Strings } from './i18n.ts'

/**
 * The header's status line: "Online" only while messages can get through. `online` is the
 * browser's own idea (`navigator.onLine`), which covers the REST fallback too.
 */
export function linkStatus(link: Link, t: Strings, online = true): string {
  if (!online || link === 'offline' || link === 'closed') return t.statusOffline
  if (link === 'reconnecting') return t.statusReconnecting
  return t.status
}
