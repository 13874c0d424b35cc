import { log, type stt, type tts, type VAD, voice } from '@livekit/agents'
import type { Room } from '@livekit/rtc-node'
import { AurionBrainLLM, type BrainReply } from './brain-llm.ts'
import { toChatContext } from './chat-history.ts'
import type { CallTarget, ConversationSnapshot, InternalClient } from './internal-client.ts'
import { WriteBack } from './write-back.ts'

export interface VoiceCallOptions {
  client: InternalClient
  /** From the job metadata; the snapshot fills in the thread when the metadata has none. */
  target: CallTarget
  snapshot: ConversationSnapshot
  /** Stable for the whole call (the job id): makes the greeting's write-back idempotent. */
  callId: string
  stt?: stt.STT | undefined
  tts?: tts.TTS | undefined
  vad?: VAD | null | undefined
  /** `vad` (silence after speech ends the turn), `stt` (the STT's end of utterance), `manual`. */
  turnDetection?: 'vad' | 'stt' | 'manual'
  /** Speech shorter than this does not interrupt the agent. */
  minInterruptionMs?: number
  defaultGreeting: string
  /** The visitor's room; without one the session runs on text (tests, console). */
  room?: Room | undefined
  writeBack?: WriteBack
  /**
   * What happens when a person takes over (a reply with `endCall`), in place of ending the call
   * once the reply is spoken: a phone call transfers the caller or takes a message.
   * `spoken` resolves when the reply's speech is done (played out or interrupted).
   */
  onHandoff?: (reply: BrainReply, spoken: Promise<void>) => void
}

/** A running call: one AgentSession bound to one stored conversation. */
export interface VoiceCall {
  readonly session: voice.AgentSession
  readonly target: CallTarget
  readonly greeting: voice.SpeechHandle | undefined
  /** Replies the brain produced in this call, in order. */
  readonly replies: BrainReply[]
  readonly writeBack: WriteBack
  /**
   * Resolves when the session has closed, whoever closed it, with the reason: `handoff` when a
   * person took over and the call ended after the reply that said so.
   */
  readonly closed: Promise<string>
  /** Closes the session and waits until every turn is stored. Safe to call twice. */
  close(): Promise<void>
}

/** The session's close reason when a person took over the conversation. */
export const HANDOFF_CLOSE_REASON = 'handoff'

/** Instructions of the framework-side agent; the real prompt lives with the server's agent. */
const AGENT_INSTRUCTIONS =
  'You are the Aurion voice assistant. Replies are produced by the Aurion server agent that also answers the chat.'

/**
 * Starts the voice session for one conversation: the conversation so far becomes the chat
 * context, replies come from the server's agent (the same brain as chat) through
 * {@link AurionBrainLLM}, barge-in is on, and the tenant's greeting is spoken and stored.
 * With a room, the framework's RoomIO publishes `lk.agent.state`, forwards transcriptions on
 * `lk.transcription` and answers text typed into the call on `lk.chat`.
 */
