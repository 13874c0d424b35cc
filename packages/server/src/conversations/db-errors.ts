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
