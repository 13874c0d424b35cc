import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/** Whole seconds since 1970 of a stored ISO 8601 timestamp. */
const epochSeconds = (d: Dialect, x: string) =>
  d === 'postgres'
    ? `floor(extract(epoch from (${x})::timestamptz))::bigint`
    : `cast(strftime('%s', ${x}) as integer)`

/** The quarter hour (UTC) a timestamp falls in, counted from 1970. */
const slotOf = (d: Dialect, x: string) => `(${epochSeconds(d, x)} / 900)`
/** The day (UTC) a timestamp falls in, counted from 1970. */
const dayOf = (d: Dialect, x: string) => `(${epochSeconds(d, x)} / 86400)`

/** Milliseconds from timestamp `a` to `b` (null when either is). */
const waitMs = (d: Dialect, a: string, b: string) =>
  d === 'postgres'
    ? `round(extract(epoch from ((${b})::timestamptz - (${a})::timestamptz)) * 1000)::bigint`
    : `cast(round((julianday(${b}) - julianday(${a})) * 86400000.0) as integer)`

/**
 * The histogram bin of a wait `w` (ms): `w` cut down to a multiple of 100 ms below 100 s, then
 * to three significant digits (1 s up to 1,000 s, 10 s up to 10,000 s, …). Mirrored by
 * `waitBin` in analytics/wait-histogram.ts.
 */
const binOf = (w: string) => `(${w} - ${w} % case when ${w} < 100000 then 100
    when ${w} < 1000000 then 1000 when ${w} < 10000000 then 10000
    when ${w} < 100000000 then 100000 when ${w} < 1000000000 then 1000000 else 10000000 end)`

/**
 * What a conversation counts as in the overview whatever the time (analytics/resolution.ts):
 * 1 handed off, 2 resolved by the assistant (confirmed), 3 resolved by the assistant once 24
 * hours pass after its last message (assumed), 0 neither.
 */
const classOf = (r: string) => `(case
    when ${r}.handoff_requested_at is not null or ${r}.stat_person_messages > 0 then 1
    when ${r}.stat_answers = 0 or ${r}.stat_last_answer_seq is null then 0
    when ${r}.stat_last_unanswered_seq is not null
      and ${r}.stat_last_unanswered_seq > ${r}.stat_last_answer_seq then 0
    when ${r}.stat_last_visitor_seq is not null
      and (${r}.stat_last_ai_seq is null or ${r}.stat_last_visitor_seq > ${r}.stat_last_ai_seq) then 0
    when ${r}.stat_last_answer_rating = 'down' then 0
    when ${r}.stat_last_answer_rating = 'up' or ${r}.status = 'resolved' then 2
    else 3
  end)`

/**
 * The rollup row a conversation's writes go to, among SHARDS per tenant and quarter hour (or day
 * and bin). On PostgreSQL, concurrent writers of one tenant would otherwise all update one row
 * and wait for each other's row lock until each commits: the conversation's id picks the shard,
 * so two conversations meet only one time in SHARDS. SQLite has one writer: always shard 0.
 * Readers sum the shards.
 */
const SHARDS = 8
const shardOf = (d: Dialect, conversationId: string) =>
  d === 'postgres' ? `(abs(hashtext(${conversationId})) % ${SHARDS})` : '0'

const SLOT_COLUMNS =
  'tenant_id, slot, shard, started, handed_off, resolved, assumable, visitor_messages'
const addSlot = `on conflict (tenant_id, slot, shard) do update set
    started = analytics_slots.started + excluded.started,
    handed_off = analytics_slots.handed_off + excluded.handed_off,
    resolved = analytics_slots.resolved + excluded.resolved,
    assumable = analytics_slots.assumable + excluded.assumable,
    visitor_messages = analytics_slots.visitor_messages + excluded.visitor_messages`
const addBin = `on conflict (tenant_id, kind, day, bin, shard) do update set
    n = analytics_wait_bins.n + excluded.n,
    total_ms = analytics_wait_bins.total_ms + excluded.total_ms`

