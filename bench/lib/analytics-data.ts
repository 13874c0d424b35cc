/**
 * Generated support history for the analytics bench: conversations of eight messages (four
 * visitor questions and their replies) spread over the last 28 days, so the default report
 * period (the last 30 days) covers every one of them. Bulk-loaded straight into the store:
 * SQLite through one prepared insert in large transactions, PostgreSQL through multi-row
 * inserts of 1,000 rows in large transactions.
 */
import SQLite from 'better-sqlite3'
import pg from 'pg'
import type { BenchStore } from './seed.ts'

const DAY_MS = 86_400_000
const PER_CONVERSATION = 8
/** Conversations per transaction. */
const CHUNK = 2500

// Questions the knowledge base does not cover: ten topics in four wordings each, every question
// with its own order number (no two texts alike, as with real visitors), so the unanswered list
// has real groups to form.
const TOPICS = [
  ['ship to Iceland', 'deliver to Iceland', 'shipping to Iceland', 'send orders to Iceland'],
  ['pay with crypto', 'pay in bitcoin', 'accept cryptocurrency', 'bitcoin payment'],
  ['gift wrapping', 'wrap my order as a gift', 'gift wrap option', 'gift-wrapped parcel'],
  ['student discount', 'discount for students', 'student pricing', 'students get a discount'],
  ['repair my blender', 'blender repair', 'fix a broken blender', 'repairs for blenders'],
  ['wholesale prices', 'buy wholesale', 'bulk order pricing', 'wholesale account'],
  ['store in Lisbon', 'shop in Lisbon', 'Lisbon showroom', 'visit you in Lisbon'],
  ['engrave a mug', 'engraving on mugs', 'personalised mug engraving', 'mug engraved'],
  ['rent a projector', 'projector rental', 'hire a projector', 'projector for rent'],
  ['trade in my phone', 'phone trade-in', 'trade-in for old phones', 'exchange my old phone'],
]
const ANSWERED = [
  'How do I reset my password?',
  'Where is my order?',
  'How long does shipping take?',
  'Can I return an item?',
  'How do I change my email address?',
]
const CITED = JSON.stringify({ sources: [{ id: 'kb_returns', title: 'Returns and refunds' }] })
const UNANSWERED = JSON.stringify({ unanswered: true })

type Value = string | number | null
interface Rows {
  conversations: Value[][]
  threads: Value[][]
  messages: Value[][]
  feedback: Value[][]
}

/** Conversation `c` of `total`: its rows (deterministic, so SQLite and PostgreSQL match). */
function conversationRows(tenantId: string, c: number, total: number, now: number, out: Rows) {
  const id = `cnv_bench_${c}`
  const thread = `thr_bench_${c}`
  const start = now - 28 * DAY_MS + Math.floor((c / total) * 28 * DAY_MS - 3_600_000)
  const iso = (offsetMs: number) => new Date(start + offsetMs).toISOString()
  const kind = c % 20
  const handedOff = kind === 3 || kind === 11 // 10 %
  const unanswered = kind === 5 || kind === 9 || kind === 15 // 15 %
  const resolved = kind % 3 === 0
  const topic = TOPICS[c % TOPICS.length]!
  const lastAt = iso((PER_CONVERSATION - 1) * 20_000)
  out.conversations.push([
    id,
    tenantId,
    ANSWERED[c % ANSWERED.length]!,
    resolved ? 'resolved' : 'open',
    iso(0),
    lastAt,
    handedOff ? 'human' : 'ai',
    handedOff ? iso(4 * 20_000) : null,
    handedOff ? 'visitor_request' : null,
    handedOff ? iso(6 * 20_000) : null,
  ])
  out.threads.push([thread, tenantId, id, `bench-${c}`, iso(0)])
  for (let i = 0; i < PER_CONVERSATION; i += 2) {
    const q = `msg_bench_${c}_${i}`
    const last = i === PER_CONVERSATION - 2
    const question =
      last && unanswered
        ? `Can you ${topic[(c >> 4) % topic.length]}? It is for order ${c}.`
        : `${ANSWERED[(c + i) % ANSWERED.length]} (${c})`
    out.messages.push([q, tenantId, id, thread, 'contact', question, null, null, iso(i * 20_000)])
    const person = handedOff && i >= 6
    out.messages.push([
      `msg_bench_${c}_${i + 1}`,
      tenantId,
      id,
      thread,
      person ? 'agent' : 'ai',
      person
        ? 'Thanks for waiting, I can help with that.'
        : last && unanswered
          ? "I don't have an answer to that yet, a member of the team should take a look."
          : 'Here is how: open Settings, then Account, and follow the steps.',
      person ? null : q,
      person ? null : last && unanswered ? UNANSWERED : CITED,
      iso((i + 1) * 20_000),
    ])
  }
  // Votes on the last answer: 5 % up, 3 % down.
  const vote = c % 100 < 5 ? 'up' : c % 100 < 8 ? 'down' : null
  if (vote && !handedOff && !unanswered)
    out.feedback.push([`msg_bench_${c}_7`, tenantId, id, vote, lastAt, lastAt])
}

