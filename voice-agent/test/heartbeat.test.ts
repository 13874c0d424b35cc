import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getVoiceAgentStatus } from '../../packages/server/src/internal/voice-agent-status.ts'
import { startHeartbeat } from '../src/heartbeat.ts'
import type { HeartbeatInput } from '../src/internal-client.ts'
import { InternalClient } from '../src/internal-client.ts'
import { type AurionServer, INTERNAL_TOKEN, startAurionServer } from './aurion-server.ts'

describe('worker heartbeat → server readiness', () => {
  let server: AurionServer
  beforeAll(async () => {
    server = await startAurionServer()
  })
  afterAll(async () => {
    await server.close()
  })

  const logger = () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() })

  it('the server sees the worker once it registers, and no longer once it stops', async () => {
    let status: HeartbeatInput['status'] = 'connecting'
    const log = logger()
    const hb = startHeartbeat({
      client: new InternalClient(server.url, INTERNAL_TOKEN),
      intervalMs: 60_000,
      logger: log,
      state: () => ({
        worker_id: 'test-host-1',
        agent_name: 'aurion-voice-agent',
        status,
        active_jobs: 0,
        version: '1.9.0',
      }),
    })
    await hb.beat()
    expect((await getVoiceAgentStatus(server.db, 'aurion-voice-agent')).registered).toBe(false)
    status = 'registered'
    await hb.beat()
    expect(await getVoiceAgentStatus(server.db, 'aurion-voice-agent')).toMatchObject({
      registered: true,
      workers: 1,
    })
    await hb.stop('stopped')
    expect((await getVoiceAgentStatus(server.db, 'aurion-voice-agent')).registered).toBe(false)
    expect(log.error).not.toHaveBeenCalled()
    expect(log.warn).not.toHaveBeenCalled()
  })

  it('says loudly when the worker registers under another name than the server dispatches', async () => {
    const log = logger()
    const hb = startHeartbeat({
      client: new InternalClient(server.url, INTERNAL_TOKEN),
      intervalMs: 60_000,
      logger: log,
      state: () => ({
        worker_id: 'test-host-2',
        agent_name: 'typo-agent',
        status: 'registered',
        active_jobs: 0,
        version: '1.9.0',
      }),
    })
    await hb.beat()
    await hb.beat()
    await hb.stop('stopped')
    expect(log.error).toHaveBeenCalledTimes(1)
    expect(log.error.mock.calls[0]![0]).toEqual({
      worker_agent_name: 'typo-agent',
      server_agent_name: 'aurion-voice-agent',
    })
  })

  it('a wrong token or an unreachable server is a warning, never a crash', async () => {
    for (const client of [
      new InternalClient(server.url, 'w'.repeat(40)),
      new InternalClient('http://127.0.0.1:9', INTERNAL_TOKEN),
    ]) {
      const log = logger()
      const hb = startHeartbeat({
        client,
        intervalMs: 60_000,
        logger: log,
        state: () => ({
          worker_id: 'test-host-3',
          agent_name: 'aurion-voice-agent',
          status: 'registered',
          active_jobs: 0,
          version: '1.9.0',
        }),
      })
      await hb.beat()
      await hb.stop('stopped')
      // Reported once while failing, not at every beat.
      expect(log.warn).toHaveBeenCalledTimes(1)
    }
  })
})
