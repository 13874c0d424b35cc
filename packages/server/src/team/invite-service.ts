import { timingSafeEqual } from 'node:crypto'
import {
  type InviteLookupResponse,
  TEAM_INVITE_TTL_HOURS,
  type TeamInvite,
  type TeamInviteCreatedResponse,
  type TeamInviteCreateRequest,
  type TeamRole,
} from '@aurion/contract'
import { checkNewPassword } from '../admin-users/password.ts'
import {
  type AdminUserRow,
  checkEmail,
  createAdminUser,
  findAdminUserByEmail,
  findAdminUserById,
  normalizeEmail,
} from '../admin-users/user-repo.ts'
import type { RouteContext } from '../app-deps.ts'
import { sha256Hex } from '../auth/keys.ts'
import type { Db } from '../db/schema.ts'
import { conflict, invalidField, invalidInvite, notFound, rateLimited } from '../errors.ts'
import { newId, randomBase62 } from '../ids.ts'
import type { RateLimitRule } from '../limits/rate-limiter.ts'
import { findTenantById } from '../tenants/tenant-repo.ts'
import { inviteMail } from './invite-mail.ts'
import {
  countPendingInvites,
  deleteOldInvites,
  deletePendingInvite,
  deletePendingInvitesFor,
  findInviteByTokenHash,
  type InviteRow,
  type InviteWithInviter,
  insertInvite,
  listPendingInvites,
  markInviteAccepted,
} from './invite-repo.ts'
import { assertManagesTeam, assertMayGrant, type TeamActor } from './team-rules.ts'

/** Invitation tokens: `ainv_` + 43 base62 characters (≈ 256 bits). Only their SHA-256 is stored. */
export const INVITE_TOKEN_PREFIX = 'ainv_'
/** Pending invitations per tenant, and invitations sent per tenant per hour (mail floods). */
export const MAX_PENDING_INVITES = 100
export const INVITE_SEND_LIMIT: RateLimitRule = {
  bucket: 'team-invite-send',
  limit: 30,
  windowSec: 3600,
}

type Ctx = Pick<RouteContext, 'db' | 'database' | 'mailer' | 'limiter' | 'config'>

const toInvite = (row: InviteWithInviter): TeamInvite => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role as TeamRole,
  invited_by:
    row.inviter_email !== null ? { name: row.inviter_name, email: row.inviter_email } : null,
  created_at: row.created_at,
  expires_at: row.expires_at,
})

