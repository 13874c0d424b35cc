import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TokenVerifier } from 'livekit-server-sdk'

/** A participant in a room of the fake. */
export interface FakeParticipant {
  identity: string
  attributes?: Record<string, string>
  kind?: 'STANDARD' | 'AGENT' | 'SIP'
}

/** One RoomService call as the fake received it, with the verified claims of its token. */
export interface LiveKitCall {
  method: string
  // biome-ignore lint/suspicious/noExplicitAny: the request body is whatever the client sent.
  body: any
  /** Verified JWT claims (`video` holds the grants); undefined when the token did not verify. */
  // biome-ignore lint/suspicious/noExplicitAny: JWT claims are free-form.
  claims: any
}

/** An inbound SIP trunk or a dispatch rule as the fake holds it (LiveKit's JSON). */
// biome-ignore lint/suspicious/noExplicitAny: LiveKit's JSON objects, as the client sent them.
export type SipObject = Record<string, any>

export interface FakeLiveKit {
  /** `http://127.0.0.1:PORT`, what LIVEKIT_URL is set to. */
  url: string
  calls: LiveKitCall[]
  /** Live rooms by name. */
  rooms: Map<string, FakeParticipant[]>
  /** Inbound SIP trunks by id (`ST_…`). */
  trunks: Map<string, SipObject>
  /** SIP dispatch rules by id (`SDR_…`). */
  dispatchRules: Map<string, SipObject>
  /** The next `n` calls answer 503 (LiveKit overloaded or restarting). */
  failNext(n: number): void
  /** The next call to `method` is refused with this Twirp error (e.g. 400 invalid_argument). */
  refuseNext(method: string, status: number, code: string, msg: string): void
  /** Resolves with the first call (already made or still to come) that matches. */
  waitForCall(match: (call: LiveKitCall) => boolean): Promise<LiveKitCall>
  close(): Promise<void>
}

/**
 * A loopback stand-in for LiveKit's RoomService (Twirp over JSON: ListRooms, ListParticipants,
 * RemoveParticipant, DeleteRoom) and its SIP service (inbound trunks and dispatch rules: create,
 * update by replacement, list, delete; the transfer of a caller, who then leaves the room). It verifies every request's bearer token with the given
 * key and secret (401 otherwise; SIP calls need the `sip.admin` grant), records the calls and
 * changes its rooms, trunks and rules as LiveKit would — including LiveKit's refusal of a number
 * that another inbound trunk already has.
 */
