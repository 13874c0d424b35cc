import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FakeOpenAi, startFakeOpenAi } from '../../test/fake-openai.ts'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  putTestWidgetConfig,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'

const ORIGIN = 'https://example.com'
const PII =
  'I am jane.roe@example.org, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, phone +49 30 1234567'

/** What the language model was sent, as one string. */
const sentToModel = (fake: FakeOpenAi) =>
  JSON.stringify(fake.requests.map((r) => r.body?.messages ?? []))

forEachDialect('redaction of personal data', (dialect) => {
  let fake: FakeOpenAi
  let t: TestApp
  let a: TestTenant
  let ip = 0

  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-r', models: ['m'] })
    fake.fallback = { type: 'stream', chunks: ['Noted.'] }
    t = await buildTestApp({
      dialect,
      env: {
        AURION_AGENT: 'openai',
        AURION_LLM_BASE_URL: fake.baseUrl,
        AURION_LLM_API_KEY: 'sk-r',
        AURION_LLM_MODEL: 'm',
      },
    })
    a = await createTestTenant(t.db)
  })
  afterAll(async () => {
    await t.close()
    await fake.close()
  })

  async function send(body: string): Promise<{ conversationId: string }> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: { origin: ORIGIN },
      remoteAddress: `10.7.0.${++ip}`,
      payload: {
        tenant_id: a.tenantId,
        public_key: a.publicKey,
        body,
        source_thread_id: `r-${ip}`,
      },
    })
    expect(res.statusCode, res.body).toBe(200)
    return { conversationId: res.json().conversation_id }
  }
  const stored = async (conversationId: string) =>
    (
      await t.db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', conversationId)
        .where('sender_type', '=', 'contact')
        .execute()
    ).map((m) => m.body)

  it('off by default: the model and the database get the text as typed', async () => {
    fake.requests.length = 0
    const { conversationId } = await send(PII)
    expect(sentToModel(fake)).toContain('jane.roe@example.org')
    expect(await stored(conversationId)).toEqual([PII])
  })

  it('redact_pii masks what the model is sent, not what is stored', async () => {
    await putTestWidgetConfig(t.app, a, { redact_pii: true })
    fake.requests.length = 0
    const { conversationId } = await send(PII)
    const sent = sentToModel(fake)
    for (const value of ['jane.roe@example.org', '4111 1111 1111 1111', 'DE89 3704', '1234567']) {
      expect(sent).not.toContain(value)
    }
    expect(sent).toContain('I am [email], card [card], IBAN [iban], phone [phone]')
    expect(await stored(conversationId)).toEqual([PII])
  })

  it('redact_stored masks the stored message too', async () => {
    await putTestWidgetConfig(t.app, a, { redact_pii: true, redact_stored: true })
    fake.requests.length = 0
    const { conversationId } = await send(PII)
    expect(await stored(conversationId)).toEqual([
      'I am [email], card [card], IBAN [iban], phone [phone]',
    ])
    expect(sentToModel(fake)).not.toContain('jane.roe@example.org')
    const cfg = await t.app.inject({
      url: '/api/v1/voice-widget/config',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(cfg.json()).toMatchObject({
      redact_pii: true,
      redact_stored: true,
      retention_days: null,
    })
  })
})
