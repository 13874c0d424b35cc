import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { UNATTACHED_UPLOAD_TTL_MS } from '../../uploads/upload-repo.ts'
import { startUploadSweeper } from '../../uploads/upload-sweeper.ts'

const ORIGIN = 'https://example.com'
const BOUNDARY = 'aurionHeldBoundary'
/** What the attacker declares and means to send: a 9 MB file. */
const FILE_BYTES = 9 * 1024 * 1024
/** What the client actually sends before waiting for the answer. */
const SENT_OF_FILE = 64 * 1024
/** An honest answer comes in milliseconds; a server reading the whole body never answers. */
const ANSWER_BOUND_MS = 5_000

const field = (name: string, value: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
const fileHead = () =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`

interface HeldAnswer {
  status: number
  body: string
  /** Bytes of the request the client had sent when the answer arrived. */
  sent: number
  declared: number
}

/**
 * An upload over a raw socket that declares its full length (`Content-Length`) but sends only
 * `before`, the first {@link SENT_OF_FILE} bytes of the file, and then waits for the answer
 * while holding back the rest. Rejects when no answer comes within {@link ANSWER_BOUND_MS}:
 * the server was waiting to read the whole body.
 */
function heldUpload(port: number, before: string, after = ''): Promise<HeldAnswer> {
  const tail = `${after}--${BOUNDARY}--\r\n`
  const declared = Buffer.byteLength(before) + FILE_BYTES + Buffer.byteLength(`\r\n${tail}`)
  const head =
    `POST /api/v1/widget/uploads HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${ORIGIN}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${declared}\r\n\r\n`
  const sentNow = Buffer.concat([Buffer.from(head + before), Buffer.alloc(SENT_OF_FILE, 0x61)])
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let raw = Buffer.alloc(0)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new Error(`no answer within ${ANSWER_BOUND_MS} ms while the client held back the file`),
      )
    }, ANSWER_BOUND_MS)
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.on('data', (chunk: Buffer) => {
      raw = Buffer.concat([raw, chunk])
      const end = raw.indexOf('\r\n\r\n')
      if (end < 0) return
      const headers = raw.subarray(0, end).toString('latin1')
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0)
      const body = raw.subarray(end + 4)
      if (body.length < length) return
      clearTimeout(timer)
      socket.destroy()
      resolve({
        status: Number(headers.split(' ')[1]),
        body: body.subarray(0, length).toString('utf8'),
        sent: sentNow.length - Buffer.byteLength(head),
        declared,
      })
    })
    socket.write(sentNow)
  })
}

describe('uploads are refused before the file is read (raw socket, 9 MB declared)', () => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  let port: number
  beforeAll(async () => {
    t = await buildTestApp({ env: { AURION_UPLOAD_QUOTA_MB: '1' } })
    a = await createTestTenant(t.db)
    b = await createTestTenant(t.db, { name: 'B' })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as AddressInfo).port
  })
  afterAll(async () => t.close())

  const stored = async () => (await t.db.selectFrom('uploads').select('id').execute()).length

  it('file part first, credentials (a wrong key) after it: 422 before the file is read', async () => {
    const res = await heldUpload(
      port,
      fileHead(),
      field('tenant_id', a.tenantId) + field('public_key', b.publicKey),
    )
    expect(res.status).toBe(422)
    expect(JSON.parse(res.body).detail[0]).toMatchObject({
      type: 'missing',
      loc: ['body', 'tenant_id'],
    })
    expect(res.sent).toBeLessThan(res.declared / 100)
    expect(await stored()).toBe(0)
  })

  it('a wrong key before the file: 403 before the file is read', async () => {
    const res = await heldUpload(
      port,
      field('tenant_id', a.tenantId) + field('public_key', b.publicKey) + fileHead(),
    )
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body)).toEqual({
      detail: 'Invalid widget credentials or widget disabled',
    })
    expect(res.sent).toBeLessThan(res.declared / 100)
  })

  it('no key at all, or an unknown tenant: refused before the file is read', async () => {
    const missing = await heldUpload(port, field('tenant_id', a.tenantId) + fileHead())
    expect(missing.status).toBe(422)
    expect(JSON.parse(missing.body).detail[0].loc).toEqual(['body', 'public_key'])
    const unknown = await heldUpload(
      port,
      field('tenant_id', '00000000-0000-4000-8000-000000000000') +
        field('public_key', a.publicKey) +
        fileHead(),
    )
    expect(unknown.status).toBe(403)
    expect(await stored()).toBe(0)
  })

  it('a client that keeps sending after the refusal has its connection closed, not drained forever', async () => {
    const total = 64 * 1024 * 1024
    const head =
      `POST /api/v1/widget/uploads HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${ORIGIN}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${total}\r\n\r\n` +
      fileHead()
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const outcome = await new Promise<{ answered: boolean; sent: number }>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      let answered = false
      let sent = 0
      const finish = () => resolve({ answered, sent })
      socket.on('data', () => {
        answered = true
      })
      socket.on('error', finish)
      socket.on('close', finish)
      socket.write(head)
      const pump = () => {
        if (socket.destroyed) return
        if (sent >= total) return finish()
        sent += chunk.length
        if (socket.write(chunk)) setImmediate(pump)
        else socket.once('drain', pump)
      }
      pump()
    })
    expect(outcome.answered).toBe(true)
    // The server discards at most 10 MB after its answer, then closes (socket buffers hold a
    // few MB more on the client's side).
    expect(outcome.sent).toBeLessThan(total / 2)
  })

  it('a tenant whose quota is used up: 413 before the file is read', async () => {
    await t.db
      .insertInto('uploads')
      .values({
        id: `upl_${randomBytes(8).toString('hex')}`,
        tenant_id: a.tenantId,
        file_name: 'full.txt',
        content_type: 'text/plain',
        size_bytes: 1024 * 1024,
        sha256: 'x',
        data: Buffer.alloc(1024 * 1024, 0x61),
        message_id: null,
        created_at: new Date().toISOString(),
      })
      .execute()
    const res = await heldUpload(
      port,
      field('tenant_id', a.tenantId) + field('public_key', a.publicKey) + fileHead(),
    )
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body)).toEqual({
      detail:
        "Upload quota exceeded: this widget's attachments may use 1 MB in total and 1 MB are in use; unattached uploads expire after 24 hours",
    })
  })
})

function multipart(
  parts: ({ name: string; value: string } | { filename: string; type: string; data: Buffer })[],
) {
  const chunks: Buffer[] = []
  for (const p of parts) {
    if ('filename' in p) {
      chunks.push(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n`,
        ),
        p.data,
        Buffer.from('\r\n'),
      )
    } else chunks.push(Buffer.from(field(p.name, p.value)))
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`))
  return Buffer.concat(chunks)
}

let ip = 0
const freshIp = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`

