/**
 * What this console user has read, per conversation (message counts), kept in this browser:
 * a conversation is unread when it has more messages than when its user last looked at it.
 */
const keyOf = (userId: string) => `aurion.inbox.seen.${userId}`
const MAX_ENTRIES = 2000

type Seen = Record<string, number>

function read(userId: string): Seen | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(keyOf(userId)) ?? 'null') as unknown
    return v && typeof v === 'object' ? (v as Seen) : undefined
  } catch {
    return undefined
  }
}

function write(userId: string, seen: Seen): void {
  const entries = Object.entries(seen)
  const kept = entries.length > MAX_ENTRIES ? entries.slice(-MAX_ENTRIES) : entries
  try {
    localStorage.setItem(keyOf(userId), JSON.stringify(Object.fromEntries(kept)))
  } catch {
    // Storage full or off: everything reads as seen next time.
  }
}

export class SeenStore {
  private seen: Seen
  /** True on the first visit: what exists then counts as read. */
  readonly fresh: boolean

  constructor(private readonly userId: string) {
    const s = read(userId)
    this.fresh = !s
    this.seen = s ?? {}
  }

  unread(id: string, messageCount: number): number {
    const s = this.seen[id]
    if (s === undefined) return this.fresh ? 0 : messageCount
    return Math.max(0, messageCount - s)
  }

  /** The first list of a first visit: mark it all read. */
  baseline(items: { id: string; message_count: number }[]): void {
    for (const c of items) this.seen[c.id] ??= c.message_count
    write(this.userId, this.seen)
  }

  markRead(id: string, messageCount: number): boolean {
    if (this.seen[id] === messageCount) return false
    delete this.seen[id]
    this.seen[id] = messageCount
    write(this.userId, this.seen)
    return true
  }
}
