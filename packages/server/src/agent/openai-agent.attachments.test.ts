import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type FakeOpenAi, startFakeOpenAi } from '../../test/fake-openai.ts'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { ORIGIN } from '../../test/widget-support.ts'
import { seedDemoArticles } from '../knowledge/demo-articles.ts'
import { FIXTURES } from '../uploads/test-fixtures.ts'

type Part = { type: string; text?: string; image_url?: { url: string } }
type Message = { role: string; content: string | Part[] }

/**
 * Attachments reach an OpenAI-compatible model through the public widget API: named in the
 * visitor's message, and with `AURION_LLM_VISION=true` passed as image parts. The fake model on
 * loopback records what it was sent.
 */
describe.each([true, false])('LLM agent and attachments (vision %s)', (vision) => {
  let fake: FakeOpenAi
  let t: TestApp
  let tenant: TestTenant
  let other: TestTenant
  let ip = 0

  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-v', models: ['v-model'] })
    t = await buildTestApp({
      env: {
        AURION_AGENT: 'openai',
        AURION_LLM_BASE_URL: fake.baseUrl,
        AURION_LLM_API_KEY: 'sk-v',
        AURION_LLM_MODEL: 'v-model',
        AURION_LLM_VISION: String(vision),
        AURION_TRUST_PROXY: '127.0.0.1',
      },
    })
    tenant = await createTestTenant(t.db)
    other = await createTestTenant(t.db, { name: 'Other' })
    await seedDemoArticles(t.db, tenant.tenantId)
  })
  afterAll(async () => {
    await t.close()
    await fake.close()
  })
  beforeEach(() => {
    fake.requests.length = 0
    fake.queue.length = 0
  })

  const headers = () => ({ origin: ORIGIN, 'x-forwarded-for': `198.51.100.${++ip}` })
  async function upload(who: TestTenant, name: string, type: string, data: Buffer) {
    const boundary = 'visionBoundary'
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="tenant_id"\r\n\r\n${who.tenantId}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="public_key"\r\n\r\n${who.publicKey}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/uploads',
      headers: { ...headers(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    })
    expect(res.statusCode).toBe(201)
    return res.json().upload_id as string
  }
  const post = (payload: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: headers(),
      payload: { tenant_id: tenant.tenantId, public_key: tenant.publicKey, ...payload },
    })
  const send = (body: string, uploadIds: string[]) => post({ body, upload_ids: uploadIds })
  const lastUserMessage = (): Message => {
    const messages: Message[] = fake.requests.at(-1)!.body.messages
    return messages.filter((m) => m.role === 'user').at(-1)!
  }

  it('a screenshot reaches the model: as an image part with vision, named in text either way', async () => {
    fake.queue.push({
      type: 'stream',
      chunks: ['I can see the error 0x41 in your screenshot.', '\n\nSource: Connect to the VPN'],
    })
    const id = await upload(tenant, 'error.png', 'image/png', FIXTURES.png)
    const res = await send('Here is a screenshot of the error', [id])
    expect(res.statusCode).toBe(200)
    // The citation line became structured data.
    expect(res.json().ai_response).toBe('I can see the error 0x41 in your screenshot.')
    expect(res.json().sources).toEqual([{ title: 'Connect to the VPN' }])

    const m = lastUserMessage()
    if (vision) {
      expect(Array.isArray(m.content)).toBe(true)
      const parts = m.content as Part[]
      expect(parts[0]).toEqual({
        type: 'text',
        text: 'Here is a screenshot of the error\n\n[The visitor attached: error.png (image/png, shown below)]',
      })
      expect(parts[1]).toEqual({
        type: 'image_url',
        image_url: { url: `data:image/png;base64,${FIXTURES.png.toString('base64')}` },
      })
      expect(parts).toHaveLength(2)
    } else {
      expect(m.content).toBe(
        'Here is a screenshot of the error\n\n[The visitor attached: error.png (image/png)]',
      )
    }
    const system = (fake.requests.at(-1)!.body.messages as Message[])[0]!.content as string
    expect(system).toContain('[The visitor attached: …]')
  })

  it('a PDF is named but never sent as an image', async () => {
    const id = await upload(tenant, 'invoice.pdf', 'application/pdf', FIXTURES.pdf)
    const res = await send('see the invoice', [id])
    expect(res.statusCode).toBe(200)
    expect(lastUserMessage().content).toBe(
      'see the invoice\n\n[The visitor attached: invoice.pdf (application/pdf)]',
    )
  })

  it('another tenant’s upload cannot be attached, so it never reaches the model', async () => {
    const foreign = await upload(other, 'secret.png', 'image/png', FIXTURES.png)
    const res = await send('look at this', [foreign])
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0].loc).toEqual(['body', 'upload_ids', 0])
    expect(fake.requests).toHaveLength(0)
  })

  it('later turns do not resend the image', async () => {
    const id = await upload(tenant, 'later.png', 'image/png', FIXTURES.png)
    const first = await send('Here is the error', [id])
    expect(first.statusCode).toBe(200)
    const next = await post({ body: 'any idea?', source_thread_id: first.json().thread_id })
    expect(next.statusCode).toBe(200)
    const messages: Message[] = fake.requests.at(-1)!.body.messages
    expect(messages.every((m) => typeof m.content === 'string')).toBe(true)
    expect(lastUserMessage().content).toBe('any idea?')
  })
})
