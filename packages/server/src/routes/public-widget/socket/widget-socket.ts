import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { WsServerFrame } from '@aurion/contract'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { handleSocketError } from './errors.ts'

/** Defaults the connect query set for the frames sent on a socket. */
export interface SocketDefaults {
  sourceThreadId?: string | undefined
  senderEmail?: string | undefined
  emailToken?: string | undefined
}

/** One visitor's open widget socket and what the server knows about it. */
export interface WidgetSocket {
  /** Publisher tag on bus frames: the socket's own frames are not echoed back to it. */
  id: string
  ws: WebSocket
  ip: string
  log: FastifyBaseLogger
  /** The connect query's credentials, checked again for every frame. */
  creds: { tenantId: string; publicKey: string; originHeader: string | string[] | undefined }
  /** Set once the credentials were checked. */
  tenantId: string | undefined
  defaults: SocketDefaults
  /** Thread ids whose frames this socket forwards. */
  follows: Set<string>
  /** Thread that frames without their own source_thread_id continue. */
  currentThread: string | undefined
  /** Answered the last heartbeat ping. */
  alive: boolean
  /** Frames queued behind the one being handled. */
  pending: number
  queue: Promise<void>
}

/** The socket of an upgrade request (not yet authorized). */
export function createWidgetSocket(ws: WebSocket, request: FastifyRequest): WidgetSocket {
  releaseUpgradeObjects(ws, request)
  const q = (request.query ?? {}) as Record<string, string | undefined>
  return {
    id: `ws:${randomUUID()}`,
    ws,
    ip: request.ip,
    log: request.log,
    creds: {
      tenantId: q.tenant_id ?? '',
      publicKey: q.public_key ?? '',
      originHeader: request.headers.origin,
    },
    tenantId: undefined,
    defaults: {},
    follows: new Set(),
    currentThread: undefined,
    alive: true,
    pending: 0,
    queue: Promise.resolve(),
  }
}

/** Sends a frame if the socket is still open (frames to a closed socket are dropped): sent? */
export function send(s: WidgetSocket, frame: WsServerFrame): boolean {
  if (s.ws.readyState !== s.ws.OPEN) return false
  s.ws.send(JSON.stringify(frame))
  return true
}

export function close(s: WidgetSocket, code: number, reason: string): void {
  if (s.ws.readyState === s.ws.OPEN || s.ws.readyState === s.ws.CONNECTING) {
    s.ws.close(code, reason)
  }
}

/**
 * Lets go of the upgrade request's HTTP objects, which would otherwise live as long as the socket
 * (bench/websocket.ts: about 4 KB of heap per idle socket): @fastify/websocket's error listener
 * holds Fastify's request and reply, and the TCP socket still points at the ServerResponse made
 * for the upgrade (and, through it, at the request).
 */
function releaseUpgradeObjects(ws: WebSocket, request: FastifyRequest): void {
  const log = request.log
  ws.removeAllListeners('error')
  ws.on('error', (err) => handleSocketError(err, ws, log))
  const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null }
  if (tcp._httpMessage) tcp._httpMessage.detachSocket(tcp)
}
