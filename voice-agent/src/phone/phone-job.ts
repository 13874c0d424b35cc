import type { JobContext, VAD } from '@livekit/agents'
import type { VoiceConfig } from '../config.ts'
import type { InternalClient } from '../internal-client.ts'
import { createSpeechPlugins } from '../speech-plugins.ts'
import type { PhoneDispatch } from './dispatch.ts'
import { answerPhoneCall, type PhoneCallLogger, type PhoneRoom } from './phone-call.ts'
import { createSipTransfer } from './sip-transfer.ts'

/**
 * The job of a phone call (a room of the tenant's SIP dispatch rule): the speech plugins and
 * LiveKit's SIP transfer from the worker's settings, the room's audio for the session, and
 * deleting the room to hang up.
 */
export async function runPhoneJob(
  ctx: JobContext,
  opts: {
    config: VoiceConfig
    client: InternalClient
    dispatch: PhoneDispatch
    logger: PhoneCallLogger
  },
): Promise<void> {
  const { config } = opts
  const roomName = ctx.job.room?.name
  const { stt, tts } = await createSpeechPlugins(config)
  const phone = answerPhoneCall({
    client: opts.client,
    room: ctx.room as unknown as PhoneRoom,
    roomName,
    dispatch: opts.dispatch,
    callId: ctx.job.id,
    voice: {
      stt,
      tts,
      vad: ctx.proc.userData.vad as VAD,
      turnDetection: config.turnDetection,
      minInterruptionMs: config.minInterruptionMs,
      defaultGreeting: config.defaultGreeting,
      room: ctx.room,
    },
    transfer:
      roomName && config.livekit.url ? createSipTransfer(config.livekit, roomName) : undefined,
    hangUp: () => ctx.deleteRoom(),
    shutdown: (reason) => ctx.shutdown(reason),
    emptyRoomTimeoutMs: config.emptyRoomTimeoutMs,
    messageTimeoutMs: config.phoneMessageTimeoutMs,
    logger: opts.logger,
  })
  ctx.addShutdownCallback(() => phone.shutdown())
  await phone.ready
}
