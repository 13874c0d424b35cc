import type { AnswerSource } from '@aurion/contract'
import type { MessageRow } from './types.ts'

/** What an assistant reply carries beside its text (see `AnswerExtras` in the contract). */
export interface ReplyExtras {
  sources?: AnswerSource[]
  follow_ups?: string[]
}

const MAX_SOURCES = 5
const MAX_FOLLOW_UPS = 5
const MAX_TEXT = 300

/**
 * The stored metadata of an AI reply as the contract's optional `sources`/`follow_ups`: only
 * well-formed entries (metadata may also come from the voice worker), a URL only when it is
 * http(s). Nothing for other senders or replies without them.
 */
export function replyExtrasOf(m: Pick<MessageRow, 'sender_type' | 'metadata'>): ReplyExtras {
  if (m.sender_type !== 'ai' || !m.metadata) return {}
  let meta: { sources?: unknown; follow_ups?: unknown }
  try {
    meta = JSON.parse(m.metadata) as typeof meta
  } catch {
    return {}
  }
  if (typeof meta !== 'object' || meta === null) return {}
  const out: ReplyExtras = {}
  if (Array.isArray(meta.sources)) {
    const sources: AnswerSource[] = []
    for (const s of meta.sources.slice(0, MAX_SOURCES) as unknown[]) {
      if (typeof s !== 'object' || s === null) continue
      const { title, url } = s as { title?: unknown; url?: unknown }
      if (typeof title !== 'string' || title.trim() === '') continue
      const link = typeof url === 'string' ? httpUrl(url) : undefined
      sources.push({ title: title.slice(0, MAX_TEXT), ...(link ? { url: link } : {}) })
    }
    if (sources.length > 0) out.sources = sources
  }
  if (Array.isArray(meta.follow_ups)) {
    const follow = (meta.follow_ups as unknown[])
      .filter((f): f is string => typeof f === 'string' && f.trim() !== '')
      .slice(0, MAX_FOLLOW_UPS)
      .map((f) => f.slice(0, MAX_TEXT))
    if (follow.length > 0) out.follow_ups = follow
  }
  return out
}

/** The URL if it is an absolute http(s) URL (no `javascript:` or `data:` links to visitors). */
export function httpUrl(raw: string): string | undefined {
  if (raw.length > 2000) return undefined
  try {
    const u = new URL(raw)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined
  } catch {
    return undefined
  }
}