const COLUMNS = {
  conversations:
    'id, tenant_id, subject, status, created_at, updated_at, handled_by, handoff_requested_at, handoff_reason, first_human_reply_at',
  threads: 'id, tenant_id, conversation_id, source_thread_id, created_at',
  messages:
    'id, tenant_id, conversation_id, thread_id, sender_type, body, reply_to_id, metadata, created_at',
  feedback: 'message_id, tenant_id, conversation_id, rating, created_at, updated_at',
} as const
const TABLES = {
  conversations: 'conversations',
  threads: 'threads',
  messages: 'messages',
  feedback: 'message_feedback',
} as const
const ORDER = ['conversations', 'threads', 'messages', 'feedback'] as const

/** Generates `messages` (rounded down to whole conversations) for the tenant; returns how many. */
export async function loadMessages(
  store: BenchStore,
  tenantId: string,
  messages: number,
): Promise<{ messages: number; conversations: number; ms: number }> {
  const total = Math.max(1, Math.floor(messages / PER_CONVERSATION))
  const now = Date.now()
  const t0 = performance.now()
  const chunks = function* () {
    for (let from = 0; from < total; from += CHUNK) {
      const rows: Rows = { conversations: [], threads: [], messages: [], feedback: [] }
      for (let c = from; c < Math.min(total, from + CHUNK); c++)
        conversationRows(tenantId, c, total, now, rows)
      yield rows
    }
  }
  if (store.dialect === 'sqlite') {
    const db = new SQLite(store.file)
    try {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      const insert = Object.fromEntries(
        ORDER.map((k) => {
          const n = COLUMNS[k].split(',').length
          return [
            k,
            db.prepare(
              `insert into ${TABLES[k]} (${COLUMNS[k]}) values (${Array(n).fill('?').join(',')})`,
            ),
          ]
        }),
      ) as Record<(typeof ORDER)[number], SQLite.Statement>
      const write = db.transaction((rows: Rows) => {
        for (const k of ORDER) for (const r of rows[k]) insert[k].run(...r)
      })
      for (const rows of chunks()) write(rows)
      db.exec('analyze')
    } finally {
      db.close()
    }
  } else {
    const client = new pg.Client({ connectionString: store.url })
    await client.connect()
    try {
      await client.query(`set search_path to "${store.schema}"`)
      for (const rows of chunks()) {
        await client.query('begin')
        for (const k of ORDER) {
          const width = COLUMNS[k].split(',').length
          for (let i = 0; i < rows[k].length; i += 1000) {
            const batch = rows[k].slice(i, i + 1000)
            const values = batch
              .map(
                (_, r) => `(${Array.from({ length: width }, (_, j) => `$${r * width + j + 1}`)})`,
              )
              .join(',')
            await client.query(
              `insert into ${TABLES[k]} (${COLUMNS[k]}) values ${values}`,
              batch.flat(),
            )
          }
        }
        await client.query('commit')
      }
      // What autovacuum does after a bulk load, done now rather than at some point in the run.
      await client.query('vacuum analyze messages')
      await client.query('vacuum analyze conversations')
      await client.query('vacuum analyze message_feedback')
      // And the checkpoint that follows a load this size, so that the timed queries do not run
      // while the server writes the loaded pages out (they did: 205 ms against 80–107 ms for the
      // unanswered list minutes later). It needs a superuser; elsewhere the run goes on without.
      await client.query('checkpoint').catch(() => {})
    } finally {
      await client.end()
    }
  }
  return {
    messages: total * PER_CONVERSATION,
    conversations: total,
    ms: performance.now() - t0,
  }
}

/** `select count(*) from messages` on the store, timed (ms); the plain baseline. */
export async function timeCount(
  store: BenchStore,
  runs: number,
): Promise<{ times: number[]; rows: number }> {
  const times: number[] = []
  let rows = 0
  if (store.dialect === 'sqlite') {
    const db = new SQLite(store.file, { readonly: true })
    try {
      const q = db.prepare('select count(*) as n from messages')
      q.get()
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now()
        rows = Number((q.get() as { n: number }).n)
        times.push(performance.now() - t0)
      }
    } finally {
      db.close()
    }
    return { times, rows }
  }
  const client = new pg.Client({ connectionString: store.url })
  await client.connect()
  try {
    await client.query(`set search_path to "${store.schema}"`)
    await client.query('select count(*) from messages')
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      rows = Number((await client.query('select count(*) as n from messages')).rows[0].n)
      times.push(performance.now() - t0)
    }
  } finally {
    await client.end()
  }
  return { times, rows }
}
