import type { RouteContext } from '../../../app-deps.ts'
import type { SocketRegistry } from './registry.ts'

/** What the socket's handlers share: the route context and this server's open sockets. */
export interface SocketServer {
  ctx: RouteContext
  registry: SocketRegistry
}
