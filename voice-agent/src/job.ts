import {
  AutoSubscribe,
  defineAgent,
  type JobContext,
  type JobProcess,
  log,
  type VAD,
} from '@livekit/agents'
import * as silero from '@livekit/agents-plugin-silero'
import { CallEnd } from './call-end.ts'
import { watchCall } from './call-lifecycle.ts'
import { loadVoiceConfig } from './config.ts'
import {
  type CallTarget,
  type ConversationSnapshot,
  InternalApiError,
  InternalClient,
} from './internal-client.ts'
import { parseCallTarget } from './job-metadata.ts'
import { readPhoneDispatch } from './phone/dispatch.ts'
import { runPhoneJob } from './phone/phone-job.ts'
import { createSpeechPlugins } from './speech-plugins.ts'
import { HANDOFF_CLOSE_REASON, startVoiceCall } from './voice-call.ts'

/**
 * The job the worker runs in each visitor's room (LiveKit Agents loads this file in a job
 * process): attach the room to its stored conversation, greet, talk, and leave as soon as
 * nobody is there. A phone call's room (job metadata with `channel: "phone"`) is answered by
 * the phone path (`phone/`).
 */
export default defineAgent({
  prewarm: async (proc: JobProcess) => {
    proc.userData.vad = await silero.VAD.load()
  },
  entry: async (ctx: JobContext) => {
    const config = loadVoiceConfig()
    const logger = log().child({ job_id: ctx.job.id, room: ctx.job.room?.name })
    const client = new InternalClient(config.internalUrl, config.internalToken)

    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY)

    // A phone call: the tenant's SIP dispatch rule names the tenant and the line, the caller's
    // number names the conversation.
    const phone = readPhoneDispatch(ctx.job.metadata)
    if (phone === null) {
      logger.error('phone call without a usable tenant in its metadata; hanging up')
      await ctx.deleteRoom().catch((err: unknown) => logger.warn({ err }, 'hang-up failed'))
      ctx.shutdown('missing phone metadata')
      return
    }
    if (phone !== undefined) {
      await runPhoneJob(ctx, { config, client, dispatch: phone, logger })
      return
    }

    // Watch the room from the start: a visitor who never arrives (or leaves while the call is
    // being set up) must not keep a job running in an empty room.
    // Once per call that started, the server sends the tenant's voice.call.ended event.
    const ending = new CallEnd({
      report: (t, durationSeconds) =>
        client.callEnded(t, { room: ctx.job.room?.name, durationSeconds }),
      shutdown: (reason) => ctx.shutdown(reason),
      logger,
    })
    const endJob = (reason: string) => ending.end(reason)
    const watch = watchCall(ctx.room, {
      emptyRoomTimeoutMs: config.emptyRoomTimeoutMs,
      onEnd: endJob,
    })
    ctx.addShutdownCallback(async () => {
      watch.stop()
      await ending.shutdown()
    })

    // The dispatch metadata names the conversation; the visitor's token carries the same
    // metadata, read as a fallback for jobs dispatched without it.
    let target: CallTarget | undefined = parseCallTarget(ctx.job.metadata)
    if (!target) {
      const visitor = await ctx.waitForParticipant()
      target = parseCallTarget(visitor.metadata)
    }
    if (ending.ended) return
    if (!target) {
      logger.error('job has no tenant/conversation metadata; leaving the room')
      endJob('missing conversation metadata')
      return
    }

    let snapshot: ConversationSnapshot
    try {
      snapshot = await client.getConversation(target)
    } catch (err) {
      logger.error(
        { err, status: err instanceof InternalApiError ? err.status : undefined },
        'cannot load the conversation; leaving the room',
      )
      endJob('conversation unavailable')
      return
    }

    const { stt, tts } = await createSpeechPlugins(config)
    if (ending.ended) return
    const call = await startVoiceCall({
      client,
      target,
      snapshot,
      callId: ctx.job.id,
      stt,
      tts,
      vad: ctx.proc.userData.vad as VAD,
      turnDetection: config.turnDetection,
      minInterruptionMs: config.minInterruptionMs,
      defaultGreeting: config.defaultGreeting,
      room: ctx.room,
    })
    if (ending.ended) {
      await call.close()
      return
    }
    ending.started(target, call)
    // The session may also close on its own: a person took over (after the reply that says
    // so), the visitor hung up, an unrecoverable error.
    void call.closed.then((reason) =>
      endJob(reason === HANDOFF_CLOSE_REASON ? 'handed off to a person' : 'session closed'),
    )
  },
})
