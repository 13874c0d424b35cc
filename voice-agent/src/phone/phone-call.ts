import { CallEnd, type CallEndLogger } from '../call-end.ts'
import { type CallRoom, watchCall } from '../call-lifecycle.ts'
import {
  type CallTarget,
  type ConversationSnapshot,
  InternalApiError,
  type InternalClient,
  type PhoneCallStart,
} from '../internal-client.ts'
import {
  HANDOFF_CLOSE_REASON,
  startVoiceCall,
  type VoiceCall,
  type VoiceCallOptions,
} from '../voice-call.ts'
import type { PhoneDispatch } from './dispatch.ts'
import { type KeypadRoom, PERSON_KEY, watchKeypad } from './keypad.ts'
import { PhoneHandoff } from './phone-handoff.ts'
import {
  type CallerRoom,
  callerNumber,
  type PhoneParticipant,
  waitForCaller,
} from './sip-caller.ts'
import type { SipTransfer } from './sip-transfer.ts'

/** The room of a phone call, as the phone path watches it (`@livekit/rtc-node`'s Room). */
export type PhoneRoom = CallRoom & CallerRoom & KeypadRoom

export interface PhoneCallLogger extends CallEndLogger {
  error(obj: object, msg: string): void
}

export interface PhoneCallDeps {
  client: InternalClient
  room: PhoneRoom
  roomName: string | undefined
  dispatch: PhoneDispatch
  /** Stable for the whole call (the job id). */
  callId: string
  /** Speech and turn-taking of the session; `room` there is the audio I/O (none in tests). */
  voice: Omit<VoiceCallOptions, 'client' | 'target' | 'snapshot' | 'callId' | 'onHandoff'>
  /** LiveKit's SIP transfer; `undefined` without LiveKit API settings. */
  transfer: SipTransfer | undefined
  /** Hangs up on the caller (deletes the room): the worker ends a call the caller is still on. */
  hangUp: () => Promise<void>
  /** Leaves the room: the job's shutdown. */
  shutdown: (reason: string) => void
  emptyRoomTimeoutMs: number
  messageTimeoutMs: number
  logger: PhoneCallLogger
}

/** A phone call being answered. */
export interface PhoneCall {
  readonly ending: CallEnd
  /** Set once the caller is there. */
  caller: PhoneParticipant | undefined
  /** Set once the server started the call. */
  start: PhoneCallStart | undefined
  /** Set once the voice session runs. */
  call: VoiceCall | undefined
  handoff: PhoneHandoff | undefined
  /** Resolves when the answering is set up (or gave up); the call goes on after it. */
  ready: Promise<void>
  /** The job's shutdown callback: stops watching, closes and reports the call. */
  shutdown(): Promise<void>
}

/**
 * Answers a phone call that the tenant's SIP dispatch rule put in this room: waits for the
 * caller (the SIP participant), starts the call on the server by the caller's number (their
 * open conversation continues), speaks the line's greeting, answers with the same brain as chat
 * storing every turn with `channel: "phone"`, handles the keypad's "0" and a request for a
 * person (transfer or message), and ends when the caller hangs up. A call that cannot be
 * answered (unknown tenant, server down) is hung up rather than left in silence.
 */
export function answerPhoneCall(deps: PhoneCallDeps): PhoneCall {
  const { client, logger } = deps
  const leftRoom = new AbortController()
  let transferred = false
  const callerStillOn = () =>
    state.caller !== undefined && deps.room.remoteParticipants.has(state.caller.identity)
  const ending = new CallEnd({
    report: (t, durationSeconds) => client.callEnded(t, { room: deps.roomName, durationSeconds }),
    shutdown: (reason) => {
      leftRoom.abort()
      if (transferred || !callerStillOn()) return deps.shutdown(reason)
      void deps
        .hangUp()
        .catch((err: unknown) => logger.warn({ err }, 'could not hang up the call'))
        .finally(() => deps.shutdown(reason))
    },
    logger,
  })
  const state: PhoneCall = {
    ending,
    caller: undefined,
    start: undefined,
    call: undefined,
    handoff: undefined,
    ready: Promise.resolve(),
    async shutdown() {
      watch.stop()
      stopKeypad?.()
      state.handoff?.stop()
      await ending.shutdown()
    },
  }
  const end = (reason: string) => {
    if (reason === 'transferred') transferred = true
    stopKeypad?.()
    state.handoff?.stop()
    ending.end(reason)
  }
  let stopKeypad: (() => void) | undefined
  const watch = watchCall(deps.room, { emptyRoomTimeoutMs: deps.emptyRoomTimeoutMs, onEnd: end })

  state.ready = (async () => {
    const caller = await waitForCaller(deps.room, leftRoom.signal)
    if (!caller || ending.ended) return
    state.caller = caller

    let target: CallTarget
    let snapshot: ConversationSnapshot
    try {
      const start = await client.startPhoneCall({
        tenantId: deps.dispatch.tenantId,
        callerNumber: callerNumber(caller),
      })
      state.start = start
      target = {
        tenantId: start.tenant_id,
        conversationId: start.conversation_id,
        threadId: start.thread_id,
        channel: 'phone',
      }
      snapshot = await client.getConversation(target)
    } catch (err) {
      logger.error(
        { err, status: err instanceof InternalApiError ? err.status : undefined },
        'cannot start the phone call on the server; hanging up',
      )
      end('phone call unavailable')
      return
    }
    if (ending.ended) return

    const handoff = new PhoneHandoff({
      client,
      target,
      callId: deps.callId,
      callerIdentity: caller.identity,
      transferTo: state.start.transfer_to,
      transfer: deps.transfer,
      end,
      messageTimeoutMs: deps.messageTimeoutMs,
      logger,
    })
    state.handoff = handoff
    const call = await startVoiceCall({
      ...deps.voice,
      client,
      target,
      // The line's greeting (else the widget's welcome text), as the server chose it.
      snapshot: { ...snapshot, greeting: state.start.greeting },
      callId: deps.callId,
      onHandoff: handoff.onReply,
    })
    state.call = call
    if (ending.ended) {
      await call.close()
      return
    }
    handoff.attach(call.session)
    ending.started(target, call)
    stopKeypad = watchKeypad(deps.room, caller.identity, (digit) => {
      if (digit === PERSON_KEY) void handoff.askForPerson()
    })
    void call.closed.then((reason) =>
      end(reason === HANDOFF_CLOSE_REASON ? 'handed off to a person' : 'session closed'),
    )
  })().catch((err: unknown) => {
    logger.error({ err }, 'the phone call failed to start')
    end('phone call failed')
  })
  return state
}
