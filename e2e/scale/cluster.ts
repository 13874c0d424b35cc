import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type DbHandle,
  type ListeningProcess,
  openStore,
  startServerProcess,
  startTestRedisServer,
  type TestRedisServer,
} from '@aurion/server/test-support'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'

/** One `aurion serve` process. */
export interface ServerProcess {
  readonly name: string
  readonly url: string
  readonly pid: number
  /** Everything it printed (JSON log lines), for failure messages. */
  output(): string
  /** Still running? (A crash would make this false.) */
  alive(): boolean
  stop(): Promise<void>
}

/** Two or more instances on one PostgreSQL schema and one private Redis, on loopback. */
export interface Cluster {
  readonly servers: ServerProcess[]
  /** The test's own handle on the shared schema (seeding, row counts). */
  readonly database: DbHandle
  /** The private redis-server the instances share; stop/start it to test an outage. */
  readonly redis: TestRedisServer
  /** Forwarder the instances reach PostgreSQL through; cut/restore it to test an outage. */
  readonly pgProxy: TcpProxy
  close(): Promise<void>
}

export const CLUSTER_SECRET = 'e2e-scale-secret-0123456789abcdef0123456789'

/**
 * Starts `count` server processes at once (so their start-up migrations race, as in a real
 * rollout) on a fresh PostgreSQL schema reached through a TCP proxy and a private redis-server,
 * with a random Redis key prefix.
 */
export async function startCluster(
  pgUrl: string,
  opts: { count?: number; env?: Record<string, string> } = {},
): Promise<Cluster> {
  const count = opts.count ?? 2
  const schema = `scale_${randomBytes(6).toString('hex')}`
  // The servers migrate the schema as they start (racing, as in a rollout): not done here.
  const database = await openStore({ dialect: 'postgres', url: pgUrl, schema }, { migrate: false })
  const target = new URL(pgUrl)
  const pgProxy = await startTcpProxy({
    host: target.hostname,
    port: Number(target.port || 5432),
  })
  const redis = await startTestRedisServer()
  const proxied = new URL(pgUrl)
  proxied.hostname = '127.0.0.1'
  proxied.port = String(pgProxy.port)
  proxied.searchParams.set('options', `-c search_path=${schema}`)
  const dataDir = mkdtempSync(join(tmpdir(), 'aurion-scale-'))
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: proxied.toString(),
    REDIS_URL: redis.url,
    AURION_REDIS_PREFIX: `e2e-${randomBytes(4).toString('hex')}:`,
    AURION_SECRET: CLUSTER_SECRET,
    AURION_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...opts.env,
  }
  const servers: ServerProcess[] = []
  const cleanup = async () => {
    await Promise.all(servers.map((s) => s.stop()))
    await redis.close()
    await pgProxy.close()
    await database.db.schema.dropSchema(schema).ifExists().cascade().execute()
    await database.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => startServer(String.fromCharCode(65 + i), env)),
    )
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value)
    const failed = started.find((s) => s.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  } catch (err) {
    await cleanup()
    throw err
  }
  return { servers, database, redis, pgProxy, close: cleanup }
}

/** Spawns `aurion serve` and resolves with its URL once it logs that it listens. */
async function startServer(name: string, env: Record<string, string>): Promise<ServerProcess> {
  let proc: ListeningProcess
  try {
    proc = await startServerProcess(env)
  } catch (err) {
    throw new Error(`server ${name}: ${(err as Error).message}`)
  }
  return {
    name,
    url: proc.url,
    pid: proc.child.pid!,
    output: () => proc.stdout + proc.stderr,
    alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
    stop: () => proc.stop(),
  }
}
