import type { SocketRegistry } from './registry.ts'
import type { WidgetSocket } from './widget-socket.ts'

/** Default interval of the server's WebSocket pings; a socket silent for two of them is dropped. */
export const WS_HEARTBEAT_MS = 30_000

/**
 * Pings every socket once per `periodMs` and drops one that did not answer the previous ping.
 * The pings are spread over the period in slices of a quarter second: pinging 10,000 sockets in
 * one go stalled the event loop for ~300 ms every 30 s (bench/websocket.ts). Returns the stop.
 */
export function startHeartbeat(registry: SocketRegistry, periodMs = WS_HEARTBEAT_MS): () => void {
  const slices = Math.max(1, Math.min(120, Math.floor(periodMs / 250)))
  let round: WidgetSocket[] = []
  let next = 0
  const timer = setInterval(() => {
    if (next >= round.length) {
      round = [...registry.all]
      next = 0
    }
    const end = Math.min(round.length, next + Math.ceil(round.length / slices))
    for (; next < end; next++) {
      const s = round[next]!
      if (!registry.all.has(s)) continue
      if (!s.alive) {
        s.ws.terminate()
        continue
      }
      s.alive = false
      try {
        s.ws.ping()
      } catch {
        s.ws.terminate()
      }
    }
  }, periodMs / slices)
  timer.unref()
  return () => clearInterval(timer)
}
