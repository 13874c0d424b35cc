import {
  AutoSubscribe,
  defineAgent,
  type JobContext,
  type JobProcess,
  log,
  type VAD,
} from '@livekit/agents'
import * as silero from '@livekit/agents-plugin-silero'
import { watchCall } from './call-lifecycle.ts'
import { loadVoiceConfig } from './config.ts'
import { type ConversationSnapshot, InternalApiError, InternalClient } from './internal-client.ts'
import { parseCallTarget } from './job-metadata.ts'
import { createSpeechPlugins } from './speech-plugins.ts'
import { startVoiceCall, type VoiceCall } from './voice-call.ts'

/**
 * The job the worker runs in each visitor's room (LiveKit Agents loads this file in a job
 * process): attach the room to its stored conversation, greet, talk, and leave as soon as
 * nobody is there.
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

    // Watch the room from the start: a visitor who never arrives (or leaves while the call is
    // being set up) must not keep a job running in an empty room.
    let call: VoiceCall | undefined
    let ended = false
    const endJob = (reason: string) => {
      if (ended) return
      ended = true
      logger.info({ reason }, 'ending the call')
      void (call ? call.close() : Promise.resolve()).finally(() => ctx.shutdown(reason))
    }
    const watch = watchCall(ctx.room, {
      emptyRoomTimeoutMs: config.emptyRoomTimeoutMs,
      onEnd: endJob,
    })
    ctx.addShutdownCallback(async () => {
      watch.stop()
      await call?.close()
    })

    // The dispatch metadata names the conversation; the visitor's token carries the same
    // metadata, read as a fallback for jobs dispatched without it.
    let target = parseCallTarget(ctx.job.metadata)
    if (!target) {
      const visitor = await ctx.waitForParticipant()
      target = parseCallTarget(visitor.metadata)
    }
    if (ended) return
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
    if (ended) return
    call = await startVoiceCall({
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
    if (ended) {
      await call.close()
      return
    }
    // The session may also close on its own (the visitor hung up, an unrecoverable error).
    void call.closed.then(() => endJob('session closed'))
  },
})
