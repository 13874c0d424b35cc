import type {
  ConsoleConversationDetail,
  ConsoleConversationMessage,
  ConsoleConversationSummary,
} from '@aurion/contract'

/** Who answers a conversation: the assistant, or a person of the team. */
export type HandledBy = 'ai' | 'human'

/** A console user a conversation is assigned to. */
export interface Assignee {
  name: string | null
  email: string | null
}

/** The hand-off fields (issue 18) read from a conversation as the API returns it. */
export interface HandoffState {
  status: 'open' | 'resolved'
  handledBy: HandledBy
  assignee: Assignee | null
}

/** A conversation of the list or detail, hand-off fields included when the server sends them. */
export type InboxSummary = ConsoleConversationSummary & Record<string, unknown>
export type InboxDetail = ConsoleConversationDetail & Record<string, unknown>
export type InboxMessage = ConsoleConversationMessage & {
  private?: boolean
  author?: { name: string | null; email: string | null } | null
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)

/** The assignee however the server spells it: `{name, email}`, an email, or `assignee_email`. */
export function assigneeOf(c: Record<string, unknown>): Assignee | null {
  const a = c.assignee
  if (a && typeof a === 'object') {
    const o = a as Record<string, unknown>
    if (str(o.email) || str(o.name)) return { name: str(o.name), email: str(o.email) }
  }
  if (str(a)) return { name: null, email: str(a) }
  if (str(c.assignee_email)) return { name: str(c.assignee_name), email: str(c.assignee_email) }
  return null
}

export function handoffOf(c: Record<string, unknown>): HandoffState {
  return {
    status: c.status === 'resolved' ? 'resolved' : 'open',
    handledBy: c.handled_by === 'human' ? 'human' : 'ai',
    assignee: assigneeOf(c),
  }
}

/** "Ana Ruiz", else the email, else "Someone". */
export const personName = (p: { name?: string | null; email?: string | null } | null) =>
  p?.name || p?.email || 'Someone'

/** Initials for an avatar: "AR" for "Ana Ruiz", "A" for "ana@example.com". */
export function initials(text: string): string {
  const words = text
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
  return words.map((w) => w[0]!.toUpperCase()).join('') || '?'
}

export const contactName = (c: ConsoleConversationSummary['contact']) =>
  c?.name ?? c?.email ?? c?.phone ?? 'Anonymous visitor'

/** Is this a team-only note (never shown to the visitor)? */
export const isPrivate = (m: InboxMessage) =>
  m.private === true || (m.metadata as { private?: unknown } | null)?.private === true

/** The author of a person's message, when the server names them. */
export function authorOf(m: InboxMessage): { name: string | null; email: string | null } | null {
  if (m.author) return m.author
  const meta = m.metadata as Record<string, unknown> | null
  const a = meta?.author
  if (a && typeof a === 'object') {
    const o = a as Record<string, unknown>
    return { name: str(o.name), email: str(o.email) }
  }
  if (str(meta?.author_name)) return { name: str(meta?.author_name), email: null }
  return null
}

/** The article titles (and pages) an assistant answer was built from. */
export function sourcesOf(m: InboxMessage): { title: string; url?: string }[] {
  const list = (m.metadata as { sources?: unknown } | null)?.sources
  if (!Array.isArray(list)) return []
  const out: { title: string; url?: string }[] = []
  for (const s of list) {
    if (!s || typeof s !== 'object') continue
    const title = str((s as { title?: unknown }).title)
    if (!title) continue
    const url = str((s as { url?: unknown }).url)
    out.push(url && /^https?:\/\//i.test(url) ? { title, url } : { title })
  }
  return out
}
