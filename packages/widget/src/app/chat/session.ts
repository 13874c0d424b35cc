import { storageKey, type WidgetHost, type WidgetMessageEvent } from '../../shared/host.ts'
import {
  ApiFailure,
  type ApiTarget,
  callApi,
  type HistoryConversation,
  type HistoryMessage,
  type HistoryResponse,
  historyRequest,
  type MessageResponse,
  messageRequest,
  type OutgoingMessage,
  sessionRequest,
  socketUrl,
} from './endpoints.ts'
import { newId } from './ids.ts'
import { ChatSocket, type ServerFrame } from './socket.ts'

export type Role = 'visitor' | 'assistant' | 'agent'

export interface Attachment {
  id: string
  name: string
  type: string
  size: number
}

export type MessageError = 'notSent' | 'agentDown' | 'rateLimited' | 'rejected'

export interface ChatMessage {
  /** Stable key: the `source_message_id` of a visitor message, `r:<that>` for its reply. */
  key: string
  role: Role
  body: string
  at: string
  state: 'sending' | 'sent' | 'failed' | 'streaming' | 'done'
  error?: MessageError
  /** Server-side validation text for `rejected`. */
  detail?: string
  serverId?: string
  attachments?: Attachment[]
  channel?: 'chat' | 'voice'
}

export type Link = 'connecting' | 'online' | 'reconnecting' | 'rest' | 'offline' | 'closed'

export interface ChatState {
  messages: ChatMessage[]
  typing: boolean
  link: Link
  /** Our `source_thread_id`: the conversation survives reloads through it. */
  threadId: string
  conversationId?: string
  email?: string
  emailToken?: string
  name?: string
}

interface Stored {
  v: 1
  threadId: string
  conversationId?: string
  email?: string
  emailToken?: string
  name?: string
  messages: ChatMessage[]
  outbox: OutgoingMessage[]
}

const KEEP_MESSAGES = 150
const REST_AFTER_FAILURES = 2

function read(key: string): Stored | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(key) ?? 'null') as Stored | null
    return s?.v === 1 && typeof s.threadId === 'string' && Array.isArray(s.messages) ? s : undefined
  } catch {
    return undefined
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)

/** The server's attachment list as ours (`{}` when there are none). */
export function attachmentsOf(list: unknown): { attachments?: Attachment[] } {
  if (!Array.isArray(list) || list.length === 0) return {}
  return {
    attachments: (list as HistoryMessage['attachments'] & object).map((a) => ({
      id: a.upload_id,
      name: a.file_name,
      type: a.content_type,
      size: a.size_bytes,
    })),
  }
}

/**
 * The visitor's conversation: messages, the socket (REST when it can't open), the outbox that
 * makes every send exactly-once (a message keeps its `source_message_id` through every retry,
 * reconnect and reload until its reply is complete), unread counting and local persistence.
 */
export class ChatSession {
  state: ChatState
  /** Grows with every change of `state` (see `useStore`). */
  version = 0
  private readonly listeners = new Set<() => void>()
  private readonly outbox = new Map<string, OutgoingMessage>()
  private readonly waiters = new Map<string, [() => void, (e: Error) => void]>()
  private readonly replyWaiters = new Map<string, (reply: string | undefined) => void>()
  private readonly key: string
  private socket: ChatSocket | undefined
  private restBusy = false
  /** The socket can't open (proxy, CSP…): messages go over `POST /widget/messages`. */
  private useRest = false
  private wasOnline = false
  private restTimer: ReturnType<typeof setTimeout> | undefined
  private restAttempt = 0
  private typingTimer: ReturnType<typeof setTimeout> | undefined
  private saveTimer: ReturnType<typeof setTimeout> | undefined
  private unread = 0
  /** The visitor message whose reply is streaming (frames don't always name it). */
  private streamingFor: string | undefined
  private readonly onStorage = (e: StorageEvent) => {
    if (e.key !== this.key || this.outbox.size > 0 || this.streamingFor) return
    const s = read(this.key)
    if (s && s.threadId === this.state.threadId) this.set({ messages: s.messages })
  }

