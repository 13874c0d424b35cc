import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { startServer } from '../main.ts'

const modeOf = (path: string) => statSync(path).mode & 0o777

/** Collects process warnings with one of our codes while `fn` runs. */
async function warningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = []
  const listener = (w: Error & { code?: string }) => {
    if (w.code?.startsWith('AURION_')) seen.push(w.message)
  }
  process.on('warning', listener)
  try {
    await fn()
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r))
  } finally {
    process.off('warning', listener)
  }
  return seen
}

/** `aurion serve` on `dir` (generated secret, SQLite in the data dir), started and stopped. */
async function serveOnce(dir: string): Promise<void> {
  const config = loadConfig({ AURION_DATA_DIR: dir, LOG_LEVEL: 'silent', PORT: '0' })
  const s = await startServer(config, { demo: true, print: () => {} })
  // The demo tenant is written: the WAL and shared-memory files exist while the server runs.
  expect(modeOf(join(dir, 'aurion.db-wal'))).toBe(0o600)
  expect(modeOf(join(dir, 'aurion.db-shm'))).toBe(0o600)
  await s.stop()
}

describe('data directory and database file modes', () => {
  let root: string
  let umask: number
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aurion-modes-'))
    // The usual umask, which leaves new files readable by everyone (0644).
    umask = process.umask(0o022)
  })
  afterEach(() => {
    process.umask(umask)
    rmSync(root, { recursive: true, force: true })
  })

  // The attack: another user of the machine reads aurion.db (identity secrets, every
  // conversation) or secret.key.
  it('creates the data dir 0700 and the database, WAL, shared memory and secret 0600', async () => {
    const dir = join(root, 'nested', 'data')
    const warnings = await warningsDuring(() => serveOnce(dir))
    expect(modeOf(dir)).toBe(0o700)
    expect(modeOf(join(dir, 'aurion.db'))).toBe(0o600)
    expect(modeOf(join(dir, 'secret.key'))).toBe(0o600)
    expect(warnings).toEqual([])
  })

  it('tightens the files an earlier version left readable, and warns about an open directory', async () => {
    const dir = join(root, 'data')
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    const file = join(dir, 'aurion.db')
    const old = new SQLite(file)
    old.pragma('journal_mode = WAL')
    old.exec('create table t (x); insert into t values (1)')
    writeFileSync(join(dir, 'secret.key'), `${'a'.repeat(64)}\n`)
    for (const f of [file, `${file}-wal`, `${file}-shm`, join(dir, 'secret.key')])
      chmodSync(f, 0o644)
    old.close()

    const warnings = await warningsDuring(() => serveOnce(dir))
    expect(modeOf(file)).toBe(0o600)
    expect(modeOf(join(dir, 'secret.key'))).toBe(0o600)
    // The directory may be shared on purpose or not ours: it is left alone, and named.
    expect(modeOf(dir)).toBe(0o755)
    expect(warnings).toEqual([
      expect.stringContaining(`data directory ${dir} is open to other users (mode 0755)`),
    ])
  })
})
