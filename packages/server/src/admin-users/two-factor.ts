import { createHmac, randomInt } from 'node:crypto'
import { RECOVERY_CODE_COUNT } from '@aurion/contract'
import { Secret, TOTP } from 'otpauth'
import { renderSVG } from 'uqr'
import type { Db } from '../db/schema.ts'
import { nowIso } from '../ids.ts'
import type { RateLimitRule } from '../limits/rate-limiter.ts'
import { openSecret, sealSecret } from '../webhooks/secret-box.ts'
import {
  claimTotpStep,
  enableTotp,
  setPendingTotpSecret,
  useRecoveryCode,
} from './two-factor-repo.ts'
import type { AdminUserRow } from './user-repo.ts'

/** RFC 6238 defaults, which every authenticator app reads: SHA-1, 6 digits, 30 seconds. */
const PERIOD_SEC = 30
const DIGITS = 6
/** A code of the previous or next step is accepted too (clocks drift, people type slowly). */
const WINDOW = 1
const ISSUER = 'Aurion'
/** Keys sealing authenticator secrets are separate from those sealing webhook secrets. */
const SEAL_INFO = 'aurion console totp secrets v1'

/**
 * Wrong second factors (app codes, recovery codes, the password asked again) per user: past 5 in
 * 15 minutes the user's codes are refused with 429 until the window passes. Only someone who
 * already has the password (or a session) can make these attempts, so locking per user is safe;
 * 5 tries per 15 minutes give a guesser about 1 chance in 700 000 per window.
 */
export const SECOND_FACTOR_LIMIT: RateLimitRule = {
  bucket: 'admin-2fa-fail',
  limit: 5,
  windowSec: 15 * 60,
}

function totpOf(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SEC,
    secret: Secret.fromBase32(secretBase32),
  })
}

/**
 * The time step a 6-digit code belongs to (within one step of now), or undefined. The
 * comparison inside otpauth is constant time.
 */
export function matchTotpStep(
  secretBase32: string,
  code: string,
  nowMs = Date.now(),
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SEC,
    timestamp: nowMs,
    window: WINDOW,
  })
  return delta === null ? undefined : Math.floor(nowMs / 1000 / PERIOD_SEC) + delta
}

/** The current code of a secret (tests and the docs' examples). */
export function totpCode(secretBase32: string, nowMs = Date.now()): string {
  return totpOf(secretBase32, 'x').generate({ timestamp: nowMs })
}

/**
 * Starts setting up two-factor sign-in: a new 160-bit secret, stored sealed as pending (an
 * earlier unconfirmed one is replaced). Sign-in does not ask for codes until `confirmTotp`.
 */
export async function startTotpSetup(
  db: Db,
  serverSecret: string,
  user: Pick<AdminUserRow, 'id' | 'email'>,
): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
  const secret = new Secret({ size: 20 }).base32
  await setPendingTotpSecret(db, user.id, sealSecret(serverSecret, secret, SEAL_INFO))
  const otpauthUri = totpOf(secret, user.email).toString()
  return { secret, otpauthUri, qrSvg: renderSVG(otpauthUri, { border: 2 }) }
}

/**
 * Confirms the pending secret with a code from the app and turns two-factor sign-in on; returns
 * the recovery codes (plaintext only here, stored as keyed hashes), or undefined for a wrong
 * code or no pending setup.
 */
export async function confirmTotp(
  db: Db,
  serverSecret: string,
  user: Pick<AdminUserRow, 'id' | 'totp_pending_secret'>,
  code: string,
): Promise<string[] | undefined> {
  const sealed = user.totp_pending_secret
  if (sealed === null) return undefined
  const secret = openSecret(serverSecret, sealed, SEAL_INFO)
  if (secret === undefined) return undefined
  const step = matchTotpStep(secret, normalizeCode(code))
  if (step === undefined) return undefined
  const codes = newRecoveryCodes()
  const ok = await enableTotp(db, {
    userId: user.id,
    sealed,
    step,
    codeHashes: codes.map((c) => recoveryCodeHash(serverSecret, c)),
    now: nowIso(),
  })
  return ok ? codes : undefined
}

/**
 * Checks a second factor of a user with two-factor sign-in on: a 6-digit app code of a step
 * later than the last one accepted (a code works once), or an unused recovery code (then used
 * up). Returns which kind passed, or undefined.
 */
export async function checkSecondFactor(
  db: Db,
  serverSecret: string,
  user: Pick<AdminUserRow, 'id' | 'totp_secret'>,
  code: string,
): Promise<'totp' | 'recovery' | undefined> {
  if (user.totp_secret === null) return undefined
  const normalized = normalizeCode(code)
  if (/^\d{6}$/.test(normalized)) {
    const secret = openSecret(serverSecret, user.totp_secret, SEAL_INFO)
    if (secret === undefined) return undefined
    const step = matchTotpStep(secret, normalized)
    if (step === undefined) return undefined
    return (await claimTotpStep(db, user.id, step)) ? 'totp' : undefined
  }
  if (!/^[a-z2-7]{10}$/.test(normalized)) return undefined
  const used = await useRecoveryCode(
    db,
    user.id,
    recoveryCodeHash(serverSecret, normalized),
    nowIso(),
  )
  return used ? 'recovery' : undefined
}

/** Codes are typed with spaces or dashes and in any case: compare without them. */
function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase()
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/** Ten codes like `k3vq7-mzp2a` (50 random bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let s = ''
    for (let i = 0; i < 10; i++) s += BASE32[randomInt(32)]
    return `${s.slice(0, 5)}-${s.slice(5)}`
  })
}

/**
 * A recovery code as stored: an HMAC keyed by the server secret (the codes carry 50 random bits,
 * so a fast keyed hash suffices; a copy of the database alone cannot test guesses).
 */
export function recoveryCodeHash(serverSecret: string, code: string): string {
  return createHmac('sha256', serverSecret)
    .update(`aurion-recovery-code:${normalizeCode(code)}`, 'utf8')
    .digest('hex')
}