  constructor(
    private readonly host: WidgetHost,
    readonly api: ApiTarget,
  ) {
    this.key = storageKey(host.tenantId, 'chat')
    const s = read(this.key)
    try {
      this.unread = Number(localStorage.getItem(storageKey(host.tenantId, 'unread'))) || 0
    } catch {
      this.unread = 0
    }
    this.state = {
      messages: (s?.messages ?? []).map((m) =>
        m.state === 'streaming' && !s?.outbox?.some((o) => `r:${o.source_message_id}` === m.key)
          ? { ...m, state: 'done' }
          : m,
      ),
      typing: false,
      link: 'connecting',
      threadId: s?.threadId ?? newId(),
      conversationId: s?.conversationId,
      email: s?.email,
      emailToken: s?.emailToken,
      name: s?.name,
    }
    for (const o of s?.outbox ?? [])
      if (o?.source_message_id) this.outbox.set(o.source_message_id, o)
    addEventListener('storage', this.onStorage)
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Opens the socket (idempotent). Done lazily: on first open, first send, or a stored thread. */
  connect(): void {
    if (this.socket) return
    this.socket = new ChatSocket(
      () =>
        socketUrl(this.api, {
          sourceThreadId: this.state.threadId,
          senderEmail: this.senderEmail(),
          emailToken: this.state.emailToken,
        }),
      {
        frame: (f) => this.onFrame(f),
        state: (s, failures) => {
          if (s === 'open') {
            this.useRest = false
            this.wasOnline = true
            this.set({ link: 'online' })
            for (const m of this.outbox.values()) this.socket?.send(m)
          } else if (s === 'closed') {
            this.set({ link: 'closed', typing: false })
          } else if (this.useRest || failures >= REST_AFTER_FAILURES) {
            if (this.useRest) return
            this.useRest = true
            this.set({ link: 'rest' })
            this.flushRest()
          } else if (s === 'down') {
            this.set({
              link:
                navigator.onLine === false
                  ? 'offline'
                  : this.wasOnline
                    ? 'reconnecting'
                    : 'connecting',
            })
          }
        },
      },
    )
    this.socket.connect()
  }

  get hasThread(): boolean {
    return this.state.messages.length > 0
  }

  /**
   * Sends a visitor message. Resolves once the server acknowledged (stored) it; stays pending
   * while offline; rejects when the server refuses it.
   */
  send(
    body: string,
    opts: { attachments?: Attachment[]; channel?: 'chat' | 'voice' } = {},
  ): Promise<void> {
    const text = body.trim()
    if (!text && !opts.attachments?.length) return Promise.resolve()
    const id = newId()
    const done = new Promise<void>((res, rej) => this.waiters.set(id, [res, rej]))
    done.catch(() => {})
    this.enqueue(id, text, opts)
    return done
  }

  /** Sends a message and resolves with its complete reply (`undefined` if there is none). */
  ask(body: string, channel: 'chat' | 'voice'): Promise<string | undefined> {
    const id = newId()
    const reply = new Promise<string | undefined>((res) => {
      this.replyWaiters.set(id, res)
      setTimeout(() => this.settleReply(id, undefined), 120_000)
    })
    this.enqueue(id, body.trim(), { channel })
    return reply
  }

  private settleReply(key: string, reply: string | undefined): void {
    this.replyWaiters.get(key)?.(reply)
    this.replyWaiters.delete(key)
  }

  private enqueue(
    id: string,
    text: string,
    opts: { attachments?: Attachment[]; channel?: 'chat' | 'voice' },
  ): void {
    const msg: OutgoingMessage = {
      body: text.slice(0, 4000),
      source_message_id: id,
      source_thread_id: this.state.threadId,
      metadata: {
        channel: opts.channel ?? 'chat',
        locale: this.host.locale(),
        page_url: location.href.slice(0, 500),
      },
    }
    const email = this.senderEmail()
    if (email) msg.sender_email = email
    if (this.state.emailToken) msg.email_token = this.state.emailToken
    if (opts.attachments?.length) msg.upload_ids = opts.attachments.map((a) => a.id)
    this.push({
      key: id,
      role: 'visitor',
      body: msg.body,
      at: new Date().toISOString(),
      state: 'sending',
      channel: opts.channel ?? 'chat',
      ...(opts.attachments?.length ? { attachments: opts.attachments } : {}),
    })
    this.outbox.set(id, msg)
    this.dispatch(msg)
  }

  /** Sends a failed message again with its original `source_message_id` (exactly once). */
  retry(key: string): void {
    const m = this.state.messages.find((x) => x.key === key)
    if (m?.role !== 'visitor') return
    const out: OutgoingMessage = this.outbox.get(key) ?? {
      body: m.body,
      source_message_id: key,
      source_thread_id: this.state.threadId,
      ...(m.attachments?.length ? { upload_ids: m.attachments.map((a) => a.id) } : {}),
    }
    this.outbox.set(key, out)
    this.patch(key, { state: m.serverId ? 'sent' : 'sending', error: undefined, detail: undefined })
    this.dispatch(out)
  }

  /**
   * A line of the call shown in the thread: a LiveKit `lk.transcription` segment as it grows, or
   * (channel `chat`) text typed into the call. The voice agent stores both in the conversation.
   */
  transcript(
    seg: { id: string; role: 'visitor' | 'assistant'; text: string; final: boolean },
    channel: 'voice' | 'chat' = 'voice',
  ): void {
    const key = `v:${seg.id}`
    const existing = this.state.messages.find((m) => m.key === key)
    const state = seg.final ? 'done' : 'streaming'
    if (existing) this.patch(key, { body: seg.text, state })
    else {
      this.push({
        key,
        role: seg.role,
        body: seg.text,
        at: new Date().toISOString(),
        state,
        channel,
      })
    }
    if (seg.final && seg.text.trim()) {
      this.emitMessage(key)
      if (seg.role === 'assistant') this.bumpUnread()
    }
  }

  /** Starts a fresh conversation (new thread); the old one stays in the visitor's history. */
  newConversation(): void {
    this.outbox.clear()
    this.streamingFor = undefined
    this.set({ messages: [], threadId: newId(), conversationId: undefined, typing: false })
    this.socket?.restart()
  }

  /** Exchanges an email for an `email_token` (contract: `POST /widget/session`). */
  async identify(email: string, opts: { name?: string; userHash?: string } = {}): Promise<void> {
    const e = email.trim().toLowerCase()
    if (this.state.email && this.state.email !== e) this.forgetVisitor()
    const r = await callApi<{ email_token: string }>(sessionRequest(this.api, e, opts.userHash))
    this.set({
      email: e,
      emailToken: r.email_token,
      ...(opts.name ? { name: opts.name } : {}),
    })
    // The socket follows the thread as this visitor from now on.
    this.socket?.restart()
  }

  /** Forgets who the visitor is and starts over (shared computers; another signed-in user). */
  forgetVisitor(): void {
    this.set({ email: undefined, emailToken: undefined, name: undefined })
    this.newConversation()
  }

  /** Past conversations (newest first); also fills in replies this thread missed while away. */
  async history(): Promise<HistoryConversation[]> {
    if (!this.state.emailToken) return []
    let r: HistoryResponse
    try {
      r = await callApi<HistoryResponse>(
        historyRequest(this.api, this.state.emailToken, { conversations: 20, messages: 100 }),
      )
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) this.set({ emailToken: undefined })
      throw err
    }
    const mine = r.conversations.find((c) => c.conversation_id === this.state.conversationId)
    if (mine && this.outbox.size === 0 && !this.streamingFor) this.mergeServerMessages(mine)
    return r.conversations
  }

