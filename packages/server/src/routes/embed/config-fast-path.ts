import { type IncomingHttpHeaders, IncomingMessage, type ServerResponse } from 'node:http'
import type { RouteContext } from '../../app-deps.ts'
import { type RateLimitResult, whenConsumed } from '../../limits/rate-limiter.ts'
import { observeHttpRequest } from '../../metrics.ts'
import { clientIpOf } from '../../net/client-ip.ts'
import type { TenantRow } from '../../tenants/tenant-repo.ts'
import { SURROGATE_ESCAPE } from '../../validation.ts'
import { isVoiceConfigured } from '../../voice/livekit-token.ts'
import { isHelpCenterOrigin, requestOrigin } from '../../widget-auth/origin.ts'
import {
  CORS_EXPOSED,
  checkWidgetAccess,
  isTenantIdShape,
  PUBLIC_LIMITS,
  publicOriginOf,
} from '../../widget-auth/public-guard.ts'
import { publicConfigJson } from './public-config-json.ts'

export const EMBED_CONFIG_PATH = '/api/v1/voice-widget/embed/config'

/** Bodies above this go the usual way (a valid one is about 100 bytes). */
const MAX_BODY_BYTES = 4096
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8'])
/** Keys secure-json-parse refuses (400 in the usual path): such bodies go that way. */
const POISON = /__proto__|constructor/

/** Answers remembered (by origin and body) before the memo starts over. */
const MAX_ANSWERS = 1000

type Route = (req: IncomingMessage, res: ServerResponse) => void
/** The usual request's answer: the config JSON (and its byte length) for this origin. */
interface Answer {
  json: string
  length: number
  origin: string
}
const ignore = () => {}

export interface EmbedConfigFastPath {
  /** Takes the request (true) or leaves it to `route` untouched (false). */
  handle(req: IncomingMessage, res: ServerResponse, route: Route): boolean
  /** From now on every request goes the usual way (the app is closing). */
  disable(): void
  /** Requests answered here (not replayed), for tests and the curious. */
  readonly answered: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The embed config fast path, when this app has one (see config-fast-path.ts). */
    embedConfigFastPath: EmbedConfigFastPath | null
  }
}

/**
 * `POST /api/v1/voice-widget/embed/config` answered without Fastify's request pipeline in the
 * one case that is nearly every request: a well-formed JSON body for a tenant whose row and
 * origin answer are in the tenant cache, the right key, an allowed Origin, within the rate limit.
 * Every script tag on every page view of every site asks for this, so it is the hottest route
 * there is; the full pipeline (hooks, body parser, validator, serializer) cost twice as much CPU
 * as this whole answer (bench/http.ts).
 *
 * The answer is the route's own, header for header (see embed.test.ts, which compares the two).
 * Anything else — another content type, a large or malformed body, an unknown or uncached tenant,
 * a wrong key, a disallowed origin, the rate limit reached, a store error, debug logging — is
 * replayed into Fastify with the body already read, and so answered exactly as before.
 */
