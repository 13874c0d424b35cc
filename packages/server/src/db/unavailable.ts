/** Socket errors, PostgreSQL SQLSTATEs and SQLite codes that mean "the database is not there". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // Another process holds the write lock beyond busy_timeout.
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
])

// node-postgres reports a lost or never-established connection with plain Errors.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Client was closed and is not queryable/i

/**
 * Is this error the database being unreachable (rather than a bug or a bad query)? The root
 * error handler answers those with 503 instead of 500. A statement that failed this way was
 * not committed: transactions roll back when their connection is lost.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.has(code)) return true
    // SQLSTATE class 08: connection exception.
    if (/^08[0-9A-Z]{3}$/.test(code)) return true
  }
  const message = (err as { message?: unknown }).message
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)
}