  markRead(): void {
    this.unread = 0
    this.host.setUnread(0)
  }

  close(forget: boolean): void {
    this.socket?.close()
    clearTimeout(this.restTimer)
    clearTimeout(this.typingTimer)
    removeEventListener('storage', this.onStorage)
    if (this.saveTimer) this.save()
    clearTimeout(this.saveTimer)
    if (forget) {
      try {
        localStorage.removeItem(this.key)
      } catch {
        // Storage disabled: nothing was kept.
      }
    }
    this.listeners.clear()
  }

  private senderEmail(): string | undefined {
    return this.state.email ?? str(this.host.user?.email)
  }

  private dispatch(msg: OutgoingMessage): void {
    this.connect()
    if (this.useRest) this.flushRest()
    else this.socket?.send(msg)
  }

  private flushRest(): void {
    if (this.restBusy) return
    this.restBusy = true
    clearTimeout(this.restTimer)
    void (async () => {
      try {
        for (const [id, msg] of this.outbox) {
          if (!this.useRest) return
          let r: MessageResponse
          try {
            this.onFrame({ type: 'typing' })
            r = await callApi<MessageResponse>(messageRequest(this.api, msg))
          } catch (err) {
            const f = err instanceof ApiFailure ? err : new ApiFailure(0, String(err))
            if (f.status === 0 || f.status >= 500) {
              if (f.status === 503 && /agent|assistant/i.test(f.detail)) {
                this.fail(id, 'agentDown')
                continue
              }
              this.set({ typing: false, link: 'offline' })
              this.restTimer = setTimeout(
                () => this.flushRest(),
                Math.min(30_000, 2000 * 2 ** this.restAttempt++),
              )
              return
            }
            this.fail(id, f.status === 429 ? 'rateLimited' : 'rejected', f.detail)
            continue
          }
          this.restAttempt = 0
          if (this.state.link !== 'rest') this.set({ link: 'rest' })
          this.onFrame({ type: 'ack', source_message_id: id, ...r })
          if (r.ai_response !== null && r.ai_response !== undefined) {
            this.onFrame({ type: 'done', source_message_id: id, ...r })
          }
        }
      } finally {
        this.restBusy = false
        this.set({ typing: false })
      }
    })()
  }

