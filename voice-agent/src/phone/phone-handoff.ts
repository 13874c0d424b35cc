import type { voice } from '@livekit/agents'
import type { BrainReply } from '../brain-llm.ts'
import type { CallTarget, InternalClient } from '../internal-client.ts'
import type { SipTransfer } from './sip-transfer.ts'

export interface PhoneHandoffLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface PhoneHandoffDeps {
  client: InternalClient
  target: CallTarget
  callId: string
  callerIdentity: string
  /** The line's transfer number (from the call's start); `null`: callers leave a message. */
  transferTo: string | null
  /** LiveKit's SIP transfer; `undefined` when the worker has no LiveKit API settings. */
  transfer: SipTransfer | undefined
  /** Ends the call (once): `transferred`, `message taken`. */
  end: (reason: string) => void
  /** How long a caller leaving a message may talk before the call ends. */
  messageTimeoutMs: number
  logger: PhoneHandoffLogger
}

/** The stored body of the caller's keypad request (the inbox shows it as their turn). */
export const KEYPAD_PERSON_TEXT = 'Pressed 0: talk to a person'

/**
 * A phone caller asks for a person (in words, or with the keypad). The server hands the
 * conversation to the inbox and says what happens next; then the caller is transferred to the
 * line's number when the server says someone is available (`transfer`), or leaves a message:
 * the call stays open, every further turn is stored (a person handles the conversation now, the
 * assistant stays silent), and the call ends when the caller hangs up or after
 * `messageTimeoutMs`. A transfer LiveKit refuses also falls back to the message.
 */
export class PhoneHandoff {
  #state: 'assistant' | 'transferring' | 'message' = 'assistant'
  #timer: ReturnType<typeof setTimeout> | undefined
  #session: voice.AgentSession | undefined
  #keypadTurns = 0
  #stopped = false

  constructor(private readonly deps: PhoneHandoffDeps) {}

  get state(): 'assistant' | 'transferring' | 'message' {
    return this.#state
  }

  /** The running session, for keypad requests (set once the call started). */
  attach(session: voice.AgentSession): void {
    this.#session = session
  }

  /** The voice call's `onHandoff`: a reply said a person takes over. */
  readonly onReply = (reply: BrainReply, spoken: Promise<void>): void => {
    if (this.#state !== 'assistant') return
    const { transferTo, transfer } = this.deps
    if (reply.transfer && transferTo !== null && transfer !== undefined) {
      this.#state = 'transferring'
      void spoken.then(() => this.#transfer(transfer, transferTo))
    } else {
      this.#takeMessage()
    }
  }

  /**
   * The caller pressed the key for a person: the turn goes to the server as the quick action
   * (stored as the caller's, handed off like words asking for a person) and the answer is spoken.
   */
  async askForPerson(): Promise<void> {
    const session = this.#session
    if (this.#state !== 'assistant' || session === undefined) return
    try {
      await session.interrupt().await
    } catch {
      // Nothing was playing, or the session is closing.
    }
    let done: BrainReply | undefined
    try {
      const segmentId = `keypad-${this.deps.callId}-${++this.#keypadTurns}`
      for await (const ev of this.deps.client.streamReply(this.deps.target, {
        segmentId,
        text: KEYPAD_PERSON_TEXT,
        action: 'talk_to_person',
      })) {
        if (ev.type === 'done') {
          done = {
            segmentId,
            userMessageId: '',
            aiMessageId: ev.ai_message_id,
            text: ev.ai_response,
            endCall: ev.end_call === true,
            transfer: ev.transfer === true,
          }
        } else if (ev.type === 'error') throw new Error(ev.message)
      }
    } catch (err) {
      this.deps.logger.warn({ err }, 'the keypad request for a person failed')
      return
    }
    if (!done?.endCall || this.#state !== 'assistant') return
    const speech = done.text.trim()
      ? session.say(done.text, { allowInterruptions: true })
      : undefined
    this.onReply(done, speech ? speech.waitForPlayout() : Promise.resolve())
  }

  /** Stops the message timer (the call is ending anyway). */
  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  async #transfer(transfer: SipTransfer, number: string): Promise<void> {
    try {
      await transfer(this.deps.callerIdentity, number)
      this.deps.logger.info({}, 'the caller was transferred to a person')
      this.deps.end('transferred')
    } catch (err) {
      // The announcement told the caller to stay on the line for a message in that case.
      this.deps.logger.warn({ err }, 'the SIP transfer failed: taking a message instead')
      this.#takeMessage()
    }
  }

  #takeMessage(): void {
    this.#state = 'message'
    if (this.#stopped) return
    this.#timer = setTimeout(() => this.deps.end('message taken'), this.deps.messageTimeoutMs)
    this.#timer.unref?.()
  }
}
