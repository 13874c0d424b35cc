import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import {
  ErrorResponse,
  SourceThreadId,
  WS_CLOSE,
  WS_PATH,
  WsConnectQuery,
  type WsErrorFrame,
  WsMessageFrame,
} from '@aurion/contract'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { RouteContext } from '../../app-deps.ts'
import { findThreadByRef } from '../../conversations/conversation-repo.ts'
import { chunkFrame, doneFrame, typingFrame } from '../../conversations/frames.ts'
import {
  acceptVisitorMessage,
  checkThreadAccess,
  streamAgentReply,
} from '../../conversations/message-service.ts'
import { isDatabaseUnavailable } from '../../db/unavailable.ts'
import { ApiError, databaseUnavailable, type ValidationIssue } from '../../errors.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import {
  createValidatorCompiler,
  LONE_SURROGATE_MSG,
  loneSurrogatePath,
  toValidationIssues,
} from '../../validation.ts'
import { resolveVisitorIdentity, type VisitorIdentity } from '../../visitors/visitor-auth.ts'
import {
  authorizeWidget,
  limitByKey,
  PUBLIC_LIMITS,
  type WidgetAccess,
} from '../../widget-auth/public-guard.ts'
import { TAGS } from './schemas.ts'

/** Default interval of the server's WebSocket pings; a socket silent for two of them is dropped. */
export const WS_HEARTBEAT_MS = 30_000
/** Concurrent sockets per client IP (an office behind one NAT address stays well below). */
export const MAX_SOCKETS_PER_IP = 100
/** Message frames waiting behind the one being answered; more are refused with `busy`. */
const MAX_PENDING_FRAMES = 8

interface SocketDefaults {
  sourceThreadId?: string | undefined
  senderEmail?: string | undefined
  emailToken?: string | undefined
}

interface WidgetSocket {
  id: string
  ws: WebSocket
  ip: string
  log: FastifyBaseLogger
  creds: { tenantId: string; publicKey: string; originHeader: string | string[] | undefined }
  tenantId: string | undefined
  defaults: SocketDefaults
  /** Thread ids whose frames this socket forwards. */
  follows: Set<string>
  /** Thread that frames without their own source_thread_id continue. */
  currentThread: string | undefined
  alive: boolean
  pending: number
  queue: Promise<void>
}

const compile = createValidatorCompiler()
const validateFrame = compile({
  schema: WsMessageFrame,
  method: 'GET',
  url: WS_PATH,
  httpPart: 'body',
}) as ((data: unknown) => boolean) & { errors?: Parameters<typeof toValidationIssues>[0] | null }
const validateThreadRef = compile({
  schema: SourceThreadId,
  method: 'GET',
  url: WS_PATH,
  httpPart: 'body',
}) as (data: unknown) => boolean

/** Close reasons for `tenant.sockets_revoked` events (their `reason` is a code). */
const REVOKE_REASONS: Record<string, string> = {
  key_regenerated: 'Widget key regenerated',
  widget_disabled: 'Widget disabled',
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * What a socket error means: a client breaking the protocol (frame over the limit, bad opcode…)
 * or dropping the connection is the client's doing (ws has already closed with the right code),
 * logged at debug so nobody can flood the error log with oversized frames; anything else is ours.
 */
export function handleSocketError(error: Error, ws: WebSocket, log: FastifyBaseLogger): void {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (code.startsWith('WS_ERR_') || code === 'ECONNRESET' || code === 'EPIPE')
    log.debug({ err: error }, 'websocket closed on a client error')
  else log.error({ err: error }, 'websocket error')
  ws.terminate()
}

/**
 * Lets go of the upgrade request's HTTP objects, which would otherwise live as long as the socket
 * (bench/websocket.ts: about 4 KB of heap per idle socket): @fastify/websocket's error listener
 * holds Fastify's request and reply, and the TCP socket still points at the ServerResponse made
 * for the upgrade (and, through it, at the request).
 */
function releaseUpgradeObjects(ws: WebSocket, request: FastifyRequest): void {
  const log = request.log
  ws.removeAllListeners('error')
  ws.on('error', (err) => handleSocketError(err, ws, log))
  const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null }
  if (tcp._httpMessage) tcp._httpMessage.detachSocket(tcp)
}

