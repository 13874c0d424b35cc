/**
 * Transports: generated cases over node:http, and hand-written HTTP/1.1 garbage over a raw TCP
 * socket.
 */
import { type Agent, request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { BENCH_ORIGIN } from '../lib/seed.ts'
import type { HttpCase, World } from './types.ts'

/**
 * The server may answer early (a 413, a 400 on a bad head) and close the connection while the
 * rest of the body is still being written. Node then reports the failed write on the socket after
 * the request has already let go of it, and a socket error without a listener ends the test
 * process. The request still sees its own errors; this only keeps a late one from escaping.
 */
const guardedSockets = new WeakSet<object>()
function guardSocket(socket: Socket): void {
  if (guardedSockets.has(socket)) return
  guardedSockets.add(socket)
  socket.on('error', () => {})
}

export function send(
  port: number,
  agent: Agent | false,
  c: HttpCase,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let req: ReturnType<typeof httpRequest>
    try {
      req = httpRequest({
        host: '127.0.0.1',
        port,
        method: c.method,
        path: c.path,
        headers: c.headers,
        agent,
        timeout: 60_000,
      })
    } catch (err) {
      // The client refused to send it (e.g. a character Node does not allow in a path).
      reject(err)
      return
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => {
        if (chunks.length < 20) chunks.push(d)
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8').slice(0, 500),
        }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.on('socket', guardSocket)
    if (c.body !== undefined) req.end(c.body)
    else req.end()
  })
}

/** Hand-written HTTP/1.1 that no well-behaved client sends. */
export function rawCases(f: World['fuzz']): { what: string; data: string | Buffer }[] {
  const json = JSON.stringify({ tenant_id: f.tenantId, public_key: f.publicKey })
  const head = (extra: string) =>
    `POST /api/v1/voice-widget/embed/config HTTP/1.1\r\nHost: x\r\nOrigin: ${BENCH_ORIGIN}\r\n${extra}`
  return [
    {
      what: 'null byte in a header value',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n`,
    },
    {
      what: 'header without colon',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n`,
    },
    { what: 'bare LF line ends', data: `GET /healthz HTTP/1.1\nHost: x\n\n` },
    {
      what: '100 KB header',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    },
    {
      what: '500 headers',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 500 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
    },
    {
      what: 'two different Content-Lengths',
      data: `${head('Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n')}${json}`,
    },
    {
      what: 'Content-Length and chunked',
      data: `${head(`Content-Type: application/json\r\nContent-Length: ${json.length}\r\nTransfer-Encoding: chunked\r\n\r\n`)}${json}`,
    },
    {
      what: 'broken chunk size',
      data: `${head('Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')}zz\r\n${json}\r\n0\r\n\r\n`,
    },
    {
      what: 'chunked body cut off',
      data: `${head('Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')}${(json.length + 50).toString(16)}\r\n${json}`,
    },
    {
      what: 'Content-Length larger than the body',
      data: `${head(`Content-Type: application/json\r\nContent-Length: ${json.length + 100}\r\n\r\n`)}${json}`,
    },
    {
      what: 'Content-Length smaller than the body',
      data: `${head('Content-Type: application/json\r\nContent-Length: 3\r\n\r\n')}${json}`,
    },
    {
      what: 'negative Content-Length',
      data: `${head('Content-Type: application/json\r\nContent-Length: -1\r\n\r\n')}${json}`,
    },
    {
      what: 'huge Content-Length',
      data: `${head('Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n')}${json}`,
    },
    { what: 'unknown method', data: `BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n` },
    { what: 'HTTP/0.9 style', data: `GET /healthz\r\n\r\n` },
    { what: 'HTTP/9.9', data: `GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n` },
    {
      what: 'absolute-form URL',
      data: `GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
    },
    {
      what: 'raw space and unicode in the path',
      data: Buffer.from(
        `GET /api/v1/knowledge/articles/a b ü HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
        'utf8',
      ),
    },
    {
      what: 'bad percent escapes',
      data: `GET /api/v1/knowledge/articles/%E0%A4%A HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
    },
    {
      what: 'double slashes and dots',
      data: `GET //api/v1/../v1/./knowledge//articles HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
    },
    {
      what: 'encoded traversal to an upload',
      data: `GET /api/v1/uploads/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
    },
    {
      what: 'invalid UTF-8 in JSON',
      data: Buffer.concat([
        Buffer.from(head('Content-Type: application/json\r\nContent-Length: 40\r\n\r\n')),
        Buffer.from('{"tenant_id":"\xff\xfe\xfd","public_key":"a"}  ', 'latin1'),
      ]),
    },
    {
      what: 'WebSocket upgrade without key',
      data: `GET /api/v1/widget/ws?tenant_id=${f.tenantId}&public_key=${f.publicKey} HTTP/1.1\r\nHost: x\r\nOrigin: ${BENCH_ORIGIN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    },
    {
      what: 'WebSocket upgrade with version 99',
      data: `GET /api/v1/widget/ws?tenant_id=${f.tenantId}&public_key=${f.publicKey} HTTP/1.1\r\nHost: x\r\nOrigin: ${BENCH_ORIGIN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n`,
    },
    {
      what: 'upgrade to something else',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
    },
    {
      what: 'pipelined garbage after a request',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001\u0002GARBAGE\r\n\r\n`,
    },
    { what: 'TLS hello on a plain port', data: Buffer.from('160301020001000200', 'hex') },
    { what: 'nothing but newlines', data: '\r\n\r\n\r\n\r\n' },
  ]
}

/** Sends raw bytes; resolves with the status line's code, or 'closed' when none came. */
export function sendRaw(port: number, data: string | Buffer): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    let got = ''
    const finish = () => {
      s.destroy()
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got)
      resolve(m ? Number(m[1]) : 'closed')
    }
    s.setTimeout(3000, finish)
    s.on('data', (d) => {
      got += d.toString('latin1')
      if (/\r\n\r\n/.test(got)) finish()
    })
    s.on('error', finish)
    s.on('close', finish)
    s.write(data)
  })
}