/** Adds (`sign` 1) or takes away (-1) conversation row `r` in its quarter hour's counts. */
function slotUpsert(d: Dialect, r: string, sign: 1 | -1): string {
  const c = classOf(r)
  const when = (k: number) => `case when ${c} = ${k} then ${sign} else 0 end`
  return `insert into analytics_slots (${SLOT_COLUMNS})
    values (${r}.tenant_id, ${slotOf(d, `${r}.created_at`)}, ${shardOf(d, `${r}.id`)}, ${sign}, ${when(1)}, ${when(2)}, ${when(3)}, 0)
    ${addSlot}`
}

/** The two waits of a conversation: the assistant's first reply, a person's after a hand-off. */
const WAITS = [
  ['ai', 'stat_first_visitor_at', 'stat_first_ai_at'],
  ['human', 'handoff_requested_at', 'first_human_reply_at'],
] as const

/** Adds or takes away conversation row `r`'s waits in its day's histograms. */
function binUpserts(d: Dialect, r: string, sign: 1 | -1): string[] {
  return WAITS.map(([kind, from, to]) => {
    const w = waitMs(d, `${r}.${from}`, `${r}.${to}`)
    return `insert into analytics_wait_bins (tenant_id, kind, day, bin, shard, n, total_ms)
      select ${r}.tenant_id, '${kind}', ${dayOf(d, `${r}.created_at`)}, ${binOf(w)}, ${shardOf(d, `${r}.id`)}, ${sign}, ${sign} * ${w}
      where ${w} >= 0
      ${addBin}`
  })
}

const distinct = (d: Dialect, a: string, b: string) =>
  d === 'postgres' ? `${a} is distinct from ${b}` : `${a} is not ${b}`
/** An update that moves a conversation to another quarter hour or class. */
const slotChanged = (d: Dialect) =>
  `old.tenant_id <> new.tenant_id or ${slotOf(d, 'old.created_at')} <> ${slotOf(d, 'new.created_at')} or ${classOf('old')} <> ${classOf('new')}`
/** An update that changes a wait or its day. */
const waitsChanged = (d: Dialect) =>
  [
    'old.tenant_id <> new.tenant_id',
    `${dayOf(d, 'old.created_at')} <> ${dayOf(d, 'new.created_at')}`,
    ...WAITS.flatMap(([, a, b]) => [
      distinct(d, `old.${a}`, `new.${a}`),
      distinct(d, `old.${b}`, `new.${b}`),
    ]),
  ].join(' or ')

/**
 * An update of a message that moves a visitor message (messages are written once; only a
 * rewrite of their time, as tests do, moves one).
 */
const MESSAGE_MOVED = `(old.sender_type = 'contact' or new.sender_type = 'contact')
  and (old.tenant_id <> new.tenant_id or old.sender_type <> new.sender_type
    or old.created_at <> new.created_at)`

/**
 * A row going while its tenant stays. When a tenant is deleted its rows go by the foreign keys'
 * cascade, and its rollup rows by a trigger on tenants, in either order: a row going after the
 * rollup rows must not write them again.
 */
const TENANT_LEFT = 'exists (select 1 from tenants where id = old.tenant_id)'

