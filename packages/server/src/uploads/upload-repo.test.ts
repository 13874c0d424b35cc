import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { newId } from '../ids.ts'
import {
  attachUploads,
  deleteExpiredUploads,
  findUpload,
  insertUpload,
  insertUploadWithinQuota,
  listUploadsForMessages,
  sumTenantUploadBytes,
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

  it('deletes expired unattached uploads of every tenant in batches, never attached ones', async () => {
    const old = new Date(Date.now() - UNATTACHED_UPLOAD_TTL_MS - 60_000).toISOString()
    const cutoff = new Date(Date.now() - UNATTACHED_UPLOAD_TTL_MS).toISOString()
    const staleA = [uploadRow(a, { created_at: old }), uploadRow(a, { created_at: old })]
    const staleAttached = uploadRow(a, { created_at: old, message_id: 'msg_keep' })
    const staleOther = uploadRow(b, { created_at: old })
    const fresh = uploadRow(a)
    for (const r of [...staleA, staleAttached, staleOther, fresh]) await insertUpload(h.db, r)
    expect(await deleteExpiredUploads(h.db, cutoff, 2)).toBe(2)
    expect(await deleteExpiredUploads(h.db, cutoff, 2)).toBe(1)
    expect(await deleteExpiredUploads(h.db, cutoff, 2)).toBe(0)
    for (const r of [...staleA, staleOther])
      expect(await findUpload(h.db, r.tenant_id, r.id)).toBeUndefined()
    expect(await findUpload(h.db, a, staleAttached.id)).toBeDefined()
    expect(await findUpload(h.db, a, fresh.id)).toBeDefined()
  })

  it('stores within the quota only, and concurrent uploads never overshoot it', async () => {
    const t = (await createTestTenant(h.db, { name: 'Q' })).tenantId
    const sized = (n: number) => uploadRow(t, { size_bytes: n, data: Buffer.alloc(n, 1) })
    expect(await sumTenantUploadBytes(h.db, t)).toBe(0)
    expect(await insertUploadWithinQuota(h.db, sized(600), 1000)).toEqual({ stored: true })
    expect(await insertUploadWithinQuota(h.db, sized(401), 1000)).toEqual({
      stored: false,
      usedBytes: 600,
    })
    expect(await insertUploadWithinQuota(h.db, sized(400), 1000)).toEqual({ stored: true })
    expect(await sumTenantUploadBytes(h.db, t)).toBe(1000)
    // Another tenant's uploads count against its own quota only.
    expect(await insertUploadWithinQuota(h.db, uploadRow(b, { size_bytes: 900 }), 1000)).toEqual({
      stored: true,
    })
    const u = (await createTestTenant(h.db, { name: 'R' })).tenantId
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        insertUploadWithinQuota(h.db, uploadRow(u, { size_bytes: 300 }), 1000),
      ),
    )
    expect(results.filter((r) => r.stored)).toHaveLength(3)
    expect(await sumTenantUploadBytes(h.db, u)).toBe(900)
  })
})
