import {
  type Compilable,
  type CompiledQuery,
  type InsertQueryBuilder,
  type InsertResult,
  type QueryResult,
  SqliteAdapter,
} from 'kysely'
import type { Database, Db } from './schema.ts'

/** Runs a {@link prepare}d query with fresh parameters (on the database or a transaction). */
export type PreparedQuery<P extends object, R> = (db: Db, params: P) => Promise<QueryResult<R>>

interface Template {
  compiled: CompiledQuery
  /** Per compiled parameter: the name of the parameter it takes, or undefined for a constant. */
  paramOf: (string | undefined)[]
  constants: unknown[]
}

// Stand-ins for the parameters while the query is built once: strings nothing else produces.
const MARKER = '\u0000aurion-param-'
const marker = (name: string) => `${MARKER}${name}\u0000`
/** An object whose every property is the stand-in of that parameter. */
const STAND_INS = new Proxy(
  {},
  { get: (_target, name) => (typeof name === 'string' ? marker(name) : undefined) },
)

/**
 * A query built and compiled by Kysely once per dialect, then run with fresh parameters. Building
 * and compiling cost about twice as much CPU as running a simple statement; hot paths (every
 * widget message) skip both. The SQL text is the same each time, so the driver's prepared
 * statement is reused too.
 *
 * `build` is called once, with stand-ins for the parameters: it must use each one only as a value
 * (in `where`, `values`, `set`, `limit`…), never to decide the query's shape, and must use every
 * parameter it is given. Both are checked when the query is compiled.
 */
export function prepare<P extends object, R>(
  build: (db: Db, params: P) => Compilable<R>,
): PreparedQuery<P, R> {
  // Per dialect adapter: a database handle and its transactions share one.
  const templates = new WeakMap<object, Template>()
  return async (db, params) => {
    const executor = db.getExecutor()
    let t = templates.get(executor.adapter)
    if (t === undefined) {
      if (executor.plugins.length > 0) throw new Error('prepared queries do not support plugins')
      t = compileTemplate(db, build, params)
      templates.set(executor.adapter, t)
    }
    const { paramOf, constants } = t
    const values = params as Record<string, unknown>
    const parameters = new Array<unknown>(paramOf.length)
    for (let i = 0; i < paramOf.length; i++) {
      const name = paramOf[i]
      parameters[i] = name === undefined ? constants[i] : values[name]
    }
    return db.executeQuery<R>({
      query: t.compiled.query,
      queryId: t.compiled.queryId,
      sql: t.compiled.sql,
      parameters,
    })
  }
}

function compileTemplate<P extends object>(
  db: Db,
  build: (db: Db, params: P) => Compilable<unknown>,
  first: P,
): Template {
  const compiled = build(db, STAND_INS as P).compile()
  if (compiled.sql.includes('\u0000')) {
    throw new Error(`a prepared query's parameter ended up in its SQL text: ${compiled.sql}`)
  }
  const paramOf: (string | undefined)[] = []
  const constants: unknown[] = []
  const used = new Set<string>()
  compiled.parameters.forEach((p, i) => {
    if (typeof p === 'string' && p.startsWith(MARKER) && p.endsWith('\u0000')) {
      const name = p.slice(MARKER.length, -1)
      paramOf[i] = name
      used.add(name)
    } else {
      if (typeof p === 'string' && p.includes('\u0000')) {
        throw new Error(`a prepared query's parameter was transformed: ${JSON.stringify(p)}`)
      }
      paramOf[i] = undefined
      constants[i] = p
    }
  })
  const unused = Object.keys(first).filter((name) => !used.has(name))
  if (unused.length > 0) {
    throw new Error(`a prepared query does not use its parameters ${unused}: ${compiled.sql}`)
  }
  return { compiled, paramOf, constants }
}

/** The first row of a result, if any. */
export function firstRow<R>(result: QueryResult<R>): R | undefined {
  return result.rows[0]
}

/** Runs a {@link prepareInsert}ed insert; resolves to the integer key it generated. */
export type PreparedInsert<P extends object> = (db: Db, params: P) => Promise<number>

/**
 * A {@link prepare}d insert of one row that tells the integer primary key `key` generated for
 * it. PostgreSQL tells it with RETURNING; on SQLite, RETURNING doubles the cost of the insert
 * (7 → 14 µs) while the last insert rowid (the integer primary key) comes free.
 */
export function prepareInsert<P extends object, T extends keyof Database & string>(
  build: (db: Db, params: P) => InsertQueryBuilder<Database, T, InsertResult>,
  key: string & keyof Database[T],
): PreparedInsert<P> {
  const plain = prepare(build)
  const returning = prepare((db: Db, params: P) => build(db, params).returning(key as never))
  return async (db, params) => {
    const generated =
      db.getExecutor().adapter instanceof SqliteAdapter
        ? (await plain(db, params)).insertId
        : (firstRow(await returning(db, params)) as Record<string, unknown> | undefined)?.[key]
    if (generated === undefined || generated === null) {
      throw new Error(`an insert told no ${key}`)
    }
    return Number(generated)
  }
}
