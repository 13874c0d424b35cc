import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ForwardingProxy {
  /** `http://127.0.0.1:<port>` of the proxy. */
  url: string
  close(): Promise<void>
}

/**
 * A reverse proxy on loopback in front of `target`, forwarding as nginx's
 * `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does: the client's own header
 * (if any), then the address of the socket it came from.
 */
export async function startForwardingProxy(target: string): Promise<ForwardingProxy> {
  const to = new URL(target)
  const server = http.createServer((req, res) => {
    const prior = req.headers['x-forwarded-for']
    const peer = req.socket.remoteAddress ?? ''
    const headers = {
      ...req.headers,
      'x-forwarded-for': prior ? `${prior}, ${peer}` : peer,
      host: to.host,
    }
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      res.writeHead(502).end()
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A whole HTTP answer: status, headers and the body as text. */
export interface RawAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * One HTTP request with `http.request`'s own options (a `path` goes on the wire exactly as
 * given), on a fresh connection; resolves with the whole answer.
 */
export function rawRequest(
  url: string | undefined,
  options: http.RequestOptions,
  body?: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const onAnswer = (res: http.IncomingMessage) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      )
    }
    const req =
      url === undefined ? http.request(options, onAnswer) : http.request(url, options, onAnswer)
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * One HTTP request from a chosen loopback source address (`127.0.0.2`, …), so a proxy sees
 * several distinct clients on one machine.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return rawRequest(
    url,
    { method: init.method ?? 'GET', headers: init.headers, localAddress, agent: false },
    init.body,
  )
}
