import type { Compilable, CompiledQuery, QueryResult } from 'kysely'
import type { Db } from './schema.ts'

/** Runs a {@link prepare}d query with fresh arguments (on the database or a transaction). */
export type PreparedQuery<A extends unknown[], R> = (db: Db, ...args: A) => Promise<QueryResult<R>>

interface Template {
  compiled: CompiledQuery
  /** Per compiled parameter: the index of the argument it takes, or -1 for a constant. */
  argOf: number[]
  constants: unknown[]
}

// Stand-ins for the arguments while the query is built once: strings nothing else produces.
const MARKER = '\u0000aurion-arg-'
const marker = (i: number) => `${MARKER}${i}\u0000`

/**
 * A query built and compiled by Kysely once per dialect, then run with fresh arguments. Building
 * and compiling cost about twice as much CPU as running a simple statement; hot paths (every
 * widget message) skip both. The SQL text is the same each time, so the driver's prepared
 * statement is reused too.
 *
 * `build` is called once, with stand-ins for the arguments: it must use each argument only as
 * a value (in `where`, `values`, `set`, `limit`…), never to decide the query's shape, and must
 * use every argument. Both are checked when the query is compiled.
 */
export function prepare<A extends unknown[], R>(
  build: (db: Db, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  // Per dialect adapter: a database handle and its transactions share one.
  const templates = new WeakMap<object, Template>()
  return async (db, ...args) => {
    const executor = db.getExecutor()
    let t = templates.get(executor.adapter)
    if (t === undefined) {
      if (executor.plugins.length > 0) throw new Error('prepared queries do not support plugins')
      t = compileTemplate(db, build, args.length)
      templates.set(executor.adapter, t)
    }
    const { argOf, constants } = t
    const parameters = new Array<unknown>(argOf.length)
    for (let i = 0; i < argOf.length; i++) {
      const a = argOf[i]!
      parameters[i] = a === -1 ? constants[i] : args[a]
    }
    return db.executeQuery<R>({
      query: t.compiled.query,
      queryId: t.compiled.queryId,
      sql: t.compiled.sql,
      parameters,
    })
  }
}

function compileTemplate<A extends unknown[]>(
  db: Db,
  build: (db: Db, ...args: A) => Compilable<unknown>,
  arity: number,
): Template {
  const markers = Array.from({ length: arity }, (_, i) => marker(i))
  const compiled = build(db, ...(markers as A)).compile()
  if (compiled.sql.includes('\u0000')) {
    throw new Error(`a prepared query's argument ended up in its SQL text: ${compiled.sql}`)
  }
  const argOf: number[] = []
  const constants: unknown[] = []
  const used = new Set<number>()
  compiled.parameters.forEach((p, i) => {
    if (typeof p === 'string' && p.startsWith(MARKER) && p.endsWith('\u0000')) {
      argOf[i] = Number(p.slice(MARKER.length, -1))
      used.add(argOf[i]!)
    } else {
      if (typeof p === 'string' && p.includes('\u0000')) {
        throw new Error(`a prepared query's argument was transformed: ${JSON.stringify(p)}`)
      }
      argOf[i] = -1
      constants[i] = p
    }
  })
  if (used.size !== arity) {
    throw new Error(`a prepared query uses ${used.size} of its ${arity} arguments: ${compiled.sql}`)
  }
  return { compiled, argOf, constants }
}

/** The first row of a result, if any. */
export function firstRow<R>(result: QueryResult<R>): R | undefined {
  return result.rows[0]
}
