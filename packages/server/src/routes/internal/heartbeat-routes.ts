import type { VoiceAgentHeartbeatResult } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import {
  getVoiceAgentStatus,
  recordVoiceAgentHeartbeat,
} from '../../internal/voice-agent-status.ts'
import { HeartbeatBody } from './schemas.ts'

/** Worker heartbeats, and the voice readiness they give. */
export async function heartbeatRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const agentName = ctx.config.livekit.agentName

  r.post(
    '/internal/v1/voice-agent/heartbeat',
    { schema: { hide: true, body: HeartbeatBody } },
    async (request): Promise<VoiceAgentHeartbeatResult> => {
      const b = request.body
      await recordVoiceAgentHeartbeat(ctx.db, {
        workerId: b.worker_id,
        agentName: b.agent_name,
        status: b.status,
        activeJobs: b.active_jobs,
        version: b.version ?? null,
        livekitWorkerId: b.livekit_worker_id ?? null,
      })
      // A worker registered under another name never receives this server's calls: say so.
      return { ok: true, agent_name: agentName, agent_name_matches: b.agent_name === agentName }
    },
  )

  r.get('/internal/v1/voice-agent/status', { schema: { hide: true } }, async () => {
    const s = await getVoiceAgentStatus(ctx.db, agentName)
    return {
      registered: s.registered,
      agent_name: s.agentName,
      workers: s.workers,
      active_jobs: s.activeJobs,
      last_seen_at: s.lastSeenAt,
    }
  })
}