export function createEmbedConfigFastPath(ctx: RouteContext): EmbedConfigFastPath | undefined {
  const cache = ctx.tenantCache
  // Without the cache every request reads the database anyway; at debug level every request is
  // logged by Fastify.
  if (cache === undefined || ctx.config.logLevel === 'debug' || ctx.config.logLevel === 'trace')
    return undefined
  const voice = isVoiceConfigured(ctx.config)
  const clientIp = clientIpOf(ctx.config.trustProxy)
  const helpCenter = ctx.config.helpCenterDomain
  const publicOrigin = publicOriginOf(ctx.config.publicUrl)
  let enabled = true
  let answered = 0

  // The answers to the bodies and origins seen lately. A site's every page view sends the same
  // body from the same origin: checking it again (parse, key compare, origin rules) can only give
  // the same answer while the tenant's cached row is the same object, which a config change, a
  // key regeneration or the cache's expiry replaces.
  const answers = new Map<string, { tenantKey: string; tenant: TenantRow; answer: Answer }>()

  /** The answer when this is the usual request; else undefined. */
  const prepare = (req: IncomingMessage, body: Buffer): Answer | undefined => {
    const text = body.toString('utf8')
    const memoKey = `${req.headers.origin}\n${text}`
    const seen = answers.get(memoKey)
    if (seen !== undefined) {
      if (cache.peek(seen.tenantKey) === seen.tenant) return seen.answer
      answers.delete(memoKey)
    }
    const answer = check(req, text)
    if (answer !== undefined) {
      if (answers.size >= MAX_ANSWERS) answers.clear()
      answers.set(memoKey, answer)
      return answer.answer
    }
    return undefined
  }

  const check = (req: IncomingMessage, text: string) => {
    if (POISON.test(text) || SURROGATE_ESCAPE.test(text)) return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return undefined
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
    const { tenant_id: tenantId, public_key: publicKey } = parsed as Record<string, unknown>
    if (typeof tenantId !== 'string' || typeof publicKey !== 'string') return undefined
    if (publicKey.length > 200 || !isTenantIdShape(tenantId)) return undefined
    const origin = requestOrigin(req.headers.origin)
    if (origin === undefined) return undefined
    // The CORS headers the public hook would add: only for origins some tenant allows.
    if (cache.peekOriginAllowed(origin) !== true && !isHelpCenterOrigin(origin, helpCenter))
      return undefined
    const tenantKey = tenantId.toLowerCase()
    const tenant = cache.peek(tenantKey)
    if (tenant === undefined) return undefined
    try {
      const access = checkWidgetAccess(tenant, publicKey, origin, helpCenter, publicOrigin)
      const json = publicConfigJson(access.config, voice)
      return { tenantKey, tenant, answer: { json, length: Buffer.byteLength(json), origin } }
    } catch {
      return undefined
    }
  }

  const respond = (
    res: ServerResponse,
    answer: Answer,
    limit: RateLimitResult,
    started: number,
  ) => {
    res.writeHead(200, {
      vary: 'Origin',
      'access-control-allow-origin': answer.origin,
      'access-control-expose-headers': CORS_EXPOSED,
      'x-ratelimit-limit': limit.limit,
      'x-ratelimit-remaining': limit.remaining,
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'content-length': answer.length,
    })
    res.end(answer.json)
    answered++
    observeHttpRequest('POST', EMBED_CONFIG_PATH, 200, (performance.now() - started) / 1000)
  }

  /** What a request carries from its body to its answer (see whenConsumed: no closures). */
  interface Pending {
    req: IncomingMessage
    res: ServerResponse
    body: Buffer
    route: Route
    started: number
    answer: Answer
  }
  const replay = (p: Pending) => p.route(replayOf(p.req, p.body), p.res)
  const go = (limit: RateLimitResult, p: Pending) => {
    if (!limit.allowed || !enabled || p.res.destroyed) replay(p)
    else respond(p.res, p.answer, limit, p.started)
  }
  // A store failure is the route's to answer (503).
  const storeFailed = (_err: unknown, p: Pending) => replay(p)

  const onBody = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    route: Route,
    started: number,
  ) => {
    const answer = prepare(req, body)
    if (answer === undefined) return route(replayOf(req, body), res)
    const pending: Pending = { req, res, body, route, started, answer }
    whenConsumed(
      ctx.limiter.consume(PUBLIC_LIMITS.embedConfig, clientIp(req)),
      go,
      storeFailed,
      pending,
    )
  }

  return {
    handle(req, res, route) {
      if (!enabled || req.method !== 'POST' || req.url !== EMBED_CONFIG_PATH) return false
      const type = req.headers['content-type']
      const length = Number(req.headers['content-length'])
      if (type === undefined || !JSON_TYPES.has(type.toLowerCase())) return false
      if (!(length > 0 && length <= MAX_BODY_BYTES) || req.headers['transfer-encoding'])
        return false
      const started = performance.now()
      let body: Buffer | undefined
      req.on('error', ignore)
      req.on('data', (c: Buffer) => {
        body = body === undefined ? c : Buffer.concat([body, c])
      })
      req.on('end', () => onBody(req, res, body ?? Buffer.alloc(0), route, started))
      return true
    },
    disable() {
      enabled = false
    },
    get answered() {
      return answered
    },
  }
}

/**
 * A fresh request with the same head and the already-read body, for Fastify to handle as if it
 * had come straight from the socket.
 */
function replayOf(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket)
  copy.method = req.method
  copy.url = req.url
  copy.headers = req.headers as IncomingHttpHeaders
  copy.rawHeaders = req.rawHeaders
  copy.httpVersion = req.httpVersion
  copy.httpVersionMajor = req.httpVersionMajor
  copy.httpVersionMinor = req.httpVersionMinor
  // Received in full: without this, ending the copy counts as an aborted request and closes the
  // socket.
  copy.complete = true
  copy.push(body)
  copy.push(null)
  return copy
}
