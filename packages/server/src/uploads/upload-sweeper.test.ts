import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestTenant, testConfig } from '../../test/helpers.ts'
import { connectDb } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { startServer } from '../main.ts'
import { insertUpload, UNATTACHED_UPLOAD_TTL_MS } from './upload-repo.ts'

describe('the upload sweep of a running server', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aurion-sweep-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('deletes abandoned uploads soon after start, without being asked', async () => {
    const setup = await connectDb({ dataDir: dir })
    await migrateToLatest(setup)
    const tenant = await createTestTenant(setup.db)
    const row = (id: string, ageMs: number) => ({
      id,
      tenant_id: tenant.tenantId,
      file_name: 'a.txt',
      content_type: 'text/plain',
      size_bytes: 2,
      sha256: 'x',
      data: Buffer.from('hi'),
      message_id: null,
      created_at: new Date(Date.now() - ageMs).toISOString(),
    })
    await insertUpload(setup.db, row('upl_abandoned', UNATTACHED_UPLOAD_TTL_MS + 60_000))
    await insertUpload(setup.db, row('upl_recent', 60_000))
    await setup.close()

    const server = await startServer(testConfig({ AURION_DATA_DIR: dir, PORT: '0' }), {
      print: () => {},
    })
    try {
      const ids = () =>
        server.database.db
          .selectFrom('uploads')
          .select('id')
          .orderBy('id')
          .execute()
          .then((rows) => rows.map((r) => r.id))
      const deadline = Date.now() + 10_000
      while ((await ids()).includes('upl_abandoned') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(await ids()).toEqual(['upl_recent'])
    } finally {
      await server.stop()
    }
  })
})
