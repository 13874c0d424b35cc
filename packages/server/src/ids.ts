import { randomBytes } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** `length` uniformly random base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62]
      if (out.length === length) break
    }
  }
  return out
}

/** Unguessable prefixed id, e.g. `newId('conv')` → `conv_3kT…` (22 base62 chars ≈ 131 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(22)}`
}

/** The current time as an ISO-8601 UTC string; the storage format of every timestamp. */
export function nowIso(): string {
  return new Date().toISOString()
}
