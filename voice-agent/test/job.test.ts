import { EventEmitter } from 'node:events'
import { initializeLogger, type JobContext } from '@livekit/agents'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import job from '../src/job.ts'
import { type AurionServer, INTERNAL_TOKEN, startAurionServer } from './aurion-server.ts'

initializeLogger({ pretty: false, level: 'fatal' })

/** The parts of a LiveKit JobContext the job touches before a call starts. */
function fakeJobContext(opts: { metadata: string; visitorMetadata?: string }) {
  const room = Object.assign(new EventEmitter(), {
    remoteParticipants: new Map<string, { identity: string; kind: number }>(),
  })
  let resolveShutdown!: (reason: string) => void
  const shutdownReason = new Promise<string>((r) => {
    resolveShutdown = r
  })
  const ctx = {
    job: { id: 'AJ_test', metadata: opts.metadata, room: { name: 'aurion_conv_x' } },
    room,
    proc: { userData: {} },
    connect: vi.fn(async () => {}),
    waitForParticipant: vi.fn(() =>
      opts.visitorMetadata === undefined
        ? new Promise(() => {})
        : Promise.resolve({ identity: 'visitor', metadata: opts.visitorMetadata }),
    ),
    shutdown: vi.fn((reason: string) => resolveShutdown(reason)),
    addShutdownCallback: vi.fn(),
    deleteRoom: vi.fn(async () => {}),
  }
  return { ctx: ctx as unknown as JobContext, shutdownReason, mock: ctx }
}

describe('the job refuses rooms it cannot attach to a conversation', () => {
  let server: AurionServer
  beforeAll(async () => {
    server = await startAurionServer()
    vi.stubEnv('LIVEKIT_URL', 'wss://lk.example.test')
    vi.stubEnv('LIVEKIT_API_KEY', 'APIkey')
    vi.stubEnv('LIVEKIT_API_SECRET', 'secret')
    vi.stubEnv('AURION_INTERNAL_URL', server.url)
    vi.stubEnv('AURION_INTERNAL_TOKEN', INTERNAL_TOKEN)
    vi.stubEnv('OPENAI_API_KEY', 'sk-test')
    vi.stubEnv('VOICE_EMPTY_ROOM_TIMEOUT_S', '1')
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await server.close()
  })

  it('no conversation in the dispatch nor in the visitor token: leaves', async () => {
    const { ctx, shutdownReason, mock } = fakeJobContext({
      metadata: '',
      visitorMetadata: '{"hello":"world"}',
    })
    await job.entry(ctx)
    expect(await shutdownReason).toBe('missing conversation metadata')
    expect(mock.connect).toHaveBeenCalledTimes(1)
  })

  it("another tenant's conversation: leaves without touching it", async () => {
    const target = await server.newConversation()
    const { ctx, shutdownReason } = fakeJobContext({
      metadata: JSON.stringify({
        tenant_id: '00000000-0000-0000-0000-000000000000',
        conversation_id: target.conversationId,
        thread_id: target.threadId,
      }),
    })
    await job.entry(ctx)
    expect(await shutdownReason).toBe('conversation unavailable')
    const rows = await server.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', target.conversationId)
      .execute()
    expect(rows).toEqual([])
  })

  it('a phone call without a usable tenant: hangs up and leaves', async () => {
    const { ctx, shutdownReason, mock } = fakeJobContext({
      metadata: JSON.stringify({ channel: 'phone', tenant_id: '../etc', greeting: null }),
    })
    await job.entry(ctx)
    expect(await shutdownReason).toBe('missing phone metadata')
    expect(mock.deleteRoom).toHaveBeenCalledTimes(1)
    expect(mock.waitForParticipant).not.toHaveBeenCalled()
  })

  it('a phone call whose caller never arrives: the phone path leaves after the timeout', async () => {
    const { ctx, shutdownReason, mock } = fakeJobContext({
      metadata: JSON.stringify({
        tenant_id: server.tenantId,
        channel: 'phone',
        greeting: null,
        transfer_to: null,
      }),
    })
    await job.entry(ctx)
    expect(await shutdownReason).toBe('nobody_joined')
    // Nobody to hang up on; the browser path's wait for a visitor is not used.
    expect(mock.deleteRoom).not.toHaveBeenCalled()
    expect(mock.waitForParticipant).not.toHaveBeenCalled()
  })

  it('nobody ever joins: leaves after the empty-room timeout', async () => {
    const { ctx, shutdownReason } = fakeJobContext({ metadata: '' })
    void job.entry(ctx)
    expect(await shutdownReason).toBe('nobody_joined')
  })
})
