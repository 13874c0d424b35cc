import { ErrorResponse, WS_CLOSE, WS_PATH, WsConnectQuery } from '@aurion/contract'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { RouteContext } from '../../../app-deps.ts'
import { TAGS } from '../schemas.ts'
import { relayBusEvents } from './bus-relay.ts'
import { admitSocket } from './connect.ts'
import { dispatchFrame } from './dispatch.ts'
import { startHeartbeat } from './heartbeat.ts'
import { createSocketRegistry } from './registry.ts'
import type { SocketServer } from './socket-server.ts'
import { close, createWidgetSocket } from './widget-socket.ts'

/**
 * `WS /api/v1/widget/ws`. Credentials (tenant_id, public_key, Origin) are checked right after
 * the upgrade — the contract wants a 1008 close, not an HTTP error — and again for every frame,
 * so a regenerated key or a disabled widget stops a socket even if a bus event was lost.
 * Frames are answered one at a time in order: typing, ack (after the message is stored), chunks,
 * done. Frames of the socket's threads published by others (REST, other tabs, voice, agents)
 * are forwarded; the socket's own are not echoed back.
 */
export async function widgetSocketRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { wsHeartbeatMs?: number },
): Promise<void> {
  const registry = createSocketRegistry()
  const server: SocketServer = { ctx, registry }
  const unsubscribe = relayBusEvents(ctx, registry)
  const stopHeartbeat = startHeartbeat(registry, ctx.wsHeartbeatMs)

  app.addHook('preClose', async () => {
    stopHeartbeat()
    unsubscribe()
    for (const s of registry.all) close(s, WS_CLOSE.GOING_AWAY, 'Server shutting down')
  })

  app.route({
    method: 'GET',
    url: WS_PATH,
    schema: {
      tags: TAGS,
      summary: 'WebSocket: stream AI replies in real time',
      description:
        'Upgrade to a WebSocket with `tenant_id` and `public_key` (required) and an allowed Origin; otherwise the socket closes with 1008. Send `{"body": …}` frames (same optional fields as POST /widget/messages); the server answers `typing`, `ack` (stored ids), `chunk` frames (index from 0) and `done`, or an `error` frame `{type, code, message}` (validation_error, rate_limited, agent_unavailable, invalid_json, …) after which the socket stays usable. Frames over 64 KB close with 1009. A regenerated key or disabled widget closes open sockets with 1008. Without an upgrade this URL answers 426.',
      querystring: WsConnectQuery,
      response: { 426: { ...ErrorResponse, description: 'Not a WebSocket upgrade request' } },
    },
    handler: async (_request, reply) =>
      reply
        .status(426)
        .header('Upgrade', 'websocket')
        .send({ detail: 'Upgrade Required: connect with a WebSocket' }),
    wsHandler: (ws: WebSocket, request: FastifyRequest) => {
      const s = createWidgetSocket(ws, request)
      registry.add(s)
      // Frames may arrive before the credentials are checked: they wait in the queue.
      let ready!: (ok: boolean) => void
      const authorized = new Promise<boolean>((r) => {
        ready = r
      })
      ws.on('pong', () => {
        s.alive = true
      })
      ws.on('message', (data, isBinary) => dispatchFrame(server, s, data, isBinary, authorized))
      ws.on('close', () => {
        ready(false)
        registry.remove(s)
      })
      const q = (request.query ?? {}) as Record<string, string | undefined>
      admitSocket(server, s, q).then(ready, (err: unknown) => {
        s.log.error({ err }, 'widget socket setup failed')
        close(s, 1011, 'Internal error')
        ready(false)
      })
    },
  })
}
