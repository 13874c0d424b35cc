import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { TokenVerifier } from 'livekit-server-sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type FakeLiveKit, startFakeLiveKit } from '../../test/fake-livekit.ts'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { liveKitSettings } from './livekit-token.ts'
import { createVoiceEviction } from './voice-eviction.ts'

const LK_KEY = 'APIevictkey'
const LK_SECRET = 'lk-evict-secret-0123456789abcdef0123456789abcdef'
const ORIGIN = 'https://example.com'
const verifier = new TokenVerifier(LK_KEY, LK_SECRET)
const lkEnv = (url: string) => ({
  LIVEKIT_URL: url,
  LIVEKIT_API_KEY: LK_KEY,
  LIVEKIT_API_SECRET: LK_SECRET,
})

let ip = 0
const freshIp = () => `10.7.${Math.floor(++ip / 250)}.${ip % 250}`

interface Issued {
  token: string
  room_name: string
  participant_identity: string
  expires_in_seconds: number
}

/** A visitor's voice token, asked for as the widget does. */
async function visitorToken(t: TestApp, x: TestTenant): Promise<Issued> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/voice-widget/embed/token',
    remoteAddress: freshIp(),
    headers: { origin: ORIGIN },
    payload: { tenant_id: x.tenantId, public_key: x.publicKey },
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** A dashboard caller's token (API key): not a widget participant. */
async function apiKeyToken(t: TestApp, x: TestTenant): Promise<Issued> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/voice-widget/token',
    headers: { 'x-api-key': x.apiKey },
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** The token's holder joined its room (with the voice agent), as LiveKit would show it. */
function joined(fake: FakeLiveKit, issued: Issued) {
  const room = fake.rooms.get(issued.room_name) ?? [
    { identity: `agent-AJ_${issued.room_name}`, kind: 'AGENT' as const },
  ]
  room.push({ identity: issued.participant_identity })
  fake.rooms.set(issued.room_name, room)
}
const identities = (fake: FakeLiveKit, room: string) =>
  (fake.rooms.get(room) ?? []).map((p) => p.identity)

const regenerate = (t: TestApp, x: TestTenant) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/voice-widget/config/regenerate-key',
    headers: { 'x-api-key': x.apiKey },
  })

const putConfig = (t: TestApp, x: TestTenant, payload: Record<string, unknown>) =>
  t.app.inject({
    method: 'PUT',
    url: '/api/v1/voice-widget/config',
    headers: { 'x-api-key': x.apiKey },
    payload,
  })

forEachDialect('live voice participants of a tenant', (dialect) => {
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
    fake.rooms.clear()
    fake.calls.length = 0
  })

  it('regenerating the widget key removes the visitors in calls, revoking their tokens; nobody else', async () => {
    const a = await createTestTenant(t.db, { name: 'A' })
    const b = await createTestTenant(t.db, { name: 'B' })
    const victimCall = await visitorToken(t, a)
    const secondCall = await visitorToken(t, a)
    const otherTenantCall = await visitorToken(t, b)
    const dashboardCall = await apiKeyToken(t, a)
    for (const c of [victimCall, secondCall, otherTenantCall, dashboardCall]) joined(fake, c)
    fake.rooms.set('another-apps-room', [{ identity: 'visitor_elsewhere' }])

    const before = Math.floor(Date.now() / 1000)
    const res = await regenerate(t, a)
    expect(res.statusCode).toBe(200)
    expect(res.json().public_widget_key).not.toBe(a.publicKey)

    // When the answer comes, the visitors holding tokens of the old key are out of their rooms.
    for (const c of [victimCall, secondCall]) {
      expect(identities(fake, c.room_name)).toEqual([`agent-AJ_${c.room_name}`])
    }
    expect(identities(fake, otherTenantCall.room_name)).toContain(
      otherTenantCall.participant_identity,
    )
    expect(identities(fake, dashboardCall.room_name)).toContain(dashboardCall.participant_identity)
    expect(identities(fake, 'another-apps-room')).toEqual(['visitor_elsewhere'])

    const removals = fake.calls.filter((c) => c.method === 'RemoveParticipant')
    expect(removals.map((c) => c.body.identity).sort()).toEqual(
      [victimCall.participant_identity, secondCall.participant_identity].sort(),
    )
    for (const call of removals) {
      // Signed by our key with the room admin grant for exactly that room.
      expect(call.claims.iss).toBe(LK_KEY)
      expect(call.claims.video).toMatchObject({ roomAdmin: true, room: call.body.room })
      // Tokens issued up to now can no longer join.
      expect(Number(call.body.revokeTokenTs)).toBeGreaterThan(before)
      const victimClaims = await verifier.verify(victimCall.token)
      expect(Number(call.body.revokeTokenTs)).toBeGreaterThan(victimClaims.nbf as number)
    }
    const list = fake.calls.find((c) => c.method === 'ListRooms')
    expect(list?.claims.video).toMatchObject({ roomList: true })
    // Only the tenant's rooms were looked into.
    expect(
      fake.calls.filter((c) => c.method === 'ListParticipants').map((c) => c.body.room),
    ).not.toContain(otherTenantCall.room_name)
  })

  it.each([
    ['disabling the widget', { enabled: false }],
    ['turning voice off', { mode: 'chat' }],
  ])('%s removes the visitors in calls too', async (_name, change) => {
    const a = await createTestTenant(t.db, { name: 'A' })
    const call = await visitorToken(t, a)
    joined(fake, call)
    const res = await putConfig(t, a, {
      enabled: true,
      display_title: 'Support',
      launcher_label: 'Chat',
      ...change,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(identities(fake, call.room_name)).not.toContain(call.participant_identity)
  })

  it('an unrelated config change leaves calls alone', async () => {
    const a = await createTestTenant(t.db, { name: 'A' })
    const call = await visitorToken(t, a)
    joined(fake, call)
    const res = await putConfig(t, a, {
      enabled: true,
      display_title: 'Help',
      launcher_label: 'Chat',
    })
    expect(res.statusCode).toBe(200)
    expect(identities(fake, call.room_name)).toContain(call.participant_identity)
    expect(fake.calls).toEqual([])
  })

  it('LiveKit failing at first: the key is regenerated at once and the removal retried', async () => {
    const eviction = createVoiceEviction(liveKitSettings(t.config), { retryDelaysMs: [20, 20] })
    const retrying = await buildTestApp({
      dialect,
      env: lkEnv(fake.url),
      deps: { voiceEviction: eviction },
    })
    try {
      const a = await createTestTenant(retrying.db)
      const call = await visitorToken(retrying, a)
      joined(fake, call)
      fake.failNext(2)
      const res = await regenerate(retrying, a)
      expect(res.statusCode).toBe(200)
      // The old key is refused whatever LiveKit does.
      const old = await retrying.app.inject({
        method: 'POST',
        url: '/api/v1/voice-widget/embed/token',
        remoteAddress: freshIp(),
        headers: { origin: ORIGIN },
        payload: { tenant_id: a.tenantId, public_key: a.publicKey },
      })
      expect(old.statusCode).toBe(403)
      const removal = await fake.waitForCall(
        (c) => c.method === 'RemoveParticipant' && c.body.identity === call.participant_identity,
      )
      expect(removal.body.room).toBe(call.room_name)
      expect(identities(fake, call.room_name)).not.toContain(call.participant_identity)
    } finally {
      await retrying.close()
    }
  })
})

