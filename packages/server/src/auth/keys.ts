import { createHash, timingSafeEqual } from 'node:crypto'
import { randomBase62 } from '../ids.ts'

export const API_KEY_PREFIX = 'itsm_sk_live_'
export const PUBLIC_KEY_PREFIX = 'vwk_'

/** `itsm_sk_live_` + 40 random base62 characters (≈ 238 bits). */
export function newApiKey(): string {
  return API_KEY_PREFIX + randomBase62(40)
}

/** `vwk_` + 24 base62 characters, as the contract shows. */
export function newPublicWidgetKey(): string {
  return PUBLIC_KEY_PREFIX + randomBase62(24)
}

/** Hex SHA-256; API keys and session tokens are stored only as this hash. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex')
}

/** What admins see of a key: the prefix and the first 4 random characters. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 4)
}

/** Constant-time string equality (lengths are compared first; that leaks only the length). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8')
  const bb = Buffer.from(b, 'utf8')
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab)
    return false
  }
  return timingSafeEqual(ab, bb)
}
