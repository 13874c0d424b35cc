/**
 * Did a statement fail on a unique constraint? PostgreSQL reports SQLSTATE 23505, better-sqlite3
 * an SqliteError with code SQLITE_CONSTRAINT_UNIQUE (or _PRIMARYKEY).
 */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const code = (err as { code?: unknown }).code
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}

/**
 * Runs `work(attempt)` (attempt 1, 2, …) again while it fails on a unique constraint, at most
 * `maxAttempts` times; any other error, or the last attempt's, is thrown. For "insert, and if a
 * concurrent request stored the same key first, use its row": a later attempt sees that row.
 */
export async function retryOnUniqueViolation<T>(
  maxAttempts: number,
  work: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt)
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= maxAttempts) throw err
    }
  }
}
