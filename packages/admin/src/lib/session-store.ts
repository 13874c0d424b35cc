import type { LoginResponse } from '@aurion/contract'

const KEY = 'aurion.console.session'

/** The signed-in session, kept per browser tab (sessionStorage): closing the tab forgets it. */
export interface StoredSession {
  token: string
  expires_at: string
  user: LoginResponse['user']
}

export function loadSession(): StoredSession | undefined {
  try {
    const raw = sessionStorage.getItem(KEY)
    if (!raw) return undefined
    const s = JSON.parse(raw) as StoredSession
    if (typeof s.token !== 'string' || Date.parse(s.expires_at) <= Date.now()) {
      sessionStorage.removeItem(KEY)
      return undefined
    }
    return s
  } catch {
    return undefined
  }
}

export function saveSession(s: StoredSession): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(s))
  } catch {
    // Storage disabled: the session lasts until the page is reloaded.
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY)
  } catch {
    // Nothing stored.
  }
}
