import {
  createLocalAudioTrack,
  DisconnectReason,
  type LocalAudioTrack,
  MediaDeviceFailure,
  type Participant,
  ParticipantKind,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  Track,
} from 'livekit-client'
import type { VoiceTokenResponse } from '../app/chat/endpoints.ts'
import {
  AGENT_JOIN_TIMEOUT_MS,
  type CallCallbacks,
  type CallError,
  type CallHandle,
} from './types.ts'

export interface LiveKitCallOptions {
  /** The token the caller already fetched (it decided voice is available). */
  token: VoiceTokenResponse
  fetchToken(): Promise<VoiceTokenResponse>
  /** Where the agent's `<audio>` elements live (inside the widget's shadow root). */
  audioParent: HTMLElement
  callbacks: CallCallbacks
  agentTimeoutMs?: number
  /** Aborting hangs up, also while the call is still being set up. */
  signal?: AbortSignal
}

const CAPTURE = { echoCancellation: true, noiseSuppression: true, autoGainControl: true }
const STATES = new Set(['listening', 'thinking', 'speaking'])

function micError(err: unknown): CallError {
  const f = MediaDeviceFailure.getFailure(err)
  if (f === MediaDeviceFailure.PermissionDenied) return 'micDenied'
  if (f === MediaDeviceFailure.NotFound) return 'micMissing'
  return 'callFailed'
}

/**
 * A voice call in a LiveKit room with the voice agent: microphone with echo cancellation and
 * noise suppression, call states from the agent's `lk.agent.state` attribute, transcripts from
 * `lk.transcription` text streams, a fresh token before the current one expires (used to
 * rejoin after a lost connection), and a chat fallback when no agent joins in time.
 */
export async function startLiveKitCall(o: LiveKitCallOptions): Promise<CallHandle> {
  const cb = o.callbacks
  let token = o.token
  let tokenExpires = Date.now() + token.expires_in_seconds * 1000
  let ended = false
  let agent: RemoteParticipant | undefined
  let mic: LocalAudioTrack | undefined
  let agentTimer: ReturnType<typeof setTimeout> | undefined
  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  const audio = new Set<HTMLMediaElement>()
  const room = new Room({ adaptiveStream: true, dynacast: true, audioCaptureDefaults: CAPTURE })

  const end = (error?: CallError) => {
    if (ended) return
    ended = true
    clearTimeout(agentTimer)
    clearTimeout(refreshTimer)
    mic?.stop()
    for (const el of audio) el.remove()
    room.unregisterTextStreamHandler('lk.transcription')
    void room.disconnect()
    cb.state('ended')
    cb.ended(error)
  }

  const scheduleRefresh = () => {
    clearTimeout(refreshTimer)
    const ms = Math.max(30_000, tokenExpires - Date.now() - 60_000)
    refreshTimer = setTimeout(async () => {
      try {
        token = await o.fetchToken()
        tokenExpires = Date.now() + token.expires_in_seconds * 1000
      } catch {
        // Keep the current token; try again shortly.
      }
      if (!ended) scheduleRefresh()
    }, ms)
  }

  const isAgent = (p: Participant) =>
    p.kind === ParticipantKind.AGENT || p.attributes['lk.agent.state'] !== undefined
  const showAgentState = (p: Participant) => {
    const s = p.attributes['lk.agent.state']
    cb.state(s && STATES.has(s) ? (s as 'listening') : 'listening')
  }
  const adopt = (p: RemoteParticipant) => {
    if (agent || !isAgent(p)) return
    agent = p
    clearTimeout(agentTimer)
    showAgentState(p)
  }

  room
    .on(RoomEvent.ParticipantConnected, adopt)
    .on(RoomEvent.ParticipantAttributesChanged, (_changed, p) => {
      if (p === room.localParticipant) return
      adopt(p as RemoteParticipant)
      if (p === agent) showAgentState(p)
    })
    .on(RoomEvent.ParticipantDisconnected, (p) => {
      if (p === agent) end()
    })
    .on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind !== Track.Kind.Audio) return
      const el = track.attach()
      audio.add(el)
      o.audioParent.appendChild(el)
    })
    .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => {
      for (const el of track.detach()) {
        audio.delete(el)
        el.remove()
      }
    })
    .on(RoomEvent.AudioPlaybackStatusChanged, () => cb.audioBlocked(!room.canPlaybackAudio))
    .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
      if (ended) return
      const final =
        reason === DisconnectReason.CLIENT_INITIATED ||
        reason === DisconnectReason.ROOM_DELETED ||
        reason === DisconnectReason.PARTICIPANT_REMOVED ||
        reason === DisconnectReason.DUPLICATE_IDENTITY
      if (final) end()
      else void rejoin()
    })

  room.registerTextStreamHandler('lk.transcription', async (reader, from) => {
    const attrs = reader.info.attributes ?? {}
    const id = attrs['lk.segment_id'] ?? reader.info.id
    const role = from.identity === room.localParticipant.identity ? 'visitor' : 'assistant'
    let text = ''
    try {
      for await (const chunk of reader) {
        text += chunk
        cb.caption(role, text)
        cb.transcript({ id, role, text, final: false })
      }
    } finally {
      // Interim speech-to-text segments end with `lk.transcription_final: false`; agent speech
      // streams end when the sentence is complete.
      const final = attrs['lk.transcription_final'] === 'true' || role === 'assistant'
      if (text) cb.transcript({ id, role, text, final })
    }
  })

  const connect = async () => {
    await room.connect(token.livekit_url, token.token)
    if (mic) await room.localParticipant.publishTrack(mic, { source: Track.Source.Microphone })
  }

  const rejoin = async () => {
    cb.state('connecting')
    try {
      if (Date.now() > tokenExpires - 60_000) {
        token = await o.fetchToken()
        tokenExpires = Date.now() + token.expires_in_seconds * 1000
      }
      await connect()
      for (const p of room.remoteParticipants.values()) adopt(p)
      if (agent) showAgentState(agent)
    } catch {
      end('callFailed')
    }
  }

  const handle: CallHandle = {
    kind: 'livekit',
    async setMuted(muted) {
      if (!mic) return
      if (muted) await mic.mute()
      else await mic.unmute()
    },
    async sendText(text) {
      if (ended || !agent) return false
      await room.localParticipant.sendText(text, { topic: 'lk.chat' })
      return true
    },
    async enableAudio() {
      await room.startAudio()
      cb.audioBlocked(!room.canPlaybackAudio)
    },
    hangUp: () => end(),
  }

  o.signal?.addEventListener('abort', () => end())
  cb.state('connecting')
  try {
    mic = await createLocalAudioTrack(CAPTURE)
  } catch (err) {
    end(micError(err))
    return handle
  }
  if (ended) {
    mic.stop()
    return handle
  }
  try {
    await connect()
  } catch {
    end('callFailed')
    return handle
  }
  if (ended) return handle
  scheduleRefresh()
  for (const p of room.remoteParticipants.values()) adopt(p)
  if (!agent) {
    cb.state('waiting')
    agentTimer = setTimeout(() => end('noAgent'), o.agentTimeoutMs ?? AGENT_JOIN_TIMEOUT_MS)
  }
  cb.audioBlocked(!room.canPlaybackAudio)
  return handle
}