forEachDialect('upload quota and retention', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: { AURION_UPLOAD_QUOTA_MB: '1' } })
    a = await createTestTenant(t.db)
    b = await createTestTenant(t.db, { name: 'B' })
  })
  afterAll(async () => t.close())

  const upload = (x: TestTenant, bytes: number) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/uploads',
      remoteAddress: freshIp(),
      headers: {
        origin: ORIGIN,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      },
      payload: multipart([
        { name: 'tenant_id', value: x.tenantId },
        { name: 'public_key', value: x.publicKey },
        { filename: 'n.txt', type: 'text/plain', data: Buffer.alloc(bytes, 0x62) },
      ]),
    })
  /** Whether the upload still exists, asked as the tenant's admin. */
  const exists = async (x: TestTenant, id: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/uploads/${id}`,
      headers: { 'x-api-key': x.apiKey },
    })
    expect([200, 404]).toContain(res.statusCode)
    return res.statusCode === 200
  }

  it('AURION_UPLOAD_QUOTA_MB: 413 with a clear detail once the tenant’s uploads would exceed it', async () => {
    expect((await upload(a, 700_000)).statusCode).toBe(201)
    const over = await upload(a, 400_000)
    expect(over.statusCode).toBe(413)
    expect(over.json()).toEqual({
      detail:
        "Upload quota exceeded: this widget's attachments may use 1 MB in total and 0.7 MB are in use; unattached uploads expire after 24 hours",
    })
    // Exactly up to the quota fits; one byte more does not.
    expect((await upload(a, 1024 * 1024 - 700_000)).statusCode).toBe(201)
    expect((await upload(a, 1)).statusCode).toBe(413)
    // Another tenant has a quota of its own.
    expect((await upload(b, 700_000)).statusCode).toBe(201)
    const used = await t.db
      .selectFrom('uploads')
      .select((eb) => eb.fn.sum<number | string>('size_bytes').as('n'))
      .where('tenant_id', '=', a.tenantId)
      .executeTakeFirstOrThrow()
    expect(Number(used.n)).toBe(1024 * 1024)
  })

  describe('retention', () => {
    let c: TestTenant
    beforeAll(async () => {
      c = await createTestTenant(t.db, { name: 'C' })
    })
    afterEach(async () => {
      await t.db.deleteFrom('uploads').where('tenant_id', '=', c.tenantId).execute()
    })

    async function uploaded(): Promise<string> {
      const res = await upload(c, 1000)
      expect(res.statusCode).toBe(201)
      return res.json().upload_id
    }
    const send = (body: string, uploadIds: string[]) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/widget/messages',
        remoteAddress: freshIp(),
        headers: { origin: ORIGIN },
        payload: { tenant_id: c.tenantId, public_key: c.publicKey, body, upload_ids: uploadIds },
      })
    async function sentWith(uploadIds: string[]): Promise<string> {
      const res = await send('see attached', uploadIds)
      expect(res.statusCode, res.body).toBe(200)
      return res.json().conversation_id
    }
    const age = (id: string, ms: number) =>
      t.db
        .updateTable('uploads')
        .set({ created_at: new Date(Date.now() - ms).toISOString() })
        .where('id', '=', id)
        .execute()

    it('the background sweep deletes uploads never attached within 24 hours, and only those', async () => {
      const abandoned = await uploaded()
      const recent = await uploaded()
      const attached = await uploaded()
      await sentWith([attached])
      await age(abandoned, UNATTACHED_UPLOAD_TTL_MS + 60_000)
      await age(attached, UNATTACHED_UPLOAD_TTL_MS + 60_000)
      await age(recent, UNATTACHED_UPLOAD_TTL_MS - 60_000)
      const sweeper = startUploadSweeper(t.db, { intervalMs: 3_600_000 })
      try {
        // The first sweep starts on its own; this joins it or runs the next one.
        await sweeper.sweepNow()
      } finally {
        await sweeper.stop()
      }
      expect(await exists(c, abandoned)).toBe(false)
      expect(await exists(c, recent)).toBe(true)
      expect(await exists(c, attached)).toBe(true)
      // The abandoned upload no longer counts against the quota, nor can it be attached.
      const late = await send('late', [abandoned])
      expect(late.statusCode).toBe(422)
    })

    it('deleting a conversation (or its tenant) deletes its attachments', async () => {
      const first = await uploaded()
      const second = await uploaded()
      const kept = await uploaded()
      const conversation = await sentWith([first, second])
      await sentWith([kept])
      await t.db.deleteFrom('conversations').where('id', '=', conversation).execute()
      expect(await exists(c, first)).toBe(false)
      expect(await exists(c, second)).toBe(false)
      expect(await exists(c, kept)).toBe(true)
      const d = await createTestTenant(t.db, { name: 'D' })
      const res = await upload(d, 10)
      expect(res.statusCode).toBe(201)
      await t.db.deleteFrom('tenants').where('id', '=', d.tenantId).execute()
      const left = await t.db
        .selectFrom('uploads')
        .select('id')
        .where('id', '=', res.json().upload_id)
        .execute()
      expect(left).toEqual([])
    })
  })
})
