import { sql } from 'kysely'
import type { Db, Dialect } from '../db/schema.ts'
import type { WaitBin } from './wait-histogram.ts'

/** One quarter hour's figures kept by migration 0031. */
export interface SlotFigures {
  /** Quarter hours (UTC) since 1970. */
  slot: number
  started: number
  handed_off: number
  /** Confirmed resolutions by the assistant. */
  resolved: number
  /** Resolved by the assistant once 24 hours pass after the conversation's last message. */
  assumable: number
  visitor_messages: number
}

/** The tenant's quarter hours `[fromSlot, toSlot)` that counted anything, in order. */
export async function listSlotFigures(
  db: Db,
  tenantId: string,
  fromSlot: number,
  toSlot: number,
): Promise<SlotFigures[]> {
  const { rows } = await sql<Record<keyof SlotFigures, unknown>>`
    select slot, sum(started) as started, sum(handed_off) as handed_off,
      sum(resolved) as resolved, sum(assumable) as assumable,
      sum(visitor_messages) as visitor_messages
    from analytics_slots
    where tenant_id = ${tenantId} and slot >= ${fromSlot} and slot < ${toSlot}
    group by slot
    having sum(started) <> 0 or sum(visitor_messages) <> 0
    order by slot`.execute(db)
  return rows.map((r) => ({
    slot: Number(r.slot),
    started: Number(r.started),
    handed_off: Number(r.handed_off),
    resolved: Number(r.resolved),
    assumable: Number(r.assumable),
    visitor_messages: Number(r.visitor_messages),
  }))
}

/**
 * Conversations started in `[fromIso, toIso)` counted as `assumable` by the rollup (class 3 of
 * migration 0031) whose last message is after `cutoffIso`: not resolved yet. Their start
 * times; few, as they are the last 24 hours' conversations.
 */
export async function listUnsettledAssumable(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
  cutoffIso: string,
): Promise<string[]> {
  // Migration 0031's class 3, written out: every earlier case fails.
  const { rows } = await sql<{ created_at: string }>`
    select c.created_at from conversations c
    where c.tenant_id = ${tenantId} and c.stat_last_message_at > ${cutoffIso}
      and c.created_at >= ${fromIso} and c.created_at < ${toIso}
      and c.handoff_requested_at is null and c.stat_person_messages <= 0
      and c.stat_answers <> 0 and c.stat_last_answer_seq is not null
      and not (c.stat_last_unanswered_seq is not null
        and c.stat_last_unanswered_seq > c.stat_last_answer_seq)
      and not (c.stat_last_visitor_seq is not null
        and (c.stat_last_ai_seq is null or c.stat_last_visitor_seq > c.stat_last_ai_seq))
      and coalesce(c.stat_last_answer_rating, '') not in ('up', 'down')
      and c.status <> 'resolved'`.execute(db)
  return rows.map((r) => r.created_at)
}

/** The merged histogram of one wait kind over the tenant's days `[fromDay, toDay)` (UTC). */
export async function listWaitBins(
  db: Db,
  tenantId: string,
  kind: 'ai' | 'human',
  fromDay: number,
  toDay: number,
): Promise<WaitBin[]> {
  const { rows } = await sql<{ bin: unknown; n: unknown; total: unknown }>`
    select bin, sum(n) as n, sum(total_ms) as total from analytics_wait_bins
    where tenant_id = ${tenantId} and kind = ${kind} and day >= ${fromDay} and day < ${toDay}
    group by bin
    having sum(n) <> 0`.execute(db)
  return rows.map((r) => ({ bin: Number(r.bin), n: Number(r.n), totalMs: Number(r.total) }))
}

const WAIT_COLUMNS = {
  ai: ['stat_first_visitor_at', 'stat_first_ai_at'],
  human: ['handoff_requested_at', 'first_human_reply_at'],
} as const

/** Milliseconds between two stored timestamps in the dialect's SQL (as migration 0031). */
const waitMsSql = (dialect: Dialect, a: string, b: string) =>
  dialect === 'postgres'
    ? sql.raw(`round(extract(epoch from (${b}::timestamptz - ${a}::timestamptz)) * 1000)::bigint`)
    : sql.raw(`cast(round((julianday(${b}) - julianday(${a})) * 86400000.0) as integer)`)

/** The non-negative waits (ms) of one kind of the conversations started in `[fromIso, toIso)`. */
export async function listWaits(
  db: Db,
  dialect: Dialect,
  tenantId: string,
  kind: 'ai' | 'human',
  fromIso: string,
  toIso: string,
): Promise<number[]> {
  const [a, b] = WAIT_COLUMNS[kind]
  const { rows } = await sql<{ w: unknown }>`
    select w from (
      select ${waitMsSql(dialect, `c.${a}`, `c.${b}`)} as w from conversations c
      where c.tenant_id = ${tenantId} and c.created_at >= ${fromIso} and c.created_at < ${toIso}
        and ${sql.ref(`c.${a}`)} is not null and ${sql.ref(`c.${b}`)} is not null
    ) waits where w >= 0`.execute(db)
  return rows.map((r) => Number(r.w))
}
