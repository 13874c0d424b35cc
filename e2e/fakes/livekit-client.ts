/**
 * A stand-in for `livekit-client` in the widget's browser tests (no LiveKit server can run
 * here). It implements the part of the API the widget uses and is driven by the test through
 * `window.__lk`: an agent joins, changes `lk.agent.state`, streams `lk.transcription` text,
 * blocks autoplay, leaves. The microphone is real: `createLocalAudioTrack` calls
 * `getUserMedia` with the widget's constraints, so permission errors are the browser's own.
 */

type Handler = (...args: unknown[]) => void

export enum RoomEvent {
  ParticipantConnected = 'participantConnected',
  ParticipantDisconnected = 'participantDisconnected',
  ParticipantAttributesChanged = 'participantAttributesChanged',
  TrackSubscribed = 'trackSubscribed',
  TrackUnsubscribed = 'trackUnsubscribed',
  AudioPlaybackStatusChanged = 'audioPlaybackChanged',
  Disconnected = 'disconnected',
}

export enum ParticipantKind {
  STANDARD = 0,
  AGENT = 4,
}

export enum DisconnectReason {
  UNKNOWN_REASON = 0,
  CLIENT_INITIATED = 1,
  DUPLICATE_IDENTITY = 2,
  SERVER_SHUTDOWN = 3,
  PARTICIPANT_REMOVED = 4,
  ROOM_DELETED = 5,
}

export const Track = {
  Kind: { Audio: 'audio', Video: 'video' },
  Source: { Microphone: 'microphone' },
} as const

export enum MediaDeviceFailure {
  PermissionDenied = 'PermissionDenied',
  NotFound = 'NotFound',
  DeviceInUse = 'DeviceInUse',
  Other = 'Other',
}
// biome-ignore lint/style/noNamespace: mirrors livekit-client's enum + namespace
export namespace MediaDeviceFailure {
  export function getFailure(error: unknown): MediaDeviceFailure | undefined {
    const name = (error as { name?: string } | undefined)?.name
    if (name === 'NotAllowedError' || name === 'PermissionDeniedError') {
      return MediaDeviceFailure.PermissionDenied
    }
    if (name === 'NotFoundError' || name === 'DevicesNotFoundError')
      return MediaDeviceFailure.NotFound
    if (name === 'NotReadableError' || name === 'TrackStartError')
      return MediaDeviceFailure.DeviceInUse
    return error ? MediaDeviceFailure.Other : undefined
  }
}

class Emitter {
  private handlers = new Map<string, Set<Handler>>()
  on(event: string, fn: Handler): this {
    const set = this.handlers.get(event) ?? new Set()
    set.add(fn)
    this.handlers.set(event, set)
    return this
  }
  off(event: string, fn: Handler): this {
    this.handlers.get(event)?.delete(fn)
    return this
  }
  emit(event: string, ...args: unknown[]): void {
    for (const fn of this.handlers.get(event) ?? []) fn(...args)
  }
}

export class LocalAudioTrack {
  kind = 'audio'
  isMuted = false
  stopped = false
  constructor(
    readonly mediaStreamTrack: MediaStreamTrack,
    readonly constraints: Record<string, unknown>,
  ) {}
  async mute() {
    this.isMuted = true
    this.mediaStreamTrack.enabled = false
  }
  async unmute() {
    this.isMuted = false
    this.mediaStreamTrack.enabled = true
  }
  stop() {
    this.stopped = true
    this.mediaStreamTrack.stop()
  }
}

export async function createLocalAudioTrack(
  options: Record<string, unknown> = {},
): Promise<LocalAudioTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: options })
  const track = new LocalAudioTrack(stream.getAudioTracks()[0]!, options)
  control().tracks.push(track)
  return track
}

class RemoteParticipant {
  attributes: Record<string, string> = {}
  constructor(
    readonly identity: string,
    readonly kind: ParticipantKind,
  ) {}
}

class RemoteAudioTrack {
  kind = 'audio'
  private els: HTMLMediaElement[] = []
  attach(): HTMLMediaElement {
    const el = document.createElement('audio')
    el.dataset.fakeAgentAudio = ''
    this.els.push(el)
    return el
  }
  detach(): HTMLMediaElement[] {
    return this.els.splice(0)
  }
}

interface TextReader extends AsyncIterable<string> {
  info: { id: string; topic: string; attributes: Record<string, string> }
}

