/** Why a call ended on the room's side. */
export type CallEndReason = 'visitor_left' | 'nobody_joined' | 'room_disconnected'

/** The part of `@livekit/rtc-node`'s Room the lifecycle watches. */
export interface CallRoom {
  readonly remoteParticipants: ReadonlyMap<string, CallParticipant>
  on(event: string, listener: (participant: CallParticipant) => void): unknown
  off(event: string, listener: (participant: CallParticipant) => void): unknown
}

export interface CallParticipant {
  identity: string
  kind?: number
}

// ParticipantKind values of the LiveKit protocol: STANDARD, SIP, CONNECTOR are people (or their
// phones); AGENT, EGRESS, INGRESS, BRIDGE are machines and never keep a call alive.
const PEOPLE_KINDS = new Set([0, 3, 5])

const ROOM_EVENTS = {
  participantConnected: 'participantConnected',
  participantDisconnected: 'participantDisconnected',
  disconnected: 'disconnected',
} as const

export interface CallWatch {
  /** Detaches from the room without ending the call. */
  stop(): void
}

/**
 * Ends the call when the room has nobody to talk to: the last visitor left, nobody joined within
 * `emptyRoomTimeoutMs`, or the agent lost the room. `onEnd` runs at most once.
 */
export function watchCall(
  room: CallRoom,
  opts: { emptyRoomTimeoutMs: number; onEnd: (reason: CallEndReason) => void },
): CallWatch {
  let ended = false
  let timer: ReturnType<typeof setTimeout> | undefined

  const people = (except?: string) =>
    [...room.remoteParticipants.values()].filter(
      (p) => p.identity !== except && PEOPLE_KINDS.has(p.kind ?? 0),
    ).length

  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }
  const armTimer = () => {
    clearTimer()
    timer = setTimeout(() => end('nobody_joined'), opts.emptyRoomTimeoutMs)
    timer.unref?.()
  }
  const onConnected = (p: CallParticipant) => {
    if (PEOPLE_KINDS.has(p.kind ?? 0)) clearTimer()
  }
  // LiveKit reports a departure only once the participant is gone for good (an abrupt drop
  // first waits out the server's departure timeout), so the call can end at once.
  const onDisconnected = (p: CallParticipant) => {
    if (PEOPLE_KINDS.has(p.kind ?? 0) && people(p.identity) === 0) end('visitor_left')
  }
  const onRoomDisconnected = () => end('room_disconnected')

  const detach = () => {
    clearTimer()
    room.off(ROOM_EVENTS.participantConnected, onConnected)
    room.off(ROOM_EVENTS.participantDisconnected, onDisconnected)
    room.off(ROOM_EVENTS.disconnected, onRoomDisconnected)
  }
  function end(reason: CallEndReason) {
    if (ended) return
    ended = true
    detach()
    opts.onEnd(reason)
  }

  room.on(ROOM_EVENTS.participantConnected, onConnected)
  room.on(ROOM_EVENTS.participantDisconnected, onDisconnected)
  room.on(ROOM_EVENTS.disconnected, onRoomDisconnected)
  if (people() === 0) armTimer()

  return {
    stop() {
      if (ended) return
      ended = true
      detach()
    },
  }
}
