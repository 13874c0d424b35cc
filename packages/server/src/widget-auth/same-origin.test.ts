import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { createScriptedAgent } from '../../test/widget-support.ts'

const PUBLIC_URL = 'https://support.example.net'
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
)

// Browsers send no Origin on same-origin GETs: the widget on the server's own pages (/demo, the
// Help Center) must still read history and attachments there, and only there.
describe('same-origin requests without an Origin header', () => {
  let t: TestApp
  let own: TestTenant
  let foreign: TestTenant
  let ownToken: string
  let foreignToken: string
  let uploadId: string
  let ip = 0

  const inject = (opts: InjectOptions) =>
    t.app.inject({ remoteAddress: `10.7.0.${++ip % 250}`, ...opts })
  const session = async (tenant: TestTenant, origin: string) => {
    const res = await inject({
      method: 'POST',
      url: '/api/v1/widget/session',
      headers: { origin },
      payload: {
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        email: 'jo@example.com',
      },
    })
    expect(res.statusCode).toBe(200)
    return res.json().email_token as string
  }
  const history = (tenant: TestTenant, token: string, headers: Record<string, string>) =>
    inject({
      method: 'GET',
      url: `/api/v1/widget/history?${new URLSearchParams({
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        email_token: token,
      })}`,
      headers,
    })
  const download = (headers: Record<string, string>) =>
    inject({
      method: 'GET',
      url: `/api/v1/widget/uploads/${uploadId}?${new URLSearchParams({
        tenant_id: own.tenantId,
        public_key: own.publicKey,
        email_token: ownToken,
      })}`,
      headers,
    })

  beforeAll(async () => {
    t = await buildTestApp({
      env: { AURION_PUBLIC_URL: `${PUBLIC_URL}/` },
      deps: { agent: createScriptedAgent() },
    })
    // Like the demo tenant: the server's own origin is one of its allowed origins.
    own = await createTestTenant(t.db, {
      config: { enabled: true, allowed_origins: [PUBLIC_URL, 'https://shop.example'] },
    })
    foreign = await createTestTenant(t.db, {
      name: 'Foreign',
      config: { enabled: true, allowed_origins: ['https://elsewhere.example'] },
    })
    ownToken = await session(own, PUBLIC_URL)
    foreignToken = await session(foreign, 'https://elsewhere.example')

    const form = new FormData()
    form.set('tenant_id', own.tenantId)
    form.set('public_key', own.publicKey)
    form.set('file', new Blob([PNG], { type: 'image/png' }), 'screenshot.png')
    const body = new Response(form)
    const up = await inject({
      method: 'POST',
      url: '/api/v1/widget/uploads',
      headers: { origin: PUBLIC_URL, 'content-type': body.headers.get('content-type')! },
      payload: Buffer.from(await body.arrayBuffer()),
    })
    expect(up.statusCode).toBe(201)
    uploadId = up.json().upload_id
    const sent = await inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: { origin: PUBLIC_URL },
      payload: {
        tenant_id: own.tenantId,
        public_key: own.publicKey,
        email_token: ownToken,
        body: 'Here is a screenshot',
        upload_ids: [uploadId],
      },
    })
    expect(sent.statusCode).toBe(200)
  })
  afterAll(async () => t.close())

  it("serves history and attachments to the server's own pages", async () => {
    const res = await history(own, ownToken, { 'sec-fetch-site': 'same-origin' })
    expect(res.statusCode).toBe(200)
    expect(res.json().conversations[0].messages[0].body).toBe('Here is a screenshot')
    const file = await download({ 'sec-fetch-site': 'same-origin' })
    expect(file.statusCode).toBe(200)
    expect(file.rawPayload.equals(PNG)).toBe(true)
  })

  it.each([
    ['cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['same-site', { 'sec-fetch-site': 'same-site' }],
    ['none (typed in the address bar)', { 'sec-fetch-site': 'none' }],
    ['missing', {}],
    ['upper-case', { 'sec-fetch-site': 'Same-Origin' }],
  ])('refuses Sec-Fetch-Site %s without an Origin', async (_name, headers) => {
    for (const res of [await history(own, ownToken, headers), await download(headers)]) {
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual({ detail: 'Origin not allowed' })
    }
  })

  it("refuses a tenant whose allowed origins do not include the server's", async () => {
    const res = await history(foreign, foreignToken, { 'sec-fetch-site': 'same-origin' })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'Origin not allowed' })
  })

  it('lets an Origin header, when there is one, decide', async () => {
    const res = await history(own, ownToken, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'same-origin',
    })
    expect(res.statusCode).toBe(403)
    const allowed = await history(own, ownToken, {
      origin: 'https://shop.example',
      'sec-fetch-site': 'cross-site',
    })
    expect(allowed.statusCode).toBe(200)
  })
})
