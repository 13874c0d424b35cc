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

/** Characters of the creation time at the start of an id (62^7 ms: until the year 2081). */
const TIME_CHARS = 7

/**
 * Unguessable prefixed id in creation order, e.g. `newId('conv')` → `conv_0B3xK9a…`: 22 base62
 * characters, the first 7 the creation time in milliseconds, then 15 random ones (≈ 89 bits).
 * Ids made later sort after (to the millisecond), so new rows go to the end of their indexes
 * instead of anywhere in them: fewer pages to change and to write to the log per insert.
 */
export function newId(prefix: string, atMs = Date.now()): string {
  let t = atMs
  let time = ''
  for (let i = 0; i < TIME_CHARS; i++) {
    time = BASE62[t % 62] + time
    t = Math.floor(t / 62)
  }
  return `${prefix}_${time}${randomBase62(22 - TIME_CHARS)}`
}

let isoAt = Number.NaN
let iso = ''

/** The current time as an ISO-8601 UTC string; the storage format of every timestamp. */
export function nowIso(): string {
  // A message stores several timestamps in the same millisecond: format each millisecond once.
  const now = Date.now()
  if (now !== isoAt) {
    isoAt = now
    iso = new Date(now).toISOString()
  }
  return iso
}
