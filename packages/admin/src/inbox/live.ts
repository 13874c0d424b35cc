import { useEffect, useRef, useState } from 'preact/hooks'

/** Where the console's live channel (server-sent events on the console session) is served. */
export const LIVE_PATH = '/api/v1/inbox/events'

/** What the live channel says: a conversation changed, a message arrived, someone types. */
export interface InboxEvent {
  type: 'handoff' | 'conversation' | 'message' | 'typing' | 'poll'
  conversation_id?: string
  sender_type?: string
  status?: string
  handled_by?: string
  assignee?: unknown
  message?: Record<string, unknown>
  [key: string]: unknown
}

export type LiveState = 'connecting' | 'live' | 'polling'

const POLL_MS = 4000
const RETRY_LIVE_MS = 30_000
/** Named SSE events (a `message` event arrives through `onmessage`, like unnamed ones). */
const NAMED = ['ready', 'handoff', 'conversation', 'typing'] as const

/**
 * Keeps the inbox current without reloading: the server's event stream when it has one; while it
 * cannot be opened, a `poll` event every few seconds (the inbox re-reads what it shows).
 */
export function useInboxLive(onEvent: (e: InboxEvent) => void): LiveState {
  const handler = useRef(onEvent)
  handler.current = onEvent
  const [state, setState] = useState<LiveState>('connecting')
  useEffect(() => {
    let source: EventSource | undefined
    let poll: ReturnType<typeof setInterval> | undefined
    let retry: ReturnType<typeof setTimeout> | undefined
    let closed = false
    const emit = (raw: string, name?: string) => {
      let data: unknown
      try {
        data = JSON.parse(raw)
      } catch {
        return
      }
      if (!data || typeof data !== 'object') return
      const e = data as InboxEvent
      const type = (e.type as string | undefined) ?? name
      // `ready`: the stream (re)opened and replays nothing: re-read what the inbox shows.
      if (type === 'ready') handler.current({ type: 'poll' })
      else if (type) handler.current({ ...e, type: type as InboxEvent['type'] })
    }
    const startPolling = () => {
      setState('polling')
      if (!poll) poll = setInterval(() => handler.current({ type: 'poll' }), POLL_MS)
      clearTimeout(retry)
      retry = setTimeout(open, RETRY_LIVE_MS)
    }
    function open() {
      if (closed || typeof EventSource === 'undefined') return startPolling()
      source?.close()
      const s = new EventSource(LIVE_PATH, { withCredentials: true })
      source = s
      let opened = false
      s.onopen = () => {
        opened = true
        clearInterval(poll)
        poll = undefined
        setState('live')
      }
      s.onmessage = (m) => emit(m.data)
      for (const name of NAMED)
        s.addEventListener(name, (m) => emit((m as MessageEvent).data, name))
      s.onerror = () => {
        // Never opened (no stream on this server, or refused): poll. Dropped: EventSource retries.
        if (!opened || s.readyState === EventSource.CLOSED) {
          s.close()
          startPolling()
        } else setState('connecting')
      }
    }
    open()
    return () => {
      closed = true
      source?.close()
      clearInterval(poll)
      clearTimeout(retry)
    }
  }, [])
  return state
}

/** Passes live events on to the parts of the page that listen (every event, none batched away). */
export class LiveHub {
  private readonly fns = new Set<(e: InboxEvent) => void>()
  emit(e: InboxEvent): void {
    for (const fn of this.fns) fn(e)
  }
  subscribe(fn: (e: InboxEvent) => void): () => void {
    this.fns.add(fn)
    return () => {
      this.fns.delete(fn)
    }
  }
}
