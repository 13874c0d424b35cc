import type { WidgetSocket } from './widget-socket.ts'

/** Concurrent sockets per client IP (an office behind one NAT address stays well below). */
export const MAX_SOCKETS_PER_IP = 100

/** The open sockets of this server: all of them, per tenant, per followed thread, per IP. */
export interface SocketRegistry {
  readonly all: ReadonlySet<WidgetSocket>
  /** A new connection (counted for its IP before its credentials are checked). */
  add(s: WidgetSocket): void
  /** The connection closed: forgotten everywhere. */
  remove(s: WidgetSocket): void
  /** Its credentials were checked: listed under its tenant. */
  joinTenant(s: WidgetSocket, tenantId: string): void
  /** Forward frames of this thread to the socket (not if it closed meanwhile). */
  follow(s: WidgetSocket, threadId: string): void
  ofTenant(tenantId: string): Iterable<WidgetSocket>
  followersOf(tenantId: string, threadId: string): Iterable<WidgetSocket>
  /** Open sockets from this IP, this one included. */
  countForIp(ip: string): number
}

export function createSocketRegistry(): SocketRegistry {
  const all = new Set<WidgetSocket>()
  const byTenant = new Map<string, Set<WidgetSocket>>()
  const byThread = new Map<string, Set<WidgetSocket>>()
  const perIp = new Map<string, number>()
  const put = (map: Map<string, Set<WidgetSocket>>, key: string, s: WidgetSocket) => {
    let set = map.get(key)
    if (!set) {
      set = new Set()
      map.set(key, set)
    }
    set.add(s)
  }
  const drop = (map: Map<string, Set<WidgetSocket>>, key: string, s: WidgetSocket) => {
    const set = map.get(key)
    set?.delete(s)
    if (set?.size === 0) map.delete(key)
  }
  return {
    all,
    add(s) {
      all.add(s)
      perIp.set(s.ip, (perIp.get(s.ip) ?? 0) + 1)
    },
    remove(s) {
      all.delete(s)
      const n = (perIp.get(s.ip) ?? 1) - 1
      if (n <= 0) perIp.delete(s.ip)
      else perIp.set(s.ip, n)
      if (s.tenantId !== undefined) drop(byTenant, s.tenantId, s)
      for (const t of s.follows) drop(byThread, `${s.tenantId}:${t}`, s)
    },
    joinTenant(s, tenantId) {
      s.tenantId = tenantId
      put(byTenant, tenantId, s)
    },
    follow(s, threadId) {
      // A socket that closed while a query ran is already cleaned up: do not register it again.
      if (s.follows.has(threadId) || s.ws.readyState !== s.ws.OPEN) return
      s.follows.add(threadId)
      put(byThread, `${s.tenantId}:${threadId}`, s)
    },
    ofTenant: (tenantId) => byTenant.get(tenantId) ?? [],
    followersOf: (tenantId, threadId) => byThread.get(`${tenantId}:${threadId}`) ?? [],
    countForIp: (ip) => perIp.get(ip) ?? 0,
  }
}