/** Statements of a trigger: rows taken away for `old`, added for `new`. */
function bodies(d: Dialect, make: (d: Dialect, r: string, sign: 1 | -1) => string | string[]) {
  const list = (r: string, sign: 1 | -1) => [make(d, r, sign)].flat()
  return {
    insert: list('new', 1),
    delete: list('old', -1),
    update: [...list('old', -1), ...list('new', 1)],
  }
}

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  const d: Dialect = 'sqlite'
  const create = (name: string, event: string, when: string | null, statements: string[]) =>
    sql
      .raw(`create trigger ${name} after ${event} on conversations for each row
        ${when === null ? '' : `when ${when}`}
        begin ${statements.map((s) => `${s};`).join('\n')} end`)
      .execute(db)
  const slots = bodies(d, (d, r, s) => slotUpsert(d, r, s))
  const bins = bodies(d, binUpserts)
  await create('conversations_slots_insert', 'insert', null, slots.insert)
  await create('conversations_slots_delete', 'delete', TENANT_LEFT, slots.delete)
  await create('conversations_slots_update', 'update', slotChanged(d), slots.update)
  await create('conversations_waits_insert', 'insert', null, bins.insert)
  await create('conversations_waits_delete', 'delete', TENANT_LEFT, bins.delete)
  await create('conversations_waits_update', 'update', waitsChanged(d), bins.update)
  const visitor = (r: string, sign: number) => `insert into analytics_slots (${SLOT_COLUMNS})
    select ${r}.tenant_id, ${slotOf(d, `${r}.created_at`)}, 0, 0, 0, 0, 0, ${sign}
    where ${r}.sender_type = 'contact' ${addSlot};`
  await sql
    .raw(`create trigger messages_slots_insert after insert on messages for each row
      when new.sender_type = 'contact' begin ${visitor('new', 1)} end`)
    .execute(db)
  await sql
    .raw(`create trigger messages_slots_delete after delete on messages for each row
      when old.sender_type = 'contact' and ${TENANT_LEFT} begin ${visitor('old', -1)} end`)
    .execute(db)
  await sql
    .raw(`create trigger messages_slots_update after update of tenant_id, sender_type, created_at
      on messages for each row when ${MESSAGE_MOVED}
      begin ${visitor('old', -1)} ${visitor('new', 1)} end`)
    .execute(db)
  await sql`create trigger tenants_analytics_delete after delete on tenants for each row begin
      delete from analytics_slots where tenant_id = old.id;
      delete from analytics_wait_bins where tenant_id = old.id;
    end`.execute(db)
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  const d: Dialect = 'postgres'
  // `set search_path from current`: the functions read this schema's tables whoever writes.
  const fn = async (name: string, body: string) =>
    sql
      .raw(`create function ${name}() returns trigger language plpgsql
        set search_path from current as $$
      begin
        ${body}
        return null;
      end $$`)
      .execute(db)
  const byOp = (b: { insert: string[]; delete: string[]; update: string[] }) =>
    `if tg_op = 'INSERT' then ${b.insert.map((s) => `${s};`).join('\n')}
    elsif tg_op = 'DELETE' then if ${TENANT_LEFT} then ${b.delete.map((s) => `${s};`).join('\n')} end if;
    else ${b.update.map((s) => `${s};`).join('\n')}
    end if;`
  await fn('conversations_slots', byOp(bodies(d, (d, r, s) => slotUpsert(d, r, s))))
  await fn('conversations_waits', byOp(bodies(d, binUpserts)))
  for (const [kind, changed] of [
    ['slots', slotChanged(d)],
    ['waits', waitsChanged(d)],
  ] as const) {
    await sql
      .raw(`create trigger conversations_${kind}_insert_delete after insert or delete on conversations
        for each row execute function conversations_${kind}()`)
      .execute(db)
    await sql
      .raw(`create trigger conversations_${kind}_update after update on conversations
        for each row when (${changed}) execute function conversations_${kind}()`)
      .execute(db)
  }
  const visitor = (r: string, sign: number) => `if ${r}.sender_type = 'contact' then
      insert into analytics_slots (${SLOT_COLUMNS})
      values (${r}.tenant_id, ${slotOf(d, `${r}.created_at`)}, ${shardOf(d, `${r}.conversation_id`)}, 0, 0, 0, 0, ${sign}) ${addSlot};
    end if;`
  await fn(
    'messages_slots',
    `if tg_op = 'UPDATE' or (tg_op = 'DELETE' and ${TENANT_LEFT}) then ${visitor('old', -1)} end if;
    if tg_op <> 'DELETE' then ${visitor('new', 1)} end if;`,
  )
  await sql`create trigger messages_slots_insert after insert on messages
    for each row when (new.sender_type = 'contact') execute function messages_slots()`.execute(db)
  await sql`create trigger messages_slots_delete after delete on messages
    for each row when (old.sender_type = 'contact') execute function messages_slots()`.execute(db)
  await sql
    .raw(`create trigger messages_slots_update after update of tenant_id, sender_type, created_at
      on messages for each row when (${MESSAGE_MOVED}) execute function messages_slots()`)
    .execute(db)
  await fn(
    'tenants_analytics_delete',
    `delete from analytics_slots where tenant_id = old.id;
    delete from analytics_wait_bins where tenant_id = old.id;`,
  )
  // Named to fire after the foreign keys' cascades (trigger names in order; theirs are `RI_…`).
  await sql`create trigger tenants_analytics_delete after delete on tenants
    for each row execute function tenants_analytics_delete()`.execute(db)
}

