import { randomFillSync } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

// Random bytes drawn from the CSPRNG in bulk (like Node's own `randomUUID` cache): one
// `randomFillSync` call per 4 KiB instead of one per id. Every byte is used once and zeroed as it
// is taken, so a value handed out never stays in the pool.
const POOL_SIZE = 4096
const pool = Buffer.alloc(POOL_SIZE)
let poolOffset = POOL_SIZE

/** `length` uniformly random base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    if (poolOffset === POOL_SIZE) {
      randomFillSync(pool)
      poolOffset = 0
    }
    const byte = pool[poolOffset]!
    pool[poolOffset++] = 0
    if (byte < 248) out += BASE62[byte % 62]
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
