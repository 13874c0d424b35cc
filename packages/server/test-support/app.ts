import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Agent } from '../src/agent/agent.ts'
import { createAgent } from '../src/agent/index.ts'
import { buildApp } from '../src/app.ts'
import type { AppDeps } from '../src/app-deps.ts'
import type { Config } from '../src/config.ts'
import { createMessagesInFlight, type MessagesInFlight } from '../src/conversations/in-flight.ts'
import { connectDb, type DbHandle } from '../src/db/connect.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import type { Db, Dialect } from '../src/db/schema.ts'
import type { RealtimeBus } from '../src/realtime/bus.ts'
import { createMemoryBus } from '../src/realtime/memory-bus.ts'
import { testConfig } from './config.ts'
import { createTestDatabase } from './database.ts'
import { freeLoopbackPort } from './ports.ts'

export interface TestApp {
  app: FastifyInstance
  db: Db
  database: DbHandle
  config: Config
  close(): Promise<void>
}

/** Backends to use instead of the embedded defaults (memory limiter and bus, configured agent). */
export type TestDeps = Partial<Omit<AppDeps, 'database'>>

/**
 * The whole application (`buildApp`: every route) in process on a fresh database of the given
 * dialect, not listening: drive it with `app.inject()`. close() closes app and database.
 */
export async function buildTestApp(
  opts: { dialect?: Dialect; env?: Record<string, string>; deps?: TestDeps } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(opts.dialect ?? 'sqlite')
  const config = testConfig(opts.env)
  const app = await buildApp(config, { database, ...opts.deps })
  await app.ready()
  return {
    app,
    db: database.db,
    database,
    config,
    async close() {
      await app.close()
      await database.close()
    },
  }
}

export interface TestServer extends TestApp {
  /** `http://127.0.0.1:<port>` (also the server's AURION_PUBLIC_URL). */
  url: string
  port: number
  /** AURION_DATA_DIR: a fresh temp directory, removed on close. */
  dataDir: string
  /** The bus the app publishes on (subscribe to see what sockets are sent). */
  bus: RealtimeBus
  /** The agent the app answers with. */
  agent: Agent
  /** The app's conversation work in flight (for the conversation helpers). */
  inflight: MessagesInFlight
}

/**
 * The whole application listening on a free loopback port, reached over real sockets. Data in a
 * fresh temp data dir: a SQLite file there (as `aurion serve` keeps it), in-memory SQLite
 * (`storage: 'memory'`), or a PostgreSQL schema of its own (`dialect: 'postgres'`). `env` adds
 * or overrides variables; `deps` swaps backends (a bus to watch, a scripted agent…).
 */
export async function startTestServer(
  opts: {
    dialect?: Dialect
    storage?: 'file' | 'memory'
    env?: Record<string, string>
    deps?: TestDeps
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aurion-test-'))
  const port = await freeLoopbackPort()
  const url = `http://127.0.0.1:${port}`
  const config = testConfig({
    AURION_DATA_DIR: dataDir,
    AURION_PUBLIC_URL: url,
    HOST: '127.0.0.1',
    PORT: String(port),
    ...opts.env,
  })
  let database: DbHandle
  if (opts.dialect === 'postgres') database = await createTestDatabase('postgres')
  else if (opts.storage === 'memory') database = await createTestDatabase('sqlite')
  else {
    database = await connectDb({ dataDir })
    await migrateToLatest(database)
  }
  const bus = opts.deps?.bus ?? createMemoryBus()
  const agent = opts.deps?.agent ?? createAgent(config, database.db)
  const inflight = createMessagesInFlight()
  const app = await buildApp(config, { database, ...opts.deps, bus, agent, inflight })
  try {
    await app.listen({ port, host: '127.0.0.1' })
  } catch (err) {
    await app.close()
    await database.close()
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
  return {
    url,
    port,
    app,
    db: database.db,
    database,
    config,
    dataDir,
    bus,
    agent,
    inflight,
    async close() {
      await app.close()
      await database.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
