import { beforeEach, describe, expect, it } from 'vitest'
import { forEachDialect, type TestApp } from '../../../test/helpers.ts'
import type { Dialect } from '../../db/schema.ts'
import { AUTH, useInternalApi } from './internal-api-test-support.ts'

forEachDialect('internal API: heartbeat and voice readiness', (dialect: Dialect) => {
  const f = useInternalApi(dialect)
  let t: TestApp
  beforeEach(() => {
    ;({ t } = f)
  })

  describe('heartbeat and voice readiness', () => {
    const beat = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/internal/v1/voice-agent/heartbeat',
        headers: AUTH,
        payload,
      })
    const status = async () =>
      (
        await t.app.inject({ method: 'GET', url: '/internal/v1/voice-agent/status', headers: AUTH })
      ).json()

    it('a registered worker under the dispatched name makes voice ready', async () => {
      expect(await status()).toMatchObject({ registered: false, workers: 0, last_seen_at: null })
      const connecting = await beat({
        worker_id: 'host-1-abc',
        agent_name: 'aurion-voice-agent',
        status: 'connecting',
        active_jobs: 0,
      })
      expect(connecting.json()).toEqual({
        ok: true,
        agent_name: 'aurion-voice-agent',
        agent_name_matches: true,
      })
      expect((await status()).registered).toBe(false)
      await beat({
        worker_id: 'host-1-abc',
        agent_name: 'aurion-voice-agent',
        status: 'registered',
        active_jobs: 2,
        version: '1.9.0',
        livekit_worker_id: 'AW_123',
      })
      expect(await status()).toMatchObject({ registered: true, workers: 1, active_jobs: 2 })
      await beat({
        worker_id: 'host-1-abc',
        agent_name: 'aurion-voice-agent',
        status: 'stopped',
        active_jobs: 0,
      })
      expect((await status()).registered).toBe(false)
    })

    it('a worker under another agent name is reported, and does not count', async () => {
      const res = await beat({
        worker_id: 'w2',
        agent_name: 'someone-else',
        status: 'registered',
        active_jobs: 0,
      })
      expect(res.json()).toEqual({
        ok: true,
        agent_name: 'aurion-voice-agent',
        agent_name_matches: false,
      })
      expect((await status()).registered).toBe(false)
    })

    it('a worker that stopped reporting goes stale', async () => {
      const { getVoiceAgentStatus, recordVoiceAgentHeartbeat } = await import(
        '../../internal/voice-agent-status.ts'
      )
      const then = new Date('2030-01-01T00:00:00Z')
      await recordVoiceAgentHeartbeat(
        t.db,
        {
          workerId: 'w',
          agentName: 'a',
          status: 'registered',
          activeJobs: 0,
          version: null,
          livekitWorkerId: null,
        },
        then,
      )
      expect(
        (await getVoiceAgentStatus(t.db, 'a', { now: new Date(then.getTime() + 59_000) }))
          .registered,
      ).toBe(true)
      const later = await getVoiceAgentStatus(t.db, 'a', { now: new Date(then.getTime() + 61_000) })
      expect(later).toMatchObject({ registered: false, lastSeenAt: then.toISOString() })
    })

    it.each([
      ['worker_id', { worker_id: '' }],
      ['worker_id', { worker_id: 'a b' }],
      ['status', { status: 'dancing' }],
      ['active_jobs', { active_jobs: -1 }],
      ['agent_name', { agent_name: undefined }],
    ])('422 naming %s', async (field, patch) => {
      const res = await beat({
        worker_id: 'w',
        agent_name: 'n',
        status: 'registered',
        active_jobs: 0,
        ...patch,
      })
      expect(res.statusCode).toBe(422)
      expect(res.json().detail.map((d: { loc: string[] }) => d.loc.at(-1))).toContain(field)
    })
  })
})
