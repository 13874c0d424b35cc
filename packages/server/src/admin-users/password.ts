import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/** Password length bounds; the upper one keeps a hostile request from costing more than any other. */
export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 256

const KEY_LENGTH = 64
const SALT_BYTES = 16
/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds per hash). */
const DEFAULT_PARAMS = { logN: 15, r: 8, p: 1 } as const

interface ScryptParams {
  logN: number
  r: number
  p: number
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN
  const opts: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    // Node refuses above 32 MiB by default; allow twice what the parameters need.
    maxmem: 256 * N * params.r * params.p,
  }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, opts, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

/**
 * Hashes a password with scrypt and a random salt. The result is self-describing:
 * `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`, so the cost can be raised later while old
 * hashes keep verifying.
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_PARAMS) {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, params)
  return [
    'scrypt',
    params.logN,
    params.r,
    params.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$')
}

/** Verifies a password against a stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed) return false
  const key = await derive(password, parsed.salt, parsed.params)
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

function parseHash(
  stored: string,
): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (
    ![logN, r, p].every(Number.isInteger) ||
    logN < 10 ||
    logN > 20 ||
    r < 1 ||
    r > 32 ||
    p < 1 ||
    p > 16
  )
    return undefined
  const salt = Buffer.from(parts[4]!, 'base64')
  const key = Buffer.from(parts[5]!, 'base64')
  if (salt.length < 8 || key.length < 32) return undefined
  return { params: { logN, r, p }, salt, key }
}

/**
 * A hash made with the default cost from a random password nobody kept: verifying against it costs
 * what a real verification costs, from the very first request (nothing to compute at start).
 */
const DUMMY_HASH =
  'scrypt$15$8$1$AXV+igMzlHAZaYImll+ppA==$BVGVzdi7jGqGdIZPNy3k0KFtMGrvdO3ulNMlsxvengJAQ0flQo2NcB3weNNxv/IN9AwLjVG+emUZN85P0O6a1A=='

/**
 * Spends the same time as a real verification. Login calls it for unknown emails so the answer
 * time does not reveal which accounts exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH)
  return false
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function checkNewPassword(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`
  if (password.length > PASSWORD_MAX_LENGTH)
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`
  if (password.trim() === '') return 'Password must not be blank'
  return undefined
}
