import { storageKey, type WidgetHost } from '../shared/host.ts'
import { fitLauncher } from '../shared/viewport-fit.ts'

function stored(host: WidgetHost, what: 'chat' | 'bubble'): string | null {
  try {
    return localStorage.getItem(storageKey(host.tenantId, what))
  } catch {
    return null
  }
}

/**
 * Whether the chat chunk has work to do before the visitor shows interest: a stored
 * conversation (its socket brings replies, the unread badge and `message` events while the
 * panel is closed, and resends unsent messages), a teaser bubble not yet dismissed, or an
 * automatic sign-in (`sso_auto_login` with `AurionSettings.user`).
 */
export function chatNeededAtOnce(host: WidgetHost): boolean {
  const teaser = host.text('launcher_bubble_message')
  return (
    stored(host, 'chat') !== null ||
    (!!teaser && stored(host, 'bubble') !== teaser) ||
    (!!host.user?.email && host.config.sso_auto_login === true)
  )
}

/**
 * Downloads the chat chunk without evaluating it (`modulepreload`: fetched and compiled into
 * the module map, where the loader's `import()` finds it). Under `script-src`, like the chunks.
 */
function prefetch(url: string): void {
  const link = document.createElement('link')
  link.rel = 'modulepreload'
  link.href = url
  document.head.append(link)
}

/**
 * Entry of the idle chunk, which the loader imports as soon as the launcher is on the page. It
 * is small: the chat chunk (Preact, the panel) is evaluated only on the visitor's first sign of
 * interest (the loader's launcher listeners, `Aurion.open()`…), unless something stored needs it
 * sooner. When the page is idle this keeps the launcher on screen (pages that move fixed boxes
 * off it) and either loads the chat chunk (`load`) or only fetches its bytes, so the first open
 * does not wait for the network.
 */
export function idle(host: WidgetHost, load: () => void, chatUrl: string): void {
  const run = () => {
    if (!host.launcher.isConnected) return
    fitLauncher(host.launcher)
    if (chatNeededAtOnce(host)) load()
    else prefetch(chatUrl)
  }
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 4000 })
  else setTimeout(run, 2500)
}
