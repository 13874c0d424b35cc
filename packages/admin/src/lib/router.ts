import { useEffect, useState } from 'preact/hooks'

/** The console lives under this path; routes are written relative to it. */
export const BASE = '/admin'

const listeners = new Set<() => void>()
let guard: (() => boolean) | undefined

/**
 * Registers a check run before leaving the current page (unsaved changes). It returns true to
 * allow leaving. Returns the function that removes it.
 */
export function setNavigationGuard(check: () => boolean): () => void {
  guard = check
  return () => {
    if (guard === check) guard = undefined
  }
}

/** Goes to a console route such as `/widget`; false when the guard kept the user here. */
export function navigate(route: string, opts: { replace?: boolean } = {}): boolean {
  const url = BASE + (route === '/' ? '' : route)
  if (url === location.pathname + location.search) return true
  if (guard && !guard()) return false
  if (opts.replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  for (const fn of listeners) fn()
  scrollTo(0, 0)
  return true
}

/** The current route relative to the console, e.g. `/widget` (`/` for the console root). */
export function currentRoute(): string {
  const p = location.pathname
  const rel = p.startsWith(BASE) ? p.slice(BASE.length) : p
  return rel === '' ? '/' : rel.replace(/\/+$/, '') || '/'
}

/** Re-renders on navigation; returns the current route. */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute())
  useEffect(() => {
    const update = () => setRoute(currentRoute())
    listeners.add(update)
    addEventListener('popstate', update)
    return () => {
      listeners.delete(update)
      removeEventListener('popstate', update)
    }
  }, [])
  return route
}

/** Click handler for in-console links: plain clicks navigate without a reload. */
export function linkClick(route: string) {
  return (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
      return
    e.preventDefault()
    navigate(route)
  }
}
