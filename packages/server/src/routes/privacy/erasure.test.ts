import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createTestTenant,
  forEachDialect,
  startTestServer,
  type TestServer,
  type TestTenant,
} from '../../../test/helpers.ts'
import { auditHash } from '../../audit/audit.ts'
import { createApiKey } from '../../auth/api-key-repo.ts'
import type { Db } from '../../db/schema.ts'
import { computeUserHash } from '../../visitors/email-token.ts'

const ORIGIN = 'https://example.com'

/** Every row of every table of the app's database, as text. */
async function everyRow(db: Db, dialect: string): Promise<string> {
  const tables =
    dialect === 'sqlite'
      ? (
          await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
            db,
          )
        ).rows.map((r) => r.name)
      : (
          await sql<{
            name: string
          }>`select table_name as name from information_schema.tables
              where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
        ).rows.map((r) => r.name)
  expect(tables).toContain('messages')
  let out = ''
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      db,
    )
    for (const row of rows) {
      for (const v of Object.values(row)) {
        out += Buffer.isBuffer(v) ? v.toString('latin1') : String(v)
        out += '\n'
      }
    }
  }
  return out
}

forEachDialect('privacy erase and export', (dialect) => {
  let s: TestServer
  let a: TestTenant
  const tag = randomBytes(5).toString('hex')
  const email = `erase.me.${tag}@victim.test`
  const marker = `SECRET-MARKER-${tag}`
  const fileMarker = `FILE-BYTES-${tag}`
  const bystander = `keep.me.${tag}@other.test`
  let token = ''
  let uploadId = ''
  let ip = 0

  const widget = (url: string, payload: Record<string, unknown>) =>
    s.app.inject({
      method: 'POST',
      url,
      headers: { origin: ORIGIN },
      remoteAddress: `10.9.0.${++ip}`,
      payload: { tenant_id: a.tenantId, public_key: a.publicKey, ...payload },
    })
  const admin = (key = a.apiKey) => ({ 'x-api-key': key })
  const history = (tok: string) =>
    s.app.inject({
      url: `/api/v1/widget/history?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${encodeURIComponent(tok)}`,
      headers: { origin: ORIGIN },
      remoteAddress: `10.9.1.${++ip}`,
    })

  async function sessionFor(addr: string): Promise<string> {
    const res = await widget('/api/v1/widget/session', {
      email: addr,
      user_hash: computeUserHash(a.tenant.identity_secret, addr),
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().email_token
  }

  async function uploadPdf(): Promise<string> {
    const boundary = `----t${tag}`
    const pdf = Buffer.from(`%PDF-1.4\n% ${fileMarker}\n%%EOF\n`)
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="tenant_id"\r\n\r\n${a.tenantId}\r\n--${boundary}\r\nContent-Disposition: form-data; name="public_key"\r\n\r\n${a.publicKey}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="invoice-${tag}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/widget/uploads',
      headers: { origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}` },
      remoteAddress: `10.9.2.${++ip}`,
      payload: body,
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json().upload_id
  }

  beforeAll(async () => {
    s = await startTestServer({ dialect })
    a = await createTestTenant(s.db, { articles: true })
    token = await sessionFor(email)
    uploadId = await uploadPdf()
    for (const body of [`Hello, my note is ${marker}`, `reach me at ${email}`]) {
      const res = await widget('/api/v1/widget/messages', {
        body,
        email_token: token,
        source_thread_id: `t-${tag}`,
        ...(body.includes('reach') ? { upload_ids: [uploadId] } : {}),
      })
      expect(res.statusCode, res.body).toBe(200)
    }
    // An unproven claim of the same email in another conversation (no token).
    const claimed = await widget('/api/v1/widget/messages', {
      body: `claimed ${marker}`,
      sender_email: email,
      source_thread_id: `c-${tag}`,
    })
    expect(claimed.statusCode, claimed.body).toBe(200)
    const other = await widget('/api/v1/widget/messages', {
      body: 'bystander question',
      email_token: await sessionFor(bystander),
      source_thread_id: `b-${tag}`,
    })
    expect(other.statusCode, other.body).toBe(200)
  })
  afterAll(async () => s.close())

  it('exports everything stored about the email', async () => {
    const res = await s.app.inject({
      url: `/api/v1/privacy/export?email=${encodeURIComponent(email.toUpperCase())}`,
      headers: admin(),
    })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    expect(body.email).toBe(email)
    expect(body.contacts).toEqual([expect.objectContaining({ email })])
    expect(body.conversations).toHaveLength(2)
    const all = JSON.stringify(body)
    expect(all).toContain(marker)
    expect(all).not.toContain('bystander question')
    const withFile = body.conversations
      .flatMap((c: { messages: { attachments: { upload_id: string; url: string }[] }[] }) =>
        c.messages.flatMap((m) => m.attachments),
      )
      .find((x: { upload_id: string }) => x.upload_id === uploadId)
    expect(withFile).toMatchObject({
      file_name: `invoice-${tag}.pdf`,
      content_type: 'application/pdf',
      url: `${s.url}/api/v1/uploads/${uploadId}`,
    })
    const file = await s.app.inject({ url: new URL(withFile.url).pathname, headers: admin() })
    expect(file.statusCode).toBe(200)
    expect(file.body).toContain(fileMarker)
    expect(body.feedback).toEqual([])
  })

  it('needs privacy:read / privacy:write; a bad email is 422', async () => {
    const reader = await createApiKey(s.db, { tenantId: a.tenantId, scopes: ['privacy:read'] })
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/erase',
      headers: admin(reader.key),
      payload: { email },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'API key missing required scope: privacy:write' })
    const writer = await createApiKey(s.db, { tenantId: a.tenantId, scopes: ['privacy:write'] })
    const exp = await s.app.inject({
      url: `/api/v1/privacy/export?email=${encodeURIComponent(email)}`,
      headers: admin(writer.key),
    })
    expect(exp.statusCode).toBe(403)
    for (const bad of ['no-at-sign', '@x.test', 'a@', 'a@b@c']) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/privacy/erase',
        headers: admin(),
        payload: { email: bad },
      })
      expect(r.statusCode, bad).toBe(422)
    }
    const missing = await s.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/erase',
      headers: admin(),
      payload: {},
    })
    expect(missing.statusCode).toBe(422)
  })

  it('another tenant erasing the email touches nothing of this one', async () => {
    const b = await createTestTenant(s.db, { name: 'B' })
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/erase',
      headers: admin(b.apiKey),
      payload: { email },
    })
    expect(res.json()).toEqual({ email, contacts: 0, conversations: 0, messages: 0, uploads: 0 })
    expect((await history(token)).statusCode).toBe(200)
  })

  it('erases the email: counts, no history, dead tokens, nothing left in any table or file', async () => {
    expect((await history(token)).json().conversations.length).toBe(1)
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/erase',
      headers: admin(),
      payload: { email: `  ${email.toUpperCase()} ` },
    })
    expect(res.statusCode, res.body).toBe(200)
    const counts = res.json()
    expect(Object.keys(counts).sort()).toEqual([
      'contacts',
      'conversations',
      'email',
      'messages',
      'uploads',
    ])
    expect(counts).toMatchObject({ email, contacts: 1, conversations: 2, uploads: 1 })
    // Three visitor messages, each answered by the assistant.
    expect(counts.messages).toBe(6)

    // The old token no longer works; a new session for the email starts from nothing.
    const old = await history(token)
    expect(old.statusCode).toBe(401)
    expect(old.json()).toEqual({ detail: 'Invalid or expired email token' })
    const fresh = await history(await sessionFor(email))
    expect(fresh.statusCode).toBe(200)
    expect(fresh.json().conversations).toEqual([])
    const exp = await s.app.inject({
      url: `/api/v1/privacy/export?email=${encodeURIComponent(email)}`,
      headers: admin(),
    })
    expect(exp.json()).toMatchObject({ contacts: [], conversations: [] })
    expect(
      (await s.app.inject({ url: `/api/v1/uploads/${uploadId}`, headers: admin() })).statusCode,
    ).toBe(404)

    // No table holds anything about it (the fresh session above stored nothing).
    const rows = await everyRow(s.db, dialect)
    for (const needle of [email, marker, fileMarker, `invoice-${tag}`]) {
      expect(rows.includes(needle), needle).toBe(false)
    }
    // The bystander is untouched.
    expect(rows).toContain('bystander question')
    expect(rows).toContain(bystander)

    if (dialect === 'sqlite') {
      const files = readdirSync(s.dataDir)
      expect(files).toContain('aurion.db')
      for (const f of files) {
        const bytes = readFileSync(join(s.dataDir, f)).toString('latin1')
        for (const needle of [email, marker, fileMarker, `invoice-${tag}`]) {
          expect(bytes.includes(needle), `${needle} in ${f}`).toBe(false)
        }
      }
    }

    const audit = await s.app.inject({
      url: '/api/v1/audit-log?action=privacy.erased',
      headers: admin(),
    })
    const entry = audit.json().entries[0]
    expect(entry.details).toEqual({
      email_hash: auditHash(s.config.secret, email),
      contacts: 1,
      conversations: 2,
      messages: 6,
      uploads: 1,
    })
    const exported = await s.app.inject({
      url: '/api/v1/audit-log?action=privacy.exported',
      headers: admin(),
    })
    expect(exported.json().entries.length).toBeGreaterThan(0)
  })

  it('erasing again finds nothing', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/erase',
      headers: admin(),
      payload: { email },
    })
    expect(res.json()).toEqual({ email, contacts: 0, conversations: 0, messages: 0, uploads: 0 })
  })
})
