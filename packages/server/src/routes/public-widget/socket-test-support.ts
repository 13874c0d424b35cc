import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createScriptedAgent, ORIGIN, type ScriptedAgent } from '../../../test/widget-support.ts'
import { type Frame, listenForTests, openSocket, type TestSocket } from '../../../test/ws-client.ts'
import type { Dialect } from '../../db/schema.ts'

export const types = (frames: Frame[]) => frames.map((f) => f.type)

/** The widget socket suites' app, tenants and clients (filled in by the suite's `beforeAll`). */
export interface WidgetSocketFixture {
  t: TestApp
  agent: ScriptedAgent
  /** The visitor's tenant, and another one (`https://beta.test` allowed). */
  a: TestTenant
  b: TestTenant
  /** The socket's URL on the listening app. */
  url(): string
  /** A socket opened by hand, closed with the suite. */
  track(s: TestSocket): void
  /** A client address no other request of the suite used (the loopback proxy is trusted). */
  nextIp(): string
  /** A socket of tenant `a` (or `opts.tenant`) from its own address and the allowed origin. */
  connect(
    query?: Record<string, string | undefined>,
    opts?: { origin?: string | null; ip?: string; tenant?: TestTenant },
  ): TestSocket
  /** `POST /api/v1/widget/messages` for tenant `a`. */
  rest(body: Record<string, unknown>, ip?: string): Promise<LightMyRequestResponse>
  /** A visitor session's email token for `email` (tenant `a`). */
  sessionToken(email: string): Promise<string>
  /** How many messages are stored with this `source_message_id`. */
  storedWithSource(sourceMessageId: string): Promise<number>
}

/** Registers the suite's hooks: the app listening with a scripted agent and two tenants. */
export function useWidgetSocket(dialect: Dialect): WidgetSocketFixture {
  const sockets: TestSocket[] = []
  let base = ''
  let ipCounter = 0
  const f = {
    url: () => base,
    track: (s: TestSocket) => void sockets.push(s),
    nextIp: () => `198.51.100.${++ipCounter}`,
  } as WidgetSocketFixture

  beforeAll(async () => {
    f.agent = createScriptedAgent()
    f.t = await buildTestApp({
      dialect,
      env: { AURION_TRUST_PROXY: '127.0.0.1' },
      deps: { agent: f.agent },
    })
    f.a = await createTestTenant(f.t.db)
    f.b = await createTestTenant(f.t.db, {
      name: 'Beta',
      config: { enabled: true, allowed_origins: ['https://beta.test'] },
    })
    base = `${await listenForTests(f.t.app)}/api/v1/widget/ws`
  })
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await f.t.close()
  })

  f.connect = (query = {}, opts = {}) => {
    const tenant = opts.tenant ?? f.a
    const params = new URLSearchParams()
    const all = { tenant_id: tenant.tenantId, public_key: tenant.publicKey, ...query }
    for (const [k, v] of Object.entries(all)) if (v !== undefined) params.set(k, v)
    const headers: Record<string, string> = { 'x-forwarded-for': opts.ip ?? f.nextIp() }
    if (opts.origin !== null) headers.origin = opts.origin ?? ORIGIN
    const s = openSocket(`${base}?${params}`, headers)
    sockets.push(s)
    return s
  }
  f.rest = (body, ip = f.nextIp()) =>
    f.t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/messages',
      headers: { origin: ORIGIN, 'x-forwarded-for': ip },
      payload: { tenant_id: f.a.tenantId, public_key: f.a.publicKey, ...body },
    })
  f.sessionToken = async (email) =>
    (
      await f.t.app.inject({
        method: 'POST',
        url: '/api/v1/widget/session',
        headers: { origin: ORIGIN, 'x-forwarded-for': f.nextIp() },
        payload: { tenant_id: f.a.tenantId, public_key: f.a.publicKey, email },
      })
    ).json().email_token as string
  f.storedWithSource = async (sourceMessageId) =>
    (
      await f.t.db
        .selectFrom('messages')
        .select('id')
        .where('source_message_id', '=', sourceMessageId)
        .execute()
    ).length
  return f
}