/** "body is required", "body: String should have at most 4000 characters", … */
export function describeIssues(issues: ValidationIssue[]): string {
  return issues
    .map((i) => {
      const field = i.loc.slice(1).join('.') || 'frame'
      return i.type === 'missing' ? `${field} is required` : `${field}: ${i.msg}`
    })
    .join('; ')
}

/**
 * `WS /api/v1/widget/ws`. Credentials (tenant_id, public_key, Origin) are checked right after
 * the upgrade — the contract wants a 1008 close, not an HTTP error — and again for every frame,
 * so a regenerated key or a disabled widget stops a socket even if a bus event was lost.
 * Frames are answered one at a time in order: typing, ack (after the message is stored), chunks,
 * done. Frames of the socket's threads published by others (REST, other tabs, voice, agents)
 * are forwarded; the socket's own are not echoed back.
 */
export async function widgetSocketRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { wsHeartbeatMs?: number },
): Promise<void> {
  const sockets = new Set<WidgetSocket>()
  const byTenant = new Map<string, Set<WidgetSocket>>()
  const byThread = new Map<string, Set<WidgetSocket>>()
  const perIp = new Map<string, number>()
  const add = <K>(map: Map<K, Set<WidgetSocket>>, key: K, s: WidgetSocket) => {
    let set = map.get(key)
    if (!set) {
      set = new Set()
      map.set(key, set)
    }
    set.add(s)
  }
  const remove = <K>(map: Map<K, Set<WidgetSocket>>, key: K, s: WidgetSocket) => {
    const set = map.get(key)
    set?.delete(s)
    if (set?.size === 0) map.delete(key)
  }
  const follow = (s: WidgetSocket, threadId: string) => {
    // A socket that closed while a query ran is already cleaned up: do not register it again.
    if (s.follows.has(threadId) || s.ws.readyState !== s.ws.OPEN) return
    s.follows.add(threadId)
    add(byThread, `${s.tenantId}:${threadId}`, s)
  }

  const unsubscribe = ctx.bus.subscribe((event: BusEvent) => {
    if (event.type === 'tenant.sockets_revoked') {
      for (const s of byTenant.get(event.tenantId) ?? []) {
        close(s, WS_CLOSE.POLICY_VIOLATION, REVOKE_REASONS[event.reason] ?? 'Widget access revoked')
      }
    } else if (event.type === 'tenant.config_changed') {
      // Removed origin, disabled widget: re-check every socket of the tenant.
      for (const s of byTenant.get(event.tenantId) ?? []) {
        authorizeWidget(ctx, s.creds).catch((err: unknown) => {
          // An outage is not a revocation: the socket re-checks on its next message anyway.
          if (!isDatabaseUnavailable(err)) closeForAuth(s, err)
        })
      }
    } else if (event.type === 'thread.frame') {
      for (const s of byThread.get(`${event.tenantId}:${event.threadId}`) ?? []) {
        if (event.origin !== s.id) send(s, event.frame)
      }
    }
  })

  // Every socket is pinged once per period, but the pings are spread over the period in slices
  // of a quarter second: pinging 10,000 sockets in one go stalled the event loop for ~300 ms
  // every 30 s (bench/websocket.ts).
  const period = ctx.wsHeartbeatMs ?? WS_HEARTBEAT_MS
  const slices = Math.max(1, Math.min(120, Math.floor(period / 250)))
  let round: WidgetSocket[] = []
  let next = 0
  const heartbeat = setInterval(() => {
    if (next >= round.length) {
      round = [...sockets]
      next = 0
    }
    const end = Math.min(round.length, next + Math.ceil(round.length / slices))
    for (; next < end; next++) {
      const s = round[next]!
      if (!sockets.has(s)) continue
      if (!s.alive) {
        s.ws.terminate()
        continue
      }
      s.alive = false
      try {
        s.ws.ping()
      } catch {
        s.ws.terminate()
      }
    }
  }, period / slices)
  heartbeat.unref()

  app.addHook('preClose', async () => {
    clearInterval(heartbeat)
    unsubscribe()
    for (const s of sockets) close(s, WS_CLOSE.GOING_AWAY, 'Server shutting down')
  })

  app.route({
    method: 'GET',
    url: WS_PATH,
    schema: {
      tags: TAGS,
      summary: 'WebSocket: stream AI replies in real time',
      description:
        'Upgrade to a WebSocket with `tenant_id` and `public_key` (required) and an allowed Origin; otherwise the socket closes with 1008. Send `{"body": …}` frames (same optional fields as POST /widget/messages); the server answers `typing`, `ack` (stored ids), `chunk` frames (index from 0) and `done`, or an `error` frame `{type, code, message}` (validation_error, rate_limited, agent_unavailable, invalid_json, …) after which the socket stays usable. Frames over 64 KB close with 1009. A regenerated key or disabled widget closes open sockets with 1008. Without an upgrade this URL answers 426.',
      querystring: WsConnectQuery,
      response: { 426: { ...ErrorResponse, description: 'Not a WebSocket upgrade request' } },
    },
    handler: async (_request, reply) =>
      reply
        .status(426)
        .header('Upgrade', 'websocket')
        .send({ detail: 'Upgrade Required: connect with a WebSocket' }),
    wsHandler: (ws: WebSocket, request: FastifyRequest) => {
      releaseUpgradeObjects(ws, request)
      const q = (request.query ?? {}) as Record<string, string | undefined>
      const s: WidgetSocket = {
        id: `ws:${randomUUID()}`,
        ws,
        ip: request.ip,
        log: request.log,
        creds: {
          tenantId: q.tenant_id ?? '',
          publicKey: q.public_key ?? '',
          originHeader: request.headers.origin,
        },
        tenantId: undefined,
        defaults: {},
        follows: new Set(),
        currentThread: undefined,
        alive: true,
        pending: 0,
        queue: Promise.resolve(),
      }
      sockets.add(s)
      perIp.set(s.ip, (perIp.get(s.ip) ?? 0) + 1)
      // Frames may arrive before the credentials are checked: they wait in the queue.
      let ready!: (ok: boolean) => void
      const authorized = new Promise<boolean>((r) => {
        ready = r
      })
      ws.on('pong', () => {
        s.alive = true
      })
      ws.on('message', (data, isBinary) => onFrame(s, data, isBinary, authorized))
      ws.on('close', () => {
        ready(false)
        sockets.delete(s)
        const n = (perIp.get(s.ip) ?? 1) - 1
        if (n <= 0) perIp.delete(s.ip)
        else perIp.set(s.ip, n)
        if (s.tenantId !== undefined) remove(byTenant, s.tenantId, s)
        for (const t of s.follows) remove(byThread, `${s.tenantId}:${t}`, s)
      })
      open(s, q).then(ready, (err: unknown) => {
        s.log.error({ err }, 'widget socket setup failed')
        close(s, 1011, 'Internal error')
        ready(false)
      })
    },
  })

  async function open(s: WidgetSocket, q: Record<string, string | undefined>): Promise<boolean> {
    if (!q.tenant_id || !q.public_key) {
      close(s, WS_CLOSE.POLICY_VIOLATION, 'tenant_id and public_key are required')
      return false
    }
    try {
      await limitByKey(ctx, undefined, PUBLIC_LIMITS.wsConnect, s.ip)
    } catch (err) {
      if (err instanceof ApiError) {
        send(s, errorFrame(err))
        close(s, WS_CLOSE.TRY_AGAIN_LATER, 'Too many connections: retry later')
        return false
      }
      throw err
    }
    let access: WidgetAccess
    try {
      access = await authorizeWidget(ctx, s.creds)
    } catch (err) {
      closeForAuth(s, err)
      return false
    }
    if ((perIp.get(s.ip) ?? 0) > MAX_SOCKETS_PER_IP) {
      close(s, WS_CLOSE.TRY_AGAIN_LATER, 'Too many open connections from this address')
      return false
    }
    if (
      q.sender_email !== undefined &&
      (q.sender_email.length > 254 || !EMAIL_RE.test(q.sender_email))
    ) {
      close(s, WS_CLOSE.POLICY_VIOLATION, 'sender_email is not a valid email address')
      return false
    }
    if (q.source_thread_id !== undefined && !validateThreadRef(q.source_thread_id)) {
      close(s, WS_CLOSE.POLICY_VIOLATION, 'source_thread_id is not a valid thread id')
      return false
    }
    if (s.ws.readyState !== s.ws.OPEN) return false
    s.tenantId = access.tenant.id
    s.defaults = {
      sourceThreadId: q.source_thread_id,
      senderEmail: q.sender_email,
      emailToken: q.email_token,
    }
    s.currentThread = q.source_thread_id
    add(byTenant, s.tenantId, s)
    if (q.source_thread_id !== undefined) {
      // Follow the thread now so frames from other channels show up before the first send.
      try {
        const identity = resolveVisitorIdentity(ctx, access, {
          emailToken: q.email_token,
          senderEmail: q.sender_email,
        })
        const thread = await findThreadByRef(ctx.db, access.tenant.id, q.source_thread_id)
        if (thread && (await checkThreadAccess(ctx, access, thread, identity))) {
          follow(s, thread.id)
          s.currentThread = thread.id
        }
      } catch (err) {
        send(s, errorFrame(err))
      }
    }
    return true
  }

  function onFrame(
    s: WidgetSocket,
    data: unknown,
    isBinary: boolean,
    authorized: Promise<boolean>,
  ) {
    let frame: unknown
    let text = ''
    try {
      if (isBinary) throw new Error('binary')
      text = rawText(data)
      frame = JSON.parse(text)
    } catch {
      send(s, {
        type: 'error',
        code: 'invalid_json',
        message: 'Frames must be JSON text, e.g. {"body": "Hello"}',
      })
      return
    }
    const at = loneSurrogatePath(frame, text)
    if (at) {
      send(s, {
        type: 'error',
        code: 'validation_error',
        message: `${at.join('.') || 'frame'}: ${LONE_SURROGATE_MSG}`,
        ...sourceIdOf(frame),
      })
      return
    }
    if (isObject(frame) && frame.type === 'ping') {
      send(s, { type: 'pong' })
      return
    }
    if (s.pending >= MAX_PENDING_FRAMES) {
      send(s, {
        type: 'error',
        code: 'busy',
        message: 'Too many messages waiting for a reply; wait for "done" before sending more',
        ...sourceIdOf(frame),
      })
      return
    }
    s.pending++
    s.queue = s.queue
      .then(async () => {
        if (await authorized) await handleMessage(s, frame)
      })
      .catch((err: unknown) => s.log.error({ err }, 'widget socket frame failed'))
      .finally(() => {
        s.pending--
      })
  }

  async function handleMessage(s: WidgetSocket, frame: unknown): Promise<void> {
    if (s.ws.readyState !== s.ws.OPEN) return
    const corr = sourceIdOf(frame)
    if (!isObject(frame)) {
      send(s, {
        type: 'error',
        code: 'validation_error',
        message: 'A frame must be a JSON object such as {"body": "Hello"}',
      })
      return
    }
    if (!validateFrame(frame)) {
      const issues = toValidationIssues(validateFrame.errors ?? [], 'body')
      send(s, { type: 'error', code: 'validation_error', message: describeIssues(issues), ...corr })
      return
    }
    const f = frame as unknown as WsMessageFrame
    let access: WidgetAccess
    try {
      await limitByKey(ctx, undefined, PUBLIC_LIMITS.messages, s.ip)
      access = await authorizeWidget(ctx, s.creds)
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) closeForAuth(s, err)
      else send(s, { ...errorFrame(err), ...corr })
      return
    }
    let userMessageId: string | undefined
    try {
      const identity: VisitorIdentity = resolveVisitorIdentity(ctx, access, {
        emailToken: f.email_token ?? s.defaults.emailToken,
        senderEmail: f.sender_email ?? s.defaults.senderEmail,
      })
      const opts = { origin: s.id, log: s.log }
      const accepted = await acceptVisitorMessage(
        ctx,
        access,
        {
          body: f.body,
          identity,
          sourceThreadId: f.source_thread_id ?? s.currentThread,
          sourceMessageId: f.source_message_id,
          uploadIds: f.upload_ids,
          metadata: f.metadata,
        },
        opts,
      )
      const { conversation, thread, contact, userMessage } = accepted
      userMessageId = userMessage.id
      follow(s, thread.id)
      s.currentThread = thread.id
      send(s, typingFrame(userMessage))
      send(s, {
        type: 'ack',
        conversation_id: conversation.id,
        thread_id: thread.id,
        contact_id: contact.id,
        user_message_id: userMessage.id,
        source_message_id: userMessage.source_message_id,
        deduplicated: accepted.deduplicated,
      })
      const gen = streamAgentReply(ctx, access, accepted, opts)
      let index = 0
      for (;;) {
        const step = await gen.next()
        if (step.done) {
          send(s, doneFrame(userMessage.id, step.value.message, accepted.deduplicated))
          break
        }
        send(s, chunkFrame(userMessage, index++, step.value))
      }
    } catch (err) {
      if (!(err instanceof ApiError)) {
        s.log.error({ err, userMessageId }, 'widget socket message failed')
      }
      send(s, { ...errorFrame(err), ...corr })
    }
  }
}

