import type { Db } from '../db/schema.ts'

/** What a voice agent worker reports every few seconds (`POST /internal/v1/voice-agent/heartbeat`). */
export interface VoiceAgentHeartbeat {
  workerId: string
  agentName: string
  status: 'connecting' | 'registered' | 'draining' | 'stopped'
  activeJobs: number
  version: string | null
  livekitWorkerId: string | null
}

/** Readiness of voice calls: is a worker registered with LiveKit under the dispatched name? */
export interface VoiceAgentStatus {
  /** At least one worker reported `registered` under `agentName` within the freshness window. */
  registered: boolean
  agentName: string
  /** Fresh workers registered under `agentName`. */
  workers: number
  activeJobs: number
  /** Latest report of any worker under `agentName`, fresh or not. */
  lastSeenAt: string | null
}

/** Three missed 15-second heartbeats and a worker no longer counts. */
export const VOICE_AGENT_STALE_AFTER_MS = 60_000
/** Reports of workers gone for longer than this are deleted as new ones arrive. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000

/** Stores a worker's latest report (one row per worker, shared by every server instance). */
export async function recordVoiceAgentHeartbeat(
  db: Db,
  hb: VoiceAgentHeartbeat,
  now: Date = new Date(),
): Promise<void> {
  const row = {
    worker_id: hb.workerId,
    agent_name: hb.agentName,
    status: hb.status,
    active_jobs: hb.activeJobs,
    version: hb.version,
    livekit_worker_id: hb.livekitWorkerId,
    last_seen_at: now.toISOString(),
  }
  const { worker_id: _, ...update } = row
  await db
    .insertInto('voice_agent_workers')
    .values(row)
    .onConflict((oc) => oc.column('worker_id').doUpdateSet(update))
    .execute()
  await db
    .deleteFrom('voice_agent_workers')
    .where('last_seen_at', '<', new Date(now.getTime() - FORGET_AFTER_MS).toISOString())
    .execute()
}

/**
 * Whether a voice agent can take calls right now. For readiness checks (`/readyz`): voice is
 * ready when a worker registered under `agentName` (the token's dispatch name) reported within
 * `staleAfterMs`.
 */
export async function getVoiceAgentStatus(
  db: Db,
  agentName: string,
  opts: { now?: Date; staleAfterMs?: number } = {},
): Promise<VoiceAgentStatus> {
  const now = opts.now ?? new Date()
  const freshSince = new Date(now.getTime() - (opts.staleAfterMs ?? VOICE_AGENT_STALE_AFTER_MS))
  const rows = await db
    .selectFrom('voice_agent_workers')
    .select(['status', 'active_jobs', 'last_seen_at'])
    .where('agent_name', '=', agentName)
    .execute()
  let workers = 0
  let activeJobs = 0
  let lastSeenAt: string | null = null
  for (const r of rows) {
    if (lastSeenAt === null || r.last_seen_at > lastSeenAt) lastSeenAt = r.last_seen_at
    if (r.status === 'registered' && r.last_seen_at >= freshSince.toISOString()) {
      workers++
      activeJobs += r.active_jobs
    }
  }
  return { registered: workers > 0, agentName, workers, activeJobs, lastSeenAt }
}
