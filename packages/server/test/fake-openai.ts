import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** What the fake does with one `POST /v1/chat/completions`. */
export type FakeBehavior =
  /** Streams `chunks` as `chat.completion.chunk` events, then `finish_reason` and `[DONE]`. */
  | {
      type: 'stream'
      chunks: string[]
      /** Awaited before chunk `i` is written: lets a test release chunks one at a time. */
      beforeChunk?: (index: number) => Promise<void>
      finishReason?: string
    }
  /** Answers with an HTTP error and an OpenAI-style error body. */
  | { type: 'error'; status: number; message?: string; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { type: 'hang' }
  /** Streams `chunks`, then keeps the connection open without another byte. */
  | { type: 'stall'; chunks: string[] }
  /** Streams `chunks`, then an event whose data is not JSON. */
  | { type: 'malformed'; chunks: string[] }
  /** Streams `chunks`, then destroys the socket mid-response. */
  | { type: 'cut'; chunks: string[] }
  /** Streams `chunks`, then ends the response cleanly but without finish_reason or `[DONE]`. */
  | { type: 'truncated'; chunks: string[] }

/** A chat-completions request as the fake received it. */
export interface FakeRequest {
  headers: IncomingHttpHeaders
  // biome-ignore lint/suspicious/noExplicitAny: the request body is whatever the client sent.
  body: any
  receivedAt: number
  /** `performance.now()` when each content chunk was written to the socket. */
  emittedAt: number[]
  /** Resolves when the response is over: completed, or the client went away. */
  closed: Promise<void>
}

export interface FakeOpenAi {
  /** API root to give the SDK (`http://127.0.0.1:PORT/v1`). */
  baseUrl: string
  requests: FakeRequest[]
  /** Number of `GET /v1/models` calls. */
  modelListCalls: number
  /** Models listed by `GET /v1/models`. */
  models: string[]
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey: string | undefined
  /** Behaviours for the next requests, in order; when empty, `fallback` is used. */
  queue: FakeBehavior[]
  fallback: FakeBehavior
  close(): Promise<void>
}

let seq = 0

/**
 * A real HTTP server on loopback speaking the OpenAI chat-completions streaming protocol
 * (SSE `chat.completion.chunk` events ending with `data: [DONE]`), for tests and benchmarks.
 */
export async function startFakeOpenAi(
  opts: { models?: string[]; apiKey?: string; fallback?: FakeBehavior } = {},
): Promise<FakeOpenAi> {
  const sockets = new Set<Socket>()
  const fake: FakeOpenAi = {
    baseUrl: '',
    requests: [],
    modelListCalls: 0,
    models: opts.models ?? ['fake-model'],
    apiKey: opts.apiKey,
    queue: [],
    fallback: opts.fallback ?? { type: 'stream', chunks: ['Hello', ' there', '!'] },
    close: async () => {},
  }

  const server = createServer((req, res) => {
    const receivedAt = performance.now()
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      if (fake.apiKey !== undefined && req.headers.authorization !== `Bearer ${fake.apiKey}`) {
        return sendError(res, 401, 'Incorrect API key provided', 'invalid_api_key')
      }
      const path = (req.url ?? '').split('?')[0]
      if (req.method === 'GET' && path === '/v1/models') {
        fake.modelListCalls++
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(
          JSON.stringify({
            object: 'list',
            data: fake.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
          }),
        )
      }
      if (req.method !== 'POST' || path !== '/v1/chat/completions') {
        return sendError(res, 404, `Unknown path ${path}`, 'not_found')
      }
      let body: unknown
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8'))
      } catch {
        return sendError(res, 400, 'Invalid JSON body', 'invalid_request_error')
      }
      const closed = new Promise<void>((resolve) => res.on('close', () => resolve()))
      const record: FakeRequest = { headers: req.headers, body, receivedAt, emittedAt: [], closed }
      fake.requests.push(record)
      const behavior = fake.queue.shift() ?? fake.fallback
      void respond(res, behavior, record, (body as { model?: string }).model ?? 'fake-model')
    })
  })
  server.on('connection', (s) => {
    s.setNoDelay(true)
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  fake.baseUrl = `http://127.0.0.1:${port}/v1`
  fake.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return fake
}

function sendError(res: ServerResponse, status: number, message: string, code: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ error: { message, type: code, param: null, code } }))
}

function chunkEvent(id: string, model: string, delta: object, finish: string | null): string {
  return `data: ${JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`
}

async function respond(
  res: ServerResponse,
  b: FakeBehavior,
  record: FakeRequest,
  model: string,
): Promise<void> {
  if (b.type === 'hang') return
  if (b.type === 'error') {
    res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers })
    res.end(
      JSON.stringify({
        error: { message: b.message ?? `Fake error ${b.status}`, type: 'server_error', code: null },
      }),
    )
    return
  }
  const id = `chatcmpl-fake${++seq}`
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  res.write(chunkEvent(id, model, { role: 'assistant', content: '' }, null))
  for (const [i, text] of b.chunks.entries()) {
    if (b.type === 'stream' && b.beforeChunk) await b.beforeChunk(i)
    if (res.destroyed) return
    record.emittedAt.push(performance.now())
    // Wait until the bytes are handed to the socket: a following cut must not discard them.
    await new Promise<void>((resolve) =>
      res.write(chunkEvent(id, model, { content: text }, null), () => resolve()),
    )
  }
  switch (b.type) {
    case 'stream':
      res.write(chunkEvent(id, model, {}, b.finishReason ?? 'stop'))
      res.end('data: [DONE]\n\n')
      return
    case 'stall':
      return
    case 'malformed':
      res.write('data: {"id": "broken", "choices": [\n\n')
      return
    case 'cut':
      res.socket?.destroy()
      return
    case 'truncated':
      res.end()
      return
  }
}
