import type WebSocket from 'ws'
import { BENCH_ORIGIN } from '../lib/seed.ts'
import { openSocket } from '../lib/sockets.ts'

/** What the server acknowledged to the writers, by the writers' own ids. */
export interface Ledger {
  /** Visitor messages (HTTP 200 or an `ack` frame), hand-off requests included. */
  visitor: Map<string, { userMessageId: string; body: string }>
  /** The assistant's replies the REST answers carried (message id → the visitor message's). */
  replies: Map<string, string>
  /** Hand-offs: the answer said `handled_by: human` (visitor source id → conversation id). */
  handoffs: Map<string, string>
  /** Hand-off requests answered 200 without `handled_by: human`: a hand-off the product lost. */
  handoffsNotMade: string[]
  /** People's replies (HTTP 201), by their `source_message_id`. */
  agent: Map<string, { messageId: string; conversationId: string; body: string }>
}

export function newLedger(): Ledger {
  return {
    visitor: new Map(),
    replies: new Map(),
    handoffs: new Map(),
    handoffsNotMade: [],
    agent: new Map(),
  }
}

export interface WriterContext {
  base: string
  tenantId: string
  publicKey: string
  apiKey: string
  ledger: Ledger
  running(): boolean
  fail(err: Error): void
  /** A failed attempt that will be retried with the same id. */
  retried(): void
  serverError(status: number): void
  log(line: string): void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pause = () => sleep(10 + Math.random() * 30)

/**
 * Sends one request until it is answered with `ok` (acknowledged): a cut connection, a refused
 * one (server down) and a 5xx are retried with the same body (same idempotency key); any other
 * answer stops the run. Returns the parsed answer, or undefined when the run stopped first.
 */
async function untilAcknowledged<T>(
  ctx: WriterContext,
  label: string,
  ok: number,
  send: () => Promise<Response>,
): Promise<T | undefined> {
  for (;;) {
    try {
      const res = await send()
      const text = await res.text()
      if (res.status === ok) return JSON.parse(text) as T
      if (res.status < 500) {
        ctx.fail(new Error(`${label}: ${res.status} ${text}`))
        return undefined
      }
      ctx.serverError(res.status)
    } catch (err) {
      if (process.env.BENCH_DEBUG) ctx.log(`  ${label}: ${(err as Error).message}`)
    }
    ctx.retried()
    await pause()
  }
}

interface WidgetAnswer {
  conversation_id: string
  user_message_id: string
  ai_message_id: string
  handled_by?: string
}

const postWidget = (ctx: WriterContext, payload: object) => () =>
  fetch(`${ctx.base}/api/v1/widget/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: BENCH_ORIGIN },
    body: JSON.stringify({ tenant_id: ctx.tenantId, public_key: ctx.publicKey, ...payload }),
    signal: AbortSignal.timeout(15_000),
  })

/** Visitor messages over REST in one conversation that goes on across crashes. */
export async function restWriter(ctx: WriterContext, w: number): Promise<void> {
  for (let n = 0; ctx.running(); n++) {
    const id = `crash-r${w}-${n}`
    const body = `Message ${n} of writer r${w}: how do I reset my password?`
    const send = postWidget(ctx, {
      body,
      source_thread_id: `crash-thread-r${w}`,
      source_message_id: id,
    })
    const a = await untilAcknowledged<WidgetAnswer>(ctx, `POST /widget/messages ${id}`, 200, send)
    if (!a) return
    ctx.ledger.visitor.set(id, { userMessageId: a.user_message_id, body })
    ctx.ledger.replies.set(a.ai_message_id, a.user_message_id)
  }
}

/**
 * Hand-offs: each visitor starts a conversation with the "Talk to a person" quick action; the
 * answer must say a person has it now. Handed-off conversations go to `handedOff` for the
 * people's replies.
 */
export async function handoffWriter(
  ctx: WriterContext,
  w: number,
  handedOff: string[],
): Promise<void> {
  for (let n = 0; ctx.running(); n++) {
    const id = `crash-h${w}-${n}`
    const body = `Talk to a person (visitor h${w}-${n})`
    const send = postWidget(ctx, {
      body,
      source_thread_id: `crash-thread-h${w}-${n}`,
      source_message_id: id,
      metadata: { action: 'talk_to_person' },
    })
    const a = await untilAcknowledged<WidgetAnswer>(ctx, `hand-off ${id}`, 200, send)
    if (!a) return
    ctx.ledger.visitor.set(id, { userMessageId: a.user_message_id, body })
    ctx.ledger.replies.set(a.ai_message_id, a.user_message_id)
    if (a.handled_by === 'human') {
      ctx.ledger.handoffs.set(id, a.conversation_id)
      handedOff.push(a.conversation_id)
    } else ctx.ledger.handoffsNotMade.push(id)
  }
}

/** A person (the API, with a key) replies in handed-off conversations. */
export async function agentWriter(
  ctx: WriterContext,
  w: number,
  handedOff: string[],
): Promise<void> {
  for (let n = 0; ctx.running(); n++) {
    while (handedOff.length === 0 && ctx.running()) await sleep(20)
    if (!ctx.running()) return
    const conversationId = handedOff[Math.floor(Math.random() * handedOff.length)]!
    const id = `crash-a${w}-${n}`
    const body = `Dana here (reply a${w}-${n}): I am looking into it.`
    const send = () =>
      fetch(`${ctx.base}/api/v1/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ctx.apiKey },
        body: JSON.stringify({ body, source_message_id: id }),
        signal: AbortSignal.timeout(15_000),
      })
    const a = await untilAcknowledged<{ id: string }>(ctx, `agent reply ${id}`, 201, send)
    if (!a) return
    ctx.ledger.agent.set(id, { messageId: a.id, conversationId, body })
  }
}