export async function startFakeLiveKit(apiKey: string, apiSecret: string): Promise<FakeLiveKit> {
  const verifier = new TokenVerifier(apiKey, apiSecret)
  const rooms = new Map<string, FakeParticipant[]>()
  const calls: LiveKitCall[] = []
  const waiters: { match: (c: LiveKitCall) => boolean; resolve: (c: LiveKitCall) => void }[] = []
  let failing = 0
  const trunks = new Map<string, SipObject>()
  const dispatchRules = new Map<string, SipObject>()
  const refusals = new Map<string, { status: number; code: string; msg: string }>()
  let nextId = 1

  const twirpError = (res: ServerResponse, status: number, code: string, msg: string) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ code, msg }))
  }
  const reply = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const participantJson = (p: FakeParticipant, i: number) => ({
    sid: `PA_${i}_${p.identity}`,
    identity: p.identity,
    state: 'ACTIVE',
    kind: p.kind ?? 'STANDARD',
    attributes: p.attributes ?? {},
  })

  /** A number some other inbound trunk already answers: LiveKit refuses the overlap. */
  const numberConflict = (numbers: string[], except?: string) =>
    [...trunks.values()].find(
      (t) => t.sipTrunkId !== except && (t.numbers ?? []).some((n: string) => numbers.includes(n)),
    )

  const sipCall = (res: ServerResponse, method: string, body: SipObject) => {
    switch (method) {
      case 'CreateSIPInboundTrunk':
      case 'UpdateSIPInboundTrunk': {
        const id = method === 'CreateSIPInboundTrunk' ? `ST_${nextId++}` : body.sipTrunkId
        if (method === 'UpdateSIPInboundTrunk' && !trunks.has(id))
          return twirpError(res, 404, 'not_found', 'trunk not found')
        const trunk = { ...(method === 'CreateSIPInboundTrunk' ? body.trunk : body.replace) }
        if (!Array.isArray(trunk.numbers) || trunk.numbers.length === 0)
          return twirpError(res, 400, 'invalid_argument', 'trunk needs numbers')
        if (numberConflict(trunk.numbers, id))
          return twirpError(res, 400, 'invalid_argument', 'conflicting inbound SIP trunks')
        trunk.sipTrunkId = id
        trunks.set(id, trunk)
        return reply(res, trunk)
      }
      case 'CreateSIPDispatchRule':
      case 'UpdateSIPDispatchRule': {
        const id = method === 'CreateSIPDispatchRule' ? `SDR_${nextId++}` : body.sipDispatchRuleId
        if (method === 'UpdateSIPDispatchRule' && !dispatchRules.has(id))
          return twirpError(res, 404, 'not_found', 'dispatch rule not found')
        const rule = { ...(method === 'CreateSIPDispatchRule' ? body : body.replace) }
        for (const t of rule.trunkIds ?? [])
          if (!trunks.has(t)) return twirpError(res, 400, 'invalid_argument', `no trunk ${t}`)
        rule.sipDispatchRuleId = id
        dispatchRules.set(id, rule)
        return reply(res, rule)
      }
      case 'DeleteSIPTrunk':
      case 'DeleteSIPDispatchRule': {
        const store = method === 'DeleteSIPTrunk' ? trunks : dispatchRules
        const id = method === 'DeleteSIPTrunk' ? body.sipTrunkId : body.sipDispatchRuleId
        const found = store.get(id)
        if (found === undefined) return twirpError(res, 404, 'not_found', 'not found')
        store.delete(id)
        return reply(res, found)
      }
      case 'TransferSIPParticipant': {
        // The caller's phone leaves the room once the transfer target answers.
        const ps = rooms.get(body.roomName)
        const i = ps?.findIndex((p) => p.identity === body.participantIdentity && p.kind === 'SIP')
        if (ps === undefined || i === undefined || i < 0)
          return twirpError(res, 404, 'not_found', 'SIP participant not found')
        if (!/^(tel|sip):/.test(body.transferTo ?? ''))
          return twirpError(res, 400, 'invalid_argument', 'transfer_to must be a tel: or sip: URI')
        ps.splice(i, 1)
        return reply(res, {})
      }
      case 'ListSIPInboundTrunk':
        return reply(res, { items: [...trunks.values()] })
      case 'ListSIPDispatchRule':
        return reply(res, { items: [...dispatchRules.values()] })
      default:
        return twirpError(res, 404, 'bad_route', 'no such method')
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const route = /^\/twirp\/livekit\.(RoomService|SIP)\/(\w+)$/.exec(req.url ?? '')
      const method = route?.[2]
      if (req.method !== 'POST' || method === undefined) {
        return twirpError(res, 404, 'bad_route', 'no such method')
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      const claims = token ? await verifier.verify(token).catch(() => undefined) : undefined
      const call = { method, body, claims }
      calls.push(call)
      for (const w of [...waiters]) {
        if (w.match(call)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(call)
        }
      }
      if (failing > 0) {
        failing--
        return twirpError(res, 503, 'unavailable', 'LiveKit is restarting')
      }
      if (claims === undefined) return twirpError(res, 401, 'unauthenticated', 'invalid token')
      const refusal = refusals.get(method)
      if (refusal !== undefined) {
        refusals.delete(method)
        return twirpError(res, refusal.status, refusal.code, refusal.msg)
      }
      if (method === 'TransferSIPParticipant') {
        // A transfer needs the SIP call grant and admin rights in that room.
        const grants = claims.video ?? {}
        if (!claims.sip?.call || !grants.roomAdmin || grants.room !== body.roomName)
          return twirpError(res, 403, 'permission_denied', 'sip call')
        return sipCall(res, method, body)
      }
      if (route?.[1] === 'SIP') {
        if (!claims.sip?.admin) return twirpError(res, 403, 'permission_denied', 'sip admin')
        return sipCall(res, method, body)
      }
      const grants = claims.video ?? {}
      switch (method) {
        case 'ListRooms': {
          if (!grants.roomList) return twirpError(res, 403, 'permission_denied', 'roomList')
          const names: string[] = body.names ?? []
          const listed = [...rooms.entries()].filter(
            ([name]) => names.length === 0 || names.includes(name),
          )
          return reply(res, {
            rooms: listed.map(([name, ps]) => ({
              sid: `RM_${name}`,
              name,
              numParticipants: ps.length,
            })),
          })
        }
        case 'ListParticipants':
        case 'RemoveParticipant':
        case 'DeleteRoom': {
          const adminOk =
            method === 'DeleteRoom'
              ? grants.roomCreate
              : grants.roomAdmin && grants.room === body.room
          if (!adminOk) return twirpError(res, 403, 'permission_denied', 'roomAdmin')
          const ps = rooms.get(body.room)
          if (ps === undefined) return twirpError(res, 404, 'not_found', 'room not found')
          if (method === 'ListParticipants')
            return reply(res, { participants: ps.map(participantJson) })
          if (method === 'DeleteRoom') {
            rooms.delete(body.room)
            return reply(res, {})
          }
          const i = ps.findIndex((p) => p.identity === body.identity)
          if (i < 0) return twirpError(res, 404, 'not_found', 'participant not found')
          ps.splice(i, 1)
          return reply(res, {})
        }
        default:
          return twirpError(res, 404, 'bad_route', 'no such method')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    rooms,
    trunks,
    dispatchRules,
    failNext(n) {
      failing = n
    },
    refuseNext(method, status, code, msg) {
      refusals.set(method, { status, code, msg })
    },
    waitForCall(match) {
      const done = calls.find(match)
      if (done) return Promise.resolve(done)
      return new Promise((resolve) => waiters.push({ match, resolve }))
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