describe('LiveKit unreachable', () => {
  it('the key regeneration still succeeds promptly', async () => {
    // A port nobody listens on: connections are refused.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const t = await buildTestApp({ env: lkEnv(`http://127.0.0.1:${port}`) })
    try {
      const a = await createTestTenant(t.db)
      const started = performance.now()
      const res = await regenerate(t, a)
      expect(res.statusCode).toBe(200)
      expect(performance.now() - started).toBeLessThan(3_000)
      const config = await t.app.inject({
        method: 'GET',
        url: '/api/v1/voice-widget/config',
        headers: { 'x-api-key': a.apiKey },
      })
      expect(config.json().public_widget_key).toBe(res.json().public_widget_key)

      // What the operator sees: a warning per failed attempt, an error when it gives up.
      const logged: { level: string; msg: string }[] = []
      let gaveUp: () => void = () => {}
      const done = new Promise<void>((resolve) => {
        gaveUp = resolve
      })
      const log = {
        info: (_o: unknown, msg: string) => logged.push({ level: 'info', msg }),
        warn: (_o: unknown, msg: string) => logged.push({ level: 'warn', msg }),
        error: (_o: unknown, msg: string) => {
          logged.push({ level: 'error', msg })
          gaveUp()
        },
      }
      const eviction = createVoiceEviction(liveKitSettings(t.config), { retryDelaysMs: [10] })
      expect(await eviction.evictTenant(t.db, a.tenantId, log)).toBeUndefined()
      await done
      expect(logged).toEqual([
        { level: 'warn', msg: 'could not remove live voice participants; retrying' },
        { level: 'warn', msg: 'could not remove live voice participants' },
        { level: 'error', msg: 'gave up removing live voice participants: LiveKit unreachable' },
      ])
      eviction.close()
    } finally {
      await t.close()
    }
  })
})

describe('voice token lifetime', () => {
  it('tokens live AURION_VOICE_TOKEN_TTL_SECONDS (default 3600 s as the contract says), and say so', async () => {
    for (const [env, ttl] of [
      [{}, 3600],
      [{ AURION_VOICE_TOKEN_TTL_SECONDS: '120' }, 120],
    ] as const) {
      const t = await buildTestApp({ env: { ...lkEnv('https://lk.example.test'), ...env } })
      try {
        const a = await createTestTenant(t.db)
        for (const issued of [await visitorToken(t, a), await apiKeyToken(t, a)]) {
          expect(issued.expires_in_seconds).toBe(ttl)
          const claims = await verifier.verify(issued.token)
          expect((claims.exp as number) - (claims.nbf as number)).toBe(ttl)
        }
      } finally {
        await t.close()
      }
    }
  })
})