export class Room extends Emitter {
  remoteParticipants = new Map<string, RemoteParticipant>()
  canPlaybackAudio = true
  state = 'disconnected'
  connects: { url: string; token: string }[] = []
  published: LocalAudioTrack[] = []
  sentTexts: { text: string; topic: string }[] = []
  textHandlers = new Map<string, (reader: TextReader, from: { identity: string }) => void>()
  disconnected = false
  localParticipant: {
    identity: string
    publishTrack: (t: LocalAudioTrack) => Promise<void>
    sendText: (text: string, opts: { topic: string }) => Promise<void>
  }

  constructor(readonly options: Record<string, unknown> = {}) {
    super()
    const room = this
    this.localParticipant = {
      identity: '',
      async publishTrack(t) {
        room.published.push(t)
      },
      async sendText(text, opts) {
        room.sentTexts.push({ text, topic: opts.topic })
      },
    }
    control().rooms.push(this)
  }

  async connect(url: string, token: string): Promise<void> {
    this.connects.push({ url, token })
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))
    this.localParticipant.identity = payload.sub
    this.state = 'connected'
  }

  async disconnect(): Promise<void> {
    if (this.disconnected) return
    this.disconnected = true
    this.state = 'disconnected'
    this.emit(RoomEvent.Disconnected, DisconnectReason.CLIENT_INITIATED)
  }

  async startAudio(): Promise<void> {
    this.canPlaybackAudio = true
    this.emit(RoomEvent.AudioPlaybackStatusChanged)
  }

  registerTextStreamHandler(topic: string, fn: (r: TextReader, f: { identity: string }) => void) {
    this.textHandlers.set(topic, fn)
  }

  unregisterTextStreamHandler(topic: string) {
    this.textHandlers.delete(topic)
  }
}

/** What a test drives through `window.__lk`. */
export interface FakeLiveKitControl {
  rooms: Room[]
  tracks: LocalAudioTrack[]
  room(): Room
  agentJoin(state?: string): void
  agentState(state: string): void
  agentLeave(): void
  /** Streams a transcript segment (chunks arrive one by one). */
  transcribe(opts: {
    from: 'agent' | 'user'
    text: string
    final?: boolean
    id?: string
  }): Promise<void>
  blockAudio(): void
  /** A connection lost for good (not by the visitor). */
  drop(): void
}

function control(): FakeLiveKitControl {
  const w = window as unknown as { __lk?: FakeLiveKitControl }
  if (w.__lk) return w.__lk
  const agent = () => [...c.room().remoteParticipants.values()][0]!
  const c: FakeLiveKitControl = {
    rooms: [],
    tracks: [],
    room: () => c.rooms[c.rooms.length - 1]!,
    agentJoin(state = 'listening') {
      const room = c.room()
      const p = new RemoteParticipant('agent-aurion', ParticipantKind.AGENT)
      p.attributes = { 'lk.agent.state': state }
      room.remoteParticipants.set(p.identity, p)
      room.emit(RoomEvent.ParticipantConnected, p)
      room.emit(RoomEvent.TrackSubscribed, new RemoteAudioTrack(), {}, p)
    },
    agentState(state) {
      const p = agent()
      p.attributes = { ...p.attributes, 'lk.agent.state': state }
      c.room().emit(RoomEvent.ParticipantAttributesChanged, { 'lk.agent.state': state }, p)
    },
    agentLeave() {
      const room = c.room()
      const p = agent()
      room.remoteParticipants.delete(p.identity)
      room.emit(RoomEvent.ParticipantDisconnected, p)
    },
    async transcribe({
      from,
      text,
      final = true,
      id = `seg_${Math.random().toString(36).slice(2)}`,
    }) {
      const room = c.room()
      const handler = room.textHandlers.get('lk.transcription')
      if (!handler) throw new Error('no lk.transcription handler registered')
      const words = text.split(/(?<= )/)
      const reader: TextReader = {
        info: {
          id: `stream_${id}`,
          topic: 'lk.transcription',
          attributes: { 'lk.segment_id': id, 'lk.transcription_final': String(final) },
        },
        async *[Symbol.asyncIterator]() {
          for (const w of words) {
            await new Promise((r) => setTimeout(r, 5))
            yield w
          }
        },
      }
      const identity = from === 'user' ? room.localParticipant.identity : 'agent-aurion'
      await handler(reader, { identity })
    },
    blockAudio() {
      const room = c.room()
      room.canPlaybackAudio = false
      room.emit(RoomEvent.AudioPlaybackStatusChanged)
    },
    drop() {
      c.room().emit(RoomEvent.Disconnected, DisconnectReason.SERVER_SHUTDOWN)
    },
  }
  w.__lk = c
  return c
}
