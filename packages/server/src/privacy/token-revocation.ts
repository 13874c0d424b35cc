import { createHmac } from 'node:crypto'
import { EMAIL_TOKEN_TTL_SECONDS } from '@aurion/contract'
import type { TenantRow } from '../tenants/tenant-repo.ts'

/** One erased email: its keyed hash and the erasure time (seconds). */
interface Revocation {
  h: string
  at: number
}

/**
 * The keyed hash an erased email is kept under in `tenants.token_revocations`: enough to refuse
 * its tokens, useless for learning the address (HMAC under the server secret).
 */
export function revocationHash(secret: string, email: string): string {
  return createHmac('sha256', secret)
    .update(`aurion-erased:${email.trim().toLowerCase()}`, 'utf8')
    .digest('hex')
    .slice(0, 32)
}

/**
 * The tenant's revocation list with `email` revoked as of `nowSec`. Entries older than a token's
 * lifetime are dropped: every token they could refuse has expired anyway.
 */
export function withRevocation(stored: string, hash: string, nowSec: number): string {
  const kept = parse(stored).filter((r) => r.h !== hash && r.at > nowSec - EMAIL_TOKEN_TTL_SECONDS)
  kept.push({ h: hash, at: nowSec })
  return JSON.stringify(kept)
}

let parsedFrom = ''
let parsed: Revocation[] = []

/** Was a token for `email` issued at `iatSec` (or before) revoked by an erasure? */
export function isTokenRevoked(
  tenant: Pick<TenantRow, 'token_revocations'>,
  secret: string,
  email: string,
  iatSec: number,
): boolean {
  const stored = tenant.token_revocations
  if (stored === '[]' || stored === '') return false
  if (stored !== parsedFrom) {
    parsed = parse(stored)
    parsedFrom = stored
  }
  const hash = revocationHash(secret, email)
  return parsed.some((r) => r.h === hash && iatSec <= r.at)
}

/**
 * The `iat` a new token for `email` gets: now, or the second after the email's erasure when
 * that was this very second (tokens are dated in whole seconds, and one issued with the
 * erasure's second would be refused as issued before it).
 */
export function tokenIssueSecond(
  tenant: Pick<TenantRow, 'token_revocations'>,
  secret: string,
  email: string,
  nowSec = Math.floor(Date.now() / 1000),
): number {
  if (!isTokenRevoked(tenant, secret, email, nowSec)) return nowSec
  return nowSec + 1
}

function parse(stored: string): Revocation[] {
  try {
    const v: unknown = JSON.parse(stored)
    if (!Array.isArray(v)) return []
    return v.filter(
      (r): r is Revocation =>
        typeof r === 'object' && r !== null && typeof r.h === 'string' && typeof r.at === 'number',
    )
  } catch {
    return []
  }
}
