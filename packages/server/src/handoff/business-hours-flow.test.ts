import { WEEKDAYS } from '@aurion/contract'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  putTestWidgetConfig,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { createScriptedAgent, postWidget } from '../../test/widget-support.ts'
import { HANDOFF_PHRASES } from '../agent/phrases/handoff-replies.ts'
import { touchPresence } from '../team/presence-repo.ts'

const CLOSED_TEXT = 'Our team is off until Monday morning.'

/** Today and tomorrow in UTC (a run that crosses midnight still lands on one of them). */
function todayAndTomorrowUtc(): string[] {
  const day = (d: Date) => WEEKDAYS[(d.getUTCDay() + 6) % 7]!
  return [day(new Date()), day(new Date(Date.now() + 86_400_000))]
}

/** What the assistant says on a hand-off within and outside business hours. */
forEachDialect('hand-off and business hours', (dialect) => {
  let t: TestApp
  let open: TestTenant
  let closed: TestTenant
  let n = 0

  beforeAll(async () => {
    t = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    // Both tenants have a person online (their console tab is open).
    const withPerson = async (hours: object) => {
      const tenant = await createTestTenant(t.db, {
        consoleUser: { email: `agent${++n}-${dialect}@acme.test` },
      })
      await touchPresence(t.db, {
        userId: tenant.consoleUser!.id,
        tenantId: tenant.tenantId,
        tabId: 'tab-1',
        now: new Date(),
      })
      await putTestWidgetConfig(t.app, tenant, {
        allowed_origins: ['https://example.com'],
        handoff: { business_hours: hours, offline_text: CLOSED_TEXT },
      } as never)
      return tenant
    }
    open = await withPerson({
      time_zone: 'Pacific/Auckland',
      intervals: [{ days: [...WEEKDAYS], start: '00:00', end: '24:00' }],
    })
    const skip = todayAndTomorrowUtc()
    closed = await withPerson({
      time_zone: 'UTC',
      intervals: [
        { days: WEEKDAYS.filter((d) => !skip.includes(d)), start: '09:00', end: '17:00' },
      ],
    })
  })
  afterAll(async () => {
    await t.close()
  })

  const askForPerson = async (tenant: TestTenant, extra: object = {}) => {
    const res = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: tenant.tenantId,
      public_key: tenant.publicKey,
      body: 'Can I talk to a human please?',
      ...extra,
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as { conversation_id: string; ai_response: string }
  }
  const waiting = async (tenant: TestTenant) => {
    const res = await t.app.inject({
      url: '/api/v1/conversations?status=open&handled_by=human&assignee=none',
      headers: { 'x-api-key': tenant.apiKey },
    })
    expect(res.statusCode).toBe(200)
    return (res.json().items as { id: string }[]).map((c) => c.id)
  }

  it('within business hours and with someone online: "connecting you"', async () => {
    const r = await askForPerson(open)
    expect(r.ai_response).toBe(HANDOFF_PHRASES.en.connecting)
    expect(await waiting(open)).toContain(r.conversation_id)
  })

  it('outside business hours: the offline text and a request for an email; the conversation waits', async () => {
    const r = await askForPerson(closed)
    expect(r.ai_response).toBe(`${CLOSED_TEXT} ${HANDOFF_PHRASES.en.askEmail}`)
    expect(r.ai_response).not.toContain(HANDOFF_PHRASES.en.connecting)
    expect(await waiting(closed)).toContain(r.conversation_id)

    // The visitor writes again: it stays with the people, the assistant says nothing.
    const again = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: closed.tenantId,
      public_key: closed.publicKey,
      body: 'Hello? Anyone?',
      source_thread_id: (
        await t.db
          .selectFrom('threads')
          .select('id')
          .where('conversation_id', '=', r.conversation_id)
          .executeTakeFirstOrThrow()
      ).id,
    })
    expect(again.json()).toMatchObject({ ai_response: '', handled_by: 'human' })
  })

  it('outside business hours with a known email: a promise to reply there', async () => {
    const r = await askForPerson(closed, { sender_email: 'kim@example.com' })
    expect(r.ai_response).toBe(
      `${CLOSED_TEXT} ${HANDOFF_PHRASES.en.replyByEmail.replace('{email}', 'kim@example.com')}`,
    )
  })
})