  /** The visitor message a frame is about. */
  private subject(f: ServerFrame): string | undefined {
    const sid = str(f.source_message_id)
    if (sid && this.state.messages.some((m) => m.key === sid)) return sid
    const uid = str(f.user_message_id)
    if (uid) {
      const m = this.state.messages.find((x) => x.role === 'visitor' && x.serverId === uid)
      if (m) return m.key
    }
    if (sid || uid) return undefined
    if (f.type === 'ack') {
      return [...this.outbox.keys()].find(
        (k) => this.state.messages.find((m) => m.key === k)?.state === 'sending',
      )
    }
    return (
      this.streamingFor ??
      [...this.outbox.keys()].find((k) => this.state.messages.find((m) => m.key === k)?.serverId)
    )
  }

  private onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'typing':
        this.set({ typing: true })
        clearTimeout(this.typingTimer)
        this.typingTimer = setTimeout(() => this.set({ typing: false }), 30_000)
        return
      case 'ack': {
        const key = this.subject(f)
        if (str(f.conversation_id)) this.set({ conversationId: str(f.conversation_id) })
        if (!key) return
        const first = this.state.messages.find((m) => m.key === key)?.state === 'sending'
        this.patch(key, { state: 'sent', serverId: str(f.user_message_id) })
        this.waiters.get(key)?.[0]()
        this.waiters.delete(key)
        if (first) this.emitMessage(key)
        return
      }
      case 'chunk': {
        const key = this.subject(f)
        if (!key) return
        const rk = `r:${key}`
        this.streamingFor = key
        clearTimeout(this.typingTimer)
        const chunk = typeof f.chunk === 'string' ? f.chunk : ''
        const existing = this.state.messages.find((m) => m.key === rk)
        if (!existing) {
          this.push({
            key: rk,
            role: 'assistant',
            body: chunk,
            at: new Date().toISOString(),
            state: 'streaming',
          })
        } else {
          // A resent message (after a drop) streams its reply again from index 0.
          const body = f.index === 0 ? chunk : existing.body + chunk
          this.patch(rk, { body, state: 'streaming' })
        }
        this.set({ typing: false })
        return
      }
      case 'done': {
        const key = this.subject(f)
        this.set({ typing: false })
        clearTimeout(this.typingTimer)
        if (!key) return
        const rk = `r:${key}`
        const full = str(f.ai_response)
        const existing = this.state.messages.find((m) => m.key === rk)
        const serverId = str(f.ai_message_id)
        if (existing) this.patch(rk, { state: 'done', serverId, ...(full ? { body: full } : {}) })
        else if (full) {
          this.push({
            key: rk,
            role: 'assistant',
            body: full,
            at: new Date().toISOString(),
            state: 'done',
            serverId,
          })
        }
        this.outbox.delete(key)
        if (this.streamingFor === key) this.streamingFor = undefined
        this.settleReply(key, this.state.messages.find((m) => m.key === rk)?.body)
        if (this.state.messages.some((m) => m.key === rk)) {
          this.emitMessage(rk)
          this.bumpUnread()
        }
        this.save()
        return
      }
      case 'error': {
        const code = str(f.code) ?? ''
        const key = this.subject(f) ?? this.streamingFor ?? [...this.outbox.keys()][0]
        this.set({ typing: false })
        if (!key) return
        this.fail(
          key,
          code === 'rate_limited'
            ? 'rateLimited'
            : code === 'agent_unavailable'
              ? 'agentDown'
              : code === 'validation_error'
                ? 'rejected'
                : 'notSent',
          str(f.message),
        )
        return
      }
      case 'message': {
        const m = (f.message && typeof f.message === 'object' ? f.message : f) as Record<
          string,
          unknown
        >
        const id = str(m.id) ?? str(m.message_id)
        const body = str(m.body)
        if (!id || !body) return
        if (this.state.messages.some((x) => x.serverId === id)) return
        const sender = str(m.sender_type)
        const sid = str(m.source_message_id)
        if (sid && this.state.messages.some((x) => x.key === sid)) return
        const voice = str(m.channel) === 'voice'
        const role: Role =
          sender === 'contact' ? 'visitor' : sender === 'agent' ? 'agent' : 'assistant'
        // A line we already show from the call itself (live transcript, or text typed into it).
        if (this.sameLocalLine(body, role)) return
        this.push({
          key: `s:${id}`,
          role,
          body,
          at: str(m.created_at) ?? new Date().toISOString(),
          state: 'done',
          serverId: id,
          channel: voice ? 'voice' : 'chat',
          ...attachmentsOf(m.attachments),
        })
        if (str(f.conversation_id)) this.set({ conversationId: str(f.conversation_id) })
        this.emitMessage(`s:${id}`)
        if (role !== 'visitor') this.bumpUnread()
        return
      }
    }
  }

  private sameLocalLine(body: string, role: Role): boolean {
    const norm = (s: string) =>
      s
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim()
    const b = norm(body)
    return this.state.messages.some(
      (m) => m.key.startsWith('v:') && m.role === role && norm(m.body) === b,
    )
  }

  private fail(key: string, error: MessageError, detail?: string): void {
    const m = this.state.messages.find((x) => x.key === key)
    this.outbox.delete(key)
    if (this.streamingFor === key) this.streamingFor = undefined
    this.patch(key, {
      // An agent failure keeps the visitor's message (it was stored): only the reply is missing.
      state: error === 'agentDown' && m?.serverId ? 'sent' : 'failed',
      error,
      detail,
    })
    this.waiters.get(key)?.[1](new Error(detail ?? error))
    this.waiters.delete(key)
    this.settleReply(key, undefined)
  }

  private mergeServerMessages(c: HistoryConversation): void {
    const known = new Set(this.state.messages.map((m) => m.serverId).filter(Boolean))
    const added: ChatMessage[] = c.messages
      .filter(
        (m) =>
          !known.has(m.id) &&
          !this.sameLocalLine(m.body, m.sender_type === 'contact' ? 'visitor' : 'assistant'),
      )
      .map((m) => ({
        key: `s:${m.id}`,
        role:
          m.sender_type === 'contact'
            ? 'visitor'
            : m.sender_type === 'agent'
              ? 'agent'
              : 'assistant',
        body: m.body,
        at: m.created_at,
        state: 'done',
        serverId: m.id,
        channel: m.channel === 'voice' ? 'voice' : 'chat',
        ...attachmentsOf(m.attachments),
      }))
    if (!added.length) return
    const messages = [...this.state.messages, ...added].sort((a, b) => a.at.localeCompare(b.at))
    this.set({ messages })
  }

  private emitMessage(key: string): void {
    const m = this.state.messages.find((x) => x.key === key)
    if (!m) return
    const payload: WidgetMessageEvent = {
      id: m.serverId ?? m.key,
      sender_type: m.role === 'visitor' ? 'contact' : m.role === 'agent' ? 'agent' : 'ai',
      body: m.body,
      created_at: m.at,
      conversation_id: this.state.conversationId ?? null,
      channel: m.channel ?? 'chat',
    }
    this.host.emit('message', payload)
  }

  private bumpUnread(): void {
    if (this.host.isOpen() && document.visibilityState !== 'hidden') return
    this.unread++
    this.host.setUnread(this.unread)
  }

  private push(m: ChatMessage): void {
    this.set({ messages: [...this.state.messages, m] })
  }

  private patch(key: string, p: Partial<ChatMessage>): void {
    this.set({ messages: this.state.messages.map((m) => (m.key === key ? { ...m, ...p } : m)) })
  }

  private set(p: Partial<ChatState>): void {
    this.state = { ...this.state, ...p }
    this.version++
    for (const fn of this.listeners) fn()
    if (!this.saveTimer) this.saveTimer = setTimeout(() => this.save(), 250)
  }

  private save(): void {
    clearTimeout(this.saveTimer)
    this.saveTimer = undefined
    const s = this.state
    const stored: Stored = {
      v: 1,
      threadId: s.threadId,
      conversationId: s.conversationId,
      email: s.email,
      emailToken: s.emailToken,
      name: s.name,
      messages: s.messages.slice(-KEEP_MESSAGES),
      outbox: [...this.outbox.values()],
    }
    try {
      localStorage.setItem(this.key, JSON.stringify(stored))
    } catch {
      // Full or disabled storage: the conversation still works, it just won't survive a reload.
    }
  }
}