/**
 * Rollups of the analytics overview (issue 23): per tenant and quarter hour (UTC), the
 * conversations started in it by class and the visitor messages sent in it; per tenant, day
 * (UTC) and wait kind, a histogram of first response waits in milliseconds. Kept by triggers on
 * conversations (insert, delete, and the updates that move one to another class, quarter hour
 * or wait: the figures of migration 0030 change with each message) and on visitor messages, in
 * the writer's transaction; filled here from existing rows. The overview reads these instead of
 * every conversation: see docs/analytics.md ("Speed") for what is exact and what is binned.
 *
 * No foreign key to tenants: the cascade of a tenant's deletion runs the conversations'
 * triggers, which must not write rows the cascade already removed; a trigger on tenants
 * removes the rows afterwards.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer'
  await sql
    .raw(`create table analytics_slots (
      tenant_id text not null,
      slot ${big} not null,
      shard integer not null default 0,
      started integer not null default 0,
      handed_off integer not null default 0,
      resolved integer not null default 0,
      assumable integer not null default 0,
      visitor_messages integer not null default 0,
      primary key (tenant_id, slot, shard)
    )`)
    .execute(db)
  await sql
    .raw(`create table analytics_wait_bins (
      tenant_id text not null,
      kind text not null,
      day integer not null,
      bin ${big} not null,
      shard integer not null default 0,
      n integer not null default 0,
      total_ms ${big} not null default 0,
      primary key (tenant_id, kind, day, bin, shard)
    )`)
    .execute(db)
  // The conversations still inside their 24 hours (assumed resolution), by last message.
  await sql`create index conversations_tenant_last_message
    on conversations (tenant_id, stat_last_message_at)`.execute(db)

  const d = dialect
  const c = classOf('c')
  const count = (k: number) => `sum(case when ${c} = ${k} then 1 else 0 end)`
  await sql
    .raw(`insert into analytics_slots (${SLOT_COLUMNS})
      select c.tenant_id, ${slotOf(d, 'c.created_at')}, 0, count(*), ${count(1)}, ${count(2)}, ${count(3)}, 0
      from conversations c
      group by c.tenant_id, ${slotOf(d, 'c.created_at')}`)
    .execute(db)
  await sql
    .raw(`insert into analytics_slots (${SLOT_COLUMNS})
      select m.tenant_id, ${slotOf(d, 'm.created_at')}, 0, 0, 0, 0, 0, count(*)
      from messages m
      where m.sender_type = 'contact'
      group by m.tenant_id, ${slotOf(d, 'm.created_at')}
      ${addSlot}`)
    .execute(db)
  for (const [kind, from, to] of WAITS) {
    await sql
      .raw(`insert into analytics_wait_bins (tenant_id, kind, day, bin, n, total_ms)
        select tenant_id, '${kind}', day, ${binOf('w')}, count(*), sum(w)
        from (
          select c.tenant_id, ${dayOf(d, 'c.created_at')} as day, ${waitMs(d, `c.${from}`, `c.${to}`)} as w
          from conversations c
          where c.${from} is not null and c.${to} is not null
        ) waits
        where w >= 0
        group by tenant_id, day, ${binOf('w')}`)
      .execute(db)
  }
  if (dialect === 'postgres') await postgresTriggers(db)
  else await sqliteTriggers(db)
}
