import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type FakeLiveKit, startFakeLiveKit } from '../../../test/fake-livekit.ts'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'

const LK_KEY = 'APIphonekey'
const LK_SECRET = 'lk-phone-secret-0123456789abcdef0123456789abcdef'
const lkEnv = (url: string) => ({
  LIVEKIT_URL: url,
  LIVEKIT_API_KEY: LK_KEY,
  LIVEKIT_API_SECRET: LK_SECRET,
  AURION_VOICE_AGENT_NAME: 'aurion-voice-agent',
})

const put = (t: TestApp, x: TestTenant, payload: unknown, key = x.apiKey) =>
  t.app.inject({
    method: 'PUT',
    url: '/api/v1/voice-widget/phone',
    headers: { 'x-api-key': key },
    payload: payload as object,
  })
const get = (t: TestApp, x: TestTenant, key = x.apiKey) =>
  t.app.inject({ method: 'GET', url: '/api/v1/voice-widget/phone', headers: { 'x-api-key': key } })

forEachDialect('phone line: LiveKit SIP trunk and dispatch rule', (dialect) => {
  let fake: FakeLiveKit
  let t: TestApp
  beforeAll(async () => {
    fake = await startFakeLiveKit(LK_KEY, LK_SECRET)
    t = await buildTestApp({ dialect, env: lkEnv(fake.url) })
  })
  afterAll(async () => {
    await t.close()
    await fake.close()
  })
  afterEach(() => {
    fake.calls.length = 0
  })

  it('a tenant without a line reads it off, with no numbers', async () => {
    const a = await createTestTenant(t.db, { name: 'Off' })
    const res = await get(t, a)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      enabled: false,
      phone_numbers: [],
      greeting: null,
      transfer_to: null,
      sip: null,
      updated_at: null,
    })
  })

  it('turning the line on creates the trunk and a dispatch rule to this tenant’s rooms with our agent; changing it updates them; off removes them', async () => {
    const a = await createTestTenant(t.db, { name: 'Phones' })
    const on = await put(t, a, {
      enabled: true,
      phone_numbers: ['+15550100', '+442071838750'],
      greeting: 'Hello, you reached Acme support.',
      transfer_to: '+15550199',
    })
    expect(on.statusCode, on.body).toBe(200)
    const line = on.json()
    expect(line).toMatchObject({
      enabled: true,
      phone_numbers: ['+15550100', '+442071838750'],
      greeting: 'Hello, you reached Acme support.',
      transfer_to: '+15550199',
    })
    expect(line.sip.trunk_id).toMatch(/^ST_/)
    expect(line.sip.dispatch_rule_id).toMatch(/^SDR_/)
    expect(Date.parse(line.updated_at)).not.toBeNaN()

    // What LiveKit got: signed with our key and the SIP admin grant.
    const create = fake.calls.find((c) => c.method === 'CreateSIPInboundTrunk')!
    expect(create.claims.iss).toBe(LK_KEY)
    expect(create.claims.sip).toMatchObject({ admin: true })
    const trunk = fake.trunks.get(line.sip.trunk_id)!
    expect(trunk.numbers).toEqual(['+15550100', '+442071838750'])
    expect(JSON.parse(trunk.metadata)).toEqual({ tenant_id: a.tenantId })
    const rule = fake.dispatchRules.get(line.sip.dispatch_rule_id)!
    expect(rule.trunkIds).toEqual([line.sip.trunk_id])
    expect(rule.rule.dispatchRuleIndividual.roomPrefix).toBe(`aurion_phone_${a.tenantId}_`)
    expect(rule.roomConfig.agents).toHaveLength(1)
    expect(rule.roomConfig.agents[0].agentName).toBe('aurion-voice-agent')
    expect(JSON.parse(rule.roomConfig.agents[0].metadata)).toEqual({
      tenant_id: a.tenantId,
      channel: 'phone',
      greeting: 'Hello, you reached Acme support.',
      transfer_to: '+15550199',
    })

    // GET shows what was stored.
    expect((await get(t, a)).json()).toEqual(line)

    // A change replaces the same objects, never piles up new ones.
    fake.calls.length = 0
    const changed = await put(t, a, { enabled: true, phone_numbers: ['+15550101'] })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json()).toMatchObject({
      phone_numbers: ['+15550101'],
      // Omitted optional fields keep their value.
      greeting: 'Hello, you reached Acme support.',
      transfer_to: '+15550199',
      sip: line.sip,
    })
    expect(fake.calls.map((c) => c.method)).toEqual([
      'UpdateSIPInboundTrunk',
      'UpdateSIPDispatchRule',
    ])
    expect(fake.trunks.get(line.sip.trunk_id)!.numbers).toEqual(['+15550101'])

    // Off: both are gone from LiveKit, the settings stay for next time.
    fake.calls.length = 0
    const off = await put(t, a, { enabled: false, phone_numbers: ['+15550101'], greeting: null })
    expect(off.statusCode, off.body).toBe(200)
    expect(off.json()).toMatchObject({
      enabled: false,
      phone_numbers: ['+15550101'],
      greeting: null,
      transfer_to: '+15550199',
      sip: null,
    })
    expect(fake.calls.map((c) => c.method).sort()).toEqual([
      'DeleteSIPDispatchRule',
      'DeleteSIPTrunk',
    ])
    expect(fake.trunks.has(line.sip.trunk_id)).toBe(false)
    expect(fake.dispatchRules.has(line.sip.dispatch_rule_id)).toBe(false)

    // Each change is in the audit log, with the key that made it.
    const audit = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-log?action=phone.updated',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(audit.statusCode, audit.body).toBe(200)
    const entries = audit.json().entries
    expect(entries).toHaveLength(3)
    expect(entries[0]).toMatchObject({
      action: 'phone.updated',
      actor: { type: 'api_key' },
      details: { enabled: false, phone_numbers: ['+15550101'] },
    })
  })

  it('a trunk deleted in LiveKit behind our back is made again', async () => {
    const a = await createTestTenant(t.db, { name: 'Recreate' })
    const first = (await put(t, a, { enabled: true, phone_numbers: ['+15550110'] })).json()
    fake.trunks.delete(first.sip.trunk_id)
    fake.dispatchRules.delete(first.sip.dispatch_rule_id)
    const again = await put(t, a, { enabled: true, phone_numbers: ['+15550110'] })
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json().sip.trunk_id).not.toBe(first.sip.trunk_id)
    expect(fake.trunks.get(again.json().sip.trunk_id)!.numbers).toEqual(['+15550110'])
  })

  it('one number belongs to one tenant: 409, and nothing changes in LiveKit or here', async () => {
    const a = await createTestTenant(t.db, { name: 'Holder' })
    const b = await createTestTenant(t.db, { name: 'Taker' })
    expect((await put(t, a, { enabled: true, phone_numbers: ['+15550120'] })).statusCode).toBe(200)
    fake.calls.length = 0
    for (const enabled of [true, false]) {
      const res = await put(t, b, { enabled, phone_numbers: ['+15550121', '+15550120'] })
      expect(res.statusCode).toBe(409)
      expect(res.json()).toEqual({
        detail: 'Phone number +15550120 is already in use by another workspace',
      })
    }
    expect(fake.calls).toEqual([])
    expect((await get(t, b)).json().phone_numbers).toEqual([])
    // The holder keeps it, and may list it again.
    expect((await put(t, a, { enabled: true, phone_numbers: ['+15550120'] })).statusCode).toBe(200)
  })

  it('bad numbers and settings are 422 with the field; nothing reaches LiveKit', async () => {
    const a = await createTestTenant(t.db, { name: 'Bad' })
    const cases: [unknown, (string | number)[]][] = [
      [{ enabled: true, phone_numbers: ['5550100'] }, ['body', 'phone_numbers', 0]],
      [{ enabled: true, phone_numbers: ['+1 555 0100'] }, ['body', 'phone_numbers', 0]],
      [{ enabled: true, phone_numbers: ['+05550100'] }, ['body', 'phone_numbers', 0]],
      [{ enabled: true, phone_numbers: ['+1555010012345678'] }, ['body', 'phone_numbers', 0]],
      [{ enabled: true, phone_numbers: ['+15550100', '+15550100'] }, ['body', 'phone_numbers', 1]],
      [{ enabled: true, phone_numbers: [] }, ['body', 'phone_numbers']],
      [
        { enabled: true, phone_numbers: ['+15550100'], transfer_to: 'reception' },
        ['body', 'transfer_to'],
      ],
      [
        { enabled: true, phone_numbers: ['+15550100'], transfer_to: '+15550100' },
        ['body', 'transfer_to'],
      ],
    ]
    for (const [body, loc] of cases) {
      const res = await put(t, a, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(422)
      expect(res.json().detail.map((d: { loc: unknown }) => d.loc)).toContainEqual(loc)
    }
    for (const body of [{}, { enabled: 'yes', phone_numbers: [] }, { enabled: true }, []]) {
      const res = await put(t, a, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(422)
      expect(res.json().detail).toBeDefined()
    }
    expect(fake.calls).toEqual([])
  })

  it('LiveKit refusing is a 502 with its words, and the line stays as it was', async () => {
    const a = await createTestTenant(t.db, { name: 'Refused' })
    fake.refuseNext('CreateSIPDispatchRule', 400, 'invalid_argument', 'room prefix not allowed')
    const res = await put(t, a, { enabled: true, phone_numbers: ['+15550130'] })
    expect(res.statusCode).toBe(502)
    expect(res.json().detail).toBe(
      'LiveKit did not accept the phone line: room prefix not allowed (invalid_argument)',
    )
    // The trunk made for it was taken back; nothing stored.
    expect([...fake.trunks.values()].some((tr) => tr.numbers.includes('+15550130'))).toBe(false)
    expect((await get(t, a)).json()).toMatchObject({ enabled: false, phone_numbers: [], sip: null })

    fake.failNext(1)
    const down = await put(t, a, { enabled: true, phone_numbers: ['+15550130'] })
    expect(down.statusCode).toBe(502)
    expect(down.json().detail).toMatch(/^LiveKit did not accept the phone line: /)
  })

  it('needs config:read to read and config:write to change', async () => {
    const reader = await createTestTenant(t.db, { name: 'Reader', scopes: ['config:read'] })
    const nobody = await createTestTenant(t.db, { name: 'Nobody', scopes: ['knowledge:read'] })
    expect((await get(t, reader)).statusCode).toBe(200)
    const w = await put(t, reader, { enabled: false, phone_numbers: [] })
    expect(w.statusCode).toBe(403)
    expect(w.json()).toEqual({ detail: 'API key missing required scope: config:write' })
    const r = await get(t, nobody)
    expect(r.statusCode).toBe(403)
    expect(r.json()).toEqual({ detail: 'API key missing required scope: config:read' })
    expect((await get(t, reader, 'itsm_sk_not-a-key')).statusCode).toBe(401)
  })
})

describe('phone line without LiveKit settings', () => {
  it('turning it on is a 503 that says so; storing it off works', async () => {
    const t = await buildTestApp({ dialect: 'sqlite' })
    try {
      const a = await createTestTenant(t.db, { name: 'NoVoice' })
      const on = await put(t, a, { enabled: true, phone_numbers: ['+15550140'] })
      expect(on.statusCode).toBe(503)
      expect(on.json()).toEqual({
        detail: 'Voice is not configured on this server (LiveKit settings missing)',
      })
      const off = await put(t, a, { enabled: false, phone_numbers: ['+15550140'] })
      expect(off.statusCode).toBe(200)
      expect(off.json()).toMatchObject({ enabled: false, phone_numbers: ['+15550140'] })
    } finally {
      await t.close()
    }
  })
})
