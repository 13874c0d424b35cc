import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { multipart, type Part } from '../../../test/multipart.ts'
import { ORIGIN, postWidget } from '../../../test/widget-support.ts'
import { MAX_UPLOAD_BYTES } from '../../uploads/store-upload.ts'
import { FIXTURES } from '../../uploads/test-fixtures.ts'
import { attachUploads } from '../../uploads/upload-repo.ts'

let ipCounter = 0
const freshIp = () => `10.2.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`

forEachDialect('widget uploads', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant

  beforeAll(async () => {
    t = await buildTestApp({ dialect })
    a = await createTestTenant(t.db, { name: 'A' })
    b = await createTestTenant(t.db, {
      name: 'B',
      config: { enabled: true, allowed_origins: ['https://b.example'] },
    })
  })
  afterAll(async () => t.close())

  const creds = (x: TestTenant): Part[] => [
    { name: 'tenant_id', value: x.tenantId },
    { name: 'public_key', value: x.publicKey },
  ]
  const file = (data: Buffer, type: string, filename = 'file.bin'): Part => ({
    name: 'file',
    filename,
    type,
    data,
  })

  async function upload(
    parts: Part[],
    opts: { origin?: string | null; ip?: string; forwardedFor?: string } = {},
  ) {
    const { payload, contentType } = multipart(parts)
    const origin = opts.origin === undefined ? ORIGIN : opts.origin
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/uploads',
      headers: {
        'content-type': contentType,
        ...(origin === null ? {} : { origin }),
        ...(opts.forwardedFor === undefined ? {} : { 'x-forwarded-for': opts.forwardedFor }),
      },
      remoteAddress: opts.ip ?? freshIp(),
      payload,
    })
  }

  /** Uploads of tenant A sent in a message, by the thread they were sent in. */
  const sentIn = new Map<string, string>()
  /** Sends the upload in a message of its own (anonymous) thread, once: only then is it served. */
  async function send(id: string): Promise<string> {
    const known = sentIn.get(id)
    if (known !== undefined) return known
    const thread = `upl-thread-${sentIn.size}-${id.slice(-8)}`
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: { origin: ORIGIN },
      remoteAddress: freshIp(),
      payload: {
        tenant_id: a.tenantId,
        public_key: a.publicKey,
        body: 'see attached',
        source_thread_id: thread,
        upload_ids: [id],
      },
    })
    expect(res.statusCode, res.body).toBe(200)
    sentIn.set(id, thread)
    return thread
  }

  /** Downloads as the visitor of the thread the upload was sent in (tenant A's uploads). */
  async function download(id: string, x: TestTenant = a, origin: string | null = ORIGIN) {
    const thread =
      x === a && id.startsWith('upl_') && !id.includes('doesnotexist') ? await send(id) : undefined
    return t.app.inject({
      method: 'GET',
      url: `/api/v1/widget/uploads/${encodeURIComponent(id)}?tenant_id=${x.tenantId}&public_key=${x.publicKey}${thread ? `&source_thread_id=${thread}` : ''}`,
      headers: origin === null ? {} : { origin },
      remoteAddress: freshIp(),
    })
  }

  async function uploaded(data: Buffer, type: string, filename: string): Promise<string> {
    const res = await upload([...creds(a), file(data, type, filename)])
    expect(res.statusCode, res.body).toBe(201)
    return res.json().upload_id
  }

  function expectInert(res: Awaited<ReturnType<typeof download>>) {
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['content-security-policy']).toBe('sandbox')
  }

  it('201 with exactly the contract body; the bytes are stored in the database', async () => {
    const res = await upload([...creds(a), file(FIXTURES.png, 'image/png', 'screenshot.png')])
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toEqual({
      upload_id: expect.stringMatching(/^upl_[0-9A-Za-z]{22}$/),
      file_name: 'screenshot.png',
      content_type: 'image/png',
      size_bytes: FIXTURES.png.length,
    })
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    const row = await t.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', body.upload_id)
      .executeTakeFirstOrThrow()
    expect(row.tenant_id).toBe(a.tenantId)
    expect(Buffer.from(row.data).equals(FIXTURES.png)).toBe(true)
    expect(row.message_id).toBeNull()
  })

  it('422 naming tenant_id for a file sent before the credentials, storing nothing', async () => {
    const before = (await t.db.selectFrom('uploads').select('id').execute()).length
    const res = await upload([file(FIXTURES.pdf, 'application/pdf', 'doc.pdf'), ...creds(a)])
    expect(res.statusCode).toBe(422)
    expect(res.json().detail).toEqual([
      {
        type: 'missing',
        loc: ['body', 'tenant_id'],
        msg: 'Field required before the file: send tenant_id and public_key first',
      },
    ])
    expect((await t.db.selectFrom('uploads').select('id').execute()).length).toBe(before)
  })

  it('accepts exactly 10 MB and answers 413 {"detail"} at 10 MB + 1 byte, storing nothing', async () => {
    const text = Buffer.alloc(MAX_UPLOAD_BYTES, 0x61)
    const ok = await upload([...creds(a), file(text, 'text/plain', 'max.txt')])
    expect(ok.statusCode).toBe(201)
    expect(ok.json().size_bytes).toBe(MAX_UPLOAD_BYTES)
    const before = await t.db.selectFrom('uploads').select('id').execute()
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x61)
    const res = await upload([...creds(a), file(big, 'text/plain', 'big.txt')])
    expect(res.statusCode).toBe(413)
    expect(res.json()).toEqual({ detail: 'File too large: the maximum upload size is 10 MB' })
    expect(await t.db.selectFrom('uploads').select('id').execute()).toHaveLength(before.length)
  })

  it.each([
    ['application/zip', FIXTURES.zip, 'a.zip'],
    ['image/jpeg', FIXTURES.png, 'fake.jpg'],
    ['image/png', FIXTURES.exe, 'fake.png'],
    ['application/pdf', FIXTURES.exe, 'fake.pdf'],
    ['application/octet-stream', FIXTURES.png, 'x.png'],
    ['text/plain', FIXTURES.exe, 'fake.txt'],
    ['text/plain', Buffer.from([0x68, 0xc3, 0x28]), 'latin.txt'],
    ['image/x-made-up', FIXTURES.png, 'x.png'],
    ['video/mp4', FIXTURES.png, 'x.mp4'],
  ])(
    '415 {"detail"} for %s with mismatching or unsupported content (%#)',
    async (type, data, name) => {
      const res = await upload([...creds(a), file(data, type, name)])
      expect(res.statusCode).toBe(415)
      expect(typeof res.json().detail).toBe('string')
    },
  )

  it('an SVG with script is stored but never served inline or as SVG', async () => {
    const id = await uploaded(FIXTURES.svgWithScript, 'image/svg+xml', 'logo.svg')
    const res = await download(id)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="logo.svg"; filename*=UTF-8''logo.svg`,
    )
    expectInert(res)
    expect(res.rawPayload.equals(FIXTURES.svgWithScript)).toBe(true)
  })

  it('an HTML file uploaded as text is served as a plain-text attachment, whatever it was declared as', async () => {
    for (const type of ['text/html', 'text/plain', 'text/xml']) {
      const id = await uploaded(FIXTURES.html, type, 'page.html')
      const res = await download(id)
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
      expect(res.headers['content-disposition']).toMatch(/^attachment; /)
      expectInert(res)
    }
  })

  it('serves raster images and PDF inline with their own type; nosniff + CSP sandbox on every download', async () => {
    const cases: [Buffer, string, string, 'inline' | 'attachment'][] = [
      [FIXTURES.png, 'image/png', 'a.png', 'inline'],
      [FIXTURES.jpeg, 'image/jpeg', 'b.jpg', 'inline'],
      [FIXTURES.gif, 'image/gif', 'c.gif', 'inline'],
      [FIXTURES.pdf, 'application/pdf', 'd.pdf', 'inline'],
      [Buffer.from('hello'), 'text/plain', 'e.txt', 'attachment'],
      [Buffer.from('a,b\n1,2\n'), 'text/csv', 'f.csv', 'attachment'],
    ]
    for (const [data, type, name, disposition] of cases) {
      const id = await uploaded(data, type, name)
      const res = await download(id)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe(
        type.startsWith('text/') ? 'text/plain; charset=utf-8' : type,
      )
      expect(res.headers['content-disposition']).toBe(
        `${disposition}; filename="${name}"; filename*=UTF-8''${name}`,
      )
      expect(res.headers['content-length']).toBe(String(data.length))
      expectInert(res)
      expect(res.rawPayload.equals(data)).toBe(true)
    }
  })

  it('sanitizes the file name and encodes a non-ASCII one with RFC 5987', async () => {
    const res = await upload([
      ...creds(a),
      file(FIXTURES.pdf, 'application/pdf', '../../secret/r\u00e9sum\u00e9 \u202Efdp.exe.pdf'),
    ])
    expect(res.statusCode).toBe(201)
    expect(res.json().file_name).toBe('résumé fdp.exe.pdf')
    const dl = await download(res.json().upload_id)
    expect(dl.headers['content-disposition']).toBe(
      `inline; filename="r_sum_ fdp.exe.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20fdp.exe.pdf`,
    )
  })

  it('keeps tenants apart: another tenant can neither download nor borrow the id', async () => {
    const id = await uploaded(FIXTURES.png, 'image/png', 'private.png')
    const theirs = await download(id, b, 'https://b.example')
    expect(theirs.statusCode).toBe(404)
    expect(theirs.json()).toEqual({ detail: 'Upload not found' })
    expectInert(await download(id))
    const mixed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/widget/uploads/${id}?tenant_id=${a.tenantId}&public_key=${b.publicKey}`,
      headers: { origin: ORIGIN },
    })
    expect(mixed.statusCode).toBe(403)
    expect(mixed.json()).toEqual({ detail: 'Invalid widget credentials or widget disabled' })
    // Tenant B cannot attach tenant A's upload to its messages either.
    expect(await attachUploads(t.db, b.tenantId, [id], 'msg_b')).toEqual([id])
  })

  it('404 for an unknown upload; 422 naming a missing query field; 403 without a key', async () => {
    const res = await download('upl_doesnotexist')
    expect(res.statusCode).toBe(404)
    const noTenant = await t.app.inject({
      method: 'GET',
      url: `/api/v1/widget/uploads/upl_x?public_key=${a.publicKey}`,
      headers: { origin: ORIGIN },
    })
    expect(noTenant.statusCode).toBe(422)
    expect(noTenant.json().detail[0].loc).toEqual(['query', 'tenant_id'])
    const noKey = await t.app.inject({
      method: 'GET',
      url: `/api/v1/widget/uploads/upl_x?tenant_id=${a.tenantId}`,
      headers: { origin: ORIGIN },
    })
    expect(noKey.statusCode).toBe(403)
  })

  it('403 for a disallowed or missing Origin, on upload and download', async () => {
    const id = await uploaded(FIXTURES.png, 'image/png', 'x.png')
    for (const origin of ['https://example.com.evil.test', 'http://example.com', 'null', null]) {
      const up = await upload([...creds(a), file(FIXTURES.png, 'image/png', 'x.png')], { origin })
      expect(up.statusCode).toBe(403)
      expect(up.json()).toEqual({ detail: 'Origin not allowed' })
      const dl = await download(id, a, origin)
      expect(dl.statusCode).toBe(403)
      expect(dl.headers['access-control-allow-origin']).toBeUndefined()
    }
  })

  it('403 for wrong credentials (422 when they come after the file), storing nothing', async () => {
    const before = (await t.db.selectFrom('uploads').select('id').execute()).length
    const wrong: Part[] = [
      { name: 'tenant_id', value: a.tenantId },
      { name: 'public_key', value: b.publicKey },
    ]
    const res = await upload([...wrong, file(FIXTURES.png, 'image/png')])
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'Invalid widget credentials or widget disabled' })
    const late = await upload([file(FIXTURES.png, 'image/png'), ...wrong])
    expect(late.statusCode).toBe(422)
    expect(late.json().detail[0].loc).toEqual(['body', 'tenant_id'])
    expect((await t.db.selectFrom('uploads').select('id').execute()).length).toBe(before)
  })

  it('422 naming a missing file, tenant_id or public_key; 422 for an empty file', async () => {
    const noFile = await upload(creds(a))
    expect(noFile.statusCode).toBe(422)
    expect(noFile.json().detail).toEqual([
      { type: 'missing', loc: ['body', 'file'], msg: 'Field required' },
    ])
    const noTenant = await upload([
      { name: 'public_key', value: a.publicKey },
      file(FIXTURES.png, 'image/png'),
    ])
    expect(noTenant.statusCode).toBe(422)
    expect(noTenant.json().detail[0].loc).toEqual(['body', 'tenant_id'])
    const noKey = await upload([
      { name: 'tenant_id', value: a.tenantId },
      file(FIXTURES.png, 'image/png'),
    ])
    expect(noKey.json().detail[0].loc).toEqual(['body', 'public_key'])
    const empty = await upload([...creds(a), file(Buffer.alloc(0), 'text/plain', 'empty.txt')])
    expect(empty.statusCode).toBe(422)
    expect(empty.json().detail[0]).toMatchObject({
      loc: ['body', 'file'],
      msg: 'The file is empty',
    })
    const wrongField = await upload([
      ...creds(a),
      { ...file(FIXTURES.png, 'image/png'), name: 'attachment' },
    ])
    expect(wrongField.statusCode).toBe(422)
    expect(wrongField.json().detail[0].loc).toEqual(['body', 'attachment'])
  })

  it('415 for a body that is not multipart', async () => {
    const res = await postWidget(t.app, '/api/v1/widget/uploads', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
    })
    expect(res.statusCode).toBe(415)
    expect(typeof res.json().detail).toBe('string')
  })

  it('422 naming file for a second file in one request, storing nothing', async () => {
    const before = (await t.db.selectFrom('uploads').select('id').execute()).length
    const res = await upload([
      ...creds(a),
      file(FIXTURES.png, 'image/png', 'one.png'),
      file(FIXTURES.png, 'image/png', 'two.png'),
    ])
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0]).toMatchObject({ loc: ['body', 'file'] })
    expect((await t.db.selectFrom('uploads').select('id').execute()).length).toBe(before)
  })

  it('400 {"detail"} for a malformed or truncated multipart body, never a 500', async () => {
    const { payload, contentType } = multipart([...creds(a), file(FIXTURES.pdf, 'application/pdf')])
    const cut = payload.subarray(0, payload.length - 40)
    for (const [body, type] of [
      [cut, contentType],
      [Buffer.from('garbage without boundaries'), contentType],
      [payload, 'multipart/form-data'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/widget/uploads',
        headers: { origin: ORIGIN, 'content-type': type },
        remoteAddress: freshIp(),
        payload: body,
      })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual({ detail: 'Malformed multipart body' })
    }
  })

  it('allows 30 uploads a minute per IP; the 31st is 429 with the contract headers', async () => {
    const ip = freshIp()
    for (let i = 0; i < 30; i++) {
      const res = await upload([...creds(a), file(Buffer.from(`n${i}`), 'text/plain', 'n.txt')], {
        ip,
        // A spoofed X-Forwarded-For (no trusted proxy configured) must not open new buckets.
        forwardedFor: `203.0.113.${i}`,
      })
      expect(res.statusCode).toBe(201)
      expect(res.headers['x-ratelimit-remaining']).toBe(String(29 - i))
    }
    const res = await upload([...creds(a), file(Buffer.from('x'), 'text/plain', 'n.txt')], { ip })
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ detail: 'Rate limit exceeded', limit: 30 })
    expect(res.headers['x-ratelimit-limit']).toBe('30')
    expect(res.headers['x-ratelimit-remaining']).toBe('0')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    const other = await upload([...creds(a), file(Buffer.from('x'), 'text/plain', 'n.txt')])
    expect(other.statusCode).toBe(201)
  })

  it('admins download through the API with conversations:read, only their own tenant’s uploads', async () => {
    const id = await uploaded(FIXTURES.svgWithScript, 'image/svg+xml', 'logo.svg')
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/uploads/${id}`,
      headers: { 'x-api-key': a.apiKey },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.headers['content-disposition']).toMatch(/^attachment; /)
    expectInert(res)
    const other = await t.app.inject({
      method: 'GET',
      url: `/api/v1/uploads/${id}`,
      headers: { 'x-api-key': b.apiKey },
    })
    expect(other.statusCode).toBe(404)
    const noScope = await createTestTenant(t.db, { scopes: ['config:read'] })
    const denied = await t.app.inject({
      method: 'GET',
      url: `/api/v1/uploads/${id}`,
      headers: { 'x-api-key': noScope.apiKey },
    })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toEqual({ detail: 'API key missing required scope: conversations:read' })
    const anon = await t.app.inject({ method: 'GET', url: `/api/v1/uploads/${id}` })
    expect(anon.statusCode).toBe(401)
  })
})
