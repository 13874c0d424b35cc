import { createHmac } from 'node:crypto'
import type { AuditActorType, AuditLogEntry } from '@aurion/contract'
import type { FastifyRequest } from 'fastify'
import type { AdminPrincipal } from '../auth/admin-auth.ts'
import type { Db } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'
import { type AuditRow, insertAuditEntry } from './audit-repo.ts'

/** Who did it: a console user (`id` = user id), an API key (key id), the server, or nobody known. */
export interface AuditActor {
  type: AuditActorType
  id: string | null
}

/** One administrative action, as {@link recordAudit} takes it. */
export interface AuditInput {
  tenantId: string
  actor: AuditActor
  /** Dotted `area.verb`, e.g. `config.updated`, `user.invited`, `webhook.changed`. */
  action: string
  /** What was acted on (a key id, a user id…). */
  target?: string | null | undefined
  /** Small JSON object. Never secrets, passwords or personal data: hash those ({@link auditHash}). */
  details?: Record<string, unknown> | undefined
  /** The caller's address: `request.ip` (Fastify applies `AURION_TRUST_PROXY`, see net/client-ip.ts). */
  ip?: string | null | undefined
}

/**
 * Appends an entry to the tenant's audit log (awaited: an acknowledged action is on record).
 * The log is append-only: no route changes it, and the database refuses UPDATE and DELETE.
 */
export async function recordAudit(db: Db, input: AuditInput): Promise<void> {
  const row: AuditRow = {
    id: nextAuditId(),
    tenant_id: input.tenantId,
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    action: input.action,
    target: input.target ?? null,
    details: input.details === undefined ? null : JSON.stringify(input.details),
    ip: input.ip ?? null,
    created_at: nowIso(),
  }
  await insertAuditEntry(db, row)
}

let lastMs = 0

/**
 * Ids sort in the order this process recorded them (the listing's order and cursor): two
 * entries of the same millisecond get consecutive times rather than random order.
 */
function nextAuditId(): string {
  lastMs = Math.max(Date.now(), lastMs + 1)
  return newId('aud', lastMs)
}

/** The actor of an authenticated admin request: its console user or its API key. */
export function actorOf(principal: AdminPrincipal): AuditActor {
  return principal.kind === 'session'
    ? { type: 'user', id: principal.userId ?? principal.id }
    : { type: 'api_key', id: principal.id }
}

/**
 * Records an action of an admin route (after `adminAuth`): tenant, actor and IP come from the
 * request. `await recordAdminAction(ctx.db, request, { action: 'user.invited', target: id })`.
 */
export async function recordAdminAction(
  db: Db,
  request: FastifyRequest,
  entry: Pick<AuditInput, 'action' | 'target' | 'details'>,
): Promise<void> {
  const principal = request.admin
  if (principal === undefined) throw new Error('recordAdminAction needs an authenticated request')
  await recordAudit(db, {
    tenantId: principal.tenantId,
    actor: actorOf(principal),
    ip: request.ip,
    ...entry,
  })
}

/**
 * A keyed hash of personal data for the log (an erased email, a sign-in email): the same value
 * always gives the same hash, so entries can be matched, but the log never holds the value.
 */
export function auditHash(secret: string, value: string): string {
  return createHmac('sha256', secret)
    .update(`aurion-audit:${value.trim().toLowerCase()}`, 'utf8')
    .digest('hex')
}

/** The API's view of a stored entry. */
export function toAuditEntry(row: AuditRow): AuditLogEntry {
  return {
    id: row.id,
    action: row.action,
    actor: { type: row.actor_type as AuditActorType, id: row.actor_id },
    target: row.target,
    details: row.details === null ? {} : (JSON.parse(row.details) as Record<string, unknown>),
    ip: row.ip,
    created_at: row.created_at,
  }
}
