import type { WidgetConfig } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import type { AdminPrincipal } from '../auth/admin-auth.ts'
import { forbidden } from '../errors.ts'
import { randomBase62 } from '../ids.ts'
import type { WidgetAccess } from '../widget-auth/public-guard.ts'
import {
  clientUrl,
  mintParticipantToken,
  requireLiveKit,
  VOICE_TOKEN_TTL_SECONDS,
  type VoiceParticipantMetadata,
} from './livekit-token.ts'
import { findContactIdByEmail, openVoiceConversation } from './voice-conversation.ts'

/** The contract's VoiceWidgetTokenResponse, plus LiveKit's standard names and the conversation. */
export interface VoiceTokenResponse {
  token: string
  livekit_url: string
  room_name: string
  participant_identity: string
  pre_authenticated: boolean
  expires_in_seconds: number
  /** Same as `livekit_url` (LiveKit's standard name). */
  server_url: string
  /** Same as `token` (LiveKit's standard name). */
  participant_token: string
  conversation_id: string
  thread_id: string
}

/** One room per conversation: a call and the chat of that conversation meet the same agent. */
export function roomNameFor(conversationId: string): string {
  return `aurion_${conversationId}`
}

/**
 * Whether a widget caller is pre-authenticated for voice (contract): only when the tenant has
 * turned voice auth off AND the self-asserted email belongs to an existing contact of it.
 */
export function isPreAuthenticated(config: WidgetConfig, contactId: string | undefined): boolean {
  return config.voice_auth_enabled === false && contactId !== undefined
}

/**
 * `POST /voice-widget/embed/token`: a visitor's token. Identity and room are chosen here, never
 * by the client; the call joins (or starts) the chat conversation so context carries over.
 */
export async function issueWidgetVoiceToken(
  ctx: RouteContext,
  access: WidgetAccess,
  input: {
    userEmail?: string | undefined
    conversationId?: string | undefined
    sourceThreadId?: string | undefined
  },
): Promise<VoiceTokenResponse> {
  if (access.config.mode === 'chat') throw forbidden('Voice is not enabled for this widget')
  const lk = requireLiveKit(ctx.config)
  const tenantId = access.tenant.id
  const email = input.userEmail?.trim().toLowerCase()
  const contactId = email ? await findContactIdByEmail(ctx.db, tenantId, email) : undefined
  const emailTrusted = isPreAuthenticated(access.config, contactId)
  // A self-asserted email never links a conversation to someone's contact unless the tenant
  // decided such an email is enough (voice auth off).
  const conv = await openVoiceConversation(ctx.db, {
    tenantId,
    conversationId: input.conversationId,
    sourceThreadId: input.sourceThreadId,
    contactId: emailTrusted ? contactId : null,
  })
  // Continuing someone else's conversation under another contact's email proves nothing.
  const preAuthenticated = emailTrusted && (conv.contactId === null || conv.contactId === contactId)
  return issue(lk, {
    identity: `visitor_${randomBase62(16)}`,
    name: 'Visitor',
    metadata: {
      tenant_id: tenantId,
      conversation_id: conv.conversationId,
      thread_id: conv.threadId,
      contact_id: conv.contactId,
      user_email: email ?? null,
      pre_authenticated: preAuthenticated,
      source: 'widget',
      channel: 'voice',
    },
  })
}

/**
 * `POST /voice-widget/token`: a tenant member (dashboard session or API key) tries the voice
 * agent. Always pre-authenticated; each token starts a new conversation.
 */
export async function issueDashboardVoiceToken(
  ctx: RouteContext,
  principal: AdminPrincipal,
): Promise<VoiceTokenResponse> {
  const lk = requireLiveKit(ctx.config)
  const conv = await openVoiceConversation(ctx.db, { tenantId: principal.tenantId })
  const isUser = principal.kind === 'session' && principal.userId !== undefined
  return issue(lk, {
    identity: isUser ? `user_${principal.userId}` : `apikey_${principal.id}`,
    name: isUser ? 'Dashboard user' : 'API client',
    metadata: {
      tenant_id: principal.tenantId,
      conversation_id: conv.conversationId,
      thread_id: conv.threadId,
      contact_id: null,
      user_email: null,
      pre_authenticated: true,
      source: isUser ? 'dashboard' : 'api',
      channel: 'voice',
    },
  })
}

async function issue(
  lk: ReturnType<typeof requireLiveKit>,
  input: { identity: string; name: string; metadata: VoiceParticipantMetadata },
): Promise<VoiceTokenResponse> {
  const roomName = roomNameFor(input.metadata.conversation_id)
  const token = await mintParticipantToken(lk, { ...input, roomName })
  const url = clientUrl(lk.url)
  return {
    token,
    livekit_url: url,
    room_name: roomName,
    participant_identity: input.identity,
    pre_authenticated: input.metadata.pre_authenticated,
    expires_in_seconds: VOICE_TOKEN_TTL_SECONDS,
    server_url: url,
    participant_token: token,
    conversation_id: input.metadata.conversation_id,
    thread_id: input.metadata.thread_id,
  }
}
