import type { Db } from '../db/schema.ts'
import {
  type ContactRow,
  createAnonymousContact,
  deleteOrphanAnonymousContact,
  findContactByEmail,
  findContactById,
  findOrCreateContact,
  setAnonymousContactEmail,
} from '../visitors/contact-repo.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import {
  findConversationForTenant,
  findThreadByRef,
  findThreadContext,
  listConversationsOfToken,
  updateConversation,
} from './conversation-repo.ts'
import type { ConversationRow, ThreadRow } from './types.ts'

/**
 * The one rule for "is this the visitor's conversation?", used by REST and WebSocket messages,
 * following a thread live, the history, the voice token and attachment downloads.
 *
 * A conversation is the visitor's when
 * - it is recorded under the request's email token (`owner_token_id` = the token's id), or
 * - its contact proved the email (`contact_verified`) and the request's token proves the same
 *   email (identity verification or a mailed code).
 *
 * A conversation nobody has claimed yet (no owner token, no proven contact: an anonymous chat)
 * is reachable through its thread reference alone — the unguessable id the widget keeps — and
 * the first token that continues it claims it. Nothing else reaches a conversation: knowing an
 * email, a conversation id or an upload id proves nothing.
 */
export function ownsConversation(
  conversation: Pick<ConversationRow, 'owner_token_id' | 'contact_verified'>,
  contactEmail: string | null | undefined,
  identity: VisitorIdentity,
): boolean {
  const token = identity.token
  if (token !== undefined && conversation.owner_token_id === token.id) return true
  return (
    conversation.contact_verified === 1 &&
    identity.verifiedEmail !== undefined &&
    contactEmail === identity.verifiedEmail
  )
}

/** Nobody claimed it: no owner token and no proven contact. */
export function isUnclaimed(
  conversation: Pick<ConversationRow, 'owner_token_id' | 'contact_verified'>,
): boolean {
  return conversation.owner_token_id === null && conversation.contact_verified !== 1
}

/**
 * {@link ownsConversation}, or an unclaimed conversation whose thread the request named
 * (`holdsThread`).
 */
export function mayUseConversation(
  conversation: Pick<ConversationRow, 'owner_token_id' | 'contact_verified'>,
  contactEmail: string | null | undefined,
  identity: VisitorIdentity,
  holdsThread: boolean,
): boolean {
  return (
    ownsConversation(conversation, contactEmail, identity) ||
    (holdsThread && isUnclaimed(conversation))
  )
}

/**
 * May this visitor use conversation `conversationId`? `thread` is the thread the request named,
 * if any — its reference, or the thread already found by it (it must be one of this
 * conversation's threads to count).
 */
export async function mayUseConversationById(
  db: Db,
  tenantId: string,
  conversationId: string,
  identity: VisitorIdentity,
  thread?: string | Pick<ThreadRow, 'conversation_id'> | undefined,
): Promise<boolean> {
  const conversation = await findConversationForTenant(db, tenantId, conversationId)
  if (conversation === undefined) return false
  const contact = conversation.contact_id
    ? await findContactById(db, tenantId, conversation.contact_id)
    : undefined
  const named =
    typeof thread === 'string' && isUnclaimed(conversation)
      ? await findThreadByRef(db, tenantId, thread)
      : typeof thread === 'object'
        ? thread
        : undefined
  return mayUseConversation(
    conversation,
    contact?.email,
    identity,
    named?.conversation_id === conversation.id,
  )
}

/**
 * May this visitor follow (see live frames of) `thread`, whose reference it named? Its own
 * conversation, or one nobody claimed yet.
 */
export async function mayFollowThread(
  db: Db,
  tenantId: string,
  thread: Pick<ThreadRow, 'tenant_id' | 'conversation_id'>,
  identity: VisitorIdentity,
): Promise<boolean> {
  if (thread.tenant_id !== tenantId) return false
  return mayUseConversationById(db, tenantId, thread.conversation_id, identity, thread)
}