/** Visitor messages over a WebSocket (reconnected after every crash), acknowledged by `ack`. */
export async function wsWriter(ctx: WriterContext, w: number): Promise<void> {
  const url = `${ctx.base.replace('http', 'ws')}/api/v1/widget/ws?tenant_id=${ctx.tenantId}&public_key=${ctx.publicKey}&source_thread_id=crash-thread-s${w}`
  let ws: WebSocket | undefined
  for (let n = 0; ctx.running(); n++) {
    const id = `crash-s${w}-${n}`
    const body = `Message ${n} of writer s${w}: my VPN does not connect`
    for (;;) {
      try {
        ws ??= await openSocket(url, { origin: BENCH_ORIGIN, timeoutMs: 5000 })
        await exchange(ws, id, body, (userMessageId) =>
          ctx.ledger.visitor.set(id, { userMessageId, body }),
        )
        break
      } catch (err) {
        if (process.env.BENCH_DEBUG) ctx.log(`  s${w} ${id}: ${(err as Error).message}`)
        ws?.terminate()
        ws = undefined
        if (ctx.ledger.visitor.has(id)) break
      }
      ctx.retried()
      await pause()
    }
  }
  ws?.close()
}

/** Sends one message; resolves on its `done` after the `ack` (reported through `acked`). */
function exchange(
  socket: WebSocket,
  id: string,
  body: string,
  acked: (userMessageId: string) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let ackId: string | undefined
    const done = (err?: Error) => {
      clearTimeout(timer)
      socket.off('message', onMessage)
      socket.off('close', onClose)
      if (err) reject(err)
      else resolve()
    }
    const onClose = () => (ackId !== undefined ? done() : done(new Error('closed before ack')))
    const onMessage = (data: WebSocket.RawData) => {
      const f = JSON.parse(String(data)) as {
        type: string
        source_message_id?: string
        user_message_id?: string
        code?: string
      }
      if (f.type === 'ack' && f.source_message_id === id) {
        ackId = f.user_message_id!
        acked(ackId)
      } else if (f.type === 'done' && ackId !== undefined) done()
      else if (f.type === 'error') done(new Error(`error frame ${f.code}`))
    }
    // A socket that stays open but answers nothing is as broken as a closed one.
    const timer = setTimeout(() => done(new Error('no answer within 15 s')), 15_000)
    socket.on('message', onMessage)
    socket.once('close', onClose)
    socket.send(JSON.stringify({ body, source_message_id: id }))
  })
}
