/** The key a caller presses to ask for a person. */
export const PERSON_KEY = '0'

/** The part of `@livekit/rtc-node`'s Room that delivers keypad presses (SIP DTMF). */
export interface KeypadRoom {
  on(event: 'dtmfReceived', listener: KeypadListener): unknown
  off(event: 'dtmfReceived', listener: KeypadListener): unknown
}

type KeypadListener = (code: number, digit: string, participant: { identity: string }) => void

/**
 * Calls `onKey` with each key the caller presses (LiveKit's `dtmfReceived` room event; keys of
 * other participants are ignored). Returns a function that stops listening.
 */
export function watchKeypad(
  room: KeypadRoom,
  callerIdentity: string,
  onKey: (digit: string) => void,
): () => void {
  const listener: KeypadListener = (_code, digit, participant) => {
    if (participant?.identity === callerIdentity) onKey(digit)
  }
  room.on('dtmfReceived', listener)
  return () => room.off('dtmfReceived', listener)
}
