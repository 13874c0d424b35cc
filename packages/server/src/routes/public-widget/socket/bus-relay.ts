import { WS_CLOSE, type WsServerFrame } from '@aurion/contract'
import type { RouteContext } from '../../../app-deps.ts'
import { isDatabaseUnavailable } from '../../../db/unavailable.ts'
import type { BusEvent } from '../../../realtime/bus.ts'
import { authorizeWidget } from '../../../widget-auth/public-guard.ts'
import { reportDelivered } from './delivery.ts'
import { closeForAuth } from './errors.ts'
import type { SocketRegistry } from './registry.ts'
import { close, send } from './widget-socket.ts'

/** Close reasons for `tenant.sockets_revoked` events (their `reason` is a code). */
const REVOKE_REASONS: Record<string, string> = {
  key_regenerated: 'Widget key regenerated',
  widget_disabled: 'Widget disabled',
}

/**
 * Acts on the bus's events for this server's sockets: revoked credentials close the tenant's
 * sockets, a changed config re-checks them, thread frames published by others (REST, other tabs,
 * voice, agents) go to the thread's followers — not back to the socket that published them —
 * and a person's message shown to a visitor is reported delivered (the reply mail skips it).
 * Returns the unsubscribe.
 */
export function relayBusEvents(ctx: RouteContext, registry: SocketRegistry): () => void {
  return ctx.bus.subscribe((event: BusEvent) => {
    if (event.type === 'tenant.sockets_revoked') {
      for (const s of registry.ofTenant(event.tenantId)) {
        close(s, WS_CLOSE.POLICY_VIOLATION, REVOKE_REASONS[event.reason] ?? 'Widget access revoked')
      }
    } else if (event.type === 'tenant.config_changed') {
      // Removed origin, disabled widget: re-check every socket of the tenant.
      for (const s of registry.ofTenant(event.tenantId)) {
        authorizeWidget(ctx, s.creds).catch((err: unknown) => {
          // An outage is not a revocation: the socket re-checks on its next message anyway.
          if (!isDatabaseUnavailable(err)) closeForAuth(s, err)
        })
      }
    } else if (event.type === 'thread.frame') {
      // Published only by publishThreadFrame, which takes a WsServerFrame.
      const frame = event.frame as WsServerFrame
      let shown = false
      for (const s of registry.followersOf(event.tenantId, event.threadId)) {
        if (event.origin !== s.id && send(s, frame)) shown = true
      }
      if (shown) reportDelivered(ctx, event.tenantId, frame)
    }
  })
}