export async function startVoiceCall(opts: VoiceCallOptions): Promise<VoiceCall> {
  const logger = log().child({
    tenant_id: opts.target.tenantId,
    conversation_id: opts.target.conversationId,
  })
  const target: CallTarget = {
    ...opts.target,
    threadId: opts.snapshot.thread_id ?? opts.target.threadId,
  }
  const writeBack = opts.writeBack ?? new WriteBack(logger)
  const replies: BrainReply[] = []

  // The speech each reply stream is for: replies are created right after their speech handle.
  let replySpeech: voice.SpeechHandle | undefined
  const brain = new AurionBrainLLM(opts.client, target, {
    onEarlierUserTurn: (segmentId, text) =>
      writeBack.enqueue(`visitor ${segmentId}`, () =>
        opts.client.postMessage(target, { sender: 'contact', body: text, segmentId }),
      ),
    beforeReply: () => writeBack.idle(),
    onReply: (reply) => {
      replies.push(reply)
      if (!reply.endCall) return
      if (opts.onHandoff) opts.onHandoff(reply, speechDone(replySpeech))
      else endAfter(replySpeech)
    },
    onStreamStart: (stop) => {
      if (replySpeech) onInterrupted(replySpeech, stop)
    },
  })

  const vad = opts.vad ?? null
  const session = new voice.AgentSession({
    llm: brain,
    ...(opts.stt ? { stt: opts.stt } : {}),
    ...(opts.tts ? { tts: opts.tts } : {}),
    vad,
    turnHandling: {
      // Replies are stored with the visitor's words: never answer a transcript that may change.
      preemptiveGeneration: { enabled: false },
      turnDetection: opts.turnDetection ?? (vad ? 'vad' : 'manual'),
      interruption: {
        enabled: true,
        ...(vad ? { mode: 'vad' as const } : {}),
        minDuration: opts.minInterruptionMs ?? 500,
      },
    },
  })

  let resolveClosed!: (reason: string) => void
  const closed = new Promise<string>((r) => {
    resolveClosed = r
  })
  session.on(voice.AgentSessionEventTypes.Close, (ev) => {
    logger.info({ reason: ev.reason }, 'voice session closed')
    resolveClosed(String(ev.reason))
  })

  // A person takes over: the reply says so (or is silent, a person already has it). It is
  // spoken to its end — interrupted only by the visitor — and then the session closes; the job
  // leaves the room and the conversation goes on in the chat.
  let handingOff = false
  const endAfter = (speech: voice.SpeechHandle | undefined) => {
    if (handingOff) return
    handingOff = true
    logger.info('a person takes over: ending the call after this reply')
    void speechDone(speech).then(() =>
      session.shutdown({ drain: true, reason: HANDOFF_CLOSE_REASON }),
    )
  }
  session.on(voice.AgentSessionEventTypes.SpeechCreated, (ev) => {
    if (ev.source === 'generate_reply') replySpeech = ev.speechHandle
  })
  session.on(voice.AgentSessionEventTypes.Error, (ev) => {
    logger.warn({ err: ev.error }, 'voice session error')
  })

  const agent = new voice.Agent({
    instructions: AGENT_INSTRUCTIONS,
    chatCtx: toChatContext(opts.snapshot.messages),
  })
  await session.start({
    agent,
    ...(opts.room
      ? { room: opts.room, inputOptions: { closeOnDisconnect: true, textEnabled: true } }
      : {}),
  })

  let greeting: voice.SpeechHandle | undefined
  const greetingText = (opts.snapshot.greeting ?? '').trim() || opts.defaultGreeting
  if (greetingText !== '') {
    greeting = session.say(greetingText, { allowInterruptions: true })
    // Stored as it starts, so it precedes the visitor's first words in the conversation.
    void writeBack.enqueue('greeting', () =>
      opts.client.postMessage(target, {
        sender: 'ai',
        body: greetingText,
        segmentId: `greeting-${opts.callId}`,
        metadata: { kind: 'greeting' },
      }),
    )
  }

  let closing: Promise<void> | undefined
  return {
    session,
    target,
    greeting,
    replies,
    writeBack,
    closed,
    close() {
      closing ??= (async () => {
        await session.close()
        await writeBack.idle()
      })()
      return closing
    },
  }
}

/**
 * Resolves when the speech is done (played out or interrupted). Not speech.waitForPlayout():
 * this runs inside the speech's own reply task.
 */
function speechDone(speech: voice.SpeechHandle | undefined): Promise<void> {
  return new Promise<void>((resolve) =>
    speech ? speech.addDoneCallback(() => resolve()) : resolve(),
  )
}

/** Runs `fn` if the speech gets interrupted (barge-in, typed input) before it is done. */
function onInterrupted(speech: voice.SpeechHandle, fn: () => void): void {
  const done = new Promise<void>((resolve) => speech.addDoneCallback(() => resolve()))
  void speech.waitIfNotInterrupted([done]).then(() => {
    if (speech.interrupted) fn()
  })
}
