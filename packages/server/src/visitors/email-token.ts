import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { EMAIL_TOKEN_TTL_SECONDS } from '@aurion/contract'

/**
 * What an email token asserts. A bare token proves only that its holder typed the email: what
 * it reads and continues is bound to its `jti`. `iv` (identity verification vouched for the
 * email) or `cv` (the holder entered a code mailed to it) make the email proven.
 */
export interface EmailTokenPayload {
  /** Tenant id. */
  tid: string
  /** Random token id: the conversations this token starts or claims are recorded under it. */
  jti: string
  /** Lower-cased email. */
  email: string
  /** Issued at, seconds since the epoch. */
  iat: number
  /** Expires at, seconds since the epoch. */
  exp: number
  /** Fingerprint of the identity secret that verified `user_hash` (see {@link identityFingerprint}). */
  iv?: string
  /** 1 when the email was proven by a one-time code sent to it. */
  cv?: 1
}

/** Does the token prove its email (identity verification or a mailed code)? */
export function isEmailProven(payload: EmailTokenPayload): boolean {
  return payload.iv !== undefined || payload.cv === 1
}

/** A fresh random token id (128 bits). */
export function newTokenId(): string {
  return randomBytes(16).toString('base64url')
}

const MAX_TOKEN_LENGTH = 2048
/** Clock skew tolerated between instances for `iat`. */
const MAX_FUTURE_SKEW_SEC = 300

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url')
const sign = (secret: string, payloadB64: string) =>
  createHmac('sha256', secret).update(payloadB64, 'utf8').digest()

/**
 * Signs an email token: base64url(JSON payload) + "." + hex HMAC-SHA256(server secret, the
 * base64url part). The email is lower-cased; the token lives 30 days unless `ttlSec` says otherwise.
 * `tokenId` keeps the id of a token being upgraded (a verified code); otherwise a new one is drawn.
 */
export function signEmailToken(
  secret: string,
  input: {
    tenantId: string
    email: string
    identity?: string | undefined
    codeVerified?: boolean | undefined
    tokenId?: string | undefined
    nowSec?: number
    ttlSec?: number
  },
): string {
  const iat = input.nowSec ?? Math.floor(Date.now() / 1000)
  const payload: EmailTokenPayload = {
    tid: input.tenantId,
    jti: input.tokenId ?? newTokenId(),
    email: input.email.toLowerCase(),
    iat,
    exp: iat + (input.ttlSec ?? EMAIL_TOKEN_TTL_SECONDS),
    ...(input.identity !== undefined ? { iv: input.identity } : {}),
    ...(input.codeVerified ? { cv: 1 as const } : {}),
  }
  const body = b64url(JSON.stringify(payload))
  return `${body}.${sign(secret, body).toString('hex')}`
}

/**
 * Verifies signature (constant time), shape, tenant and expiry. Returns the payload, or undefined
 * for anything tampered, malformed, expired, not yet valid, or issued for another tenant.
 */
export function verifyEmailToken(
  secret: string,
  token: string,
  expected: { tenantId: string; nowSec?: number },
): EmailTokenPayload | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined
  const dot = token.indexOf('.')
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined
  const body = token.slice(0, dot)
  const sigHex = token.slice(dot + 1)
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[0-9a-f]{64}$/.test(sigHex)) return undefined
  if (!timingSafeEqual(Buffer.from(sigHex, 'hex'), sign(secret, body))) return undefined
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (!isPayload(payload)) return undefined
  const now = expected.nowSec ?? Math.floor(Date.now() / 1000)
  if (payload.tid !== expected.tenantId) return undefined
  if (payload.exp <= now || payload.iat > now + MAX_FUTURE_SKEW_SEC) return undefined
  return payload
}

function isPayload(p: unknown): p is EmailTokenPayload {
  if (typeof p !== 'object' || p === null) return false
  const o = p as Record<string, unknown>
  return (
    typeof o.tid === 'string' &&
    // Tokens issued before token ids existed proved nothing beyond the typed email: refused.
    typeof o.jti === 'string' &&
    /^[A-Za-z0-9_-]{16,64}$/.test(o.jti) &&
    typeof o.email === 'string' &&
    o.email !== '' &&
    Number.isInteger(o.iat) &&
    Number.isInteger(o.exp) &&
    (o.iv === undefined || typeof o.iv === 'string') &&
    (o.cv === undefined || o.cv === 1)
  )
}

/**
 * Short public fingerprint of a tenant's identity secret, embedded in tokens issued under
 * identity verification: rotating the secret (or turning verification on) invalidates tokens
 * that were not vouched for by the current secret.
 */
export function identityFingerprint(identitySecret: string): string {
  return createHash('sha256')
    .update(`aurion-identity:${identitySecret}`, 'utf8')
    .digest('hex')
    .slice(0, 16)
}

/** `user_hash` a tenant's backend computes: hex HMAC-SHA256(identity secret, email). */
export function computeUserHash(identitySecret: string, email: string): string {
  return createHmac('sha256', identitySecret).update(email, 'utf8').digest('hex')
}

/**
 * Checks `user_hash` in constant time. Accepted over the email as sent or lower-cased, so a
 * backend hashing its stored spelling of the address works either way.
 */
export function verifyUserHash(
  identitySecret: string,
  email: string,
  userHash: string | undefined,
): boolean {
  const given = Buffer.from(
    typeof userHash === 'string' && /^[0-9a-fA-F]{64}$/.test(userHash) ? userHash : '0'.repeat(64),
    'hex',
  )
  const asSent = timingSafeEqual(given, createHmac('sha256', identitySecret).update(email).digest())
  const lower = timingSafeEqual(
    given,
    createHmac('sha256', identitySecret).update(email.toLowerCase()).digest(),
  )
  return userHash !== undefined && (asSent || lower)
}
