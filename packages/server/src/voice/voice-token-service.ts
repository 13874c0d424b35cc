import { resolveWidgetConfig, type VoiceTokenResponse } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import type { AdminPrincipal } from '../auth/admin-auth.ts'
import { openThread } from '../conversations/locate-thread.ts'
import type { TenantAccess } from '../conversations/types.ts'
import { mayUseConversationById } from '../conversations/visitor-access.ts'
import { forbidden, notAuthenticated, notFound } from '../errors.ts'
import { randomBase62 } from '../ids.ts'
import { findTenantById } from '../tenants/tenant-repo.ts'
import { findContactByEmail } from '../visitors/contact-repo.ts'
import { resolveVisitorIdentity } from '../visitors/visitor-auth.ts'
import { emitWebhookEvent } from '../webhooks/events.ts'
import {
  clientUrl,
  type LiveKitSettings,
  mintParticipantToken,
  requireLiveKit,
  roomNameFor,
  type VoiceParticipantMetadata,
  WIDGET_IDENTITY_PREFIX,
} from './livekit-token.ts'
import { voiceThreadTarget } from './voice-target.ts'

export type { VoiceTokenResponse }

/** Subject of a conversation that starts with a call (a first chat message replaces it). */
export const VOICE_SUBJECT = 'Voice call'

type Ctx = Pick<RouteContext, 'config' | 'db' | 'bus' | 'agent'>

/**
 * `POST /voice-widget/embed/token`: a visitor's token. Identity and room are chosen here, never
 * by the client; the call joins (or starts) the chat conversation so voice and chat share it,
 * with the same ownership rules as chat (`visitor-access.ts`): a `conversation_id` that is not
 * the visitor's is a 404, exactly like an unknown one.
 *
 * `pre_authenticated` follows the contract: only when the tenant turned voice auth off AND the
 * email (self-asserted `user_email`, or the email of `email_token`) belonged to an existing
 * contact before this call — and, when continuing a conversation, that contact owns it or the
 * conversation claims that email.
 */
export async function issueWidgetVoiceToken(
  ctx: Ctx,
  access: TenantAccess,
  input: {
    userEmail?: string | undefined
    emailToken?: string | undefined
    conversationId?: string | undefined
    sourceThreadId?: string | undefined
  },
): Promise<VoiceTokenResponse> {
  if (access.config.mode === 'chat') throw forbidden('Voice is not enabled for this widget')
  const lk = requireLiveKit(ctx.config)
  const tenantId = access.tenant.id
  const identity = resolveVisitorIdentity(
    ctx,
    access,
    { emailToken: input.emailToken, senderEmail: input.userEmail },
    ['body', 'user_email'],
  )
  const email = identity.verifiedEmail ?? identity.senderEmail
  // Looked up before the conversation service links (and possibly creates) the contact.
  const existing =
    email !== undefined ? await findContactByEmail(ctx.db, tenantId, email) : undefined
  if (
    input.conversationId !== undefined &&
    !(await mayUseConversationById(
      ctx.db,
      tenantId,
      input.conversationId,
      identity,
      input.sourceThreadId,
    ))
  ) {
    throw notFound('Conversation not found')
  }
  const target = await voiceThreadTarget(ctx.db, tenantId, input)
  const { conversation, thread, contact } = await openThread(ctx, access, {
    ...target,
    identity,
    subject: VOICE_SUBJECT,
  })
  // The call starts now from the server's view: the visitor has what it takes to join.
  await ctx.db.transaction().execute((trx) =>
    emitWebhookEvent(trx, tenantId, 'voice.call.started', {
      conversation_id: conversation.id,
      thread_id: thread.id,
      room: roomNameFor(conversation.id),
    }),
  )
  const preAuthenticated =
    access.config.voice_auth_enabled === false &&
    existing !== undefined &&
    (conversation.contact_id === existing.id || conversation.claimed_email === email)
  return issue(lk, {
    identity: `${WIDGET_IDENTITY_PREFIX}${randomBase62(16)}`,
    name: 'Visitor',
    metadata: {
      tenant_id: tenantId,
      conversation_id: conversation.id,
      thread_id: thread.id,
      contact_id: contact.id,
      user_email: email ?? null,
      email_verified: identity.verifiedEmail !== undefined,
      pre_authenticated: preAuthenticated,
      source: 'widget',
      channel: 'voice',
    },
  })
}

/**
 * `POST /voice-widget/token`: a tenant member (dashboard session or API key) talks to the voice
 * agent. Always pre-authenticated; each token starts a new conversation.
 */
export async function issueDashboardVoiceToken(
  ctx: Ctx,
  principal: AdminPrincipal,
): Promise<VoiceTokenResponse> {
  const lk = requireLiveKit(ctx.config)
  const tenant = await findTenantById(ctx.db, principal.tenantId)
  // The principal was just authenticated; a tenant deleted in between is no longer a caller.
  if (tenant === undefined) throw notAuthenticated()
  const access: TenantAccess = { tenant, config: resolveWidgetConfig(JSON.parse(tenant.config)) }
  const { conversation, thread, contact } = await openThread(
    ctx,
    access,
    { subject: VOICE_SUBJECT },
    { trusted: true },
  )
  const isUser = principal.kind === 'session' && principal.userId !== undefined
  return issue(lk, {
    identity: isUser ? `user_${principal.userId}` : `apikey_${principal.id}`,
    name: isUser ? 'Dashboard user' : 'API client',
    metadata: {
      tenant_id: tenant.id,
      conversation_id: conversation.id,
      thread_id: thread.id,
      contact_id: contact.id,
      user_email: null,
      email_verified: false,
      pre_authenticated: true,
      source: isUser ? 'dashboard' : 'api',
      channel: 'voice',
    },
  })
}

async function issue(
  lk: LiveKitSettings,
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
    expires_in_seconds: lk.tokenTtlSeconds,
    server_url: url,
    participant_token: token,
    conversation_id: input.metadata.conversation_id,
    thread_id: input.metadata.thread_id,
  }
}
