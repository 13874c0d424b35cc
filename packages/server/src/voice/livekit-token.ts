import {
  AccessToken,
  RoomAgentDispatch,
  RoomConfiguration,
  TrackSource,
  type VideoGrant,
} from 'livekit-server-sdk'
import type { Config } from '../config.ts'
import { voiceNotConfigured } from '../errors.ts'

/** LiveKit settings with every value present. */
export interface LiveKitSettings {
  url: string
  apiKey: string
  apiSecret: string
  agentName: string
  /** Lifetime of a participant token (`AURION_VOICE_TOKEN_TTL_SECONDS`). */
  tokenTtlSeconds: number
}

const ROOM_PREFIX = 'aurion_'
/** Identities of participants who joined with a widget token (`POST /voice-widget/embed/token`). */
export const WIDGET_IDENTITY_PREFIX = 'visitor_'

/** One room per conversation: a call and the chat of that conversation meet the same agent. */
export function roomNameFor(conversationId: string): string {
  return `${ROOM_PREFIX}${conversationId}`
}

/** The conversation of a room named by {@link roomNameFor}; undefined for any other room. */
export function conversationIdOfRoom(roomName: string): string | undefined {
  return roomName.startsWith(ROOM_PREFIX) && roomName.length > ROOM_PREFIX.length
    ? roomName.slice(ROOM_PREFIX.length)
    : undefined
}

/** What the voice agent learns about the participant (token metadata and room dispatch). */
export interface VoiceParticipantMetadata {
  tenant_id: string
  conversation_id: string
  thread_id: string
  contact_id: string
  /** The caller's email: proven when `email_verified`, otherwise only self-asserted. */
  user_email: string | null
  /** The email came from an email token (`/widget/session`), not just the caller's word. */
  email_verified: boolean
  pre_authenticated: boolean
  source: 'widget' | 'dashboard' | 'api'
  channel: 'voice'
}

/** The LiveKit settings, or 503 `{"detail": …}` when the server has none. */
export function requireLiveKit(config: Config): LiveKitSettings {
  const settings = liveKitSettings(config)
  if (settings === undefined) throw voiceNotConfigured()
  return settings
}

/** The LiveKit settings, or undefined when the server has none. */
export function liveKitSettings(config: Config): LiveKitSettings | undefined {
  const { url, apiKey, apiSecret, agentName, tokenTtlSeconds } = config.livekit
  if (url === undefined || apiKey === undefined || apiSecret === undefined) return undefined
  return { url, apiKey, apiSecret, agentName, tokenTtlSeconds }
}

/** Whether the server can issue voice tokens. */
export function isVoiceConfigured(config: Config): boolean {
  const { url, apiKey, apiSecret } = config.livekit
  return url !== undefined && apiKey !== undefined && apiSecret !== undefined
}

/** The URL clients connect to: LiveKit's signalling is a WebSocket, so http(s) becomes ws(s). */
export function clientUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, 'ws$1://').replace(/\/+$/, '')
}

/**
 * The only grant a widget participant gets: join this one room, publish the microphone,
 * subscribe, and exchange data. Never room admin, create, list or record.
 */
export function participantGrant(roomName: string): VideoGrant {
  return {
    room: roomName,
    roomJoin: true,
    canPublish: true,
    canPublishSources: [TrackSource.MICROPHONE],
    canSubscribe: true,
    canPublishData: true,
  }
}

/**
 * Mints a participant token for `roomName` with a server-chosen identity, the metadata as JSON
 * (also as string attributes), and a room configuration that dispatches the voice agent.
 */
export async function mintParticipantToken(
  lk: LiveKitSettings,
  input: { identity: string; name: string; roomName: string; metadata: VoiceParticipantMetadata },
): Promise<string> {
  const metadata = JSON.stringify(input.metadata)
  const at = new AccessToken(lk.apiKey, lk.apiSecret, {
    identity: input.identity,
    name: input.name,
    ttl: lk.tokenTtlSeconds,
    metadata,
    attributes: {
      tenant_id: input.metadata.tenant_id,
      conversation_id: input.metadata.conversation_id,
      thread_id: input.metadata.thread_id,
    },
  })
  at.addGrant(participantGrant(input.roomName))
  at.roomConfig = new RoomConfiguration({
    agents: [new RoomAgentDispatch({ agentName: lk.agentName, metadata })],
  })
  return at.toJwt()
}
