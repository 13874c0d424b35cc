import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs'

/** Mode bits that let users other than the owner in. */
const OTHERS = 0o077

/**
 * Creates `dir` and its missing parents with mode 0700. A directory that already exists is left
 * as it is (it may be shared on purpose, or not ours to change, like /tmp); a warning says so
 * when other users can enter it. The files in it are tightened one by one instead.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const mode = statSync(dir).mode & 0o777
  if ((mode & OTHERS) !== 0) {
    process.emitWarning(
      `data directory ${dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}); its files are kept 0600, but consider chmod 700 ${dir}`,
      { code: 'AURION_DATA_DIR_MODE' },
    )
  }
}

/**
 * Before SQLite opens `file`: creates it empty with mode 0600 when missing, so that SQLite's
 * own `-wal` and `-shm` files, which copy the database's mode, are 0600 too; tightens an
 * existing database and its `-wal`/`-shm` to 0600 (files of an earlier version were 0644).
 * A file that cannot be tightened (another owner) gets a warning, not a refusal to start.
 */
export function preparePrivateSqliteFile(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return
  try {
    closeSync(openSync(file, constants.O_CREAT | constants.O_RDWR, 0o600))
  } catch {
    // Unreadable or in a missing directory: SQLite reports it in its own words.
    return
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`])
    tightenPrivateFile(path)
}

/** Takes group and world access away from an existing file (warns when that is not possible). */
export function tightenPrivateFile(path: string): void {
  let mode: number
  try {
    mode = statSync(path).mode & 0o777
  } catch {
    return
  }
  if ((mode & OTHERS) === 0) return
  try {
    chmodSync(path, mode & ~OTHERS)
  } catch (err) {
    process.emitWarning(
      `${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}) and could not be changed: ${(err as Error).message}`,
      { code: 'AURION_DATA_FILE_MODE' },
    )
  }
}
