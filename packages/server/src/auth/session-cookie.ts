import { createHmac, timingSafeEqual } from 'node:crypto'
import { parseCookie, stringifySetCookie } from 'cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { csrfRejected } from '../errors.ts'

/** The console's session cookie on plain http (a local install, tests). */
export const SESSION_COOKIE = 'aurion_session'
/**
 * The same cookie over https. The `__Host-` prefix makes the browser accept it only with
 * `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot plant or shadow it.
 */
export const SECURE_SESSION_COOKIE = '__Host-aurion_session'
/** The header the console sends on every state-changing request made with the cookie. */
export const CSRF_HEADER = 'x-csrf-token'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Whether the browser reached the server over https. `request.protocol` reads
 * `X-Forwarded-Proto` only from a proxy trusted by `AURION_TRUST_PROXY`, so a client cannot
 * talk the server out of `Secure`; behind a TLS-terminating proxy that setting is what makes
 * the cookie `Secure`.
 */
function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https'
}

/**
 * A cookie named `__Host-<name>` over https and `<name>` over plain http (a local install,
 * tests). The `__Host-` prefix makes the browser accept it only with `Secure`, `Path=/` and no
 * `Domain`, so a sibling subdomain cannot plant or shadow it.
 */
export interface HostCookie {
  plain: string
  secure: string
}

const SESSION: HostCookie = { plain: SESSION_COOKIE, secure: SECURE_SESSION_COOKIE }

/**
 * The value of the cookie in the request, or undefined (also when empty). Over https only the
 * `__Host-` cookie counts (a plain one could have been planted over http or by a subdomain).
 */
export function readHostCookie(request: FastifyRequest, cookie: HostCookie): string | undefined {
  const header = request.headers.cookie
  if (header === undefined || header === '') return undefined
  const value = parseCookie(header)[isHttps(request) ? cookie.secure : cookie.plain]
  return value === undefined || value === '' ? undefined : value
}

/** Sets the cookie: HttpOnly (page scripts never see it), Path=/, Secure over https. */
export function setHostCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  cookie: HostCookie,
  value: string,
  opts: { sameSite: 'strict' | 'lax'; maxAge: number; expires?: Date },
): void {
  reply.header(
    'Set-Cookie',
    stringifySetCookie(isHttps(request) ? cookie.secure : cookie.plain, value, {
      httpOnly: true,
      path: '/',
      secure: isHttps(request),
      ...opts,
    }),
  )
}

/**
 * The session token in the request's cookie, or undefined. Over https only the `__Host-`
 * cookie counts.
 */
export function readSessionCookie(request: FastifyRequest): string | undefined {
  return readHostCookie(request, SESSION)
}

/**
 * Sets the session cookie: HttpOnly, SameSite=Strict (other sites' requests carry none), Path=/,
 * Secure over https, expiring with the session.
 */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
): void {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000))
  setHostCookie(request, reply, SESSION, token, { sameSite: 'strict', maxAge, expires: expiresAt })
}

/** Tells the browser to forget the session cookie. */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  setHostCookie(request, reply, SESSION, '', {
    sameSite: 'strict',
    maxAge: 0,
    expires: new Date(0),
  })
}

/**
 * The CSRF token of a session: an HMAC keyed by the session token itself, so it needs no
 * storage, changes with every session, and only a holder of the session token can compute it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('aurion-console-csrf-v1').digest('base64url')
}

/**
 * Refuses (403) a state-changing request authenticated by the cookie unless it carries the
 * session's CSRF token in `X-CSRF-Token` and, when the browser says where it came from
 * (`Sec-Fetch-Site`, which page scripts cannot set), it came from this origin. A form or
 * script on another site can make the browser send the cookie (same-site sites can, despite
 * SameSite=Strict) but cannot read the token or set the header.
 */
export function assertCookieRequestAllowed(request: FastifyRequest, sessionToken: string): void {
  if (SAFE_METHODS.has(request.method)) return
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') throw csrfRejected()
  const sent = request.headers[CSRF_HEADER]
  const value = Array.isArray(sent) ? sent[0] : sent
  if (value === undefined) throw csrfRejected()
  const a = Buffer.from(value)
  const b = Buffer.from(csrfTokenFor(sessionToken))
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw csrfRejected()
}
