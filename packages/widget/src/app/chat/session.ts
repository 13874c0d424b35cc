import type { WsServerFrame } from '@aurion/contract'
import { storageKey, type WidgetHost, type WidgetMessageEvent } from '../../shared/host.ts'
import {
  type ApiRequest,
  type ApiTarget,
  attachmentRequest,
  callApi,
  type OutgoingMessage,
  sessionRequest,
  socketUrl,
} from './endpoints.ts'
import { newId } from './ids.ts'
import { readStored, restoredMessages, writeStored } from './persistence.ts'
import { type Effect, failMessage, patchMessage, reduceFrame } from './reduce-frame.ts'
import { RestDelivery } from './rest-delivery.ts'
import { str } from './server-messages.ts'
import { ChatSocket } from './socket.ts'
import type { Attachment, ChatMessage, ChatState, MessageError } from './types.ts'

export { attachmentsOf, extrasOf } from './server-messages.ts'
export type { Attachment, ChatMessage, ChatState, Link, MessageError, Role } from './types.ts'

interface SendOpts {
  attachments?: Attachment[]
  channel?: 'chat' | 'voice'
  /** e.g. `talk_to_person` (the "Talk to a person" quick action). */
  action?: string
}

const REST_AFTER_FAILURES = 2

function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base, location.href).origin
  } catch {
    return false
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
  private readonly rest: RestDelivery
  /** The socket can't open (proxy, CSP…): messages go over `POST /widget/messages`. */
  private useRest = false
  private wasOnline = false
  private typingTimer: ReturnType<typeof setTimeout> | undefined
  private saveTimer: ReturnType<typeof setTimeout> | undefined
  private unread = 0
  private typedAt = 0
  private readonly onStorage = (e: StorageEvent) => {
    if (e.key !== this.key || !this.settled) return
    const s = readStored(this.key)
    if (s && s.threadId === this.state.threadId) this.set({ messages: s.messages })
  }

  constructor(
    private readonly host: WidgetHost,
    readonly api: ApiTarget,
  ) {
    this.key = storageKey(host.tenantId, 'chat')
    const s = readStored(this.key)
    try {
      this.unread = Number(localStorage.getItem(storageKey(host.tenantId, 'unread'))) || 0
    } catch {
      this.unread = 0
    }
    this.state = {
      messages: restoredMessages(s),
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
    this.rest = new RestDelivery({
      api,
      outbox: this.outbox,
      link: () => this.state.link,
      active: () => this.useRest,
      frame: (f) => this.onFrame(f),
      fail: (k, e, d) => this.fail(k, e, d),
      set: (p) => this.set(p),
      showTyping: (ms) => this.showTyping(ms),
    })
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
          // Unsent messages are resent instead: their replies come back with them, not twice.
          after:
            this.outbox.size === 0
              ? this.state.messages.filter((m) => m.serverId).pop()?.serverId
              : undefined,
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
            this.rest.flush()
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
  send(body: string, opts: SendOpts = {}): Promise<void> {
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

  private enqueue(id: string, text: string, opts: SendOpts): void {
    const msg: OutgoingMessage = {
      body: text.slice(0, 4000),
      source_message_id: id,
      source_thread_id: this.state.threadId,
      metadata: {
        channel: opts.channel ?? 'chat',
        locale: this.host.locale(),
        page_url: location.href.slice(0, 500),
        action: opts.action,
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
    this.set({
      messages: [],
      threadId: newId(),
      conversationId: undefined,
      typing: false,
      streaming: undefined,
    })
    this.socket?.restart()
  }

  /** Exchanges an email for an `email_token` (contract: `POST /widget/session`). */
  async identify(email: string, opts: { name?: string; userHash?: string } = {}): Promise<void> {
    const e = email.trim().toLowerCase()
    if (this.state.email && this.state.email !== e) this.forgetVisitor()
    // The conversation of this browser becomes the visitor's as they sign in.
    const thread = this.state.conversationId ? this.state.threadId : undefined
    const r = await callApi<{ email_token: string }>(
      sessionRequest(this.api, e, opts.userHash, thread),
    )
    this.set({
      email: e,
      emailToken: r.email_token,
      ...(opts.name ? { name: opts.name } : {}),
    })
    // The socket follows the thread as this visitor from now on.
    this.socket?.restart()
  }

  /** The mailed code proved the email (see email-code.ts): this token lists every device's. */
  emailProved(emailToken: string): void {
    this.set({ emailToken, emailVerified: true })
    this.socket?.restart()
  }

  /** Forgets who the visitor is and starts over (shared computers; another signed-in user). */
  forgetVisitor(): void {
    this.set({
      email: undefined,
      emailToken: undefined,
      name: undefined,
      emailVerified: undefined,
      codeAvailable: undefined,
    })
    this.newConversation()
  }

  /** Nothing is on its way (no message awaiting its reply): stored copies can be merged in. */
  get settled(): boolean {
    return this.outbox.size === 0 && !this.state.streaming
  }

  markRead(): void {
    this.unread = 0
    this.host.setUnread(0)
  }

  /** How to download one of this conversation's attachments, as its visitor. */
  attachmentRequest(a: Attachment): ApiRequest {
    // A signed URL from the server, on the API's own origin, needs no proof.
    if (a.url && sameOrigin(a.url, this.api.apiBase)) {
      return { url: a.url, init: { method: 'GET', credentials: 'omit' } }
    }
    return attachmentRequest(this.api, a.id, {
      sourceThreadId: this.state.threadId,
      emailToken: this.state.emailToken,
    })
  }

  close(forget: boolean): void {
    this.socket?.close()
    this.rest.stop()
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
    if (this.useRest) this.rest.flush()
    else this.socket?.send(msg)
  }

  /** A server frame (socket or REST): the pure reducer's state, then its effects. */
  private onFrame(f: WsServerFrame): void {
    const [next, effects] = reduceFrame(this.state, f, [...this.outbox.keys()])
    if (next !== this.state) this.set(next)
    for (const e of effects) this.effect(e)
  }

  private effect(e: Effect): void {
    if (e.k === 'typing') this.showTyping(e.ms)
    else if (e.k === 'emit') {
      this.emitMessage(e.key)
      if (e.unread) this.bumpUnread()
    } else {
      const waiter = this.waiters.get(e.key)
      this.waiters.delete(e.key)
      if (e.k === 'ack') waiter?.[0]()
      else {
        this.outbox.delete(e.key)
        if (e.error) waiter?.[1](new Error(e.error))
        this.settleReply(e.key, e.reply)
        if (!e.error) this.save()
      }
    }
  }

  /** Shows that someone composes for at most `ms` (0: stop showing it). */
  private showTyping(ms: number): void {
    clearTimeout(this.typingTimer)
    if (!ms) return
    if (!this.state.typing) this.set({ typing: true })
    this.typingTimer = setTimeout(() => this.set({ typing: false }), ms)
  }

  /** The visitor types: a person handling the conversation sees it (at most every 2 s). */
  typed(): void {
    if (this.state.conv?.handled_by !== 'human' || Date.now() - this.typedAt < 2e3) return
    this.typedAt = Date.now()
    this.socket?.send({ type: 'typing' })
  }

  private fail(key: string, error: MessageError, detail?: string): void {
    this.set(failMessage(this.state, key, error, detail))
    this.effect({ k: 'end', key, error: detail ?? error })
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
    this.set(patchMessage(this.state, key, p))
  }

  /** Changes the state: renders, and saves it soon. */
  set(p: Partial<ChatState>): void {
    this.state = { ...this.state, ...p }
    this.version++
    for (const fn of this.listeners) fn()
    if (!this.saveTimer) this.saveTimer = setTimeout(() => this.save(), 250)
  }

  private save(): void {
    clearTimeout(this.saveTimer)
    this.saveTimer = undefined
    writeStored(this.key, this.state, [...this.outbox.values()])
  }
}
