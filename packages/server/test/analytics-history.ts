import { sql } from 'kysely'
import type { Db } from '../src/db/schema.ts'
import { upsertMessageFeedback } from '../src/feedback/feedback-repo.ts'
import { seededRandom } from '../src/seeded-random.ts'

const CITED = '{"sources":[{"id":"kb_1","title":"Returns"}]}'
const UNANSWERED = '{"unanswered":true}'
const HOUR = 3_600_000

/**
 * Writes `count` random conversations of `tenantId` started in `[start, start + spanMs)` the way
 * the product does (rows inserted, then messages, votes and updates one by one), with every
 * time a multiple of 100 ms and every wait under 100 s. Some are later resolved, handed off,
 * moved in time or deleted. Returns the ids left.
 */
export async function writeRandomHistory(
  db: Db,
  tenantId: string,
  opts: { seed: number; count: number; start: number; spanMs: number; prefix?: string },
): Promise<string[]> {
  const rnd = seededRandom(opts.seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const tenth = (ms: number) => Math.floor(ms / 100) * 100
  const iso = (t: number) => new Date(t).toISOString()
  const ids: string[] = []
  for (let c = 0; c < opts.count; c++) {
    const id = `${opts.prefix ?? 'h'}${opts.seed}_${c}`
    const t0 = opts.start + tenth(rnd() * opts.spanMs)
    await sql`insert into conversations (id, tenant_id, subject, status, created_at, updated_at)
      values (${id}, ${tenantId}, 'Subject', 'open', ${iso(t0)}, ${iso(t0)})`.execute(db)
    await sql`insert into threads (id, tenant_id, conversation_id, created_at)
      values (${`${id}-t`}, ${tenantId}, ${id}, ${iso(t0)})`.execute(db)
    const messages = Math.floor(rnd() * 7)
    // Half of them a visitor asking and the assistant answering, in turn; the rest anything.
    const orderly = rnd() < 0.5
    const answers: string[] = []
    for (let m = 0; m < messages; m++) {
      const sender = orderly
        ? m % 2 === 0
          ? 'contact'
          : 'ai'
        : pick(['contact', 'contact', 'ai', 'ai', 'agent'] as const)
      const metadata =
        sender !== 'ai' ? null : orderly ? CITED : pick([CITED, CITED, UNANSWERED, null])
      const mid = `${id}-m${m}`
      // Times within 90 s of the start, in any order: waits may be negative.
      await sql`insert into messages (id, tenant_id, conversation_id, thread_id, sender_type, body, metadata, private, created_at)
        values (${mid}, ${tenantId}, ${id}, ${`${id}-t`}, ${sender}, ${`body ${mid}`}, ${metadata},
          ${sender === 'agent' && rnd() < 0.3 ? 1 : 0}, ${iso(t0 + tenth(rnd() * 90_000))})`.execute(
        db,
      )
      if (metadata === CITED) answers.push(mid)
    }
    if (answers.length > 0 && rnd() < 0.4) {
      await upsertMessageFeedback(db, {
        message_id: pick(answers),
        tenant_id: tenantId,
        conversation_id: id,
        rating: pick(['up', 'down'] as const),
        comment: null,
        at: iso(t0 + 95_000),
      })
    }
    const r = rnd()
    if (r < 0.15) {
      const handoff = t0 + tenth(rnd() * 60_000)
      await sql`update conversations set handoff_requested_at = ${iso(handoff)},
          first_human_reply_at = ${rnd() < 0.7 ? iso(handoff + tenth(rnd() * 39_000)) : null}
        where id = ${id}`.execute(db)
    } else if (r < 0.3) {
      await sql`update conversations set status = 'resolved' where id = ${id}`.execute(db)
    } else if (r < 0.35) {
      await sql`delete from conversations where id = ${id}`.execute(db)
      continue
    } else if (r < 0.4) {
      // Moved to another quarter hour (and maybe day), as the tests' backdating does.
      await sql`update conversations set created_at = ${iso(t0 - tenth(rnd() * 30 * HOUR))}
        where id = ${id}`.execute(db)
    }
    ids.push(id)
  }
  return ids
}
