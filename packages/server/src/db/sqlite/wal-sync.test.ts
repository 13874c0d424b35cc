import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WalSync } from './wal-sync.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aurion-wal-sync-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('WalSync', () => {
  it('shares one sync among callers that arrive while another runs, and none starts early', async () => {
    const file = join(dir, 'log')
    new SQLite(file).close()
    const wal = new WalSync(file)
    const first = wal.sync()
    // These arrive while the first sync runs: they need one that starts after them, and share it.
    const later = Array.from({ length: 20 }, () => wal.sync())
    await first
    await Promise.all(later)
    expect(wal.syncs).toBe(2)
    await wal.sync()
    expect(wal.syncs).toBe(3)
    await wal.close()
  })

  it('still syncs (or finds everything checkpointed) after it was closed', async () => {
    const file = join(dir, 'log')
    new SQLite(file).close()
    const wal = new WalSync(file)
    await wal.sync()
    await wal.close()
    await expect(wal.sync()).resolves.toBeUndefined()
    rmSync(file)
    await expect(wal.sync()).resolves.toBeUndefined()
  })

  it('rejects when the log cannot be synced (the write is then not acknowledged)', async () => {
    const wal = new WalSync(join(dir, 'missing-wal'))
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