function rawText(data: unknown): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return String(data)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function sourceIdOf(frame: unknown): { source_message_id?: string } {
  return isObject(frame) && typeof frame.source_message_id === 'string'
    ? { source_message_id: frame.source_message_id }
    : {}
}

function errorFrame(err: unknown): WsErrorFrame {
  if (isDatabaseUnavailable(err)) return errorFrame(databaseUnavailable())
  if (err instanceof ApiError) {
    const retry = err.headers['Retry-After']
    return {
      type: 'error',
      code: err.code,
      message: typeof err.detail === 'string' ? err.detail : describeIssues(err.detail),
      ...(err.code === 'rate_limited' && retry !== undefined ? { retry_after: Number(retry) } : {}),
    }
  }
  return { type: 'error', code: 'internal_error', message: 'Internal error' }
}

function send(s: WidgetSocket, frame: object): void {
  if (s.ws.readyState === s.ws.OPEN) s.ws.send(JSON.stringify(frame))
}

function close(s: WidgetSocket, code: number, reason: string): void {
  if (s.ws.readyState === s.ws.OPEN || s.ws.readyState === s.ws.CONNECTING) {
    s.ws.close(code, reason)
  }
}

/**
 * The credentials stopped (or never started) working: 1008 with the guard's message. When the
 * check itself could not run (database or rate-limit store down) the widget must retry, not give
 * up: 1013 with an error frame saying why.
 */
function closeForAuth(s: WidgetSocket, err: unknown): void {
  if (isDatabaseUnavailable(err) || (err instanceof ApiError && err.status === 503)) {
    send(s, errorFrame(err))
    close(s, WS_CLOSE.TRY_AGAIN_LATER, 'Service temporarily unavailable: retry later')
    return
  }
  const reason =
    err instanceof ApiError && typeof err.detail === 'string' ? err.detail : 'Not allowed'
  if (!(err instanceof ApiError)) s.log.error({ err }, 'widget socket authorization failed')
  close(s, WS_CLOSE.POLICY_VIOLATION, reason.slice(0, 120))
}
