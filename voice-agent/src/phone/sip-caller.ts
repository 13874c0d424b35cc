/** A participant as the phone path reads it (`@livekit/rtc-node`'s RemoteParticipant). */
export interface PhoneParticipant {
  identity: string
  kind?: number
  attributes?: Record<string, string>
}

/** ParticipantKind.SIP of the LiveKit protocol: a phone call bridged by LiveKit's SIP service. */
export const SIP_PARTICIPANT_KIND = 3

/** LiveKit's SIP attribute with the caller's number (`+15550123`). */
export const SIP_PHONE_NUMBER = 'sip.phoneNumber'

/** A caller on the phone: LiveKit's SIP kind, or (older servers) its SIP attributes. */
export function isSipParticipant(p: PhoneParticipant): boolean {
  if (p.kind === SIP_PARTICIPANT_KIND) return true
  return Object.keys(p.attributes ?? {}).some((k) => k.startsWith('sip.'))
}

/** The caller's number as LiveKit reports it; `null` when withheld. */
export function callerNumber(p: PhoneParticipant): string | null {
  const n = p.attributes?.[SIP_PHONE_NUMBER]?.trim()
  return n ? n : null
}

/** The part of the room the wait needs. */
export interface CallerRoom {
  readonly remoteParticipants: ReadonlyMap<string, PhoneParticipant>
  on(event: 'participantConnected', listener: (p: PhoneParticipant) => void): unknown
  off(event: 'participantConnected', listener: (p: PhoneParticipant) => void): unknown
}

/**
 * The phone caller of the room: already there, or the first SIP participant to join.
 * Resolves `undefined` when `signal` aborts first (the call ended before anyone called in).
 */
export function waitForCaller(
  room: CallerRoom,
  signal: AbortSignal,
): Promise<PhoneParticipant | undefined> {
  const present = [...room.remoteParticipants.values()].find(isSipParticipant)
  if (present) return Promise.resolve(present)
  if (signal.aborted) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const onJoin = (p: PhoneParticipant) => {
      if (!isSipParticipant(p)) return
      done()
      resolve(p)
    }
    const onAbort = () => {
      done()
      resolve(undefined)
    }
    const done = () => {
      room.off('participantConnected', onJoin)
      signal.removeEventListener('abort', onAbort)
    }
    room.on('participantConnected', onJoin)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
