import { EventEmitter } from 'node:events'
import type { AurionServer } from './aurion-server.ts'

/** A participant of the fake room, as `@livekit/rtc-node` describes one. */
export interface RoomParticipant {
  identity: string
  kind: number
  attributes: Record<string, string>
}

/**
 * The LiveKit room of a phone call, as the worker sees it through `@livekit/rtc-node`: its
 * participants and the events the SIP service causes (a caller joins, presses a key, hangs up).
 * No LiveKit server runs here; this is the transport boundary the tests stand in for.
 */
export class FakePhoneRoom extends EventEmitter {
  readonly remoteParticipants = new Map<string, RoomParticipant>()

  /** A caller dials in: LiveKit's SIP service joins the room as a SIP participant. */
  callIn(number: string | null, identity = `sip_${number ?? 'anonymous'}`): RoomParticipant {
    const p: RoomParticipant = {
      identity,
      kind: 3,
      attributes: {
        'sip.callID': `SCL_${identity}`,
        ...(number ? { 'sip.phoneNumber': number } : {}),
        'sip.trunkPhoneNumber': '+15550100',
      },
    }
    this.remoteParticipants.set(identity, p)
    this.emit('participantConnected', p)
    return p
  }

  /** The caller presses a key (SIP DTMF). */
  press(p: RoomParticipant, digit: string): void {
    this.emit('dtmfReceived', digit.charCodeAt(0), digit, p)
  }

  /** The caller hangs up: rtc-node removes the participant, then reports it. */
  hangUp(p: RoomParticipant): void {
    this.remoteParticipants.delete(p.identity)
    this.emit('participantDisconnected', p)
  }
}

/** The tenant's phone line, as `PUT /voice-widget/phone` stores it. */
export async function setPhoneLine(
  server: AurionServer,
  line: { greeting: string | null; transferTo: string | null },
): Promise<void> {
  await server.db.deleteFrom('phone_lines').where('tenant_id', '=', server.tenantId).execute()
  await server.db
    .insertInto('phone_lines')
    .values({
      tenant_id: server.tenantId,
      enabled: 1,
      greeting: line.greeting,
      transfer_to: line.transferTo,
      updated_at: new Date().toISOString(),
    })
    .execute()
}

/** The tenant's console user has a console tab open: someone can take a call. */
export async function personOnline(server: AurionServer): Promise<void> {
  if (!server.consoleUserId) throw new Error('start the server with consoleUser: true')
  await server.db
    .insertInto('admin_presence')
    .values({
      user_id: server.consoleUserId,
      tenant_id: server.tenantId,
      tab_id: `tab-${Math.random().toString(36).slice(2)}`,
      seen_at: new Date().toISOString(),
    })
    .execute()
}

/** Nobody of the team is there. */
export async function everyoneOffline(server: AurionServer): Promise<void> {
  await server.db.deleteFrom('admin_presence').where('tenant_id', '=', server.tenantId).execute()
}
