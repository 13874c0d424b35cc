import { useEffect, useState } from 'preact/hooks'

/**
 * Saved replies: short texts an agent inserts into the composer. Kept per console user in this
 * browser (there is no server store for them yet).
 */
export interface SavedReply {
  id: string
  title: string
  body: string
}

const keyOf = (userId: string) => `aurion.inbox.saved-replies.${userId}`
const MAX = 200
const listeners = new Set<() => void>()

const DEFAULTS: SavedReply[] = [
  {
    id: 'greeting',
    title: 'Greeting',
    body: 'Hi! Thanks for reaching out, I’m here to help. Let me take a look.',
  },
  {
    id: 'more-info',
    title: 'Ask for details',
    body: 'Could you tell me a bit more, for example what you tried and what you saw?',
  },
  {
    id: 'closing',
    title: 'Closing',
    body: 'Glad I could help! If anything else comes up, just write here.',
  },
]

export function loadSavedReplies(userId: string): SavedReply[] {
  try {
    const v = JSON.parse(localStorage.getItem(keyOf(userId)) ?? 'null') as unknown
    if (!Array.isArray(v)) return DEFAULTS
    return v.filter(
      (r): r is SavedReply =>
        !!r &&
        typeof r.id === 'string' &&
        typeof r.title === 'string' &&
        typeof r.body === 'string',
    )
  } catch {
    return DEFAULTS
  }
}

export function storeSavedReplies(userId: string, list: SavedReply[]): void {
  try {
    localStorage.setItem(keyOf(userId), JSON.stringify(list.slice(0, MAX)))
  } catch {
    // Storage full or off: the change lasts until the tab closes.
  }
  for (const fn of listeners) fn()
}

/** The user's saved replies, re-rendering when they change (in this tab). */
export function useSavedReplies(userId: string): [SavedReply[], (list: SavedReply[]) => void] {
  const [list, setList] = useState(() => loadSavedReplies(userId))
  useEffect(() => {
    const update = () => setList(loadSavedReplies(userId))
    listeners.add(update)
    return () => {
      listeners.delete(update)
    }
  }, [userId])
  return [list, (next) => storeSavedReplies(userId, next)]
}
