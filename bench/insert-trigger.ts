/**
 * What the analytics triggers cost a message insert on SQLite: 20,000 message inserts in one
 * transaction (half visitor messages, half cited answers, over 50 conversations) with no
 * analytics trigger, with migration 0030's (figures kept on conversations) and with 0030's and
 * 0031's (rollups per quarter hour and wait histograms), in turn three times.
 * `npx tsx bench/insert-trigger.ts`
 */
import { sql } from 'kysely'
import { createTestDatabase, createTestTenant } from '../packages/server/test/helpers.ts'

const N = 20_000
const CONVERSATIONS = 50

const ROLLUP_TRIGGERS = [
  'conversations_slots_insert',
  'conversations_slots_delete',
  'conversations_slots_update',
  'conversations_waits_insert',
  'conversations_waits_delete',
  'conversations_waits_update',
  'messages_slots_insert',
  'messages_slots_delete',
  'messages_slots_update',
]
type Variant = 'none' | '0030' | '0030+0031'

async function microsecondsPerInsert(variant: Variant): Promise<number> {
  const h = await createTestDatabase('sqlite')
  try {
    const tenant = (await createTestTenant(h.db)).tenantId
    if (variant !== '0030+0031')
      for (const name of ROLLUP_TRIGGERS) await sql`drop trigger ${sql.id(name)}`.execute(h.db)
    if (variant === 'none') await sql`drop trigger messages_conversation_stats`.execute(h.db)
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

const variants: Variant[] = ['none', '0030', '0030+0031']
const runs = new Map<Variant, number[]>(variants.map((v) => [v, []]))
for (let k = 0; k < 3; k++)
  for (const v of variants) runs.get(v)!.push(await microsecondsPerInsert(v))
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!
for (const [name, v] of runs)
  console.log(
    `${`triggers ${name}:`.padEnd(20)} ${v.map((x) => x.toFixed(1)).join(' / ')} µs per insert (median ${median(v).toFixed(1)})`,
  )
const none = median(runs.get('none')!)
console.log(
  `added per message insert: 0030 ${(median(runs.get('0030')!) - none).toFixed(1)} µs, 0030+0031 ${(median(runs.get('0030+0031')!) - none).toFixed(1)} µs`,
)
