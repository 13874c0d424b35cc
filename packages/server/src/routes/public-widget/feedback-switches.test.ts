import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createScriptedAgent, widgetClient } from '../../../test/widget-support.ts'

const CONFIG = '/api/v1/voice-widget/config'
const FEEDBACK_OFF = { detail: 'Feedback on answers is turned off for this widget' }
const CSAT_OFF = { detail: 'The satisfaction question is turned off for this widget' }

/**
 * The tenant's `feedback_enabled` / `csat_enabled` switches: on by default, set through the config
 * API, shown to the widget by the public embed config, and enforced by `/widget/feedback` and
 * `/widget/csat` (403 and nothing stored while off).
 */
forEachDialect('feedback switches', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  const { post, chat: chatWith } = widgetClient(() => ({ t, a }), '10.8')

  beforeAll(async () => {
    t = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    a = await createTestTenant(t.db)
    b = await createTestTenant(t.db, { name: 'Beta' })
  })
  afterAll(async () => t.close())

  const chat = (body: string, tenant = a) => chatWith(body, {}, tenant)
  const setSwitches = async (patch: Record<string, unknown>, tenant = a) => {
    const res = await t.app.inject({
      method: 'PUT',
      url: CONFIG,
      headers: { 'x-api-key': tenant.apiKey },
      payload: { enabled: true, display_title: 'Help', launcher_label: 'Chat', ...patch },
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as Record<string, unknown>
  }
  const embedConfig = async (tenant = a) => {
    const res = await post('/api/v1/voice-widget/embed/config', {}, tenant)
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as Record<string, unknown>
  }
  const votes = (conversationId: string) =>
    t.db
      .selectFrom('message_feedback')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .execute()
  const scores = (conversationId: string) =>
    t.db
      .selectFrom('conversation_csat')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .execute()

  it('both are on by default: in the admin config and in the public embed config', async () => {
    const got = await t.app.inject({
      method: 'GET',
      url: CONFIG,
      headers: { 'x-api-key': a.apiKey },
    })
    expect(got.json()).toMatchObject({ feedback_enabled: true, csat_enabled: true })
    expect(await embedConfig()).toMatchObject({ feedback_enabled: true, csat_enabled: true })
  })

  it('feedback off: the embed config says so, a vote is refused with 403 and not stored', async () => {
    const saved = await setSwitches({ feedback_enabled: false })
    expect(saved).toMatchObject({ feedback_enabled: false, csat_enabled: true })
    expect(await embedConfig()).toMatchObject({ feedback_enabled: false, csat_enabled: true })
    const m = await chat('Do you ship to Norway?')
    const res = await post('/api/v1/widget/feedback', {
      thread_id: m.thread_id,
      message_id: m.ai_message_id,
      rating: 'down',
      comment: 'no',
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual(FEEDBACK_OFF)
    expect(res.headers['x-error-code']).toBe('forbidden')
    expect(await votes(m.conversation_id)).toEqual([])
    // CSAT is still on.
    const ok = await post('/api/v1/widget/csat', { thread_id: m.thread_id, score: 4 })
    expect(ok.statusCode, ok.body).toBe(200)
    // Another tenant is not affected.
    const theirs = await chat('Hello', b)
    const other = await post(
      '/api/v1/widget/feedback',
      { thread_id: theirs.thread_id, message_id: theirs.ai_message_id, rating: 'up' },
      b,
    )
    expect(other.statusCode, other.body).toBe(200)
  })

  it('CSAT off: refused with 403 and not stored; switched on again, accepted', async () => {
    await setSwitches({ feedback_enabled: true, csat_enabled: false })
    expect(await embedConfig()).toMatchObject({ feedback_enabled: true, csat_enabled: false })
    const m = await chat('Can I change my address?')
    const res = await post('/api/v1/widget/csat', { thread_id: m.thread_id, score: 2 })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual(CSAT_OFF)
    expect(await scores(m.conversation_id)).toEqual([])
    const vote = await post('/api/v1/widget/feedback', {
      thread_id: m.thread_id,
      message_id: m.ai_message_id,
      rating: 'up',
    })
    expect(vote.statusCode, vote.body).toBe(200)

    // A PUT without the switch keeps it; then on again.
    expect(await setSwitches({})).toMatchObject({ csat_enabled: false })
    expect(await setSwitches({ csat_enabled: true })).toMatchObject({ csat_enabled: true })
    const again = await post('/api/v1/widget/csat', { thread_id: m.thread_id, score: 2 })
    expect(again.statusCode, again.body).toBe(200)
    expect(await scores(m.conversation_id)).toHaveLength(1)
  })

  it('the switch is checked before the thread: an off switch answers 403 even for unknown ids', async () => {
    await setSwitches({ feedback_enabled: false, csat_enabled: false })
    const vote = await post('/api/v1/widget/feedback', {
      thread_id: 'thread_nope',
      message_id: 'msg_nope',
      rating: 'up',
    })
    expect(vote.statusCode).toBe(403)
    const score = await post('/api/v1/widget/csat', { thread_id: 'thread_nope', score: 5 })
    expect(score.statusCode).toBe(403)
    // Bad input is still a 422 (the body is checked first).
    const bad = await post('/api/v1/widget/csat', { thread_id: 'thread_nope', score: 9 })
    expect(bad.statusCode).toBe(422)
    await setSwitches({ feedback_enabled: true, csat_enabled: true })
  })

  it('a switch that is not a boolean is a 422', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: CONFIG,
      headers: { 'x-api-key': a.apiKey },
      payload: { enabled: true, display_title: 'Help', launcher_label: 'Chat', csat_enabled: 'no' },
    })
    expect(res.statusCode).toBe(422)
    expect(JSON.stringify(res.json().detail)).toContain('csat_enabled')
  })
})
