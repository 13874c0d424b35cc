import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { newId } from '../ids.ts'
import {
  attachUploads,
  findUpload,
  findUploadsForAttach,
  insertUpload,
  listUploadsForMessages,
  pruneStaleUploads,
  UNATTACHED_UPLOAD_TTL_MS,
  type UploadRow,
} from './upload-repo.ts'

function uploadRow(tenantId: string, over: Partial<UploadRow> = {}): UploadRow {
  return {
    id: newId('upl'),
    tenant_id: tenantId,
    file_name: 'a.txt',
    content_type: 'text/plain',
    size_bytes: 3,
    sha256: 'x',
    data: Buffer.from([0, 1, 255]),
    message_id: null,
    created_at: new Date().toISOString(),
    ...over,
  }
}

forEachDialect('upload repository', (dialect) => {
  let h: DbHandle
  let a: string
  let b: string
  beforeAll(async () => {
    h = await createTestDatabase(dialect)
    a = (await createTestTenant(h.db, { name: 'A' })).tenantId
    b = (await createTestTenant(h.db, { name: 'B' })).tenantId
  })
  afterAll(async () => h.close())

  it('stores and returns the exact bytes, only to the owning tenant', async () => {
    const row = uploadRow(a)
    await insertUpload(h.db, row)
    const found = await findUpload(h.db, a, row.id)
    expect(found?.data.equals(Buffer.from([0, 1, 255]))).toBe(true)
    expect(found?.file_name).toBe('a.txt')
    expect(await findUpload(h.db, b, row.id)).toBeUndefined()
    expect(await findUpload(h.db, a, 'upl_missing')).toBeUndefined()
  })

  it('finds only this tenant’s unattached uploads for attaching', async () => {
    const mine = uploadRow(a)
    const attached = uploadRow(a, { message_id: 'msg_x' })
    const theirs = uploadRow(b)
    for (const r of [mine, attached, theirs]) await insertUpload(h.db, r)
    const found = await findUploadsForAttach(h.db, a, [mine.id, attached.id, theirs.id, mine.id])
    expect(found.map((u) => u.id)).toEqual([mine.id])
    expect(found[0]).not.toHaveProperty('data')
    expect(await findUploadsForAttach(h.db, a, [])).toEqual([])
  })

  it('attaches once: a second attach and another tenant’s attach report the ids as missing', async () => {
    const u1 = uploadRow(a)
    const u2 = uploadRow(a)
    const other = uploadRow(b)
    for (const r of [u1, u2, other]) await insertUpload(h.db, r)
    expect(await attachUploads(h.db, a, [u1.id, u2.id, u1.id], 'msg_1')).toEqual([])
    expect(await attachUploads(h.db, a, [u1.id], 'msg_2')).toEqual([u1.id])
    expect(await attachUploads(h.db, a, [other.id, 'upl_nope'], 'msg_3')).toEqual([
      other.id,
      'upl_nope',
    ])
    expect((await findUpload(h.db, a, u1.id))?.message_id).toBe('msg_1')
    expect((await findUpload(h.db, b, other.id))?.message_id).toBeNull()
    const listed = await listUploadsForMessages(h.db, a, ['msg_1'])
    expect(listed.map((u) => u.id).sort()).toEqual([u1.id, u2.id].sort())
    expect(await listUploadsForMessages(h.db, b, ['msg_1'])).toEqual([])
  })

  it('a failed attach inside a transaction rolls back the partial claim', async () => {
    const ok = uploadRow(a)
    const taken = uploadRow(a, { message_id: 'msg_taken' })
    for (const r of [ok, taken]) await insertUpload(h.db, r)
    await expect(
      h.db.transaction().execute(async (trx) => {
        const missing = await attachUploads(trx, a, [ok.id, taken.id], 'msg_new')
        if (missing.length > 0) throw new Error('rollback')
      }),
    ).rejects.toThrow('rollback')
    expect((await findUpload(h.db, a, ok.id))?.message_id).toBeNull()
  })

  it('concurrent attaches of one upload: exactly one wins', async () => {
    const u = uploadRow(a)
    await insertUpload(h.db, u)
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h.db.transaction().execute((trx) => attachUploads(trx, a, [u.id], `msg_c${i}`)),
      ),
    )
    expect(results.filter((r) => r.length === 0)).toHaveLength(1)
  })

  it('prunes only stale unattached uploads of the tenant', async () => {
    const old = new Date(Date.now() - UNATTACHED_UPLOAD_TTL_MS - 60_000).toISOString()
    const stale = uploadRow(a, { created_at: old })
    const staleAttached = uploadRow(a, { created_at: old, message_id: 'msg_keep' })
    const staleOther = uploadRow(b, { created_at: old })
    const fresh = uploadRow(a)
    for (const r of [stale, staleAttached, staleOther, fresh]) await insertUpload(h.db, r)
    expect(await pruneStaleUploads(h.db, a)).toBe(1)
    expect(await findUpload(h.db, a, stale.id)).toBeUndefined()
    expect(await findUpload(h.db, a, staleAttached.id)).toBeDefined()
    expect(await findUpload(h.db, a, fresh.id)).toBeDefined()
    expect(await findUpload(h.db, b, staleOther.id)).toBeDefined()
  })
})
