import type { HandoffTrigger } from '@aurion/contract'
import { HANDOFF_PHRASES } from '../agent/phrases/handoff-replies.ts'
import type { RouteContext } from '../app-deps.ts'
import type { ConversationRow, MessageRow, TenantAccess } from '../conversations/types.ts'
import { detectLanguage, type Lang, langOfLocale } from '../knowledge/language.ts'
import { anyAgentAvailable } from '../team/availability.ts'
import { findContactById } from '../visitors/contact-repo.ts'
import { findPhoneLine } from '../voice/phone-line-repo.ts'
import { isWithinBusinessHours } from './business-hours.ts'
import { findPreviousAssistantReply } from './handoff-repo.ts'
import {
  couldNotAnswer,
  UNANSWERED_FLAG,
  visitorHandoffTrigger,
  wasUnanswered,
} from './triggers.ts'

type Ctx = Pick<RouteContext, 'db'>

/** What the assistant does with a visitor message. */
export type ReplyPlan =
  | { kind: 'agent' }
  /** A person handles the conversation: no reply at all. */
  | { kind: 'silent' }
  /** Hand off now; `text` is what the assistant says instead of answering. */
  | { kind: 'handoff'; reason: HandoffTrigger; text: string; transfer: boolean }

function metadataOf(m: MessageRow): Record<string, unknown> | undefined {
  if (!m.metadata) return undefined
  try {
    const v: unknown = JSON.parse(m.metadata)
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Decides before the agent runs: silent while a person handles the conversation, a hand-off when
 * the message asks for a person (typed, spoken or the quick action), else the agent answers.
 */
export async function planReply(
  ctx: Ctx,
  access: TenantAccess,
  conversation: ConversationRow,
  userMessage: MessageRow,
): Promise<ReplyPlan> {
  if (conversation.handled_by === 'human') return { kind: 'silent' }
  const reason = visitorHandoffTrigger(
    access.config.handoff,
    userMessage.body,
    metadataOf(userMessage),
  )
  if (reason === null) return { kind: 'agent' }
  return {
    kind: 'handoff',
    reason,
    ...(await announcement(ctx, access, conversation, userMessage)),
  }
}

/**
 * After the agent answered: flags a reply that did not answer, and hands off when the previous
 * reply did not answer either (`unanswered_twice`), with the text to add to the reply.
 */
export async function reviewAgentReply(
  ctx: Ctx,
  access: TenantAccess,
  conversation: ConversationRow,
  userMessage: MessageRow,
  sources: readonly unknown[],
): Promise<{
  flags: Record<string, unknown>
  handoff?: { reason: HandoffTrigger; text: string; transfer: boolean }
}> {
  if (!couldNotAnswer(userMessage.body, sources)) return { flags: {} }
  const flags = { [UNANSWERED_FLAG]: true }
  const settings = access.config.handoff
  if (!settings.enabled || !settings.triggers.unanswered_twice) return { flags }
  const previous = await findPreviousAssistantReply(
    ctx.db,
    access.tenant.id,
    conversation.id,
    userMessage.seq,
  )
  if (!previous || !wasUnanswered(previous.metadata)) return { flags }
  return {
    flags,
    handoff: {
      reason: 'unanswered_twice',
      ...(await announcement(ctx, access, conversation, userMessage)),
    },
  }
}

/** The visitor's language: their message's, else their browser's, else English. */
function languageOf(m: MessageRow): Lang {
  const locale = metadataOf(m)?.locale
  return (
    detectLanguage(m.body) ?? langOfLocale(typeof locale === 'string' ? locale : undefined) ?? 'en'
  )
}

/**
 * What the assistant says, honestly: someone online (within business hours) → "connecting you";
 * nobody → the tenant's offline text (or ours), then a promise to reply by email when the email
 * is known, or a request for it. A spoken turn adds that the call ends and the chat goes on.
 * A phone call is transferred (`transfer`) when someone is online and the line has a transfer
 * number; otherwise the caller is asked to leave a message.
 */
export async function announcement(
  ctx: Ctx,
  access: TenantAccess,
  conversation: ConversationRow,
  userMessage: MessageRow,
): Promise<{ text: string; transfer: boolean }> {
  const lang = languageOf(userMessage)
  const p = HANDOFF_PHRASES[lang]
  const settings = access.config.handoff
  const online =
    isWithinBusinessHours(settings.business_hours, new Date()) &&
    (await anyAgentAvailable(ctx.db, access.tenant.id))
  if (userMessage.channel === 'phone') {
    const line = await findPhoneLine(ctx.db, access.tenant.id)
    if (online && line.transferTo !== null) return { text: p.phoneTransfer, transfer: true }
    const offline = online ? [] : [settings.offline_text ?? p.offline]
    return { text: [...offline, p.phoneMessage].join(' '), transfer: false }
  }
  const parts: string[] = []
  if (online) parts.push(p.connecting)
  else {
    parts.push(settings.offline_text ?? p.offline)
    const email = await knownEmail(ctx, conversation)
    parts.push(email ? p.replyByEmail.replace('{email}', email) : p.askEmail)
  }
  if (userMessage.channel === 'voice') parts.push(p.voiceGoodbye)
  return { text: parts.join(' '), transfer: false }
}

async function knownEmail(ctx: Ctx, c: ConversationRow): Promise<string | null> {
  if (Number(c.contact_verified) === 1 && c.contact_id) {
    const contact = await findContactById(ctx.db, c.tenant_id, c.contact_id)
    if (contact?.email) return contact.email
  }
  return c.claimed_email ?? null
}
