import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a {@link HttpReceiver} got, body as received. */
export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  receivedAt: number
}

/** What the receiver answers to a request: a status (and body), or it leaves the socket hanging. */
export type Responder = (req: ReceivedRequest, res: ServerResponse) => void

/**
 * A real HTTP server on loopback that records every request and answers as told (default 200).
 * Tests await requests (`next`, `waitFor`) instead of sleeping.
 */
export interface HttpReceiver {
  url: string
  port: number
  requests: ReceivedRequest[]
  respond(responder: Responder): void
  /** Resolves with the `n`th request (1-based) once it has arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest>
  /** Stops listening (connections closed); `start` listens again on the same port. */
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

export const answer =
  (status: number, body = ''): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' })
    res.end(body)
  }

export async function startHttpReceiver(port = 0): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = []
  let responder: Responder = answer(200, 'ok')
  const waiters: { n: number; resolve(r: ReceivedRequest): void }[] = []
  let server: Server
  const listen = async (p: number): Promise<number> => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const r: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        }
        requests.push(r)
        for (const w of waiters.filter((w) => w.n <= requests.length)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(requests[w.n - 1] as ReceivedRequest)
        }
        responder(r, res)
      })
    })
    server.listen(p, '127.0.0.1')
    await once(server, 'listening')
    return (server.address() as AddressInfo).port
  }
  const bound = await listen(port)
  const stop = async () => {
    if (!server.listening) return
    const closed = once(server, 'close')
    server.close()
    server.closeAllConnections()
    await closed
  }
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    respond(r) {
      responder = r
    },
    waitFor(n, timeoutMs = 10_000) {
      const got = requests[n - 1]
      if (got) return Promise.resolve(got)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`request ${n} did not arrive within ${timeoutMs} ms`)),
          timeoutMs,
        )
        waiters.push({
          n,
          resolve: (r) => {
            clearTimeout(timer)
            resolve(r)
          },
        })
      })
    },
    stop,
    async start() {
      await listen(bound)
    },
    close: stop,
  }
}