/** Ownership columns of a conversation the identity starts. */
export function ownershipOfNew(
  identity: VisitorIdentity,
): Pick<ConversationRow, 'contact_verified' | 'owner_token_id' | 'claimed_email'> {
  return {
    contact_verified: identity.verifiedEmail !== undefined ? 1 : 0,
    owner_token_id: identity.token?.id ?? null,
    claimed_email: identity.verifiedEmail === undefined ? (identity.senderEmail ?? null) : null,
  }
}

type Claim = Partial<
  Pick<ConversationRow, 'contact_id' | 'contact_verified' | 'owner_token_id' | 'claimed_email'>
>

/**
 * What continuing a conversation the visitor may use changes about who it belongs to: an
 * unowned one is recorded under the request's token; a proven email files it under that email's
 * contact; a merely claimed email is kept as the claim (never put on a contact). Runs inside the
 * caller's transaction; the caller writes the returned patch.
 */
export async function claimConversation(
  db: Db,
  tenantId: string,
  conversation: ConversationRow,
  contact: ContactRow | undefined,
  identity: VisitorIdentity,
): Promise<{ contact: ContactRow; patch: Claim }> {
  const patch: Claim = {}
  if (identity.token !== undefined && conversation.owner_token_id === null) {
    patch.owner_token_id = identity.token.id
  }
  if (identity.verifiedEmail !== undefined && conversation.contact_verified !== 1) {
    contact = await contactWithEmail(db, tenantId, contact, identity.verifiedEmail)
    patch.contact_verified = 1
  } else if (
    identity.senderEmail !== undefined &&
    conversation.contact_verified !== 1 &&
    conversation.claimed_email === null
  ) {
    patch.claimed_email = identity.senderEmail
  }
  contact ??= await createAnonymousContact(db, tenantId)
  if (contact.id !== conversation.contact_id) patch.contact_id = contact.id
  return { contact, patch }
}

/** `current` given this email when it is anonymous and the email is free, else the email's contact. */
async function contactWithEmail(
  db: Db,
  tenantId: string,
  current: ContactRow | undefined,
  email: string,
): Promise<ContactRow> {
  if (current?.email === email) return current
  if (current && current.email === null && !(await findContactByEmail(db, tenantId, email))) {
    if (await setAnonymousContactEmail(db, tenantId, current.id, email)) {
      return { ...current, email }
    }
  }
  return findOrCreateContact(db, tenantId, email)
}

/**
 * Signing in: the conversation of the thread this browser holds becomes the token's, when nobody
 * claimed it yet. Anything else (unknown thread, someone's conversation) is left alone silently.
 */
export async function claimThreadForToken(
  db: Db,
  tenantId: string,
  threadRef: string,
  identity: VisitorIdentity,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const found = await findThreadContext(trx, tenantId, threadRef)
    if (found === undefined || !isUnclaimed(found.conversation)) return
    await applyClaim(trx, tenantId, found.conversation, found.contact, identity)
  })
}

/**
 * A token's email was just proven (mailed code): every conversation recorded under the token is
 * filed under that email's contact, so the visitor's other proven devices list them too.
 */
export async function fileTokenConversationsAsProven(
  db: Db,
  tenantId: string,
  identity: VisitorIdentity,
): Promise<void> {
  if (identity.token === undefined || identity.verifiedEmail === undefined) return
  const tokenId = identity.token.id
  await db.transaction().execute(async (trx) => {
    for (const conversation of await listConversationsOfToken(trx, tenantId, tokenId)) {
      if (conversation.contact_verified === 1) continue
      const contact = conversation.contact_id
        ? await findContactById(trx, tenantId, conversation.contact_id)
        : undefined
      await applyClaim(trx, tenantId, conversation, contact, identity)
    }
  })
}

async function applyClaim(
  db: Db,
  tenantId: string,
  conversation: ConversationRow,
  previous: ContactRow | undefined,
  identity: VisitorIdentity,
): Promise<void> {
  const { contact, patch } = await claimConversation(db, tenantId, conversation, previous, identity)
  await updateConversation(db, tenantId, conversation.id, patch)
  if (previous && previous.id !== contact.id && previous.email === null) {
    await deleteOrphanAnonymousContact(db, tenantId, previous.id)
  }
}