/** The set-password link of a token, on the console. */
export function inviteUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/admin/invite/${token}`
}

/**
 * Invites a teammate: a one-time set-password link valid {@link TEAM_INVITE_TTL_HOURS} hours,
 * mailed when the server sends mail, else (or when the send fails) returned in `invite_url` this
 * once. A new invitation of the same email replaces the pending one.
 * @throws ApiError 403 (an agent; an admin inviting an owner), 409 (already a console user, too
 *   many pending), 422 (email), 429 (too many sent this hour).
 */
export async function createInvite(
  ctx: Ctx,
  actor: TeamActor,
  input: TeamInviteCreateRequest,
  now = new Date(),
): Promise<TeamInviteCreatedResponse> {
  assertMayGrant(actor, input.role)
  const problem = checkEmail(input.email)
  if (problem) throw invalidField(['body', 'email'], problem)
  const email = normalizeEmail(input.email)
  if (await findAdminUserByEmail(ctx.db, email))
    throw conflict('This email already has a console account')
  if ((await countPendingInvites(ctx.db, actor.tenantId, now)) >= MAX_PENDING_INVITES)
    throw conflict(`At most ${MAX_PENDING_INVITES} invitations can be pending: withdraw some first`)
  const rate = await ctx.limiter.consume(INVITE_SEND_LIMIT, actor.tenantId)
  if (!rate.allowed) throw rateLimited(rate.limit, rate.retryAfterSec)

  const [tenant, inviter] = await Promise.all([
    findTenantById(ctx.db, actor.tenantId),
    findAdminUserById(ctx.db, actor.userId),
  ])
  if (!tenant) throw notFound('Tenant not found')
  const token = INVITE_TOKEN_PREFIX + randomBase62(43)
  const row: InviteRow = {
    id: newId('inv'),
    tenant_id: actor.tenantId,
    email,
    name: input.name?.trim() || null,
    role: input.role,
    token_hash: sha256Hex(token),
    invited_by: actor.userId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + TEAM_INVITE_TTL_HOURS * 3600_000).toISOString(),
    accepted_at: null,
  }
  await ctx.db.transaction().execute(async (trx) => {
    await deletePendingInvitesFor(trx, actor.tenantId, email)
    await insertInvite(trx, row)
  })
  deleteOldInvites(ctx.db, now).catch(() => {})

  const url = inviteUrl(ctx.config.publicUrl, token)
  let mailed = false
  if (ctx.mailer.canSend) {
    try {
      await ctx.mailer.send(
        inviteMail({
          to: email,
          url,
          role: row.role,
          tenantName: tenant.name,
          inviter: inviter ? { name: inviter.name, email: inviter.email } : undefined,
        }),
      )
      mailed = true
    } catch {
      // The inviter gets the link instead and can pass it on.
    }
  }
  const invite = toInvite({
    ...row,
    inviter_email: inviter?.email ?? null,
    inviter_name: inviter?.name ?? null,
  })
  return { ...invite, mailed, invite_url: mailed ? null : url }
}

/** The tenant's pending invitations (owners and admins). */
export async function listInvites(db: Db, actor: TeamActor, now = new Date()) {
  assertManagesTeam(actor)
  return (await listPendingInvites(db, actor.tenantId, now)).map(toInvite)
}

/** Withdraws a pending invitation: its link stops working. 404 when there is none. */
export async function withdrawInvite(db: Db, actor: TeamActor, inviteId: string): Promise<void> {
  assertManagesTeam(actor)
  const pending = (await listPendingInvites(db, actor.tenantId, new Date())).find(
    (i) => i.id === inviteId,
  )
  if (!pending) throw notFound('Invitation not found')
  assertMayGrant(actor, pending.role as TeamRole)
  await deletePendingInvite(db, actor.tenantId, inviteId)
}

/**
 * The pending, unexpired invitation of a token. The row is found by the token's SHA-256 and the
 * hashes compared again in constant time. Forged, used, withdrawn and expired tokens are one
 * answer: 400 invalid_invite.
 */
async function pendingInviteOf(db: Db, token: string, now: Date): Promise<InviteRow> {
  if (!token.startsWith(INVITE_TOKEN_PREFIX)) throw invalidInvite()
  const hash = sha256Hex(token)
  const row = await findInviteByTokenHash(db, hash)
  if (!row) throw invalidInvite()
  const a = Buffer.from(row.token_hash, 'hex')
  const b = Buffer.from(hash, 'hex')
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw invalidInvite()
  if (row.accepted_at !== null || row.expires_at <= now.toISOString()) throw invalidInvite()
  return row
}

/** Whom a valid invitation is for (the set-password page shows it). */
export async function lookupInvite(
  db: Db,
  token: string,
  now = new Date(),
): Promise<InviteLookupResponse> {
  const row = await pendingInviteOf(db, token, now)
  const tenant = await findTenantById(db, row.tenant_id)
  if (!tenant) throw invalidInvite()
  return {
    email: row.email,
    name: row.name,
    role: row.role as TeamRole,
    tenant: { name: tenant.name },
    expires_at: row.expires_at,
  }
}

/**
 * Uses an invitation: creates the console user with the invited role and the chosen password,
 * once. Of two concurrent uses one wins; the other gets 400 invalid_invite.
 * @throws ApiError 400 invalid_invite, 409 (the email got an account meanwhile), 422 (password).
 */
export async function acceptInvite(
  ctx: Pick<Ctx, 'db'>,
  input: { token: string; password: string; name?: string | undefined },
  now = new Date(),
): Promise<AdminUserRow> {
  const invite = await pendingInviteOf(ctx.db, input.token, now)
  const problem = checkNewPassword(input.password)
  if (problem) throw invalidField(['body', 'password'], problem)
  const name = input.name?.trim() || invite.name
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await markInviteAccepted(trx, invite.id, now))) throw invalidInvite()
    if (await findAdminUserByEmail(trx, invite.email))
      throw conflict('This email already has a console account: sign in instead')
    return createAdminUser(trx, {
      tenantId: invite.tenant_id,
      email: invite.email,
      name,
      password: input.password,
      role: invite.role as TeamRole,
    })
  })
}
