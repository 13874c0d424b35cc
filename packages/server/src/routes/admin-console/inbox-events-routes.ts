import { INBOX_EVENTS_PATH, type InboxEvent } from '@aurion/contract'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_ERROR_RESPONSES, ADMIN_SECURITY } from '../../auth/admin-route-schema.ts'
import { rateLimited } from '../../errors.ts'
import type { BusEvent } from '../../realtime/bus.ts'

/** A comment line every so often keeps proxies from closing an idle stream. */
export const INBOX_HEARTBEAT_MS = 20_000
/** Open streams per session or API key (a console has one per tab). */
const MAX_STREAMS_PER_PRINCIPAL = 20

interface Stream {
  tenantId: string
  principal: string
  write(chunk: string): void
  end(): void
}

/**
 * `GET /api/v1/inbox/events`: the console's live channel, as server-sent events on the console
 * session (or an API key with `conversations:read`). Every event of the tenant published on the
 * bus — from any instance — arrives as one `data:` line of JSON (see the contract's `InboxEvent`):
 * new hand-offs, every stored message (notes too), typing, conversation changes. Nothing is
 * replayed after a reconnect: the `ready` event says to reload the lists.
 */
export async function inboxEventsRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const streams = new Map<string, Set<Stream>>()
  const perPrincipal = new Map<string, number>()

  const unsubscribe = ctx.bus.subscribe((e: BusEvent) => {
    if (e.type !== 'inbox.event') return
    const set = streams.get(e.tenantId)
    if (!set) return
    const line = `data: ${JSON.stringify(e.event)}\n\n`
    for (const s of set) s.write(line)
  })
  const heartbeat = setInterval(() => {
    for (const set of streams.values()) for (const s of set) s.write(': keep-alive\n\n')
  }, INBOX_HEARTBEAT_MS)
  heartbeat.unref()
  app.addHook('preClose', async () => {
    clearInterval(heartbeat)
    unsubscribe()
    for (const set of streams.values()) for (const s of set) s.end()
  })

  app.get(
    INBOX_EVENTS_PATH,
    {
      onRequest: adminAuth(ctx, 'conversations'),
      schema: {
        tags: ['Conversations'],
        summary: "The inbox's live events (server-sent events)",
        description:
          "A `text/event-stream` of the tenant's inbox events, across instances: `ready`, `handoff`, `conversation`, `message` (notes included) and `typing` (`sender_type` `contact` or `agent`). Each `data:` line is one JSON event with its `type`. Nothing is replayed after a reconnect. Needs `conversations:read` (every console session has it).",
        security: ADMIN_SECURITY,
        response: { ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const admin = request.admin!
      const principal = `${admin.kind}:${admin.id}`
      const open = perPrincipal.get(principal) ?? 0
      if (open >= MAX_STREAMS_PER_PRINCIPAL) throw rateLimited(MAX_STREAMS_PER_PRINCIPAL, 5)
      perPrincipal.set(principal, open + 1)
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...(reply.getHeader('x-ratelimit-limit') !== undefined
          ? {
              'x-ratelimit-limit': String(reply.getHeader('x-ratelimit-limit')),
              'x-ratelimit-remaining': String(reply.getHeader('x-ratelimit-remaining')),
            }
          : {}),
      })
      let ended = false
      const s: Stream = {
        tenantId: admin.tenantId,
        principal,
        write(chunk) {
          if (!ended && !raw.destroyed) raw.write(chunk)
        },
        end() {
          if (!ended) raw.end()
          cleanup()
        },
      }
      let set = streams.get(admin.tenantId)
      if (!set) {
        set = new Set()
        streams.set(admin.tenantId, set)
      }
      set.add(s)
      const cleanup = () => {
        if (ended) return
        ended = true
        const tenantSet = streams.get(admin.tenantId)
        tenantSet?.delete(s)
        if (tenantSet?.size === 0) streams.delete(admin.tenantId)
        const n = (perPrincipal.get(principal) ?? 1) - 1
        if (n <= 0) perPrincipal.delete(principal)
        else perPrincipal.set(principal, n)
      }
      raw.on('close', cleanup)
      // Tells EventSource to wait 3 s before reconnecting, then says the stream is live.
      const ready: InboxEvent = { type: 'ready' }
      s.write(`retry: 3000\ndata: ${JSON.stringify(ready)}\n\n`)
    },
  )
}
