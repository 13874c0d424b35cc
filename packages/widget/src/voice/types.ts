/** Call states shown to the visitor (LiveKit's `lk.agent.state`, or the Web Speech loop's own). */
export type CallState = 'connecting' | 'waiting' | 'listening' | 'thinking' | 'speaking' | 'ended'

/** Why a call ended early; each has a message and a way on (usually: continue in chat). */
export type CallError =
  | 'micDenied'
  | 'micMissing'
  | 'micInsecure'
  | 'noAgent'
  | 'voiceDown'
  | 'speechFailed'
  | 'callFailed'

export interface TranscriptSegment {
  id: string
  role: 'visitor' | 'assistant'
  text: string
  final: boolean
}

export interface CallCallbacks {
  state(state: CallState): void
  /** The line being spoken right now (either side), for the call view. */
  caption(role: 'visitor' | 'assistant', text: string): void
  /** A transcript for the chat thread (LiveKit only: Web Speech turns are chat messages already). */
  transcript(segment: TranscriptSegment): void
  /** Autoplay blocked the agent's audio until the visitor taps. */
  audioBlocked(blocked: boolean): void
  ended(error?: CallError): void
}

export interface CallHandle {
  readonly kind: 'livekit' | 'speech'
  setMuted(muted: boolean): Promise<void>
  /** Text typed during the call, for the agent in the room; `false` when it should go by chat. */
  sendText(text: string): Promise<boolean>
  enableAudio(): Promise<void>
  hangUp(): void
}

/** Milliseconds to wait for the voice agent before offering chat instead. */
export const AGENT_JOIN_TIMEOUT_MS = 15_000
