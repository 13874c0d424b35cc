import { RoomServiceClient, TwirpError } from 'livekit-server-sdk'
import type { Db } from '../db/schema.ts'
import {
  conversationIdOfRoom,
  type LiveKitSettings,
  roomNameFor,
  WIDGET_IDENTITY_PREFIX,
} from './livekit-token.ts'
import { filterTenantConversationIds } from './voice-room-repo.ts'

interface Log {
  info(obj: unknown, msg: string): void
  warn(obj: unknown, msg: string): void
  error(obj: unknown, msg: string): void
}

/** What one eviction did. */
export interface EvictionResult {
  /** Rooms of the tenant that were live. */
  rooms: number
  /** Widget participants removed from them. */
  removed: number
}

/** Ends the live voice calls that visitors joined with a widget token. */
export interface VoiceEviction {
  /**
   * Removes every live widget participant of the tenant's rooms (the widget key was regenerated
   * or the widget disabled), and revokes the tokens they joined with so they cannot rejoin.
   * Never throws: when LiveKit cannot be reached the failure is logged and the eviction retried
   * in the background; `undefined` then (and when voice is not configured).
   */
  evictTenant(db: Db, tenantId: string, log: Log): Promise<EvictionResult | undefined>
  /** Cancels pending retries. */
  close(): void
}

/** Waits before each retry of a failed eviction; after the last one it is given up (logged). */
export const EVICTION_RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000] as const
/** Timeout of each RoomService call: a key regeneration waits for the first attempt. */
const REQUEST_TIMEOUT_SECONDS = 3
/** Rooms handled at once (each is a ListParticipants and its RemoveParticipant calls). */
const ROOMS_AT_ONCE = 8

/**
 * Evictions through LiveKit's RoomService (Twirp: ListRooms, ListParticipants,
 * RemoveParticipant). Rooms are named after conversations (see `roomNameFor`), so the tenant's
 * live rooms are the listed rooms whose conversation is the tenant's; only participants who
 * joined with a widget token are removed (the voice agent leaves with them; dashboard callers
 * did not use the widget key). Without LiveKit settings it does nothing.
 */
export function createVoiceEviction(
  lk: LiveKitSettings | undefined,
  opts: { retryDelaysMs?: readonly number[] } = {},
): VoiceEviction {
  if (lk === undefined) return { evictTenant: async () => undefined, close() {} }
  const client = new RoomServiceClient(lk.url, lk.apiKey, lk.apiSecret, {
    requestTimeout: REQUEST_TIMEOUT_SECONDS,
    failover: false,
  })
  const delays = opts.retryDelaysMs ?? EVICTION_RETRY_DELAYS_MS
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let closed = false

  const attempt = async (db: Db, tenantId: string): Promise<EvictionResult> => {
    const rooms = await client.listRooms()
    const byConversation = new Map<string, string>()
    for (const room of rooms) {
      const conversationId = conversationIdOfRoom(room.name)
      if (conversationId !== undefined) byConversation.set(conversationId, room.name)
    }
    const owned = await filterTenantConversationIds(db, tenantId, [...byConversation.keys()])
    // Tokens are signed with whole seconds (`nbf` = issue time): every token issued up to now,
    // this second included, is refused by LiveKit for the removed identities.
    const revokeTokenTs = BigInt(Math.floor(Date.now() / 1000) + 1)
    const removed = await mapInBatches(owned, ROOMS_AT_ONCE, async (conversationId) => {
      const room = roomNameFor(conversationId)
      const participants = await client.listParticipants(room).catch(ignoreNotFound([]))
      const visitors = participants.filter((p) => p.identity.startsWith(WIDGET_IDENTITY_PREFIX))
      await Promise.all(
        visitors.map((p) =>
          client
            .removeParticipant(room, p.identity, { revokeTokenTs })
            .catch(ignoreNotFound(undefined)),
        ),
      )
      return visitors.length
    })
    return { rooms: owned.length, removed: removed.reduce((a, b) => a + b, 0) }
  }

  const retry = (db: Db, tenantId: string, log: Log, index: number) => {
    const delay = delays[index]
    if (delay === undefined || closed) {
      log.error({ tenantId }, 'gave up removing live voice participants: LiveKit unreachable')
      return
    }
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (closed) return
      attempt(db, tenantId).then(
        (result) => log.info({ tenantId, ...result }, 'removed live voice participants (retry)'),
        (err: unknown) => {
          log.warn({ err, tenantId, retry: index + 1 }, 'could not remove live voice participants')
          retry(db, tenantId, log, index + 1)
        },
      )
    }, delay)
    timer.unref()
    timers.add(timer)
  }

  return {
    async evictTenant(db, tenantId, log) {
      try {
        const result = await attempt(db, tenantId)
        if (result.removed > 0) log.info({ tenantId, ...result }, 'removed live voice participants')
        return result
      } catch (err) {
        log.warn({ err, tenantId }, 'could not remove live voice participants; retrying')
        retry(db, tenantId, log, 0)
        return undefined
      }
    },
    close() {
      closed = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
    },
  }
}

/** `fn` over `items`, at most `size` at a time; results in order. */
async function mapInBatches<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))))
  }
  return out
}

/** A room or participant gone meanwhile is what we wanted: not an error. */
function ignoreNotFound<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof TwirpError && (err.status === 404 || err.code === 'not_found')) return value
    throw err
  }
}
