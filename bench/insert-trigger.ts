/**
 * What migration 0030's per-message trigger (the analytics figures kept on conversations) costs
 * an insert on SQLite: 20,000 message inserts in one transaction, with the trigger and with it
 * dropped, alternating three times. `npx tsx bench/insert-trigger.ts`
 */
import { sql } from 'kysely'
import { createTestDatabase, createTestTenant } from '../packages/server/test/helpers.ts'

const N = 20_000
const CONVERSATIONS = 50

async function microsecondsPerInsert(withTrigger: boolean): Promise<number> {
  const h = await createTestDatabase('sqlite')
  try {
    const tenant = (await createTestTenant(h.db)).tenantId
    if (!withTrigger) await sql`drop trigger messages_conversation_stats`.execute(h.db)
    const now = new Date().toISOString()
    for (let c = 0; c < CONVERSATIONS; c++) {
      await sql`insert into conversations (id, tenant_id, subject, status, created_at, updated_at)
        values (${`c${c}`}, ${tenant}, 's', 'open', ${now}, ${now})`.execute(h.db)
      await sql`insert into threads (id, tenant_id, conversation_id, created_at)
        values (${`t${c}`}, ${tenant}, ${`c${c}`}, ${now})`.execute(h.db)
    }
    const t0 = performance.now()
    await h.db.transaction().execute(async (tx) => {
      for (let i = 0; i < N; i++) {
        const c = i % CONVERSATIONS
        const ai = i % 2 === 1
        await sql`insert into messages (id, tenant_id, conversation_id, thread_id, sender_type, body, metadata, private, created_at)
          values (${`m${i}`}, ${tenant}, ${`c${c}`}, ${`t${c}`}, ${ai ? 'ai' : 'contact'}, 'hello',
            ${ai ? '{"sources":[{"id":"kb_1"}]}' : null}, 0, ${now})`.execute(tx)
      }
    })
    return ((performance.now() - t0) * 1000) / N
  } finally {
    await h.close()
  }
}

const runs = { without: [] as number[], with: [] as number[] }
for (let k = 0; k < 3; k++) {
  runs.without.push(await microsecondsPerInsert(false))
  runs.with.push(await microsecondsPerInsert(true))
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!
for (const [name, v] of Object.entries(runs))
  console.log(
    `${name.padEnd(8)} trigger: ${v.map((x) => x.toFixed(1)).join(' / ')} µs per insert (median ${median(v).toFixed(1)})`,
  )
console.log(
  `added by the trigger: ${(median(runs.with) - median(runs.without)).toFixed(1)} µs per message insert`,
)
