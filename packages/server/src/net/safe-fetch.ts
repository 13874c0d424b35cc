import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type Socket } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Outbound requests to addresses a tenant chose (webhook endpoints, crawled sites) without
 * letting them reach the server's own network (SSRF). The rule, one for every caller:
 * - `https:` only; `http:` too when private targets are allowed (development, on-premises);
 * - every address a host name resolves to must be public unicast, checked in the connection's
 *   own `lookup` — the address actually connected to, so a DNS answer that changes between a
 *   check and the connection (rebinding) cannot slip through — and the connected socket's peer
 *   is checked once more (IP literals skip `lookup`);
 * - a time limit on the whole exchange, redirects never followed (a 3xx is an answer like any
 *   other), the response body read up to a cap and the rest dropped.
 * The caller decides `allowPrivate` from its own setting (`AURION_WEBHOOK_ALLOW_PRIVATE`,
 * `AURION_FETCH_ALLOW_PRIVATE`).
 */
export interface SafeFetchOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** Loopback, private, link-local and other non-public targets (and `http:`) allowed. */
  allowPrivate: boolean
  /** The whole exchange, connection to last byte read. Default 10 s. */
  timeoutMs?: number
  /** Response body bytes kept; the rest is not read. Default 64 KiB. */
  maxBodyBytes?: number
}

export interface SafeFetchResponse {
  status: number
  headers: IncomingMessage['headers']
  /** The first `maxBodyBytes` of the body. */
  body: Buffer
  /** The body was longer than the cap. */
  truncated: boolean
}

/** A refused target: the URL, its scheme or the address it resolved to. Never retried sooner. */
export class BlockedTargetError extends Error {
  override name = 'BlockedTargetError'
}

export const SAFE_FETCH_TIMEOUT_MS = 10_000
export const SAFE_FETCH_MAX_BODY_BYTES = 64 * 1024

/** Is this IP address (v4 or v6, v4-mapped included) public unicast? */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  const parsed = ipaddr.process(address)
  return parsed.range() === 'unicast'
}

/**
 * Why this URL may not be fetched under the rule above, or undefined when it may (its host
 * name's addresses are checked only when connecting).
 */
export function outboundUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:'))
    return allowPrivate ? 'must be an http or https URL' : 'must be an https URL'
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  const host = bareHost(url.hostname)
  if (host === '') return 'must name a host'
  if (!allowPrivate) {
    if (isIP(host) !== 0 && !isPublicAddress(host))
      return 'must not point to a private, loopback or link-local address'
    if (host === 'localhost' || host.endsWith('.localhost'))
      return 'must not point to a private, loopback or link-local address'
  }
  return undefined
}

/** `[::1]` → `::1`. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/** `dns.lookup` that answers only public addresses (all of them must be, else an error). */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, [])
    const list = addresses as LookupAddress[]
    const blocked = list.find((a) => !isPublicAddress(a.address))
    if (blocked || list.length === 0) {
      return callback(
        new BlockedTargetError(
          `${hostname} resolves to ${blocked?.address ?? 'no address'}, which is not a public address`,
        ) as NodeJS.ErrnoException,
        [],
      )
    }
    if (options.all) return callback(null, list)
    const first = list[0] as LookupAddress
    callback(null, first.address, first.family)
  })
}

/**
 * One request under the rule above. Resolves with the status and the capped body for any HTTP
 * answer (3xx, 4xx and 5xx included); rejects on a refused target ({@link BlockedTargetError}),
 * a network failure or the time limit.
 */
export function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeFetchResponse> {
  const problem = outboundUrlProblem(url, opts.allowPrivate)
  if (problem) return Promise.reject(new BlockedTargetError(`URL ${problem}`))
  const target = new URL(url)
  const timeoutMs = opts.timeoutMs ?? SAFE_FETCH_TIMEOUT_MS
  const cap = opts.maxBodyBytes ?? SAFE_FETCH_MAX_BODY_BYTES
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<SafeFetchResponse>((resolve, reject) => {
    let done = false
    let req: ClientRequest | undefined
    const finish = (err: Error | undefined, res?: SafeFetchResponse) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (err) {
        req?.destroy()
        reject(err)
      } else resolve(res as SafeFetchResponse)
    }
    const timer = setTimeout(
      () => finish(new Error(`no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    )
    req = send(target, {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      agent: false,
      ...(opts.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    })
    req.on('socket', (socket: Socket) => {
      if (opts.allowPrivate) return
      // IP literals never go through `lookup`: check the peer actually connected to.
      socket.once('connect', () => {
        const peer = socket.remoteAddress ?? ''
        if (!isPublicAddress(peer)) {
          finish(new BlockedTargetError(`connected to ${peer}, which is not a public address`))
        }
      })
    })
    req.on('error', (err) => finish(err))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      let truncated = false
      const end = () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          truncated,
        })
      res.on('data', (chunk: Buffer) => {
        if (truncated) return
        const room = cap - size
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room))
          size = cap
          truncated = true
          // The rest is not read: the status is the answer.
          end()
          res.destroy()
          return
        }
        chunks.push(chunk)
        size += chunk.length
      })
      res.on('end', end)
      res.on('error', (err) => finish(err))
      res.on('aborted', () => finish(new Error('the answer was cut off')))
    })
    req.end(opts.body)
  })
}
